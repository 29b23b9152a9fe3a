# syntax=docker/dockerfile:1
# PostgreSQL 15 with the variant_dashboard extension installed.
# Build context: the repository root.
#     docker build -f docker/postgres.Dockerfile -t variant-dashboard/postgres:15 .
#
# Stage 1 builds the extension with PGXS against the official postgres:15 image's own server headers
# (postgresql-server-dev-15 from the PGDG apt repository that image is already configured with).
# Stage 2 is a clean postgres:15 holding only the built artefacts (.so, bitcode, .control, .sql) and an
# init script that runs CREATE EXTENSION and scripts/roles.sql on the first start of an empty data directory.

ARG PG_IMAGE=postgres:15-bookworm

FROM ${PG_IMAGE} AS build
# The same minor version as the server when the repository still has it, otherwise the newest 15.x
# (minor releases keep the extension ABI).
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends build-essential \
        "postgresql-server-dev-${PG_MAJOR}=${PG_VERSION}" \
      || apt-get install -y --no-install-recommends build-essential "postgresql-server-dev-${PG_MAJOR}"; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY extension/ extension/
RUN set -eux; \
    make -C extension clean; \
    make -C extension; \
    make -C extension install DESTDIR=/out; \
    find /out -type f | sort

FROM ${PG_IMAGE}
LABEL org.opencontainers.image.title="variant_dashboard PostgreSQL" \
      org.opencontainers.image.description="PostgreSQL 15 with the variant_dashboard extension"
# /out/usr holds lib/postgresql/15/lib/variant_dashboard.so (+ bitcode) and share/postgresql/15/extension/*.
COPY --from=build /out/usr/ /usr/
COPY scripts/roles.sql /usr/local/share/variant_dashboard/roles.sql
COPY --chmod=0755 docker/initdb-variant-dashboard.sh /docker-entrypoint-initdb.d/10-variant-dashboard.sh
