#!/usr/bin/env bash
# build.sh: a valgrind that runs SwiftLocust, into bench/.valgrind (prints the valgrind binary's path).
#
# Debian 12's valgrind 3.19 cannot read the DWARF 5 of Swift binaries, and every valgrind up to 3.24 at
# least crashes on Swift programs: libdispatch calls rt_sigsuspend with a signal mask in its read-only data,
# and valgrind's wrapper edits that mask in place (SIGSEGV inside valgrind). This builds upstream 3.24.0
# (Debian's source tarball, checked by SHA-256) with rt_sigsuspend-readonly-mask.patch, which copies the
# mask first, as valgrind's own ppoll/pselect wrappers do. About 2 minutes on 2 cores; done once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(realpath -m "${VALGRIND_PREFIX:-$here/../.valgrind}")
version=3.24.0
sha256=71aee202bdef1ae73898ccf7e9c315134fa7db6c246063afc503aef702ec03bd
url=http://deb.debian.org/debian/pool/main/v/valgrind/valgrind_$version.orig.tar.bz2
if [ -x "$prefix/bin/valgrind" ] && "$prefix/bin/valgrind" --version | grep -q "$version"; then
    echo "$prefix/bin/valgrind"; exit 0
fi
for tool in cc make patch curl bzip2; do
    command -v "$tool" >/dev/null || { echo "valgrind/build.sh: $tool is missing (apt-get install build-essential curl bzip2)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL -o "$work/valgrind.tar.bz2" "$url"
echo "$sha256  $work/valgrind.tar.bz2" | sha256sum -c --quiet -
tar xjf "$work/valgrind.tar.bz2" -C "$work"
cd "$work/valgrind-$version"
patch -p1 --quiet < "$here/rt_sigsuspend-readonly-mask.patch"
./configure --prefix="$prefix" > "$work/configure.log" 2>&1 || { tail -20 "$work/configure.log" >&2; exit 1; }
make -j"$(nproc)" > "$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
make install > "$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
echo "$prefix/bin/valgrind"
