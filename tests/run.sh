#!/usr/bin/env bash
# tests/run.sh: run the unit tests (make check) and every integration test, print PASS/FAIL per
# test with its time, and end with one line "N passed, N failed". Exit status 1 if any failed.
#
# usage: tests/run.sh [--no-unit] [--unit-only] [--summary-file FILE] [PATTERN...]
#   PATTERN   run only the integration tests whose name contains PATTERN (e.g. 03 cancel; the
#             client driver tests of tests/clients/ are named clients/NAME, e.g. clients/jdbc);
#             the unit tests then run only if a PATTERN is "unit".
# Environment: MYRMEX_BUILD_DIR (where make check runs; default: the source tree),
#   MYRMEX_TEST_TIMEOUT (seconds per integration test, default 180), MYRMEX_TEST_JOBS
#   (integration tests run at a time, default 1), MYRMEX_TEST_OUT (where
#   logs go; default: a new directory under /tmp), and those of tests/lib/harness.sh.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${MYRMEX_BUILD_DIR:-$TOP}
TEST_TIMEOUT=${MYRMEX_TEST_TIMEOUT:-180}
JOBS=${MYRMEX_TEST_JOBS:-1}
OUT=${MYRMEX_TEST_OUT:-$(mktemp -d /tmp/myrmex-tests.XXXXXX)}
mkdir -p "$OUT"
export MYRMEX_TEST_BIN_DIR=${MYRMEX_TEST_BIN_DIR:-$OUT/bin}
export MYRMEX_BIN=${MYRMEX_BIN:-$BUILD_DIR/myrmex}

run_unit=1
run_integration=1
summary_file=""
patterns=()
while [ $# -gt 0 ]; do
    case $1 in
    --no-unit) run_unit=0 ;;
    --unit-only) run_integration=0 ;;
    --summary-file)
        summary_file=$2
        shift
        ;;
    -h | --help)
        sed -n '2,12p' "$0"
        exit 0
        ;;
    -*)
        echo "unknown option $1" >&2
        exit 64
        ;;
    *) patterns+=("$1") ;;
    esac
    shift
done
if [ ${#patterns[@]} -gt 0 ]; then
    run_unit=0
    for p in "${patterns[@]}"; do [ "$p" = unit ] && run_unit=1; done
fi

passed=0
failed=0
failed_names=()

now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1fs", ms / 1000 }'; }

record() { # PASS|FAIL NAME MS [NOTE]
    if [ "$1" = PASS ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("$2")
    fi
    printf '%s %-32s %7s%s\n' "$1" "$2" "$(secs "$3")" "${4:+  $4}"
}

# --- unit tests ---------------------------------------------------------------------------------
# Each Check suite's log says "N%: Checks: C, Failures: F, Errors: E": every check counts as one
# test. A test program without that line counts as one test by its automake result.
run_unit_tests() {
    local t0 rc=0 log="$OUT/unit-make-check.log"
    echo "== unit tests (make check in $BUILD_DIR)"
    if [ ! -f "$BUILD_DIR/Makefile" ]; then
        record FAIL "unit: make check" 0 "no Makefile in $BUILD_DIR: run contrib/dev.sh build first"
        return
    fi
    local stamp="$OUT/.unit-stamp"
    : >"$stamp"
    sleep 1 # so that .trs files of this run are newer than the stamp
    t0=$(now_ms)
    make -C "$BUILD_DIR" -j"$(nproc)" check >"$log" 2>&1 || rc=$?
    local ms=$(($(now_ms) - t0)) counted=0 trs name result tlog line c f e
    while IFS= read -r trs; do
        name=${trs#"$BUILD_DIR"/}
        name=${name%.trs}
        result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
        tlog=${trs%.trs}.log
        line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$tlog" 2>/dev/null | tail -n 1)
        if [ -n "$line" ]; then
            read -r c f e < <(echo "$line" | sed -E 's/Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+)/\1 \2 \3/')
            if [ "$result" != PASS ] && [ "$result" != XFAIL ] && [ $((f + e)) -eq 0 ]; then
                f=1 # crashed or leaked after the summary line
            fi
            passed=$((passed + c - f - e))
            failed=$((failed + f + e))
            if [ $((f + e)) -gt 0 ]; then
                failed_names+=("$name")
                printf 'FAIL %-32s %7s  %s checks, %s failures, %s errors\n' "$name" "" "$c" "$f" "$e"
                grep -E ':[0-9]+:[EF]:' "$tlog" | head -n 20 | sed 's/^/     /'
                tail -n 30 "$tlog" | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' | sed 's/^/     /'
            else
                printf 'PASS %-32s %7s  %s checks\n' "$name" "" "$c"
            fi
        else
            case $result in
            PASS | XFAIL) record PASS "$name" 0 ;;
            SKIP) printf 'SKIP %s\n' "$name" ;;
            *)
                record FAIL "$name" 0 "$result"
                tail -n 30 "$tlog" 2>/dev/null | sed 's/^/     /'
                ;;
            esac
        fi
        counted=$((counted + 1))
    done < <(find "$BUILD_DIR" -name '*.trs' -newer "$stamp" -not -path '*/.git/*' 2>/dev/null | sort)
    if [ "$rc" -ne 0 ] && ! grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]\|^# XPASS: *[1-9]' "$log"; then
        # make check failed before or outside the tests (a build error).
        record FAIL "unit: make check" "$ms" "exit status $rc"
        tail -n 40 "$log" | sed 's/^/     /'
    elif [ "$counted" -eq 0 ]; then
        echo "     (no unit test programs ran)"
    fi
    echo "   make check took $(secs "$ms")"
}

# --- integration tests ----------------------------------------------------------------------------
# One integration test's verdict, once it ended: NAME SCRIPT-LOG RC MS.
report_integration() {
    local name=$1 log=$2 rc=$3 ms=$4
    if [ "$rc" -eq 0 ]; then
        record PASS "$name" "$ms"
    else
        local why="exit status $rc"
        [ "$rc" -eq 124 ] && why="timed out after ${TEST_TIMEOUT}s"
        record FAIL "$name" "$ms" "$why"
        grep -m 10 '^FAIL' "$log" | sed 's/^/     /'
        echo "     ---- last 120 lines of $log ----"
        tail -n 120 "$log" | sed 's/^/     /'
    fi
}

# Up to JOBS tests at a time (each in its own temporary directory, PostgreSQL and ports); a
# test's verdict is printed when it ends.
run_integration_tests() {
    local t name selected p log pid
    local -A run_name=() run_log=() run_t0=()
    echo "== integration tests (proxy: $MYRMEX_BIN, logs in $OUT, $JOBS at a time)"
    for t in "$TOP"/tests/integration/[0-9]*.sh "$TOP"/tests/clients/*.sh; do
        [ -e "$t" ] || continue
        name=$(basename "$t" .sh)
        [[ "$t" == */tests/clients/* ]] && name="clients/$name"
        if [ ${#patterns[@]} -gt 0 ]; then
            selected=0
            for p in "${patterns[@]}"; do [[ "$name" == *"$p"* ]] && selected=1; done
            [ "$selected" -eq 1 ] || continue
        fi
        while [ "${#run_name[@]}" -ge "$JOBS" ]; do
            reap_integration
        done
        log="$OUT/${name//\//_}.log"
        timeout -k 15 "$TEST_TIMEOUT" bash "$t" </dev/null >"$log" 2>&1 &
        pid=$!
        run_name[$pid]=$name
        run_log[$pid]=$log
        run_t0[$pid]=$(now_ms)
    done
    while [ "${#run_name[@]}" -gt 0 ]; do
        reap_integration
    done
}

# Wait for one running test to end and report it (run_* of run_integration_tests).
reap_integration() {
    local pid rc=0
    wait -n -p pid "${!run_name[@]}" || rc=$?
    report_integration "${run_name[$pid]}" "${run_log[$pid]}" "$rc" $(($(now_ms) - run_t0[$pid]))
    unset "run_name[$pid]" "run_log[$pid]" "run_t0[$pid]"
}

[ "$run_unit" -eq 1 ] && run_unit_tests
[ "$run_integration" -eq 1 ] && run_integration_tests

if [ "$failed" -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "logs: $OUT"
[ -n "$summary_file" ] && echo "$passed $failed" >"$summary_file"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
