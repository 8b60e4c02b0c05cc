#!/usr/bin/env bash
# The Debian root that SwiftLocust's container image is built on (scripts/image.sh).
#
#   scripts/image-rootfs.sh CACHE_DIR [PACKAGE ...]
#
# Makes (once) a Debian bookworm root with `debootstrap --variant=minbase` from the package mirror in
# /etc/apt/sources.list.d (deb.debian.org unless IMAGE_MIRROR says otherwise), with the packages named
# and nothing pulled from a registry; trims apt lists, documentation and locales; and prints its path.
# The root is cached in CACHE_DIR/rootfs-<key>, where the key is a hash of the suite, the mirror, the
# package list and this script: a second call with the same inputs prints the cached path at once.
# An interrupted run leaves no root marked complete (it is rebuilt from scratch the next time).
set -euo pipefail

(($# >= 1)) || { echo "usage: $0 CACHE_DIR [PACKAGE ...]" >&2; exit 2; }
cache=$(realpath -m "$1")
shift
packages=("$@")

SUITE=${IMAGE_SUITE:-bookworm}
MIRROR=${IMAGE_MIRROR:-}
if [[ -z $MIRROR ]]; then
    # The first `URIs:` (deb822) or `deb URL` line that names a Debian archive (not -security).
    MIRROR=$(grep -hoE '^(URIs:[[:space:]]*|deb[[:space:]]+)[^[:space:]]+/debian/?([[:space:]]|$)' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
        awk '{print $2}' | head -n 1 || true)
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi

command -v debootstrap >/dev/null 2>&1 || { echo "$0: debootstrap is missing (make image-deps)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "$0: debootstrap needs root" >&2; exit 1; }

sorted=$(printf '%s\n' "${packages[@]}" | sort -u | tr '\n' ' ')
key=$( { echo "$SUITE $MIRROR $sorted"; cat "$0"; } | sha256sum | cut -c1-16)
root=$cache/rootfs-$key

if [[ -f $root/.swiftlocust-rootfs-complete ]]; then
    echo "image-rootfs: cached $root ($SUITE, $sorted)" >&2
    echo "$root"
    exit 0
fi

mkdir -p "$cache"
# Leftovers of an interrupted run (possibly with /proc still mounted by debootstrap) go first.
for partial in "$cache"/rootfs-*.partial; do
    [[ -d $partial ]] || continue
    for mount in proc sys dev/pts dev; do
        mountpoint -q "$partial/$mount" 2>/dev/null && umount -l "$partial/$mount" || true
    done
    rm -rf --one-file-system "$partial"
done
work=$root.partial
include=$(printf '%s\n' "${packages[@]}" | sort -u | paste -sd, -)
echo "image-rootfs: debootstrap --variant=minbase ${include:+--include=$include }$SUITE from $MIRROR" >&2
start=$(date +%s)
if ! debootstrap --variant=minbase ${include:+--include="$include"} \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$SUITE" "$work" "$MIRROR" >"$cache/debootstrap.log" 2>&1; then
    echo "$0: debootstrap failed; the end of $cache/debootstrap.log:" >&2
    tail -n 20 "$cache/debootstrap.log" >&2
    for mount in proc sys dev/pts dev; do
        mountpoint -q "$work/$mount" 2>/dev/null && umount -l "$work/$mount" || true
    done
    exit 1
fi
for mount in proc sys dev/pts dev; do
    mountpoint -q "$work/$mount" 2>/dev/null && umount -l "$work/$mount" || true
done

# Trim what a runtime image does not need: package lists and caches, documentation, man pages, locales.
rm -rf "$work"/var/cache/apt/*.bin "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/* \
    "$work"/usr/share/man/* "$work"/usr/share/info/* "$work"/var/log/*.log \
    "$work"/var/cache/debconf/*-old "$work"/var/lib/dpkg/*-old "$work"/tmp/* 2>/dev/null || true
find "$work/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
# Documentation goes, but Debian's copyright files stay with the binaries they cover.
find "$work/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
find "$work/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
echo "Debian $SUITE minbase + $sorted" >"$work/etc/swiftlocust-rootfs"
: >"$work/etc/machine-id"

touch "$work/.swiftlocust-rootfs-complete"
mv "$work" "$root"
echo "image-rootfs: made $root in $(( $(date +%s) - start )) s" >&2
echo "$root"
