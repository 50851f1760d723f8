#!/usr/bin/env bash
# Stand-ins for the Dockerfile's two base images, for machines that cannot pull them (ours), so that
# `podman build .` runs the real Dockerfile, builder stage included:
#
#   builder        swift:6.3.1-bookworm: a bookworm root filesystem with the packages the official image installs
#                  (swiftlang/swift-docker, 6.3/debian/12/Dockerfile) and this machine's toolchain where the official
#                  image puts it (/usr/bin/swift, /usr/lib/swift, ...)
#   runtime-deps   debian:bookworm-slim: the same bootstrap before those packages, slimmed as -slim is
#
#   scripts/builder-image.sh
#
# Both are imported into podman's store under the exact names the Dockerfile uses (read from its FROM lines) and
# labelled with a key: the toolchain's version and this script's checksum. A later run that finds both images with
# the current key does nothing, so CI assembles them once per toolchain on a machine (about 3 minutes) and reuses
# them afterwards. Differences from the official images, on purpose: a minbase bootstrap with the day's package
# versions; no SWIFT_SIGNING_KEY; the toolchain without its debugger, language server, formatter, docs and Embedded
# Swift libraries, which `swift build` does not use.
#
# Environment:
#   SWIFT_TOOLCHAIN         the toolchain to copy (default /opt/swift); its version must match the builder tag
#   DEBIAN_MIRROR           default: the first mirror in this machine's apt sources, else deb.debian.org
#   DEBIAN_SECURITY_MIRROR  default http://deb.debian.org/debian-security
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
. scripts/lib.sh

log() { printf '\n== %s\n' "$*"; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

toolchain=${SWIFT_TOOLCHAIN:-/opt/swift}

# stage_image STAGE: the image the Dockerfile's `FROM <image> AS STAGE` names, as podman stores a short name.
stage_image() {
    local name
    name=$(awk -v stage="$1" 'toupper($1) == "FROM" && tolower($3) == "as" && $4 == stage { print $2 }' Dockerfile)
    [[ -n $name ]] || fail "no 'FROM <image> AS $1' in Dockerfile"
    [[ $name == */* ]] || name=library/$name
    echo "docker.io/$name"
}
builder_ref=$(stage_image builder)
deps_ref=$(stage_image runtime-deps)
[[ $builder_ref == docker.io/library/swift:*-bookworm ]] || fail "builder is $builder_ref; this script makes swift:*-bookworm"
[[ $deps_ref == docker.io/library/debian:bookworm-slim ]] || fail "runtime-deps is $deps_ref; this script makes bookworm-slim"

log "tools"
need_apt=()
command -v podman >/dev/null || need_apt+=(podman)
command -v runc >/dev/null || [[ -x /usr/sbin/runc ]] || need_apt+=(runc)
command -v debootstrap >/dev/null || [[ -x /usr/sbin/debootstrap ]] || need_apt+=(debootstrap)
if ((${#need_apt[@]})); then
    echo "installing: ${need_apt[*]}"
    apt_install --no-install-recommends "${need_apt[@]}"
fi
export PATH=$PATH:/usr/sbin:/sbin
export CONTAINERS_CONF=$repo/scripts/containers.conf

key_label=org.swift-service-template.stand-in
# needed REF: true when REF is missing or a stand-in of another key. An image without the label was pulled from a
# registry: the real one is better than any stand-in, so it is left alone.
needed() {
    local label
    podman image exists "$1" || return 0
    label=$(podman image inspect --format "{{index .Labels \"$key_label\"}}" "$1")
    [[ -n $label && $label != "<no value>" && $label != "$key" ]]
}

log "toolchain"
[[ -x $toolchain/usr/bin/swift ]] || fail "no toolchain at $toolchain (SWIFT_TOOLCHAIN)"
# "Swift version 6.3.1 (swift-6.3.1-RELEASE)" -> swift-6.3.1-RELEASE
swift_version=$("$toolchain/usr/bin/swift" --version 2>/dev/null | sed -n 's/^.*Swift version [^ ]* (\([^)]*\)).*$/\1/p')
echo "$toolchain: $swift_version"
key="$swift_version $(sha256sum <"$0" | cut -c1-12)"
make_builder=0
make_deps=0
needed "$builder_ref" && make_builder=1
needed "$deps_ref" && make_deps=1
if ((!make_builder && !make_deps)); then
    echo "present: $builder_ref and $deps_ref (stand-ins: $key)"
    exit 0
fi
tag_version=${builder_ref##*:}
tag_version=${tag_version%-bookworm}
if ((make_builder)) && [[ $swift_version != "swift-$tag_version-RELEASE" ]]; then
    fail "the Dockerfile's builder is $builder_ref but $toolchain is $swift_version: a stand-in would lie"
fi

mirror_from_host() {
    local uri
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(mirror_from_host)}

work=$(mktemp -d /var/tmp/builder-image.XXXXXX)
rootfs=$work/rootfs
cleanup() {
    umount "$rootfs/proc" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

log "debootstrap --variant=minbase bookworm from $mirror"
start=$SECONDS
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
# The official images' apt sources: main, updates and security.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -f "$rootfs"/var/cache/apt/archives/*.deb
echo "$((SECONDS - start)) s"

# import ROOTFS REF [--change ...]: one layer, piped (no 2.5 GB tarball on disk); podman adds its own resolv.conf.
# The image the name held before is removed when nothing else uses it (other builds' cache may).
import() {
    local dir=$1 ref=$2 old
    shift 2
    old=$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)
    tar -C "$dir" --numeric-owner --exclude=./etc/resolv.conf --exclude='./proc/*' -c . \
        | podman import --quiet --change "LABEL $key_label=\"$key\"" "$@" - "$ref" >/dev/null
    echo "imported $ref: $(podman image inspect --format '{{.Size}}' "$ref") bytes"
    if [[ -n $old ]]; then podman rmi "$old" >/dev/null 2>&1 || true; fi
}

if ((make_deps)); then
    log "$deps_ref"
    start=$SECONDS
    slim=$work/slim
    cp -a "$rootfs" "$slim"
    # What the -slim images leave out: docs, man pages, locales, apt's lists and caches.
    rm -rf "$slim"/usr/share/doc/* "$slim"/usr/share/man/* "$slim"/usr/share/info/* "$slim"/usr/share/locale/* \
        "$slim"/var/lib/apt/lists/* "$slim"/var/cache/apt/*.bin "$slim"/var/log/*.log
    import "$slim" "$deps_ref" --change 'CMD ["bash"]'
    rm -rf "$slim"
    echo "$((SECONDS - start)) s"
fi
((make_builder)) || exit 0

log "$builder_ref: the official image's packages"
start=$SECONDS
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
# The list and flags of swiftlang/swift-docker's 6.3/debian/12/Dockerfile (recommends on, as there).
chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true bash -c '
    apt-get -q update && apt-get -q install -y \
        binutils libicu-dev libcurl4-openssl-dev libedit-dev libsqlite3-dev libncurses-dev libpython3-dev \
        libxml2-dev pkg-config uuid-dev tzdata git gcc libstdc++-12-dev \
    && apt-get clean && rm -r /var/lib/apt/lists/*' >"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log"; fail "apt-get install in the builder root filesystem"; }
echo "$((SECONDS - start)) s"

log "$builder_ref: $swift_version into /usr, as the official image unpacks it"
start=$SECONDS
tar -C "$toolchain" -c \
    --exclude='./usr/bin/lldb*' --exclude=./usr/bin/repl_swift --exclude=./usr/bin/docc \
    --exclude=./usr/bin/clangd --exclude=./usr/bin/sourcekit-lsp --exclude=./usr/bin/swift-format \
    --exclude=./usr/bin/wasmkit --exclude='./usr/lib/liblldb*' --exclude='./usr/lib/libsourcekitd*' \
    --exclude='./usr/lib/libSwiftSourceKit*' --exclude=./usr/lib/swift/embedded \
    --exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/docc \
    ./usr | tar -C "$rootfs" -x
chmod -R o+r "$rootfs/usr/lib/swift"
umount "$rootfs/proc"
echo "$((SECONDS - start)) s"

log "$builder_ref: import"
start=$SECONDS
import "$rootfs" "$builder_ref" --change 'CMD ["bash"]' \
    --change "ENV SWIFT_PLATFORM=debian12" --change "ENV SWIFT_BRANCH=${swift_version,,}" \
    --change "ENV SWIFT_VERSION=$swift_version"
echo "$((SECONDS - start)) s"
