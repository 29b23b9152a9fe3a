# variant_dashboard: the PostgreSQL extension, the push daemon and the browser dashboard.
# `make` builds all three; `make test` and `make demo` also install what they need (see README.md).
PG_CONFIG ?= pg_config
export PG_CONFIG

.PHONY: all extension pushd web install test demo bench fuzz clean

all: extension pushd web

extension:
	$(MAKE) -C extension

pushd:
	@if [ -f pushd/Makefile ]; then $(MAKE) -C pushd; fi

web:
	@if [ -f pushd/web/package.json ]; then cd pushd/web && npm ci --no-audit --no-fund --loglevel=error && npm run build; fi

install: extension
	$(MAKE) -C extension install

test:
	tests/run.sh

demo:
	scripts/demo.sh

bench:
	bench/run.sh

# libFuzzer targets of every pushd parser of outside input; FUZZ_SECONDS (default 60) each.
fuzz:
	scripts/deps.sh test
	$(MAKE) -C pushd fuzz

clean:
	$(MAKE) -C extension clean
	@if [ -f pushd/Makefile ]; then $(MAKE) -C pushd clean; fi
	rm -rf build pushd/web/dist
