# syntax=docker/dockerfile:1
#
# The service image: a Swift builder, and a runtime holding only the binary and the Debian packages it loads.
#
#   docker build -t registry.example.com/service:1.2.3 .
#
# Stages, in order:
#   builder        swift:6.3.1-bookworm, builds and strips the `service` product
#   runtime-deps   debian:bookworm-slim: installs libpq5 and ca-certificates from the current archives and
#                  assembles the runtime's filesystem in /rootfs (scripts/runtime-rootfs.sh)
#   runtime        scratch + /rootfs + the builder's binary: the default (last) target, the image we ship
#
# Builder and runtime share a glibc (both bookworm). The runtime has no shell and no package manager; it takes
# Debian's security fixes by being rebuilt, since runtime-deps installs and upgrades at build time (see
# docs/IMAGE.md).
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


FROM debian:bookworm-slim AS runtime-deps

SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY scripts/runtime-rootfs.sh /usr/local/sbin/runtime-rootfs

# libpq5: the only shared library beyond libc/libstdc++/libgcc_s (the Swift runtime is linked statically).
# ca-certificates: for sslmode=verify-full with sslrootcert=/etc/ssl/certs/ca-certificates.crt.
# `apt-get upgrade`: the base image's own packages (libc6, libstdc++6, ...) go into the runtime too, so they are
# brought up to the archive's current versions as well.
# The group and user exist so libpq can resolve the uid (it looks the OS user up when the URL names none);
# no home directory, no shell.
# DL3008 (pin apt versions): Debian removes superseded versions from its mirror, so a pinned version breaks
# the build on the next security update; the base image digest is the pin, and a rebuild picks up fixes.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get upgrade -y \
    && apt-get install -y --no-install-recommends libpq5 libstdc++6 ca-certificates \
    && groupadd --gid 10001 service \
    && useradd --no-log-init --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin service \
    && runtime-rootfs /rootfs libpq5 libstdc++6


FROM scratch AS runtime

COPY --from=runtime-deps /rootfs/ /
COPY --from=builder --chown=0:0 --chmod=0555 /out/service /usr/local/bin/service

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
      org.opencontainers.image.source="${SOURCE}"

# Exec form: the binary is PID 1 and receives SIGTERM itself (there is no shell to swallow it). Nothing is
# written to the filesystem at run time, so readOnlyRootFilesystem needs no emptyDir.
ENTRYPOINT ["/usr/local/bin/service"]
CMD ["serve"]
