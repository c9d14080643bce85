#!/usr/bin/env bash
# Session state. Session mode: SET search_path and a custom GUC hold for the whole client
# session, on one backend, and server_reset_query keeps them from the next client of that
# backend. Transaction mode: client_encoding, DateStyle, TimeZone, IntervalStyle,
# application_name and search_path set by each client follow it across servers under
# concurrent load (pool smaller than the client count), and never leak to other clients.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build

# --- session mode ------------------------------------------------------------------------
myrmex_start "
pool_mode = session
default_pool_size = 1
"
mx_sql "CREATE SCHEMA s1; CREATE TABLE s1.where_am_i(v text); INSERT INTO s1.where_am_i VALUES ('s1');
        CREATE TABLE public.where_am_i(v text); INSERT INTO public.where_am_i VALUES ('public')" >/dev/null

out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SET search_path = s1, public
SET myapp.x = 'y'
SELECT current_setting('search_path'), current_setting('myapp.x'), (SELECT v FROM where_am_i), pg_backend_pid()
\sleep 300
BEGIN
SELECT current_setting('myapp.x'), (SELECT v FROM where_am_i), pg_backend_pid()
COMMIT
SELECT 1/0
SELECT current_setting('search_path'), current_setting('myapp.x'), (SELECT v FROM where_am_i), pg_backend_pid()
SQL
)
printf '%s\n' "$out"
lines=$(printf '%s\n' "$out" | grep -c '^OK|SELECT 1|')
assert_eq 3 "$lines" "session-mode SELECTs"
pids=$(printf '%s\n' "$out" | grep '^OK|SELECT 1|' | awk -F'|' '{ n = split($3, f, ","); print f[n] }' | sort -u)
assert_eq 1 "$(printf '%s\n' "$pids" | wc -l)" "session mode keeps one backend for the session"
assert_match '^OK\|SELECT 1\|s1, public,y,s1,[0-9]+\|' "$(printf '%s\n' "$out" | grep '^OK|SELECT 1|' | head -1)" "SET state at start"
assert_match '^OK\|SELECT 1\|y,s1,[0-9]+\|' "$(printf '%s\n' "$out" | grep '^OK|SELECT 1|' | sed -n 2p)" "SET state inside a transaction"
assert_match '^OK\|SELECT 1\|s1, public,y,s1,[0-9]+\|' "$(printf '%s\n' "$out" | grep '^OK|SELECT 1|' | tail -1)" "SET state after an error"

# The next client gets the same backend (pool size 1) with its state reset.
out2=$(pgclient "$(mx_conninfo)" script <<'SQL'
SELECT current_setting('search_path'), coalesce(current_setting('myapp.x', true), ''), (SELECT v FROM where_am_i), pg_backend_pid()
SQL
)
printf '%s\n' "$out2"
# shellcheck disable=SC2016 # a literal $user
assert_match '^OK\|SELECT 1\|"\$user", public,,public,' "$(printf '%s\n' "$out2" | grep '^OK|')" "session state leaked to the next client"
pid2=$(printf '%s\n' "$out2" | grep '^OK|' | awk -F'|' '{ n = split($3, f, ","); print f[n] }')
assert_eq "$pids" "$pid2" "pool_size 1: next client reuses the backend"
myrmex_stop

# --- transaction mode --------------------------------------------------------------------
myrmex_start "
pool_mode = transaction
default_pool_size = 3
"
rc=0
out=$(pgclient "$(mx_conninfo)" settings 12 40) || rc=$?
printf '%s\n' "$out" | grep -v '^MISMATCH' || true
printf '%s\n' "$out" | grep '^MISMATCH' | head -n 20 || true
assert_eq 0 "$rc" "session state tracking in transaction mode"
assert_match 'errors=0 mismatches=0' "$out"
switched=$(printf '%s\n' "$out" | sed -n 's/.*switched_clients=\([0-9]*\).*/\1/p')
assert_ge "$switched" 4 "clients that ran on more than one server (the test must switch servers)"
assert_le "$(server_backends)" 3 "backends"
myrmex_stop

# --- transaction mode: SETs inside transaction blocks --------------------------------------
# Two sessions share one server (pool size 1), so every turn of a session is replayed from what
# the proxy tracked. A session-level SET inside a transaction lasts only if it commits; SET
# LOCAL ends with its transaction; neither may pin the server. (A rollback to a savepoint after
# such a SET is not followed: the server stays with that session, so it comes last.)
myrmex_start "
pool_mode = transaction
default_pool_size = 1
"
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SET search_path = s1, public
@2 SELECT 'other', current_setting('search_path')
BEGIN
SET search_path = public
ROLLBACK
@2 SELECT 'other', current_setting('search_path')
SELECT 'after rollback', current_setting('search_path')
BEGIN
SET search_path = public
SELECT 1/0
COMMIT
@2 SELECT 'other', current_setting('search_path')
SELECT 'after failed commit', current_setting('search_path')
BEGIN
SET search_path = public
COMMIT
@2 SELECT 'other', current_setting('search_path')
SELECT 'after commit', current_setting('search_path')
BEGIN
SET LOCAL search_path = s1
SELECT 'local', current_setting('search_path')
COMMIT
@2 SELECT 'other', current_setting('search_path')
SELECT 'after local', current_setting('search_path'), pg_backend_pid()
@2 SELECT 'other pid', pg_backend_pid()
BEGIN
SAVEPOINT a
SET search_path = s1
ROLLBACK TO SAVEPOINT a
COMMIT
SELECT 'after savepoint rollback', current_setting('search_path')
SQL
)
printf '%s\n' "$out"
row() { printf '%s\n' "$out" | grep "^OK|SELECT 1|$1," | head -1 | cut -d'|' -f3; }
assert_eq "after rollback,s1, public" "$(row 'after rollback')" "SET rolled back"
assert_eq "after failed commit,s1, public" "$(row 'after failed commit')" "SET in a failed transaction"
assert_eq "after commit,public" "$(row 'after commit')" "SET committed"
assert_eq "after savepoint rollback,public" "$(row 'after savepoint rollback')" "SET rolled back to a savepoint"
assert_eq "local,s1" "$(row local)" "SET LOCAL inside its transaction"
assert_match '^after local,public,[0-9]+$' "$(row 'after local')" "SET LOCAL after its transaction"
# shellcheck disable=SC2016 # a literal $user
assert_eq 0 "$(printf '%s\n' "$out" | grep "^OK|SELECT 1|other," | grep -vc ',"\$user", public|')" "the other session always sees the default"
assert_eq 5 "$(printf '%s\n' "$out" | grep -c "^OK|SELECT 1|other,")" "other session turns"
pid_a=$(row 'after local' | awk -F, '{ print $NF }')
pid_b=$(printf '%s\n' "$out" | grep "^OK|SELECT 1|other pid," | cut -d'|' -f3 | awk -F, '{ print $NF }')
assert_eq "$pid_a" "$pid_b" "one server for both sessions (nothing pinned)"
myrmex_stop
