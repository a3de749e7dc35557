#!/usr/bin/env bash
# Runs the manifest fuzzer (libFuzzer, with ASan and UBSan) for N seconds, 60 by default,
# starting from the checked-in corpus. New inputs go to a scratch corpus in the build dir.
#
#   tools/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=${KUKEON_FUZZ_BUILD_DIR:-build-fuzz}

if [ ! -f "$dir/build.ninja" ]; then
        CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
                -Dbuildtype=debugoptimized -Dwerror=true >/dev/null
fi
ninja -C "$dir" src/fuzz/fuzz-manifest

corpus="$dir/fuzz-corpus"
mkdir -p "$corpus"
cp -n src/fuzz/corpus/manifest/* "$corpus/"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$dir/src/fuzz/fuzz-manifest" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 | tail -n 20
echo "fuzz-manifest: ran clean for ${seconds}s"
