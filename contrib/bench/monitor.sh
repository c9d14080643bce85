#!/usr/bin/env bash
# contrib/bench/monitor.sh: what the performance monitor costs. pgbench -S (select-only) through
# myrmex in transaction pooling onto PostgreSQL with `monitor = 1` and with `monitor = 0`, with
# PostgreSQL direct and PgBouncer in the same run for scale; tps of each, the ratio on/off
# (the target: on >= MIN_RATIO of off) and the proxy's CPU time per transaction on and off.
#
# Built on contrib/bench/run.sh (sourced: its PostgreSQL, PgBouncer and myrmex set-up, runs,
# CPU sampling from /proc/PID/stat and table), with targets myrmex-wN-on and myrmex-wN-off.
# Every run starts its target afresh (a fresh monitor table), warms it up for WARMUP seconds,
# runs pgbench -n -S for DURATION seconds and stops it. Runs alternate between the targets to
# cancel drift (a neighbour's load, the page cache): repetition 1 runs postgres, pgbouncer,
# on, off; repetition 2 the reverse order; and so on. After each myrmex run the console's
# SHOW QUERIES tells whether the monitor recorded anything (monitor-check.txt): a build
# without the monitor, or one that ignores the option, shows there instead of as a false
# "no cost".
#
# Environment (defaults in brackets); the rest as for run.sh (SCALE, POOL_SIZE, MAX_JOBS,
# OUT, KEEP, MYRMEX_BIN, PGBOUNCER_BIN, PG_BIN, PYTHON):
#   CLIENTS ["16 64"]  DURATION [15]  REPEAT [3]  WARMUP [2]  MODES [simple]
#   WORKERS [2] (myrmex's workers)  MIN_RATIO [0.97]
#   BASELINES ["postgres pgbouncer"] (targets run beside on and off; "" for none)
#
# Exit status: 0 when every run completed and every on/off tps ratio (median of the repeats)
# is >= MIN_RATIO, or when there is no verdict (the monitor check found no monitor at work:
# said above the table); 3 when every run completed but a ratio is below it; 1 when a run
# failed (failed transactions, a proxy died); 2 for a setup error.

set -Eeuo pipefail

BENCH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

CLIENTS=${CLIENTS:-16 64}
DURATION=${DURATION:-15}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-2}
MODES=${MODES:-simple}
WORKERS=${WORKERS:-2}
MIN_RATIO=${MIN_RATIO:-0.97}
BASELINES=${BASELINES-postgres pgbouncer}
OUT=${OUT:-/tmp/myrmex-bench-monitor-$(date +%Y%m%d-%H%M%S)}
WORKLOADS=select-only
RESET=0 # select-only writes nothing

if ! [[ $WORKERS =~ ^[1-9][0-9]?$ ]]; then
    printf '[bench] ERROR: WORKERS must be an integer in 1..99, got %s\n' "$WORKERS" >&2
    exit 2
fi
if ! [[ $MIN_RATIO =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    printf '[bench] ERROR: MIN_RATIO must be a number such as 0.97, got %s\n' "$MIN_RATIO" >&2
    exit 2
fi
ON=myrmex-w$WORKERS-on
OFF=myrmex-w$WORKERS-off
TARGETS="$BASELINES $ON $OFF"

# shellcheck source=contrib/bench/run.sh
. "$BENCH_HERE/run.sh"

# The option under test, and the console for SHOW QUERIES (stats_users: SHOW only).
# shellcheck disable=SC2317 # called by run.sh's write_myrmex_conf
myrmex_conf_extra() {
    case $1 in
    *-on) echo "monitor = 1" ;;
    *-off) echo "monitor = 0" ;;
    esac
    echo "stats_users = $BENCH_USER"
}

# After each myrmex run: what the monitor holds, summed over SHOW QUERIES. One line per run in
# monitor-check.txt: target, clients, repetition, then "fingerprints N calls N" or the
# console's error (a build without the monitor: unknown command).
# shellcheck disable=SC2317 # called by run.sh's block
after_run() {
    local target=$1 port=$2 c=$5 rep=$6 out summary
    [[ $target == myrmex-w* ]] || return 0
    if out=$(PGPASSWORD=$BENCH_PASS timeout 30 "$PG_BIN/psql" -X -q -A -F '|' -P footer=off \
        -h 127.0.0.1 -p "$port" -U "$BENCH_USER" -d myrmex -c 'SHOW QUERIES' 2>&1); then
        summary=$(awk -F'|' '
            NR == 1 { for (i = 1; i <= NF; i++) if ($i == "calls") col = i; next }
            col { n++; calls += $col }
            END { if (!col) print "no calls column"; else printf "fingerprints %d calls %d\n", n, calls }
        ' <<<"$out")
    else
        summary="error: $(head -n 1 <<<"$out" | cut -c1-200)"
    fi
    printf '%s c=%s rep %s: %s\n' "$target" "$c" "$rep" "$summary" >>"$OUT/monitor-check.txt"
}

# What the console said, and whether on and off differ as they should: MONITOR_SEEN=1 when
# monitor = 1 recorded statements and monitor = 0 none, else 0 (and no verdict on the ratio).
MONITOR_SEEN=0
monitor_check_report() {
    local on_calls off_calls
    echo
    echo "Monitor check (SHOW QUERIES after each run, $OUT/monitor-check.txt):"
    cat "$OUT/monitor-check.txt"
    on_calls=$(awk -v t="$ON" '$1 == t && / calls / { s += $NF } END { print s + 0 }' "$OUT/monitor-check.txt")
    off_calls=$(awk -v t="$OFF" '$1 == t && / calls / { s += $NF } END { print s + 0 }' "$OUT/monitor-check.txt")
    if grep -q "^$ON .*: error:" "$OUT/monitor-check.txt"; then
        echo "NOTE: the console does not answer SHOW QUERIES (not in this build), so nothing confirms"
        echo "      that monitor = 1 timed the statements; in a build without the monitor on and off"
        echo "      run the same code and their ratio measures only the noise of this machine."
    elif [ "$on_calls" -eq 0 ]; then
        echo "NOTE: with monitor = 1 the monitor recorded no statement: the ratio does not measure it."
    elif [ "$off_calls" -ne 0 ]; then
        echo "NOTE: with monitor = 0 the monitor still recorded $off_calls statement(s)."
    else
        echo "monitor = 1 recorded $on_calls statement(s) over its runs; monitor = 0 none."
        MONITOR_SEEN=1
    fi
}

monitor_main() {
    local n_c n_m n_t est mode c rep t order
    bench_setup
    : >"$OUT/monitor-check.txt"
    echo "monitor.sh: WORKERS=$WORKERS MIN_RATIO=$MIN_RATIO BASELINES='$BASELINES' (runs alternate)" >>"$OUT/env.txt"
    n_c=$(wc -w <<<"$CLIENTS")
    n_m=$(wc -w <<<"$MODES")
    n_t=$(wc -w <<<"$TARGETS")
    TOTAL_RUNS=$((n_c * n_m * n_t * REPEAT))
    est=$((TOTAL_RUNS * (DURATION + WARMUP + 3)))
    cat "$OUT/env.txt"
    say "output in $OUT; $TOTAL_RUNS runs, about $((est / 60)) min plus loading"

    write_userlist
    start_pg
    for mode in $MODES; do
        for c in $CLIENTS; do
            for ((rep = 1; rep <= REPEAT; rep++)); do
                order=$TARGETS
                if ((rep % 2 == 0)); then
                    order=$(tr ' ' '\n' <<<"$TARGETS" | grep . | tac | tr '\n' ' ')
                fi
                for t in $order; do
                    block "$t" select-only "$mode" "$c" "$rep" 1
                done
            done
        done
    done
    monitor_check_report
    echo
    if [ "$MONITOR_SEEN" = 1 ]; then
        bench_finish --ratio "$ON/$OFF" --min-ratio "$MIN_RATIO"
    fi
    echo "No verdict on the on/off ratio (target $MIN_RATIO): see the NOTE above."
    bench_finish --ratio "$ON/$OFF"
}

monitor_main
