"""psycopg 3 (python3-psycopg) against one target: tests/clients/psycopg3.sh. prepare_threshold=0
prepares every parameterized statement on its first execution (named server-side statements);
binary cursors; a pipeline, with an error inside it."""

import psycopg
from psycopg.types.json import Json

from common import COLUMNS, DDL, DSN, REPEAT, TABLE, check_row, expect_eq, expect_sqlstate, row, step

INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE id = %s"


def params(id_):
    r = row(id_)
    r["j"] = Json(r["j"])
    return [r[c] for c in COLUMNS]


def fetch(cur, id_):
    cur.execute(SELECT, (id_,))
    rows = cur.fetchall()
    expect_eq(1, len(rows), f"rows with id {id_}")
    return dict(zip(COLUMNS, rows[0]))


def count(conn):
    return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


with step("connect with SCRAM"):
    conn = psycopg.connect(DSN, prepare_threshold=0)
    expect_eq([(1,)], conn.execute("SELECT 1").fetchall(), "SELECT 1")
    conn.commit()

with step("create table"):
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    conn.execute(DDL)
    conn.commit()

with step("insert and select with parameters (text results)"):
    conn.execute(INSERT, params(1))
    conn.commit()
    check_row(fetch(conn.cursor(), 1), 1)
    conn.commit()

with step("select with a binary cursor"):
    check_row(fetch(conn.cursor(binary=True), 1), 1)
    conn.commit()

with step("insert with binary parameters"):
    cur = conn.cursor(binary=True)
    cur.execute(INSERT, params(3), binary=True)
    check_row(fetch(cur, 3), 3)
    check_row(fetch(conn.cursor(), 3), 3)
    conn.execute(f"DELETE FROM {TABLE} WHERE id = %s", (3,))
    conn.commit()

with step("transaction rolled back"):
    conn.execute(INSERT, params(2))
    expect_eq(2, count(conn), "rows inside the transaction")
    conn.rollback()
    expect_eq(1, count(conn), "rows after ROLLBACK")
    conn.commit()

with step("error then the same connection goes on"):
    expect_sqlstate("23505", conn.execute, INSERT, params(1))
    conn.rollback()
    expect_sqlstate("22012", conn.execute, "SELECT 1 / %s", (0,))
    conn.rollback()
    expect_eq(42, conn.execute("SELECT %s::int + 1", (41,)).fetchone()[0], "query after the errors")
    conn.commit()

with step("prepared statements re-executed (text and binary)"):
    conn.autocommit = True
    for i in range(REPEAT):
        cur = conn.cursor(binary=bool(i % 2))
        got = cur.execute(f"SELECT i4 - %s, u || %s, n + %s FROM {TABLE} WHERE id = %s", (i, str(i), i, 1)).fetchone()
        expect_eq((2147483647 - i, row(1)["u"] + str(i), row(1)["n"] + i), got, f"execution {i}")
        got = cur.execute("SELECT %s::text || 'x', %s::int * 2", (f"s{i}", i)).fetchone()
        expect_eq((f"s{i}x", 2 * i), got, f"second statement, execution {i}")
        check_row(fetch(cur, 1), 1)

with step("pipeline"):
    with conn.pipeline():
        cur = conn.cursor()
        cur.executemany(INSERT, [params(i) for i in range(10, 15)])
        curs = []
        for i in range(10, 15):
            c = conn.cursor(binary=bool(i % 2))
            c.execute(SELECT, (i,))
            curs.append((i, c))
        c2 = conn.execute(f"SELECT count(*) FROM {TABLE} WHERE id >= %s", (10,))
    for i, c in curs:
        rows = c.fetchall()
        expect_eq(1, len(rows), f"pipelined select of id {i}")
        check_row(dict(zip(COLUMNS, rows[0])), i)
    expect_eq(5, c2.fetchone()[0], "pipelined count")

with step("pipeline with an error inside"):
    def failing_pipeline():
        with conn.pipeline() as p:
            conn.execute("SELECT %s::int", (1,))
            conn.execute("SELECT 1 / %s", (0,))
            conn.execute("SELECT %s::int", (2,))
            p.sync()
    expect_sqlstate("22012", failing_pipeline)
    with conn.pipeline():
        a = conn.execute("SELECT %s::int + 1", (1,))
        b = conn.execute("SELECT %s::text", ("after",))
    expect_eq((2,), a.fetchone(), "pipeline after the error")
    expect_eq(("after",), b.fetchone(), "pipeline after the error")

with step("close"):
    conn.close()
