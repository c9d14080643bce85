"""psycopg2 (python3-psycopg2) against one target: tests/clients/psycopg2.sh."""

import psycopg2
import psycopg2.extras

from common import COLUMNS, DDL, DSN, REPEAT, TABLE, check_row, expect_eq, expect_sqlstate, row, step

psycopg2.extras.register_uuid()
INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"


def params(id_):
    r = row(id_)
    r["j"] = psycopg2.extras.Json(r["j"])
    return [r[c] for c in COLUMNS]


def fetch(cur, id_):
    cur.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE id = %s", (id_,))
    rows = cur.fetchall()
    expect_eq(1, len(rows), f"rows with id {id_}")
    return dict(zip(COLUMNS, rows[0]))


with step("connect with SCRAM"):
    conn = psycopg2.connect(DSN)
    cur = conn.cursor()
    cur.execute("SELECT 1")
    expect_eq([(1,)], cur.fetchall(), "SELECT 1")
    conn.commit()

with step("create table"):
    cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cur.execute(DDL)
    conn.commit()

with step("insert and select with parameters"):
    cur.execute(INSERT, params(1))
    conn.commit()
    check_row(fetch(cur, 1), 1)
    conn.commit()

with step("transaction rolled back"):
    cur.execute(INSERT, params(2))
    cur.execute(f"SELECT count(*) FROM {TABLE}")
    expect_eq(2, cur.fetchone()[0], "rows inside the transaction")
    conn.rollback()
    cur.execute(f"SELECT count(*) FROM {TABLE}")
    expect_eq(1, cur.fetchone()[0], "rows after ROLLBACK")
    conn.commit()

with step("error then the same connection goes on"):
    expect_sqlstate("23505", cur.execute, INSERT, params(1))
    conn.rollback()
    expect_sqlstate("22012", cur.execute, "SELECT 1 / %s", (0,))
    conn.rollback()
    cur.execute("SELECT %s::int + 1", (41,))
    expect_eq(42, cur.fetchone()[0], "query after the errors")
    conn.commit()

with step("re-executed parameterized statements"):
    for i in range(REPEAT):
        cur.execute(f"SELECT i4 - %s, u || %s, n + %s FROM {TABLE} WHERE id = %s", (i, str(i), i, 1))
        got = cur.fetchone()
        expect_eq((2147483647 - i, row(1)["u"] + str(i), row(1)["n"] + i), got, f"execution {i}")
        cur.execute("SELECT %s::text || 'x', %s::int * 2", (f"s{i}", i))
        expect_eq((f"s{i}x", 2 * i), cur.fetchone(), f"second statement, execution {i}")
    conn.commit()

with step("close"):
    conn.close()
