#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs every test —
# the unit suite, the integration suite in the test machine, and the unit suite again
# under AddressSanitizer and UndefinedBehaviorSanitizer. Warnings are errors.
#
#   sudo tools/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

build=${KUKEON_BUILD_DIR:-build}
asan=${KUKEON_ASAN_BUILD_DIR:-build-asan}

configure() {
        local dir=$1; shift
        if [ -d "$dir" ] && [ -f "$dir/build.ninja" ]; then
                meson configure "$dir" -Dwerror=true "$@" >/dev/null
        else
                meson setup "$dir" -Dwerror=true "$@" >/dev/null
        fi
}

configure "$build" -Dprefix=/usr
ninja -C "$build"
configure "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
ninja -C "$asan"

status=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

# Each run keeps its own log (meson-logs/<logbase>.json) for the summary below.
meson test -C "$build" --suite unit --print-errorlogs --logbase unit || status=1
meson test -C "$asan" --suite unit --print-errorlogs --logbase unit || status=1
meson test -C "$build" --suite integration --print-errorlogs --timeout-multiplier 2 --logbase integration || status=1

# The manifest parser takes untrusted input: fuzz it (libFuzzer, ASan+UBSan) for a minute
# on every run. KUKEON_FUZZ_SECONDS=0 skips it for a quick local run.
fuzz_seconds=${KUKEON_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" != 0 ]; then
        tools/fuzz.sh "$fuzz_seconds" || { echo "test: the manifest fuzzer failed" >&2; status=1; }
fi

# One closing line over every suite, counted from meson's logs.
python3 tools/test-summary.py "$build/meson-logs/unit.json" "$asan/meson-logs/unit.json" \
        "$build/meson-logs/integration.json"

# On CI an integration suite that skipped is a failure: it is the point of the suite.
if [ "${CI:-}" = true ]; then
        python3 tools/test-summary.py --require-suite integration "$build/meson-logs/integration.json" || status=1
fi
exit $status
