#!/usr/bin/env bash
# Errors the proxy itself sends, as proper ErrorResponses with the right SQLSTATE, after which
# the proxy goes on serving: max_client_conn exceeded (53300), unknown database (3D000), wrong
# password or unknown user (28P01) with auth_type scram-sha-256 and md5 over an auth_file.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build

expect_connerr() { # STATE CONNINFO DESCRIPTION
    local out rc=0
    out=$(pgclient "$2" script </dev/null) || rc=$?
    printf '%s\n' "$out"
    assert_eq 2 "$rc" "$3: connection should fail"
    assert_eq "$1" "$(sqlstate_of "$out")" "$3: SQLSTATE"
}
expect_serving() { # DESCRIPTION
    mx_alive || fail "proxy died after: $1"
    assert_eq ok "$(mx_sql "SELECT 'ok'")" "proxy still serving after: $1"
}

for auth in scram-sha-256 md5; do
    note "auth_type = $auth"
    if [ "$auth" = scram-sha-256 ]; then
        write_userlist "$USERLIST" app "$(pg_scram_secret app)" app2 "$(pg_scram_secret app2)"
    else
        write_userlist "$USERLIST" app "$APP_PASS" app2 "$(md5_secret app2 "$APP2_PASS")"
    fi
    myrmex_start "
auth_type = $auth
auth_file = $USERLIST
max_client_conn = 3
"
    expect_serving "start"
    expect_connerr 28P01 "$(mx_conninfo app wrong-password)" "wrong password for app ($auth)"
    expect_serving "wrong password"
    expect_connerr 28P01 "$(mx_conninfo app2 wrong-password)" "wrong password for app2 ($auth)"
    expect_connerr 28P01 "$(mx_conninfo nosuchuser whatever)" "unknown user ($auth)"
    expect_serving "unknown user"
    expect_connerr 3D000 "$(mx_conninfo app "$APP_PASS" nosuchdb)" "unknown database ($auth)"
    expect_serving "unknown database"

    # max_client_conn = 3: three clients hold their connections, a fourth gets 53300.
    holders=()
    for i in 1 2 3; do
        bg "hold$i" pgclient "$(mx_conninfo)" script < <(printf 'SELECT %s\n\\sleep 4000\nSELECT 1\n' "$i")
        holders+=("$BG_PID")
    done
    for i in 1 2 3; do
        wait_until 10 "holder $i connected" grep -q '^OK|SELECT 1|' "$T/hold$i.out"
    done
    expect_connerr 53300 "$(mx_conninfo)" "max_client_conn exceeded ($auth)"
    expect_connerr 53300 "$(mx_conninfo)" "max_client_conn exceeded again ($auth)"
    for pid in "${holders[@]}"; do
        rc=0
        bg_wait "$pid" 30 || rc=$?
        assert_eq 0 "$rc" "holder exit status"
    done
    for i in 1 2 3; do
        assert_eq 2 "$(grep -c '^OK|SELECT 1|' "$T/hold$i.out")" "holder $i ran both queries"
    done
    # The slots are free again.
    wait_until 10 "a new client can connect after the holders left" mx_sql "SELECT 1"
    expect_serving "max_client_conn"
    myrmex_stop
done
