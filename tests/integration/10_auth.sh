#!/usr/bin/env bash
# Authentication. (1) auth_type = scram-sha-256 with an auth_file holding the SCRAM secrets
# copied from pg_authid, and no password in [databases]: clients log in with SCRAM and the
# proxy logs in to PostgreSQL (which requires SCRAM) by pass-through. (2) auth_type = md5 with
# a plain password in the auth_file and the password in the database's connection string.
# (3) auth_type = md5 with an md5 secret in the auth_file.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build

login() { # USER PASSWORD -> prints current_user,session_user
    pgclient "$(mx_conninfo "$1" "$2")" script <<<"SELECT current_user, session_user"
}

# --- (1) SCRAM pass-through ------------------------------------------------------------------
write_userlist "$USERLIST" app "$(pg_scram_secret app)" app2 "$(pg_scram_secret app2)"
myrmex_start "
auth_type = scram-sha-256
auth_file = $USERLIST
[databases]
app = host=127.0.0.1 port=$PG_PORT dbname=app
"
if grep -q "$APP_PASS" "$MX_CONF"; then fail "the configuration must not hold the password"; fi
out=$(login app "$APP_PASS")
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|app,app\|' "$(printf '%s\n' "$out" | grep '^OK|')" "SCRAM pass-through login as app"
out=$(login app2 "$APP2_PASS")
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|app2,app2\|' "$(printf '%s\n' "$out" | grep '^OK|')" "SCRAM pass-through login as app2"
# The server really authenticated the proxy's connections with SCRAM.
assert_match 'app@app LOG:  connection authenticated: identity="app" method=scram-sha-256' "$(cat "$PG_LOG")" \
    "PostgreSQL log shows a SCRAM login of app"
# Several clients, more than one server connection, all by pass-through.
out=$(pgclient "$(mx_conninfo)" concurrent 6 5 20)
assert_match 'errors=0' "$out" "concurrent SCRAM clients"
out=$(pgclient "$(mx_conninfo app wrong)" script </dev/null) || true
assert_eq 28P01 "$(sqlstate_of "$out")" "SCRAM wrong password"
myrmex_stop

# --- (2) md5 with a plain password in the auth_file, password in [databases] -------------------
write_userlist "$USERLIST" app "$APP_PASS"
myrmex_start "
auth_type = md5
auth_file = $USERLIST
[databases]
app = host=127.0.0.1 port=$PG_PORT dbname=app user=app password=$APP_PASS
"
out=$(login app "$APP_PASS")
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|app,app\|' "$(printf '%s\n' "$out" | grep '^OK|')" "md5 login with a plain auth_file password"
out=$(pgclient "$(mx_conninfo app wrong)" script </dev/null) || true
assert_eq 28P01 "$(sqlstate_of "$out")" "md5 wrong password"
# psql with PGPASSWORD works too.
assert_eq 1 "$(mx_sql "SELECT 1")" "psql through md5"
myrmex_stop

# --- (3) md5 secret in the auth_file -----------------------------------------------------------
write_userlist "$USERLIST" app "$(md5_secret app "$APP_PASS")"
myrmex_start "
auth_type = md5
auth_file = $USERLIST
[databases]
app = host=127.0.0.1 port=$PG_PORT dbname=app user=app password=$APP_PASS
"
out=$(login app "$APP_PASS")
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|app,app\|' "$(printf '%s\n' "$out" | grep '^OK|')" "md5 login with an md5 secret"
out=$(pgclient "$(mx_conninfo app wrong)" script </dev/null) || true
assert_eq 28P01 "$(sqlstate_of "$out")" "md5-secret wrong password"
myrmex_stop
if grep -q -e "$APP_PASS" -e "$APP2_PASS" "${MX_LOGS[@]}"; then
    fail "a password appears in the proxy's log"
fi
