#!/usr/bin/env bash
# msgpack-c vs this repository's Swift MessagePack codec vs Foundation JSON, on one Locust stats
# report (50 request names). See README.md for the figures and the recommendation.
#
#   bench/msgpack/run.sh [OUT_DIR]      (default /tmp/mpbench)
#   COUNT_INSTRUCTIONS=1 bench/msgpack/run.sh   also counts instructions per report (valgrind)
#
# Needs swiftc and Debian's libmsgpack-dev (msgpack-c 4.0: /usr/include/msgpack.h, libmsgpackc).
set -euo pipefail
cd "$(dirname "$0")/../.."          # the repository root
out=${1:-/tmp/mpbench}
rm -rf "$out/module"        # a static library is appended to, never replaced: start clean
mkdir -p "$out/module"

# 1. The Swift benchmark, built straight from the sources (the package exports no MessagePack product).
#    a) one module: the codec and the benchmark compiled together (whole-module -O, everything inlinable);
swiftc -O -wmo -parse-as-library -module-name MessagePackBench Sources/MessagePack/*.swift bench/msgpack/main.swift \
    -o "$out/mpbench"
#    b) MessagePack as its own module, called across the module boundary as LocustRunner will call it.
swiftc -O -wmo -parse-as-library -module-name MessagePack -emit-module -emit-module-path "$out/module/MessagePack.swiftmodule" \
    -emit-library -static -o "$out/module/libMessagePack.a" Sources/MessagePack/*.swift
swiftc -O -wmo -parse-as-library -module-name MessagePackBench -I "$out/module" -L "$out/module" -lMessagePack \
    bench/msgpack/main.swift -o "$out/mpbench-module"

# 2. msgpack-c.
cc -O2 -Wall -o "$out/msgpack_c_bench" bench/msgpack/msgpack_c_bench.c -lmsgpackc

# 3. The report (written by the Swift side), msgpack-c's figures, then the table.
"$out/mpbench" report "$out"
"$out/msgpack_c_bench" "$out/report.msgpack" | tee "$out/c-results.tsv"
echo
echo "== one module (swiftc -O, codec and benchmark together)"
"$out/mpbench" run "$out"
echo
echo "== MessagePack as a separate module (cross-module calls)"
"$out/mpbench-module" run "$out"

# 4. Optional, load-independent: instructions per report under callgrind (COUNT_INSTRUCTIONS=1).
#    Each operation runs 100 times; a run of 0 (setup only) is subtracted.
if [[ ${COUNT_INSTRUCTIONS:-0} == 1 ]] && command -v valgrind >/dev/null; then
    instructions() {  # instructions of: "$@" (total, as callgrind counts them)
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
            sed -n 's/.*refs: *//p' | tr -d ,
    }
    echo
    echo "| operation (MessagePack as its own module) | instructions per report |"
    echo "|---|---:|"
    for op in walk decode decode+walk typed encode; do
        zero=$(instructions "$out/mpbench-module" loop "$op" 0)
        hundred=$(instructions "$out/mpbench-module" loop "$op" 100)
        echo "| Swift $op | $(( (hundred - zero) / 100 )) |"
    done
    for op in unpack pack; do
        zero=$(instructions "$out/msgpack_c_bench" "$out/report.msgpack" "$op" 0)
        hundred=$(instructions "$out/msgpack_c_bench" "$out/report.msgpack" "$op" 100)
        echo "| msgpack-c $op$([[ $op == unpack ]] && echo ' + walk') | $(( (hundred - zero) / 100 )) |"
    done
fi
