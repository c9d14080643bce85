"""asyncpg (python3-asyncpg) against one target: tests/clients/asyncpg.sh. asyncpg prepares every
statement as a named server-side statement (its statement cache) and uses the binary format for
parameters and results; executemany pipelines its executions."""

import asyncio
import json

import asyncpg

from common import (COLUMNS, DDL, DBNAME, HOST, PASSWORD, PORT, REPEAT, TABLE, USER, check_row,
                    expect_eq, row, sqlstate_of, step)

INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(COLUMNS)))})"
SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE id = $1"


def params(id_):
    r = row(id_)
    r["j"] = json.dumps(r["j"])
    return [r[c] for c in COLUMNS]


async def expect_sqlstate_async(code, coro):
    try:
        await coro
    except Exception as e:  # noqa: BLE001
        if sqlstate_of(e) != code:
            raise AssertionError(f"expected SQLSTATE {code}, got {sqlstate_of(e)}: {type(e).__name__}: {e}") from e
        return
    raise AssertionError(f"expected an error with SQLSTATE {code}, but the statement succeeded")


async def main():
    conn = None
    with step("connect with SCRAM"):
        conn = await asyncpg.connect(host=HOST, port=PORT, user=USER, password=PASSWORD, database=DBNAME,
                                     timeout=10)
        expect_eq(1, await conn.fetchval("SELECT 1"), "SELECT 1")

    with step("create table"):
        await conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        await conn.execute(DDL)

    with step("insert and select with parameters"):
        await conn.execute(INSERT, *params(1))
        check_row(dict(await conn.fetchrow(SELECT, 1)), 1)

    with step("transaction rolled back"):
        tr = conn.transaction()
        await tr.start()
        await conn.execute(INSERT, *params(2))
        expect_eq(2, await conn.fetchval(f"SELECT count(*) FROM {TABLE}"), "rows inside the transaction")
        await tr.rollback()
        expect_eq(1, await conn.fetchval(f"SELECT count(*) FROM {TABLE}"), "rows after ROLLBACK")

    with step("error then the same connection goes on"):
        await expect_sqlstate_async("23505", conn.execute(INSERT, *params(1)))
        await expect_sqlstate_async("22012", conn.fetchval("SELECT 1 / $1::int", 0))
        await expect_sqlstate_async("22012", conn.fetchval("SELECT 1 / $1::int", 0))  # cached now
        expect_eq(42, await conn.fetchval("SELECT $1::int + 1", 41), "query after the errors")

    with step("prepared statements re-executed"):
        s1 = await conn.prepare(f"SELECT i4 - $1, u || $2, n + $3 FROM {TABLE} WHERE id = $4")
        s2 = await conn.prepare("SELECT $1::text || 'x', $2::int * 2")
        for i in range(REPEAT):
            got = tuple(await s1.fetchrow(i, str(i), i, 1))
            expect_eq((2147483647 - i, row(1)["u"] + str(i), row(1)["n"] + i), got, f"execution {i}")
            expect_eq((f"s{i}x", 2 * i), tuple(await s2.fetchrow(f"s{i}", i)), f"second statement, execution {i}")
            check_row(dict(await conn.fetchrow(SELECT, 1)), 1)
        params_ = s1.get_parameters()
        expect_eq(["int4", "text", "numeric", "int4"], [p.name for p in params_], "parameter types of a prepared statement")

    with step("executemany (pipelined) and a transaction block"):
        async with conn.transaction():
            await conn.executemany(INSERT, [params(i) for i in range(10, 15)])
        for i in range(10, 15):
            check_row(dict(await conn.fetchrow(SELECT, i)), i)

    with step("error inside executemany"):
        await expect_sqlstate_async("23505", conn.executemany(INSERT, [params(20), params(20)]))
        expect_eq(0, await conn.fetchval(f"SELECT count(*) FROM {TABLE} WHERE id = $1", 20), "rows of a failed executemany")

    with step("close"):
        await conn.close()


asyncio.run(main())
