#!/usr/bin/env bash
# contrib/bench/migrate.sh: what applying migrations costs beyond the statements themselves, on
# the embedded SQLite backend. N small migrations (each: a CREATE TABLE with a bigserial key, a
# text column and a timestamptz default, plus one INSERT) are applied to a fresh database file
#   sqlite    by Python's sqlite3 module: the same tables in SQLite's own SQL, each migration
#             in its own BEGIN IMMEDIATE ... COMMIT, WAL, synchronous=FULL: the statements'
#             own time, with nothing else;
#   direct    by `myrmex migrate --direct up` (the engine in the command-line process: scan and
#             checksum the folder, translate, history rows, lock);
#   console   by a running proxy: MIGRATE and WAIT JOB on its console;
#   psql      the same statements as one client applies them by hand through the running proxy
#             (psql -f: BEGIN; the file's statements; COMMIT; per migration): the statements'
#             own time on myrmex's SQLite backend, translation included, without the engine.
# Each REPEAT times, in alternating order; the table gives the median wall time and each
# target's time per migration beyond sqlite's and beyond psql's: (target - base) / N. The
# target: the engine (direct, console) adds below MAX_OVERHEAD_MS per migration to psql.
#
# Environment (defaults in brackets): N [500]  REPEAT [3]  OUT [/var/tmp/myrmex-bench-migrate-
# <time>] (on disk, not tmpfs: commits fsync)  MYRMEX_BIN [./myrmex]  PYTHON [python3]
#   SYNCHRONOUS [full] (sqlite_synchronous, and the baseline's PRAGMA)  MAX_OVERHEAD_MS [1]
#
# Exit status: 0 when every run applied all N and the direct and console overheads over psql
# are below MAX_OVERHEAD_MS; 3 when one is not; 1 when a run failed; 2 for a setup error.

set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
N=${N:-500}
REPEAT=${REPEAT:-3}
OUT=${OUT:-/var/tmp/myrmex-bench-migrate-$(date +%Y%m%d-%H%M%S)}
MYRMEX_BIN=${MYRMEX_BIN:-$TOP/myrmex}
PYTHON=${PYTHON:-python3}
SYNCHRONOUS=${SYNCHRONOUS:-full}
MAX_OVERHEAD_MS=${MAX_OVERHEAD_MS:-1}
PORT=${PORT:-16532}
MX_PID=""

die() {
    echo "migrate.sh: $*" >&2
    exit 2
}
cleanup() {
    if [ -n "$MX_PID" ] && kill -0 "$MX_PID" 2>/dev/null; then
        kill -TERM "$MX_PID" 2>/dev/null || true
        wait "$MX_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

[ -x "$MYRMEX_BIN" ] || die "no proxy binary at $MYRMEX_BIN (build first)"
command -v psql >/dev/null || die "psql is needed"
mkdir -p "$OUT/migrations"
case $N in '' | *[!0-9]*) die "N must be a number" ;; esac

# The migrations, and the same tables in SQLite's SQL for the baseline.
for i in $(seq 1 "$N"); do
    printf 'CREATE TABLE t_%d (id bigserial PRIMARY KEY, name text NOT NULL, created timestamptz NOT NULL DEFAULT now());\nINSERT INTO t_%d (name) VALUES (%s);\n' \
        "$i" "$i" "'row $i'" >"$OUT/migrations/V${i}__table_$i.sql"
done

# psql's script: each migration as BEGIN; its statements; COMMIT;
for i in $(seq 1 "$N"); do
    printf 'BEGIN;\n'
    cat "$OUT/migrations/V${i}__table_$i.sql"
    printf 'COMMIT;\n'
done >"$OUT/by-hand.sql"

conf() { # DBFILE
    cat <<CONF
[myrmex]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
admin_users = bench
log_level = warning
migrations_dir = $OUT/migrations
sqlite_synchronous = $SYNCHRONOUS
[databases]
app = sqlite://$1
CONF
}

now_ms() { date +%s%3N; }

run_sqlite() { # DBFILE -> ms
    "$PYTHON" - "$1" "$N" "$SYNCHRONOUS" <<'PY'
import sqlite3, sys, time
path, n, sync = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.monotonic()
c = sqlite3.connect(path, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute(f"PRAGMA synchronous={sync}")
for i in range(1, n + 1):
    c.execute("BEGIN IMMEDIATE")
    c.execute(f"CREATE TABLE t_{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
    c.execute(f"INSERT INTO t_{i} (name) VALUES ('row {i}')")
    c.execute("COMMIT")
c.close()
print(int((time.monotonic() - t0) * 1000))
PY
}

applied() { # DBFILE: rows in the history
    "$PYTHON" -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM myrmex_schema_history WHERE success').fetchone()[0])" "$1"
}

run_direct() { # DBFILE -> ms
    conf "$1" >"$OUT/direct.ini"
    local t0 t1
    t0=$(now_ms)
    "$MYRMEX_BIN" migrate -c "$OUT/direct.ini" --direct up >"$OUT/direct.out" 2>&1 || {
        tail -5 "$OUT/direct.out" >&2
        exit 1
    }
    t1=$(now_ms)
    [ "$(applied "$1")" = "$N" ] || { echo "direct: not every migration applied" >&2; exit 1; }
    echo $((t1 - t0))
}

run_console() { # DBFILE -> ms
    start_proxy "$1" "$OUT/console.ini"
    local t0 t1 id
    t0=$(now_ms)
    id=$(psql -X -q -At -h 127.0.0.1 -p "$PORT" -U bench -d myrmex -c "MIGRATE app" 2>/dev/null)
    psql -X -q -At -h 127.0.0.1 -p "$PORT" -U bench -d myrmex -c "WAIT JOB $id" >"$OUT/console.out" 2>&1 || {
        tail -5 "$OUT/console.out" >&2
        exit 1
    }
    t1=$(now_ms)
    stop_proxy
    [ "$(applied "$1")" = "$N" ] || { echo "console: not every migration applied" >&2; exit 1; }
    echo $((t1 - t0))
}

start_proxy() { # DBFILE INI
    conf "$1" >"$2"
    "$MYRMEX_BIN" -c "$2" >"$2.log" 2>&1 &
    MX_PID=$!
    local i
    for i in $(seq 1 100); do
        psql -X -q -At -h 127.0.0.1 -p "$PORT" -U bench -d myrmex -c "SHOW VERSION" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the proxy did not start: $(tail -3 "$2.log")" >&2
    exit 1
}

stop_proxy() {
    kill -TERM "$MX_PID"
    wait "$MX_PID" || true
    MX_PID=""
}

run_psql() { # DBFILE -> ms
    start_proxy "$1" "$OUT/psql.ini"
    local t0 t1
    t0=$(now_ms)
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U bench -d app -f "$OUT/by-hand.sql" >"$OUT/psql.out" 2>&1 || {
        tail -5 "$OUT/psql.out" >&2
        exit 1
    }
    t1=$(now_ms)
    stop_proxy
    echo $((t1 - t0))
}

declare -A times=()
for r in $(seq 1 "$REPEAT"); do
    if [ $((r % 2)) -eq 0 ]; then order=(psql console direct sqlite); else order=(sqlite direct console psql); fi
    for target in "${order[@]}"; do
        db="$OUT/$target-$r.db"
        rm -f "$db" "$db"-*
        ms=$("run_$target" "$db")
        times[$target]="${times[$target]:-} $ms"
        echo "repeat $r $target: $ms ms for $N migrations"
        rm -f "$db" "$db"-*
    done
done

"$PYTHON" - "$N" "$MAX_OVERHEAD_MS" "${times[sqlite]}" "${times[psql]}" "${times[direct]}" "${times[console]}" <<'PY' | tee "$OUT/result.txt"
import statistics, sys
n, limit = int(sys.argv[1]), float(sys.argv[2])
names = ("sqlite", "psql", "direct", "console")
med = {name: statistics.median(int(x) for x in v.split()) for name, v in zip(names, sys.argv[3:7])}
print(f"\n{n} migrations, median of {len(sys.argv[3].split())} runs (wall ms)")
print("| target | total ms | ms per migration | beyond sqlite, per migration | beyond psql, per migration |")
print("|---|---:|---:|---:|---:|")
worst = 0.0
for name in names:
    over_sqlite = (med[name] - med["sqlite"]) / n
    over_psql = (med[name] - med["psql"]) / n
    if name in ("direct", "console"):
        worst = max(worst, over_psql)
    print(f"| {name} | {med[name]:.0f} | {med[name] / n:.3f} | "
          f"{'-' if name == 'sqlite' else f'{over_sqlite:.3f}'} | "
          f"{'-' if name in ('sqlite', 'psql') else f'{over_psql:.3f}'} |")
print(f"\nthe engine adds at most {worst:.3f} ms per migration to the statements' own time through "
      f"myrmex (target < {limit} ms)")
sys.exit(0 if worst < limit else 3)
PY
