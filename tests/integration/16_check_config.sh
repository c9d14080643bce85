#!/usr/bin/env bash
# myrmex --check-config -c FILE: 0 for a valid configuration, 1 for an invalid one (bad value,
# unknown pool mode, bad [databases] entry, missing file), with the file named in the message.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

if [ "$MYRMEX_TEST_PROXY" = pgbouncer ]; then
    note "PgBouncer has no --check-config; nothing to test"
    exit 0
fi
[ -x "$MYRMEX_BIN" ] || fail "proxy binary $MYRMEX_BIN not built"
PG_PORT=5432
MX_PORT=6432

check() { # EXPECTED_RC DESCRIPTION BODY
    local rc=0
    mx_conf "$3" >"$T/check.ini"
    timeout 10 "$MYRMEX_BIN" --check-config -c "$T/check.ini" >"$T/check.out" 2>&1 || rc=$?
    if [ "$rc" -ne "$1" ]; then
        cat "$T/check.ini" "$T/check.out"
        fail "--check-config on $2: exit status $rc, expected $1"
    fi
    if [ "$1" -ne 0 ]; then
        grep -q "check.ini" "$T/check.out" || { cat "$T/check.out"; fail "$2: message does not name the file"; }
    fi
    note "$2: exit $rc $(head -n 1 "$T/check.out")"
}

write_userlist "$USERLIST" app "$APP_PASS"
check 0 "a valid configuration" "pool_mode = transaction"
check 0 "a URL database entry" "
[databases]
app = postgresql://app:pw@127.0.0.1:5432/app?pool_size=5
"
check 1 "an unknown pool_mode" "pool_mode = sometimes"
check 1 "a non-numeric default_pool_size" "default_pool_size = many"
check 1 "an unknown auth_type" "auth_type = telepathy"
check 1 "a database entry with a non-numeric port" "
[databases]
app = host=127.0.0.1 port=notaport dbname=app
"
check 1 "a malformed database URL" "
[databases]
app = postgresql://app@127.0.0.1:99999999/app?pool_size=x
"
rc=0
timeout 10 "$MYRMEX_BIN" --check-config -c "$T/no-such-file.ini" >"$T/check.out" 2>&1 || rc=$?
assert_eq 1 "$rc" "--check-config on a missing file"
