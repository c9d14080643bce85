#!/usr/bin/env bash
# psql against one target (run by tests/clients/libpq.sh through client_run): variables, a
# rolled back transaction, errors with LAST_ERROR_SQLSTATE and the session going on, \gdesc,
# \d and \dt (catalog queries), a 1 MB value, COPY FROM STDIN.
set -euo pipefail
T=$MX_TABLE
out=$(PGPASSWORD=$MX_PASSWORD timeout 60 psql -X -At -v ON_ERROR_STOP=0 -h "$MX_HOST" -p "$MX_PORT" \
    -U "$MX_USER" -d "$MX_DBNAME" 2>&1 <<SQL
\\set ECHO none
DROP TABLE IF EXISTS $T;
CREATE TABLE $T (id integer PRIMARY KEY, t text, n numeric, b boolean, by bytea, ts timestamptz, uu uuid, j json, big text);
\\set u 'héllo wörld ✓ 日本語 🐜'
INSERT INTO $T VALUES (1, :'u', -1234567890.12345, true, '\\x00ff5c27', '2024-02-29 12:34:56.789+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', repeat('abcdefghij', 104858));
SELECT 'row|' || t || '|' || n || '|' || b || '|' || by::text || '|' || (ts = '2024-02-29 12:34:56.789+00') || '|' || uu || '|' || j::text || '|' || length(big) FROM $T WHERE id = 1;
BEGIN;
INSERT INTO $T (id) VALUES (2);
SELECT 'in-tx|' || count(*) FROM $T;
ROLLBACK;
SELECT 'after-rollback|' || count(*) FROM $T;
INSERT INTO $T (id) VALUES (1);
\\echo 'state1|' :LAST_ERROR_SQLSTATE
SELECT 1 / 0;
\\echo 'state2|' :LAST_ERROR_SQLSTATE
SELECT 'goes-on|' || count(*) FROM $T;
SELECT id, t, n FROM $T \\gdesc
\\d $T
\\dt $T
\\di ${T}_pkey
COPY $T (id, t) FROM STDIN;
3	copied
\\.
SELECT 'copied|' || t FROM $T WHERE id = 3;
SQL
)
printf '%s\n' "$out" | cut -c1-300
expect() { # LINE-REGEX WHAT
    grep -Eq -- "$1" <<<"$out" || { echo "FAIL $2: /$1/ not in the output"; exit 1; }
    echo "ok $2"
}
expect '^row\|héllo wörld ✓ 日本語 🐜\|-1234567890\.12345\|true\|\\x00ff5c27\|true\|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\|\{"a": \[1, 2\]\}\|1048580$' "insert and select"
expect '^in-tx\|2$' "rows inside the transaction"
expect '^after-rollback\|1$' "transaction rolled back"
expect '^state1\| 23505$' "duplicate key SQLSTATE"
expect '^state2\| 22012$' "division by zero SQLSTATE"
expect '^goes-on\|1$' "session goes on after the errors"
expect '^id\|integer$' "\\gdesc integer"
expect '^n\|numeric$' "\\gdesc numeric"
expect '^uu\|uuid\|' "\\d lists the columns"
expect '^id\|integer\|\|not null\|' "\\d shows NOT NULL"
expect "^public\\|${T}_pkey\\|index\\|[a-z]+\\|$T\$" "\\di lists the primary key's index"
expect "^public\\|$T\\|table\\|" "\\dt lists the table"
expect '^copied\|copied$' "COPY FROM STDIN"
if printf '%s\n' "$out" | grep -E '^psql:.*ERROR' | grep -Ev 'duplicate key|division by zero'; then
    echo "FAIL psql: an unexpected error"
    exit 1
fi
