#!/usr/bin/env bash
# /metrics and /dashboard after a pgbench run through the proxy onto a real PostgreSQL.
# /metrics passes `promtool check metrics`; for pgbench's SELECT its latency histogram counts
# exactly the statements run (the +Inf bucket and _count equal pgbench's count and the calls of
# SHOW QUERIES for that queryid); the pool and traffic families are there. /dashboard says
# "no data yet" before any traffic; after it, headless Chromium loads it with no console
# message (the page has no script and a Content-Security-Policy that refuses anything
# fetched, so a stray script, font, stylesheet or image would be reported there), draws it
# (a screenshot that is not one colour) and its DOM holds the SVG charts with lines of
# several points; query texts are HTML-escaped. A database named q"b\s (served from SQLite)
# checks the escaping of label values and of names in the page.
#
# Console messages: Chromium started with --enable-logging=stderr --v=0 writes each message a
# page logs to its console (console.*, uncaught exceptions, CSP violations) to stderr as a
# line with "CONSOLE". The test first loads a page made to fail (a console.error, an uncaught
# ReferenceError, an image CSP refuses) and requires those lines to appear, so the check of
# the dashboard cannot pass only because a Chromium version words its log differently.
# Chromium runs with every non-loopback request sent to a dead loopback proxy, in its own
# process group, killed by its PID's group when it outlives CHROMIUM_TIMEOUT.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret7
HTTP_PORT=$(free_port)
DEAD_PORT=$(free_port)
CHROMIUM_TIMEOUT=30
PGBENCH_CLIENTS=4
PGBENCH_TX=45   # per client
PGBENCH_RATE=25 # transactions per second in all: about 7 s, over two 5 s intervals or more

command -v promtool >/dev/null || fail "promtool not installed (Debian package prometheus; contrib/dev.sh deps)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || fail "chromium not installed (Debian package chromium; contrib/dev.sh deps)"

WEIRD_DB='q"b\s'
pg_start
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS"
"$PYTHON" -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t (x int)'); c.commit()" "$T/weird.db"
myrmex_start "
admin_users = $ADMIN_USER
metrics_listen = 127.0.0.1:$HTTP_PORT
state_dir = $T/state
[databases]
$(db_line app)
$WEIRD_DB = sqlite://$T/weird.db
"

# http PATH: the body; fails on a status other than 200.
http() {
    timeout 20 curl -sf "http://127.0.0.1:$HTTP_PORT$1"
}
admin() {
    PGPASSWORD=$ADMIN_PASS timeout 60 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "$1" 2>&1
}
# metric NAME_WITH_LABELS: the value of one sample of $T/metrics.txt ("" when absent).
metric() { # (awk -v would read the backslashes of escaped label values as escapes)
    K=$1 awk 'index($0, ENVIRON["K"] " ") == 1 { print $2 }' "$T/metrics.txt"
}

# chromium_load NAME URL: load URL in headless Chromium: DOM in $T/NAME.dom, screenshot in
# $T/NAME.png, its log (with the page's console messages) in $T/NAME.err.
chromium_load() {
    local name=$1 url=$2 pid rc=0
    mkdir -p "$T/chromium-home"
    HOME="$T/chromium-home" setsid "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --hide-scrollbars --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --disable-extensions --disable-default-apps \
        --proxy-server="http://127.0.0.1:$DEAD_PORT" \
        --user-data-dir="$T/chromium-$name" --enable-logging=stderr --v=0 \
        --window-size=1280,2000 --screenshot="$T/$name.png" --dump-dom "$url" \
        >"$T/$name.dom" 2>"$T/$name.err" </dev/null &
    pid=$!
    BG_PIDS+=("$pid")
    if ! wait_pid_exit "$pid" "$CHROMIUM_TIMEOUT"; then
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        fail "chromium did not finish loading $url within ${CHROMIUM_TIMEOUT}s"
    fi
    wait "$pid" || rc=$?
    # Helpers of that Chromium still around (its process group): not ours to keep.
    kill -KILL -- "-$pid" 2>/dev/null || true
    [ "$rc" -eq 0 ] || fail "chromium exited $rc loading $url: $(tail -5 "$T/$name.err")"
}
CONSOLE_RE='CONSOLE[:(]|Uncaught|Content Security Policy|Failed to load resource'

# --- before any traffic: the empty page -----------------------------------------------------
page=$(http /dashboard)
assert_match '<svg class="chart"' "$page" "the charts are drawn without data"
assert_match 'no data yet' "$page" "an empty chart says so"
assert_not_match '<polyline' "$page" "no line without data"
hdrs=$(timeout 20 curl -s -o /dev/null -D - "http://127.0.0.1:$HTTP_PORT/dashboard")
assert_match 'Content-Type: text/html; charset=utf-8' "$hdrs" "dashboard content type"
assert_match "Content-Security-Policy: default-src 'none'" "$hdrs" "the dashboard fetches nothing"
hdrs=$(timeout 20 curl -s -o "$T/metrics0.txt" -D - "http://127.0.0.1:$HTTP_PORT/metrics")
assert_match 'Content-Type: text/plain; version=0.0.4' "$hdrs" "metrics content type"
promtool check metrics <"$T/metrics0.txt" >"$T/promtool0.out" 2>&1 ||
    fail "promtool check metrics (no traffic yet): $(cat "$T/promtool0.out")"

# --- traffic -----------------------------------------------------------------------------------
PGPASSWORD=$APP_PASS timeout 60 pgbench -i -q -s 1 -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" app \
    >"$T/pgbench-init.out" 2>&1 || fail "pgbench -i: $(tail -3 "$T/pgbench-init.out")"
# The detector's own check, while pgbench runs: a page made to fail must be caught.
cat >"$T/bad.html" <<'EOF'
<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"></head>
<body><img src="http://127.0.0.1:9/x.png"><script>console.error("calibration-error"); no_such_function();</script></body></html>
EOF
PGPASSWORD=$APP_PASS bg pgbench timeout 60 pgbench -n -c "$PGBENCH_CLIENTS" -j 2 \
    -t "$PGBENCH_TX" -R "$PGBENCH_RATE" -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app
PGBENCH_PID=$BG_PID
chromium_load bad "file://$T/bad.html"
grep -q 'calibration-error' "$T/bad.err" || fail "Chromium's log does not show console.error: the console check would see nothing"
grep -q 'no_such_function' "$T/bad.err" || fail "Chromium's log does not show uncaught exceptions"
assert_ge "$(grep -cE "$CONSOLE_RE" "$T/bad.err")" 3 "console lines of the calibration page (error, exception, CSP)"
bg_wait "$PGBENCH_PID" 60 || fail "pgbench failed: $(tail -5 "$T/pgbench.out")"
cat "$T/pgbench.out"
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$T/pgbench.out")
assert_eq "$((PGBENCH_CLIENTS * PGBENCH_TX))" "$processed" "pgbench ran every transaction"
# Query texts are escaped in the page.
PGPASSWORD=$APP_PASS timeout 20 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "SELECT 1 WHERE 2 < 3 AND 'x' <> '</code><b>'" >/dev/null
PGDATABASE=$WEIRD_DB PGPASSWORD=$APP_PASS timeout 20 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" \
    -U "$APP_USER" -c "SELECT count(*) FROM t" >/dev/null
# The workers fold their counts in every 100 ms.
sleep 0.3

# --- /metrics ----------------------------------------------------------------------------------
http /metrics >"$T/metrics.txt"
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$T/promtool.out")"
[ ! -s "$T/promtool.out" ] || fail "promtool has remarks: $(cat "$T/promtool.out")"
note "promtool check metrics: no remark on $(wc -l <"$T/metrics.txt") lines"
# Every family once, with its HELP and TYPE.
dups=$(grep -E '^# (HELP|TYPE) ' "$T/metrics.txt" | awk '{ print $2, $3 }' | sort | uniq -d)
assert_eq "" "$dups" "a family's HELP or TYPE repeated"
assert_eq 1 "$(metric myrmex_up)" "myrmex_up"
assert_eq 200 "$(metric myrmex_config_max_client_connections)" "max_client_conn"
for f in client_active client_waiting server_active server_idle server_used server_testing server_login; do
    assert_int "myrmex_pools_${f}_connections" "$(metric "myrmex_pools_${f}_connections{database=\"app\",user=\"app\"}")"
done
assert_match '^[0-9.e+-]+$' "$(metric 'myrmex_pools_client_maxwait_seconds{database="app",user="app"}')" "maxwait"
assert_ge "$(metric 'myrmex_stats_sql_transactions_pooled_total{database="app"}')" "$processed" "transactions counted"
assert_ge "$(metric 'myrmex_stats_queries_pooled_total{database="app"}')" $((processed * 7)) "queries counted (7 per pgbench transaction)"
assert_match '^[1-9][0-9]*$' "$(metric 'myrmex_stats_received_bytes_total{database="app"}')" "bytes received"
assert_eq 5 "$(metric 'myrmex_databases_pool_size{name="app",backend="postgresql"}')" "pool size"
assert_eq 0 "$(metric myrmex_alerts_active)" "no alert after a healthy run"
# Label values escaped: q"b\s is written q\"b\\s.
assert_ge "$(metric 'myrmex_stats_queries_pooled_total{database="q\"b\\s"}')" 1 "the escaped database label"
assert_eq 1 "$(metric 'myrmex_pools_client_active_connections{database="q\"b\\s",user="app"}' | wc -l)" "the pool of q\"b\\s"

# The fingerprint of pgbench's SELECT: from SHOW QUERIES when the console has it, and from the
# dashboard's table of queries (which shows the text beside the fingerprint).
page=$(http /dashboard)
printf '%s\n' "$page" >"$T/dashboard.html"
dash_fp=$(printf '%s\n' "$page" | grep 'SELECT abalance FROM pgbench_accounts' |
    sed -n 's/.*<td><code>\([0-9a-f]\{16\}\)<\/code><\/td>.*/\1/p')
assert_match '^[0-9a-f]{16}$' "$dash_fp" "the dashboard lists pgbench's SELECT with its fingerprint"
fp=$dash_fp
show=$(admin "SHOW QUERIES app") || true
if printf '%s\n' "$show" | head -1 | grep -q '^database|user|queryid|query|calls|'; then
    row=$(printf '%s\n' "$show" | awk -F'|' '$4 ~ /^SELECT abalance FROM pgbench_accounts/')
    fp=$(printf '%s\n' "$row" | cut -d'|' -f3)
    calls=$(printf '%s\n' "$row" | cut -d'|' -f5)
    assert_eq "$dash_fp" "$fp" "SHOW QUERIES and the dashboard agree on the queryid"
    assert_eq "$processed" "$calls" "SHOW QUERIES counts every SELECT"
    note "SHOW QUERIES: queryid $fp calls $calls"
else
    note "SHOW QUERIES not available here ($(printf '%s' "$show" | head -c 200)): comparing with pgbench's count"
fi
labels="database=\"app\",user=\"app\",fingerprint=\"$fp\""
assert_eq "$processed" "$(metric "myrmex_query_duration_seconds_count{$labels}")" "_count of the SELECT"
assert_eq "$processed" "$(metric "myrmex_query_duration_seconds_bucket{$labels,le=\"+Inf\"}")" "+Inf bucket of the SELECT"
assert_eq "$processed" "$(metric "myrmex_query_calls_total{$labels}")" "calls of the SELECT"
assert_eq 0 "$(metric "myrmex_query_errors_total{$labels}")" "errors of the SELECT"
assert_eq "$processed" "$(metric "myrmex_query_rows_total{$labels}")" "rows of the SELECT (one each)"
# The buckets: the 15 bounds in order, cumulative, ending at the count.
buckets=$(grep -F "myrmex_query_duration_seconds_bucket{$labels," "$T/metrics.txt")
assert_eq '0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf' \
    "$(printf '%s\n' "$buckets" | sed 's/.*le="\([^"]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')" "bucket bounds"
printf '%s\n' "$buckets" | awk '{ if ($2 + 0 < prev) exit 1; prev = $2 + 0 }' || fail "buckets not cumulative: $buckets"
sum=$(metric "myrmex_query_duration_seconds_sum{$labels}")
awk -v s="$sum" 'BEGIN { exit !(s > 0 && s < 60) }' || fail "_sum of the SELECT: $sum"
assert_le "$(grep -c '^myrmex_query_duration_seconds_count{' "$T/metrics.txt")" 20 "at most monitor_top_fingerprints histograms"

# Clients that leave before their page is ready (forgotten, not answered), a burst of them in
# parallel, then a HEAD: the listener goes on answering.
leavers=()
for _ in 1 2 3 4 5 6; do
    for path in /dashboard /metrics; do
        timeout 5 curl -s -m 0.02 -o /dev/null "http://127.0.0.1:$HTTP_PORT$path" &
        leavers+=("$!")
    done
done
for pid in "${leavers[@]}"; do wait "$pid" || true; done
for path in /dashboard /metrics /dashboard; do # asked and gone at once
    exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
    exec 3>&-
done
assert_match '^HTTP/1.1 200' "$(timeout 20 curl -sI "http://127.0.0.1:$HTTP_PORT/metrics")" "HEAD /metrics"
assert_eq ok "$(http /healthz)" "/healthz after clients left"

# --- /dashboard in Chromium --------------------------------------------------------------------
assert_match 'WHERE \$[0-9]+ &lt; \$[0-9]+ AND \$[0-9]+ &lt;&gt; \$[0-9]+' "$page" "a query text is escaped"
assert_not_match '<b>' "$page" "no markup from a query text"
assert_match '<td>q&quot;b\\s</td><td>app</td>' "$page" "a database name is escaped"
assert_not_match 'q"b' "$page" "no raw quote from a name"
chromium_load dash "http://127.0.0.1:$HTTP_PORT/dashboard"
if grep -E "$CONSOLE_RE" "$T/dash.err"; then
    fail "console messages while loading the dashboard"
fi
grep -q '<svg class="chart"' "$T/dash.dom" || fail "no chart in the DOM"
assert_match 'Statements per 5 s, per database' "$(cat "$T/dash.dom")" "the throughput chart"
assert_match 'Latency p50 / p95 / p99: app' "$(cat "$T/dash.dom")" "the latency chart of app"
# The longest line in the DOM: pgbench ran over more than one 5 s interval.
most=$(grep -o '<polyline[^>]*points="[^"]*"' "$T/dash.dom" | sed 's/.*points="\([^"]*\)"/\1/' |
    awk '{ if (NF > m) m = NF } END { print m + 0 }')
assert_ge "$most" 2 "a polyline with several points"
assert_match '<td>app</td><td>app</td><td>transaction</td>' "$(cat "$T/dash.dom")" "the pools table"
# The screenshot: a PNG of the whole window, not one colour, with the charts' colours.
size=$(stat -c %s "$T/dash.png")
assert_ge "$size" 20000 "screenshot size"
# Decoded row by row (zlib and PNG's five filters) until it has shown enough: many colours,
# none covering nearly everything, and the colours of the first series and of p99.
"$PYTHON" - "$T/dash.png" <<'EOF' || fail "the screenshot is blank or has no chart colours"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
    elif kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
w, h, depth, ctype = hdr[:4]
assert depth == 8 and ctype in (2, 6) and hdr[6] == 0, "unexpected PNG format %r" % (hdr,)
bpp = 3 if ctype == 2 else 4
stride = w * bpp
raw = zlib.decompress(idat)
LO, HI = int.from_bytes(b"\x7f" * stride, "big"), int.from_bytes(b"\x80" * stride, "big")


def add(x, y):  # bytewise (x + y) mod 256 of two rows as big integers
    return ((x & LO) + (y & LO)) ^ ((x ^ y) & HI)


want = {bytes.fromhex("2f6fdf"): 0, bytes.fromhex("c92a2a"): 0}  # series 1, p99
prev, colours, y = bytes(stride), {}, 0
while y < h:
    f, cur = raw[y * (stride + 1)], raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
    if f == 0:
        line = cur
    elif f == 2:  # Up
        line = add(int.from_bytes(cur, "big"), int.from_bytes(prev, "big")).to_bytes(stride, "big")
    elif f == 1:  # Sub: prefix sums per channel, doubling the shift
        v, k = int.from_bytes(cur, "big"), bpp
        while k < stride:
            v, k = add(v, v >> (8 * k)), k * 2
        line = v.to_bytes(stride, "big")
    else:  # Average, Paeth
        line = bytearray(cur)
        for i in range(stride):
            a, b = (line[i - bpp] if i >= bpp else 0), prev[i]
            if f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            else:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        line = bytes(line)
    prev, y = line, y + 1
    for x in range(0, w, 2):
        px = line[x * bpp:x * bpp + 3]
        colours[px] = colours.get(px, 0) + 1
        if px in want:
            want[px] += 1
    total = sum(colours.values())
    if len(colours) >= 16 and max(colours.values()) < 0.97 * total and all(want.values()):
        print("# screenshot %dx%d: %d colours in its first %d rows, the commonest covering %.0f%%" %
              (w, h, len(colours), y, 100.0 * max(colours.values()) / total))
        sys.exit(0)
print("# screenshot %dx%d: %d colours, chart colours %r" % (w, h, len(colours), want))
sys.exit(1)
EOF

myrmex_stop
note "metrics and dashboard: ok"
