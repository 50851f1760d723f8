# syntax=docker/dockerfile:1
#
# The service image: a Swift builder and a small Debian runtime that share glibc (both bookworm).
#
#   docker build -t registry.example.com/service:1.2.3 .
#
# Stages, in order:
#   builder           swift:6.3.1-bookworm, builds and strips the `service` product
#   runtime-base      debian:bookworm-slim + libpq5 + ca-certificates, user 10001, entrypoint; no binary yet
#   runtime-prebuilt  runtime-base + a binary from the build context (scripts/image-smoke-test.sh only)
#   runtime           runtime-base + the builder's binary: the default (last) target, the image we ship
#
# `runtime` and `runtime-prebuilt` differ only in where the binary comes from, so the smoke test exercises the
# runtime we ship even on a machine that cannot pull the official Swift image.
#
# Tags are pinned to exact versions here. In a real registry pin digests as well
# (`FROM swift:6.3.1-bookworm@sha256:...`, `FROM debian:bookworm-slim@sha256:...`) and let a bot bump them:
# a tag can be re-pushed, a digest cannot.

FROM swift:6.3.1-bookworm AS builder

# CLibPQ finds libpq through pkg-config (the header lives in /usr/include/postgresql).
# DL3008 (pin apt versions): Debian removes superseded versions from its mirror, so a pinned version breaks
# the build on the next security update; the base image digest is the pin, and a rebuild picks up fixes.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# The manifest alone first: resolving is cached until Package.swift changes (no dependencies today, but a
# template user may add some).
COPY Package.swift ./
RUN swift package resolve

# SwiftPM checks that every declared target's directory exists, test targets included, so Tests/ is copied
# although only the `service` product is built.
COPY Sources ./Sources
COPY Tests ./Tests
# The same flags as `make release` (see the Makefile for --disable-local-rpath).
RUN swift build -c release --static-swift-stdlib --disable-local-rpath --product service \
    && install -D -m 0555 "$(swift build -c release --show-bin-path)/service" /out/service \
    && strip /out/service


FROM debian:bookworm-slim AS runtime-base

# libpq5: the only shared library beyond libc/libstdc++/libgcc_s (the Swift runtime is linked statically).
# ca-certificates: for sslmode=verify-full with sslrootcert=/etc/ssl/certs/ca-certificates.crt.
# The group and user exist so libpq can resolve the uid (it looks the OS user up when the URL names none);
# no home directory, no shell. `apt-get clean` drops the .deb files and apt's binary caches (tens of MB) even on
# a base image without the official images' docker-clean apt hook.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 service \
    && useradd --no-log-init --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin service

# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001

# 8080 "http": application routes, /livez, /readyz. 8081 "admin": /prestop, /metrics, detailed probes.
EXPOSE 8080 8081

# Kubernetes probes /livez, /readyz and calls /prestop; a Docker HEALTHCHECK would be a second, unused opinion.
HEALTHCHECK NONE

# Set by CI: --build-arg VERSION=1.2.3 --build-arg REVISION="$(git rev-parse HEAD)" --build-arg SOURCE=https://...
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="service" \
      org.opencontainers.image.description="Kubernetes-native Swift HTTP service (libpq, no package dependencies)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"

# Exec form: the binary is PID 1 and receives SIGTERM itself (no shell to swallow it). Nothing is written to
# the filesystem at run time, so readOnlyRootFilesystem needs no emptyDir.
ENTRYPOINT ["/usr/local/bin/service"]
CMD ["serve"]


FROM runtime-base AS runtime-prebuilt
COPY --chown=0:0 --chmod=0555 prebuilt/service /usr/local/bin/service


FROM runtime-base AS runtime
COPY --from=builder --chown=0:0 --chmod=0555 /out/service /usr/local/bin/service
