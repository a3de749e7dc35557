#!/usr/bin/env python3
"""Prints one "N passed, N failed, N skipped" line over meson testlog.json files, and with
--require-suite SUITE fails when that suite ran no test or skipped any."""
import json
import sys


def main(argv):
    require = None
    if len(argv) > 2 and argv[1] == "--require-suite":
        require = argv[2]
        argv = argv[2:]
    passed = failed = skipped = 0
    required_ran = required_skipped = 0
    for path in argv[1:]:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for line in lines:
            t = json.loads(line)
            result = t.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
            # meson names a test "<project>:<suite> / <test>" in its JSON log
            suite = t.get("name", "").split(" / ")[0].split(":")[-1]
            if require and suite == require:
                required_ran += 1
                if result == "SKIP":
                    required_skipped += 1
    if require:
        if required_ran == 0 or required_skipped:
            print(f"error: suite {require}: {required_ran} tests, {required_skipped} skipped; "
                  "it must run on CI", file=sys.stderr)
            return 1
        return 0
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
