#!/usr/bin/env bash
# pgbench end to end on the embedded SQLite backend:
# - pgbench -i -s 2 (DROP of several tables, CREATE TABLE ... WITH (fillfactor), TRUNCATE in a
#   transaction, COPY ... WITH (FREEZE ON), VACUUM ANALYZE tbl, ALTER TABLE ADD PRIMARY KEY by
#   a table rebuild), then tpcb-like in -M simple / extended / prepared (transaction mode) / prepared
#   (session mode) and -S: no failed transaction, and afterwards
#   sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta);
# - 8 clients doing read-modify-write transfers lose no update: conflicts are 40001, retried;
# - ALTER TABLE by table rebuild (constraints added and dropped by name, types, NOT NULL,
#   defaults; indexes and views kept), sequences, TRUNCATE and VACUUM give PostgreSQL's results
#   and SQLSTATEs;
# - sequences and serial columns under concurrent inserts: no duplicate values;
# - statement_timeout gives 57014 and the session goes on;
# - SIGKILL of the proxy under a write load: every acknowledged row is there after a restart,
#   and PRAGMA integrity_check is ok.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

DB="$T/bench.db"
sqlite_conf() { # POOL_MODE
    printf '%s\n' "pool_mode = $1" "default_pool_size = 8" "[databases]" "app = sqlite://$DB"
}
pgb() { # pgbench arguments...: through the proxy, bounded
    PGPASSWORD=$APP_PASS timeout -k 5 180 pgbench -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" "$@" app 2>&1
}
processed() { printf '%s\n' "$1" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p'; }
sums() {
    mx_sql "SELECT (SELECT sum(abalance) FROM pgbench_accounts) || ' ' ||
        (SELECT sum(tbalance) FROM pgbench_tellers) || ' ' ||
        (SELECT sum(bbalance) FROM pgbench_branches) || ' ' ||
        (SELECT coalesce(sum(delta), 0) FROM pgbench_history)"
}
check_sums() { # LABEL
    local s
    s=$(sums)
    note "$1: sums $s"
    read -r a t b h <<<"$s"
    assert_eq "$a" "$t" "$1: sum(abalance) = sum(tbalance)"
    assert_eq "$a" "$b" "$1: sum(abalance) = sum(bbalance)"
    assert_eq "$a" "$h" "$1: sum(abalance) = sum(delta)"
}
run_ok() { # LABEL OUTPUT
    printf '%s\n' "$2" | grep -E '^(tps|number of|latency average)|error|abort' | head -n 20 | sed "s/^/# $1: /"
    assert_match 'number of failed transactions: 0 ' "$2" "$1: failed transactions"
    assert_ge "$(processed "$2")" 50 "$1: transactions processed"
}

# --- pgbench -i and the four runs -------------------------------------------------------------
myrmex_start "$(sqlite_conf transaction)"
# Twice: the second run drops and recreates what the first made.
init=$(pgb -i -s 1) || { printf '%s\n' "$init"; fail "pgbench -i failed"; }
init=$(pgb -i -s 2) || { printf '%s\n' "$init"; fail "pgbench -i over existing tables failed"; }
printf '%s\n' "$init" | tail -n 5
assert_match 'done in' "$init" "pgbench -i completed"
assert_match 'storage parameters \(fillfactor\) have no effect' "$init" "fillfactor NOTICE"
assert_match 'FREEZE has no effect' "$init" "COPY FREEZE NOTICE"
assert_eq "200000|2|20|0" "$(mx_sql "SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_branches), (SELECT count(*) FROM pgbench_tellers), (SELECT count(*) FROM pgbench_history)")" "rows after pgbench -i"
# ADD PRIMARY KEY made a real key: a duplicate is 23505, a NULL 23502.
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
INSERT INTO pgbench_accounts (aid, bid, abalance) VALUES (1, 1, 0)
INSERT INTO pgbench_branches (bid, bbalance) VALUES (NULL, 0)
ALTER TABLE pgbench_tellers ADD PRIMARY KEY (bid)
SQL
)
printf '%s\n' "$out"
assert_eq 23505 "$(printf '%s\n' "$out" | sed -n 2p | cut -d'|' -f2)" "duplicate primary key"
assert_eq 23502 "$(printf '%s\n' "$out" | sed -n 3p | cut -d'|' -f2)" "NULL primary key"
assert_eq 42P16 "$(printf '%s\n' "$out" | sed -n 4p | cut -d'|' -f2)" "a second primary key"

# The first run vacuums and truncates history as pgbench does; the others skip that (-n).
r=$(pgb -M simple -c 8 -j 2 -T 10) || true
run_ok "tpcb-like simple" "$r"
r=$(pgb -n -M extended -c 8 -j 2 -T 10) || true
run_ok "tpcb-like extended" "$r"
r=$(pgb -n -S -M extended -c 8 -j 2 -T 10) || true
run_ok "select-only extended" "$r"
r=$(pgb -n -M prepared -c 8 -j 2 -T 5) || true
run_ok "tpcb-like prepared (transaction mode)" "$r"
check_sums "after the transaction-mode runs"
myrmex_stop

myrmex_start "$(sqlite_conf session)"
r=$(pgb -n -M prepared -c 8 -j 2 -T 10) || true
run_ok "tpcb-like prepared (session mode)" "$r"
r=$(pgb -n -S -M prepared -c 8 -j 2 -T 5) || true
run_ok "select-only prepared (session mode)" "$r"
check_sums "after the prepared run"

# --- statement_timeout --------------------------------------------------------------------------
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SET statement_timeout = '200ms'
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n
SELECT 42
RESET statement_timeout
SQL
)
printf '%s\n' "$out"
line=$(printf '%s\n' "$out" | sed -n 3p)
assert_match '^ERR\|57014\|canceling statement due to statement timeout' "$line" "statement_timeout"
took=$(printf '%s' "$line" | awk -F'|' '{ print int($NF) }')
assert_le "$took" 3000 "statement_timeout took (ms)"
assert_match '^OK\|SELECT 1\|42\|' "$(printf '%s\n' "$out" | sed -n 4p)" "session usable after the timeout"
myrmex_stop

# --- DDL by table rebuild, sequences, TRUNCATE, VACUUM ------------------------------------------
myrmex_start "$(sqlite_conf session)"
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
CREATE TABLE p (id int PRIMARY KEY, name text)
CREATE TABLE c (id serial, pid int, v varchar(5), n int)
INSERT INTO p VALUES (1, 'a'), (2, 'b')
INSERT INTO c (pid, v, n) VALUES (1, 'x', 1), (2, 'y', NULL), (1, 'x', 3)
CREATE INDEX c_pid_idx ON c (pid)
CREATE VIEW cv AS SELECT id, v FROM c
ALTER TABLE c ADD PRIMARY KEY (id)
ALTER TABLE c ADD CONSTRAINT c_v_key UNIQUE (v)
ALTER TABLE c ALTER COLUMN n SET NOT NULL
UPDATE c SET n = 2 WHERE n IS NULL
ALTER TABLE c ALTER COLUMN n SET NOT NULL
INSERT INTO c (pid, v, n) VALUES (1, 'z', NULL)
ALTER TABLE c ADD CONSTRAINT c_pid_fkey FOREIGN KEY (pid) REFERENCES p (id)
INSERT INTO c (pid, v, n) VALUES (9, 'z', 1)
ALTER TABLE c ADD CHECK (n > 0)
INSERT INTO c (pid, v, n) VALUES (1, 'z', -1)
ALTER TABLE c DROP CONSTRAINT c_n_check
INSERT INTO c (pid, v, n) VALUES (1, 'z', -1)
ALTER TABLE c DROP CONSTRAINT c_pkey
ALTER TABLE c DROP CONSTRAINT c_pkey
ALTER TABLE c DROP CONSTRAINT IF EXISTS c_pkey
ALTER TABLE c ALTER COLUMN id DROP NOT NULL
ALTER TABLE c ALTER COLUMN v TYPE varchar(10)
INSERT INTO c (pid, v, n) VALUES (1, 'longer one', 1)
INSERT INTO c (pid, v, n) VALUES (1, 'longer one!', 1)
ALTER TABLE c ALTER COLUMN v TYPE int
ALTER TABLE c ALTER COLUMN n TYPE bigint USING n * 10, ALTER COLUMN v SET DEFAULT 'dflt'
SELECT sum(n) FROM c
INSERT INTO c (pid, n) VALUES (2, 5) RETURNING v
ALTER TABLE c ALTER COLUMN v DROP DEFAULT
SELECT count(*) FROM cv
CREATE INDEX c_pid_idx ON c (pid)
BEGIN
ALTER TABLE p ADD CONSTRAINT p_name_key UNIQUE (name)
ROLLBACK
ALTER TABLE p ADD CONSTRAINT p_name_key UNIQUE (name)
SELECT count(*) FROM c
BEGIN
VACUUM
ROLLBACK
VACUUM
TRUNCATE p
CREATE SEQUENCE s MAXVALUE 2
SELECT nextval('s')
SELECT currval('s')
SELECT nextval('s'::regclass)
SELECT nextval('s')
SELECT currval('nope')
ALTER SEQUENCE s MAXVALUE 100 RESTART WITH 50 INCREMENT BY 25
SELECT nextval('s'), nextval('s'), setval('s', 7), nextval('s')
ALTER SEQUENCE s START 1000
ALTER SEQUENCE nope RESTART
ALTER SEQUENCE IF EXISTS nope RESTART
CREATE SEQUENCE s
DROP SEQUENCE c_id_seq
TRUNCATE c RESTART IDENTITY
INSERT INTO c (pid, v, n) VALUES (1, 'q', 1) RETURNING id
DROP VIEW cv
DROP TABLE c, p
DROP TABLE IF EXISTS c
SELECT count(*) FROM _myrmex_sequence
SQL
)
printf '%s\n' "$out"
got=$(printf '%s\n' "$out" | awk -F'|' '$1 == "ERR" { print $1 "|" $2; next } $1 == "OK" { print $1 "|" $2 "|" $3 }')
want='OK|CREATE TABLE|
OK|CREATE TABLE|
OK|INSERT 0 2|
OK|INSERT 0 3|
OK|CREATE INDEX|
OK|CREATE VIEW|
OK|ALTER TABLE|
ERR|23505
ERR|23502
OK|UPDATE 1|
OK|ALTER TABLE|
ERR|23502
OK|ALTER TABLE|
ERR|23503
OK|ALTER TABLE|
ERR|23514
OK|ALTER TABLE|
OK|INSERT 0 1|
OK|ALTER TABLE|
ERR|42704
OK|ALTER TABLE|
OK|ALTER TABLE|
OK|ALTER TABLE|
OK|INSERT 0 1|
ERR|22001
ERR|42804
OK|ALTER TABLE|
OK|SELECT 1|60
OK|INSERT 0 1|dflt
OK|ALTER TABLE|
OK|SELECT 1|6
ERR|42P07
OK|BEGIN|
ERR|0A000
OK|ROLLBACK|
OK|ALTER TABLE|
OK|SELECT 1|6
OK|BEGIN|
ERR|25001
OK|ROLLBACK|
OK|VACUUM|
ERR|0A000
OK|CREATE SEQUENCE|
OK|SELECT 1|1
OK|SELECT 1|1
OK|SELECT 1|2
ERR|2200H
ERR|42P01
OK|ALTER SEQUENCE|
OK|SELECT 1|50,75,7,32
ERR|22023
ERR|42P01
OK|ALTER SEQUENCE|
ERR|42P07
ERR|2BP01
OK|TRUNCATE TABLE|
OK|INSERT 0 1|1
OK|DROP VIEW|
OK|DROP TABLE|
OK|DROP TABLE|
OK|SELECT 1|1'
if [ "$got" != "$want" ]; then
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2 || true
    fail "DDL statements: results differ from PostgreSQL's (diff above: < expected, > got)"
fi
myrmex_stop

# --- read-modify-write transfers: no lost update ------------------------------------------------
myrmex_start "$(sqlite_conf transaction)"
mx_sql "CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL)" >/dev/null
mx_sql "INSERT INTO acct SELECT i, 1000 FROM generate_series(1, 10) AS g(i)" >/dev/null
cat >"$T/rmw.sql" <<'SQL'
\set a random(1, 10)
\set b random(1, 10)
\set amt random(1, 50)
BEGIN;
SELECT balance AS ba FROM acct WHERE id = :a \gset
UPDATE acct SET balance = :ba - :amt WHERE id = :a;
SELECT balance AS bb FROM acct WHERE id = :b \gset
UPDATE acct SET balance = :bb + :amt WHERE id = :b;
COMMIT;
SQL
r=$(pgb -n -M extended -c 8 -j 2 -T 10 --max-tries=1000 --failures-detailed -f "$T/rmw.sql") || true
run_ok "read-modify-write transfers" "$r"
printf '%s\n' "$r" | grep -E 'serialization|retried' | sed 's/^/# /' || true
assert_eq 10000 "$(mx_sql "SELECT sum(balance) FROM acct")" "transfers keep the total"

# --- sequences under concurrent inserts -----------------------------------------------------------
mx_sql "CREATE TABLE ev (id bigserial PRIMARY KEY, n int, t text)" >/dev/null
mx_sql "CREATE SEQUENCE tick START 100 INCREMENT 10" >/dev/null
cat >"$T/ins.sql" <<'SQL'
INSERT INTO ev (n, t) VALUES (nextval('tick'), 'x');
SQL
r=$(pgb -n -M simple -c 8 -j 2 -t 100 -f "$T/ins.sql") || true
run_ok "concurrent serial inserts" "$r"
assert_eq "800|800|800|800" "$(mx_sql "SELECT count(*), count(DISTINCT id), count(DISTINCT n), max(id) FROM ev")" "distinct serial and nextval values"
assert_eq "public.ev_id_seq|8090" "$(mx_sql "SELECT pg_get_serial_sequence('ev', 'id'), max(n) FROM ev")" "serial sequence"
myrmex_stop

# --- SIGKILL under a write load ------------------------------------------------------------------
myrmex_start "$(sqlite_conf transaction)"
mx_sql "CREATE TABLE acks (id bigint PRIMARY KEY)" >/dev/null
WRITERS=(1 2 3 4)
for w in "${WRITERS[@]}"; do
    # One session per writer; psql prints INSERT 0 1 only once the commit is acknowledged.
    seq $((w * 1000000 + 1)) $((w * 1000000 + 200000)) | sed 's/.*/INSERT INTO acks VALUES (&);/' |
        PGPASSWORD=$APP_PASS timeout -k 5 120 psql -X -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
            >"$T/writer$w.out" 2>&1 &
    BG_PIDS+=("$!")
done
sleep 3
kill -KILL "$MX_PID"
wait "$MX_PID" 2>/dev/null || true
MX_PID=""
for pid in "${BG_PIDS[@]}"; do
    bg_wait "$pid" 60 || true
done
integrity=$("$PYTHON" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$DB")
assert_eq ok "$integrity" "PRAGMA integrity_check after SIGKILL"
myrmex_start "$(sqlite_conf transaction)"
total=0
for w in "${WRITERS[@]}"; do
    acked=$(grep -c '^INSERT 0 1$' "$T/writer$w.out" || true)
    total=$((total + acked))
    present=$(mx_sql "SELECT count(*) FROM acks WHERE id BETWEEN $((w * 1000000 + 1)) AND $((w * 1000000 + acked))")
    assert_eq "$acked" "$present" "writer $w: acknowledged rows present after SIGKILL"
done
note "acknowledged inserts before SIGKILL: $total"
assert_ge "$total" 20 "acknowledged inserts"
assert_ge "$(mx_sql "SELECT count(*) FROM acks")" "$total" "rows after the restart"
myrmex_stop
