#!/usr/bin/env bash
# Builds SwiftLocust's OCI image with buildah, from a Debian root made by debootstrap (no registry).
#
#   scripts/image.sh [--bin DIR] [--plugin LIB.so] [--tag NAME] [--archive FILE] [--cache DIR]
#
#   --bin DIR       where `locust` and `libLocustAPI.so` are (default .build/release of this checkout)
#   --plugin FILE   bake this scenario plugin in, as /opt/swiftlocust/plugins/<name>.so, and point
#                   LOCUST_LOCUSTFILE at it; without it, give `-f` a mounted file, or run slaves with
#                   `-f -` (the plugin from the master, which needs --cluster-token)
#   --tag NAME      the image's name (default swiftlocust:latest; buildah stores it as localhost/NAME)
#   --archive FILE  also write the image as an OCI archive (`podman load -i`, `ctr images import`,
#                   `kind load image-archive`, `skopeo copy oci-archive:FILE docker://REGISTRY/...`)
#   --cache DIR     where the debootstrap root is cached (default .build/image-cache)
#
# What goes in: Debian bookworm minbase with libcurl4, libzmq5, CA certificates and Chart.js (the web
# UI's charts); /usr/local/bin/locust; libLocustAPI.so and exactly the Swift runtime libraries that
# `ldd` resolves into the toolchain for the runner, libLocustAPI.so and the plugin (not the toolchain),
# in /usr/local/lib/swiftlocust (ld.so.conf.d); the runner's and libLocustAPI.so's debug information is
# stripped (IMAGE_STRIP=0 keeps it), the plugin is copied byte for byte. Non-toolchain libraries must come from Debian packages
# in the root: each one's package (dpkg -S on this Debian host) is added to the debootstrap list, and a
# final `ldd` inside the root must find everything. It runs as user `locust` (uid 1000, home
# /home/locust, the working directory), ENTRYPOINT ["locust"] as in Locust's own image, ports 8089
# (web UI) and 5557 (coordinator).
#
# buildah runs as root with the vfs storage driver (BUILDAH_STORAGE_DRIVER, default vfs): it needs no
# overlay or fuse support and works inside containers and VMs where podman's rlimits are refused.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/.build/release
plugin=""
tag=swiftlocust:latest
archive=""
cache=$here/.build/image-cache
while (($#)); do
    case $1 in
    --bin) bin=$2; shift 2 ;;
    --plugin) plugin=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --archive) archive=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$0: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

[[ $(id -u) == 0 ]] || { echo "$0: run as root (buildah with the vfs driver, chroot)" >&2; exit 1; }
command -v buildah >/dev/null 2>&1 || { echo "$0: buildah is missing (make image-deps)" >&2; exit 1; }
for file in "$bin/locust" "$bin/libLocustAPI.so" ${plugin:+"$plugin"}; do
    [[ -f $file ]] || { echo "$0: no $file (make build first)" >&2; exit 1; }
done
start=$(date +%s)
buildah=(buildah --storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")

# The libraries to carry: everything ldd resolves for the runner, libLocustAPI.so and the plugin.
objects=("$bin/locust" "$bin/libLocustAPI.so" ${plugin:+"$plugin"})
toolchain_libs=()
# libjemalloc2: the runner preloads it (AllocatorPreload); ldd does not list it.
packages=(ca-certificates libcurl4 libzmq5 libjs-chart.js libjemalloc2)
declare -A seen=()
while read -r name path; do
    [[ -n $path && -z ${seen[$path]:-} ]] || continue
    seen[$path]=1
    real=$(realpath "$path")
    if [[ $name == libLocustAPI.so ]]; then
        continue  # ours: copied from $bin below, whichever copy the plugin resolved
    elif [[ $real == /lib/* || $real == /usr/lib/* ]] && owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null); then
        packages+=("${owner%%:*}")
    else
        toolchain_libs+=("$path")
    fi
done < <(for object in "${objects[@]}"; do
    ldd "$object" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3} $2 == "=>" && $3 == "not" {print $1, "MISSING"}'
done)
if printf '%s\n' "${toolchain_libs[@]}" | grep -qx MISSING; then
    echo "$0: ldd finds no library for something here:" >&2
    for object in "${objects[@]}"; do ldd "$object" | grep 'not found' >&2 || true; done
    exit 1
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sed 's/,.*//' | sort -u)

root=$("$here/scripts/image-rootfs.sh" "$cache" "${packages[@]}")

container=""
mountpoint=""
cleanup() {
    if [[ -n $container ]]; then
        [[ -n $mountpoint ]] && "${buildah[@]}" umount "$container" >/dev/null 2>&1 || true
        "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

container=$("${buildah[@]}" from --name "swiftlocust-build-$$" scratch)
mountpoint=$("${buildah[@]}" mount "$container")
cp -a "$root"/. "$mountpoint"/
rm -f "$mountpoint/.swiftlocust-rootfs-complete"

libdir=$mountpoint/usr/local/lib/swiftlocust
install -d -m 0755 "$libdir" "$mountpoint/usr/local/bin" "$mountpoint/opt/swiftlocust/plugins"
install -m 0755 "$bin/locust" "$mountpoint/usr/local/bin/locust"
install -m 0755 "$bin/libLocustAPI.so" "$libdir/libLocustAPI.so"
for lib in "${toolchain_libs[@]}"; do
    install -m 0755 "$(realpath "$lib")" "$libdir/$(basename "$lib")"
done
# The release build carries debug information (68 of the runner's 94 MB were DWARF): the image's copies
# lose it, keeping their symbol tables (crash backtraces still name functions). IMAGE_STRIP=0 keeps it.
# The plugin is never stripped: its SHA-256 is its identity in the cluster, so it stays the built file.
if [[ ${IMAGE_STRIP:-1} != 0 ]] && command -v strip >/dev/null 2>&1; then
    strip --strip-debug "$mountpoint/usr/local/bin/locust" "$libdir/libLocustAPI.so"
fi
echo /usr/local/lib/swiftlocust >"$mountpoint/etc/ld.so.conf.d/swiftlocust.conf"
chroot "$mountpoint" /sbin/ldconfig

env_args=()
if [[ -n $plugin ]]; then
    plugin_name=$(basename "$plugin")
    install -m 0644 "$plugin" "$mountpoint/opt/swiftlocust/plugins/$plugin_name"
    env_args=(--env "LOCUST_LOCUSTFILE=/opt/swiftlocust/plugins/$plugin_name")
fi

# The user, as Locust's image has it: `locust`, uid and gid 1000, its home the working directory.
grep -q '^locust:' "$mountpoint/etc/group" || echo 'locust:x:1000:' >>"$mountpoint/etc/group"
grep -q '^locust:' "$mountpoint/etc/passwd" || echo 'locust:x:1000:1000:SwiftLocust:/home/locust:/bin/sh' >>"$mountpoint/etc/passwd"
grep -q '^locust:' "$mountpoint/etc/shadow" || echo 'locust:!:19000::::::' >>"$mountpoint/etc/shadow"
install -d -m 0755 -o 1000 -g 1000 "$mountpoint/home/locust"

# Everything must resolve inside the root, with the root's own loader and libraries.
missing=$(for object in /usr/local/bin/locust /usr/local/lib/swiftlocust/libLocustAPI.so ${plugin:+"/opt/swiftlocust/plugins/$plugin_name"}; do
    chroot "$mountpoint" /usr/bin/ldd "$object" | grep 'not found' || true
done)
[[ -z $missing ]] || { echo "$0: libraries missing in the image: $missing" >&2; exit 1; }
# And the runner starts there (through `buildah run`, which mounts /proc: Foundation reads the arguments
# from /proc/self/cmdline, so a bare chroot would not do).
version=$("${buildah[@]}" run --isolation chroot --network host "$container" -- /usr/local/bin/locust --version 2>&1) ||
    { echo "$0: locust --version fails inside the image: $version" >&2; exit 1; }
version=${version%%$'\n'*}
revision=$(git -C "$here" rev-parse HEAD 2>/dev/null || echo unknown)
"${buildah[@]}" umount "$container" >/dev/null
mountpoint=""
"${buildah[@]}" config \
    --entrypoint '["locust"]' --cmd '["--help"]' \
    --user 1000:1000 --workingdir /home/locust \
    --port 8089/tcp --port 5557/tcp \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "${env_args[@]}" \
    --label "org.opencontainers.image.title=SwiftLocust" \
    --label "org.opencontainers.image.description=A Locust-like distributed load generator; scenarios are Swift plugins" \
    --label "org.opencontainers.image.revision=$revision" \
    --label "org.opencontainers.image.version=$version" \
    --label "io.swiftlocust.plugin=${plugin_name:-none}" \
    "$container"
previous=$("${buildah[@]}" images --noheading --no-trunc --format '{{.ID}}' "$tag" 2>/dev/null | head -n 1 || true)
"${buildah[@]}" commit --quiet --rm "$container" "$tag" >/dev/null
container=""
# The image this one replaces under the same name goes (unless a container still uses it).
current=$("${buildah[@]}" images --noheading --no-trunc --format '{{.ID}}' "$tag" | head -n 1)
if [[ -n $previous && $previous != "$current" ]]; then
    "${buildah[@]}" rmi "$previous" >/dev/null 2>&1 || true
fi

if [[ -n $archive ]]; then
    mkdir -p "$(dirname "$archive")"
    rm -f "$archive"
    "${buildah[@]}" push --quiet "$tag" "oci-archive:$archive:$tag"
fi

size=$("${buildah[@]}" images --format '{{.Size}}' "$tag" | head -n 1)
echo "image: $tag ($size; ${#toolchain_libs[@]} Swift runtime libraries; plugin ${plugin_name:-none, use -f FILE or -f -}) in $(( $(date +%s) - start )) s${archive:+; archive $archive}"
