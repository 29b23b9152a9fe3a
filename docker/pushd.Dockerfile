# syntax=docker/dockerfile:1
# pushd, the push daemon, with the built dashboard. Build context: the repository root.
#     docker build -f docker/pushd.Dockerfile -t variant-dashboard/pushd .
#
# Stage "web": the dashboard (Vite) needs Node ^20.19 || >=22.12 (pushd/web/package.json "engines");
#   Debian 12's nodejs is 18.19, so this stage uses the official Node image on the same Debian release.
# Stage "build": pushd against Debian 12's libwebsockets-dev 4.1, libpq-dev and libjansson-dev.
# Runtime: debian:12-slim with only the runtime libraries those -dev packages link to (libwebsockets17,
#   libpq5, libjansson4; libssl3, libcap2 and zlib1g come as their dependencies), a non-root user, the
#   binary and the dashboard.

FROM node:22-bookworm-slim AS web
WORKDIR /src/pushd/web
COPY pushd/web/package.json pushd/web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY pushd/web/ ./
RUN npm run build

FROM debian:12 AS build
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends build-essential pkg-config \
        libwebsockets-dev libpq-dev libjansson-dev libcurl4-openssl-dev; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pushd/ pushd/
RUN set -eux; make -C pushd clean; make -C pushd; ./pushd/pushd --help >/dev/null

FROM debian:12-slim
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends libwebsockets17 libpq5 libjansson4 libcurl4 ca-certificates; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 pushd; \
    useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin pushd
COPY --from=build /src/pushd/pushd /usr/local/bin/pushd
COPY --from=web /src/pushd/web/dist/ /usr/local/share/pushd/web/
COPY --chmod=0755 docker/pushd-healthcheck.sh /usr/local/bin/pushd-healthcheck
LABEL org.opencontainers.image.title="pushd" \
      org.opencontainers.image.description="variant_dashboard push daemon: WebSocket, REST API and dashboard"
# Every option is also an environment variable (pushd/README.md); DATABASE_URL must be given at run time.
ENV PUSHD_PORT=8081 \
    PUSHD_WEB_ROOT=/usr/local/share/pushd/web
USER 10001:10001
EXPOSE 8081
# pushd answers SIGTERM by closing every WebSocket with 1001 and exits 0 within --shutdown-timeout-ms.
STOPSIGNAL SIGTERM
# The slim image has neither curl nor wget: the probe is a bash /dev/tcp request (docker/pushd-healthcheck.sh).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/pushd-healthcheck", "/healthz"]
ENTRYPOINT ["/usr/local/bin/pushd"]
