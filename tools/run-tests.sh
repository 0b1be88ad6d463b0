#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs the build dependencies, builds zoned twice and runs the whole test
# suite on each build:
#     build-test/  the plain build
#     build-asan/  with AddressSanitizer and UndefinedBehaviorSanitizer
# Ends with one line, "N passed, N failed, N skipped", counted from both
# builds' meson-logs/testlog.json, and exits non-zero if anything failed.
#
# Run it as root from anywhere in the checkout: the integration tests start
# real zones (namespaces, mounts, cgroups).

set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
# Nothing here reads from a terminal; CI runs us without stdin.
exec </dev/null

tools/install-deps.sh || exit 1

# Sanitizer reports must fail the test that triggers them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:print_summary=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1}"

BUILDS=(build-test build-asan)
declare -A SETUP_ARGS=(
        [build-test]=""
        [build-asan]="-Db_sanitize=address,undefined -Db_lundef=false"
)
declare -A TEST_ARGS=(
        [build-test]=""
        [build-asan]="--timeout-multiplier=3"
)
failed_builds=()

section() {
        printf '\n==== %s ====\n' "$*"
}

build_and_test() {
        local dir="$1"
        local -a setup test
        read -r -a setup <<<"${SETUP_ARGS[$dir]}"
        read -r -a test <<<"${TEST_ARGS[$dir]}"

        section "$dir: configure"
        if [ -f "$dir/build.ninja" ]; then
                meson setup --reconfigure "$dir" "${setup[@]}" || return 1
        else
                meson setup "$dir" "${setup[@]}" || return 1
        fi
        section "$dir: build"
        ninja -C "$dir" || return 1
        section "$dir: test"
        # A log left from an earlier run must not be counted.
        rm -f "$dir/meson-logs/testlog.json"
        meson test -C "$dir" --print-errorlogs "${test[@]}"
}

start=$SECONDS
for dir in "${BUILDS[@]}"; do
        if ! build_and_test "$dir"; then
                failed_builds+=("$dir")
                echo "run-tests: $dir failed" >&2
        fi
done

section "summary ($(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s)"
python3 - "${BUILDS[@]}" <<'PYEOF'
import json
import os
import sys

passed = failed = skipped = 0
for build in sys.argv[1:]:
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        # It did not get as far as running tests: that is a failure too.
        print(f"{build}: no test log (configure or build failed)", file=sys.stderr)
        failed += 1
        continue
    with open(log, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            test = json.loads(line)
            result = test.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                # FAIL, ERROR, TIMEOUT, UNEXPECTEDPASS, INTERRUPT, ...
                failed += 1
                print(f"{build}: {test.get('name')}: {result}", file=sys.stderr)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PYEOF
rc=$?

if [ ${#failed_builds[@]} -ne 0 ] || [ $rc -ne 0 ]; then
        exit 1
fi
exit 0
