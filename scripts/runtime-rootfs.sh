#!/usr/bin/env bash
# The runtime image's whole filesystem, assembled inside the Dockerfile's runtime-deps stage (Debian, as root,
# after apt-get has installed the packages from the current archives):
#
#   runtime-rootfs.sh DEST PACKAGE...
#
# DEST receives:
#   - every file dpkg lists for PACKAGE... and the packages they depend on (Depends/Pre-Depends, recursively),
#     without docs, man pages, locales and glibc's iconv modules, but with each copyright file;
#   - /var/lib/dpkg/status.d/<package>: that package's dpkg status entry, the layout distroless uses and Trivy,
#     Grype and Syft read, so scanners see the same versions the files came from;
#   - from ca-certificates only the bundle update-ca-certificates generated (the package's own scripts need perl
#     and openssl), from base-files only /etc/os-release and /etc/debian_version (scanners identify the
#     distribution by them); both with their status entries;
#   - /etc/passwd and /etc/group holding root and the user `service` (created before this runs), and
#     /etc/nsswitch.conf (without it glibc asks DNS before /etc/hosts);
#   - Debian's merged-/usr symlinks (/lib -> usr/lib, ...), so paths dpkg lists and the ELF interpreter resolve.
# Nothing else: no shell, no package manager, no coreutils.
set -euo pipefail

dest=$1
shift

# The packages' dependency closure among installed packages, virtual packages (<name>) left out.
mapfile -t packages < <(apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "$@" | grep -E '^[a-z0-9]' | sort -u)
((${#packages[@]})) || { echo "runtime-rootfs: no installed packages for: $*" >&2; exit 1; }

mkdir -p "$dest/var/lib/dpkg/status.d" "$dest/etc/ssl/certs"
for link in bin sbin lib lib32 lib64 libx32; do
    if [[ -L /$link ]]; then
        mkdir -p "$dest/$(readlink "/$link")"
        cp -P "/$link" "$dest/$link"
    fi
done

status() { dpkg-query --status "$1" >"$dest/var/lib/dpkg/status.d/$1"; }

for package in "${packages[@]}"; do
    [[ $(dpkg-query --show --showformat '${db:Status-Status}' "$package") == installed ]] \
        || { echo "runtime-rootfs: $package is not installed" >&2; exit 1; }
    status "$package"
    # The build log's record of what the image holds.
    dpkg-query --show --showformat '${Package} ${Version}\n' "$package" >&2
    # Files and symlinks (directories come with them), relative for tar; a listed path may be diverted or gone.
    dpkg-query --listfiles "$package" | while IFS= read -r path; do
        [[ -L $path || -f $path ]] || continue
        case $path in
            /usr/share/doc/*/copyright) ;;
            /usr/share/doc/* | /usr/share/man/* | /usr/share/info/* | /usr/share/locale/* | /usr/share/lintian/*) continue ;;
            # libc6's iconv converters (8 MB): loaded only by iconv_open for charsets glibc does not build in;
            # neither the service nor libpq calls it.
            /usr/lib/*/gconv/*) continue ;;
        esac
        printf '%s\n' "${path#/}"
    done
done >"$dest.files"
tar -C / --no-recursion -cf - -T "$dest.files" | tar -C "$dest" -xf -
rm "$dest.files"

status ca-certificates
cp /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/"
status base-files
cp -P /etc/os-release /etc/debian_version "$dest/etc/"
mkdir -p "$dest/usr/lib"
cp /usr/lib/os-release "$dest/usr/lib/"

grep -E '^(root|service):' /etc/passwd >"$dest/etc/passwd"
grep -E '^(root|service):' /etc/group >"$dest/etc/group"
cp /etc/nsswitch.conf "$dest/etc/"
