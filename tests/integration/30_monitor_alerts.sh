#!/usr/bin/env bash
# The monitor's alerts, each raised from real traffic, shown by SHOW ALERTS with its severity,
# value, threshold and suggestion, logged once when raised and once when cleared:
# - p99: a fingerprint whose p99 over the minute so far passes alert_p99_threshold (judged
#   every 5 s), cleared when RESET QUERIES forgets the fingerprint;
# - error_rate: more than alert_error_rate percent of a database's statements fail;
# - backend_down: a database whose server logins fail, cleared once a RELOAD points it at a
#   server that answers;
# - the per-minute history: a minute's rows reach the state database in state_dir, which
#   SHOW QUERY HISTORY reads, and they survive a restart.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret5
DEAD_PORT=$(free_port)
STATE="$T/state"

pg_start
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS"
conf() { # PORT_OF_DOWN
    printf '%s\n' "admin_users = $ADMIN_USER" "alert_p99_threshold = 0.02" "alert_error_rate = 10" \
        "server_login_retry = 1" "state_dir = $STATE" "[databases]" "$(db_line app)" \
        "down = host=127.0.0.1 port=$1 dbname=app user=$APP_USER password=$APP_PASS"
}
myrmex_start "$(conf "$DEAD_PORT")"

admin() {
    PGPASSWORD=$ADMIN_PASS timeout 30 psql -X -q -A -t -F'|' -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "$1"
}
alert_row() { admin "SHOW ALERTS" | grep "^$1|"; }
has_alert() { alert_row "$1" >/dev/null; }
no_alert() { ! has_alert "$1"; }
log_count() { grep -c -- "$1" "$MX_LOG" || true; }

# --- p99 --------------------------------------------------------------------------------------
# 20 calls: whichever side of a minute boundary, one minute holds at least the 10 it needs.
for _ in $(seq 20); do mx_sql "SELECT pg_sleep(0.03)" >/dev/null; done
wait_until 8 "the p99 alert" has_alert p99
row=$(alert_row p99)
note "alert: $row"
IFS='|' read -r name severity db _ value threshold message suggestion <<<"$row"
assert_eq "p99|warning|app" "$name|$severity|$db" "p99 alert: name, severity, database"
assert_ge "$(awk -v v="$value" 'BEGIN { print int(v * 1000) }')" 29 "p99 alert: value (s) at least the sleep"
assert_eq "0.020" "$threshold" "p99 alert: threshold is alert_p99_threshold"
assert_match 'pg_sleep' "$message" "p99 alert: the message names the query"
assert_match '^SHOW QUERY [0-9a-f]{16} ' "$suggestion" "p99 alert: the suggestion"
p99_raised_ms=$(now_ms)

# --- error_rate -------------------------------------------------------------------------------
# 45 failures: one minute holds at least the 20 calls the rate needs.
out=$(for _ in $(seq 45); do echo "SELECT 1/0;"; done | PGPASSWORD=$APP_PASS timeout 60 psql -X -q \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app 2>&1) || true
assert_eq 45 "$(grep -c 'division by zero' <<<"$out")" "45 failed statements"
wait_until 8 "the error_rate alert" has_alert error_rate
row=$(alert_row error_rate)
note "alert: $row"
IFS='|' read -r name severity db _ value threshold message _ <<<"$row"
assert_eq "error_rate|warning|app" "$name|$severity|$db" "error_rate alert"
assert_eq "10.000" "$threshold" "error_rate alert: threshold in percent"
assert_match 'failed over the last minute' "$message" "error_rate alert: message"

# The p99 alert has been judged again since (every 5 s): still there, logged once. Forgetting
# its fingerprint clears it, logged once.
sleep "$(awk -v ms=$((5500 - ($(now_ms) - p99_raised_ms))) 'BEGIN { print (ms > 0 ? ms / 1000 : 0) }')"
has_alert p99 || fail "the p99 alert went away by itself"
assert_eq 1 "$(log_count 'alert p99 (warning)')" "the p99 alert is logged once"
admin "RESET QUERIES" >/dev/null
wait_until 8 "the p99 alert cleared" no_alert p99
assert_eq 1 "$(log_count 'alert p99 cleared')" "the p99 alert's clearing is logged once"

# --- backend_down -----------------------------------------------------------------------------
out=$(PGPASSWORD=$APP_PASS timeout 30 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" \
    -d down -c "SELECT 1" 2>&1) || true
note "down: $out"
wait_until 5 "the backend_down alert" has_alert backend_down
row=$(alert_row backend_down)
note "alert: $row"
IFS='|' read -r name severity db _ _ _ message _ <<<"$row"
assert_eq "backend_down|critical|down" "$name|$severity|$db" "backend_down alert"
assert_match 'unreachable' "$message" "backend_down alert: message"
# Pointed at the real server, a login succeeds and the alert clears.
myrmex_write_conf "$(conf "$PG_PORT")"
admin "RELOAD" >/dev/null
down_ok() { [ "$(PGPASSWORD=$APP_PASS timeout 10 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d down -c "SELECT 7" 2>/dev/null)" = 7 ]; }
wait_until 10 "database down reachable after RELOAD" down_ok
wait_until 5 "the backend_down alert cleared" no_alert backend_down
assert_eq 1 "$(log_count 'alert backend_down (critical)')" "backend_down logged once"
assert_eq 1 "$(log_count 'alert backend_down cleared')" "backend_down's clearing logged once"

# --- the history in state_dir -----------------------------------------------------------------
# (A fingerprint of its own: a column alias alone would not make one.)
mx_sql "SELECT count(*) AS history_probe FROM pg_class WHERE relname = 'x'" >/dev/null
probe_counted() { admin "SHOW QUERIES app" | grep -q 'history_probe'; }
wait_until 3 "the probe in SHOW QUERIES (workers fold their counts every 100 ms)" probe_counted
id=$(admin "SHOW QUERIES app" | grep 'history_probe' | cut -d'|' -f3)
assert_match '^[0-9a-f]{16}$' "$id" "the probe's queryid"
# The proxy stores the minute in progress when it stops; a restart reads it back.
myrmex_stop
[ "$(stat -c %a "$STATE")" = 700 ] || fail "state_dir mode $(stat -c %a "$STATE")"
[ "$(stat -c %a "$STATE/myrmex-state.db")" = 600 ] || fail "state db mode"
myrmex_start "$(conf "$PG_PORT")"
hist=$(admin "SHOW QUERY HISTORY $id")
note "history: $hist"
assert_match '\|app\|app\|1\|' "$hist" "SHOW QUERY HISTORY after a restart: one call of the probe"

mx_alive || fail "the proxy died"
myrmex_stop
note "monitor alerts: ok"
