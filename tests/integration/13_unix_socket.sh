#!/usr/bin/env bash
# Connection paths: psql over the proxy's unix socket (psql -h <dir> -p <port>), and TCP with
# libpq's default sslmode=prefer (SSLRequest answered) and sslmode=allow.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
myrmex_start ""
wait_until 5 "unix socket $MX_SOCKDIR/.s.PGSQL.$MX_PORT" test -S "$MX_SOCKDIR/.s.PGSQL.$MX_PORT"
out=$(PGPASSWORD=$APP_PASS timeout 30 psql -X -At -h "$MX_SOCKDIR" -p "$MX_PORT" -U app -d app \
    -c "SELECT 'unix', current_user, current_database()")
assert_eq "unix|app|app" "$out" "psql over the unix socket"

for sslmode in prefer allow; do
    out=$(pgclient "$(mx_conninfo) sslmode=$sslmode" script <<<"SELECT 'tcp $sslmode'")
    printf '%s\n' "$out"
    assert_match "^OK\\|SELECT 1\\|tcp $sslmode\\|" "$(printf '%s\n' "$out" | grep '^OK|')" "TCP with sslmode=$sslmode"
done
myrmex_stop
wait_until 5 "unix socket removed at exit" test ! -e "$MX_SOCKDIR/.s.PGSQL.$MX_PORT"
