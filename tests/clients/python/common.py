"""Shared by the Python driver programs of tests/clients/: the connection parameters (from the
environment client_run sets), the row every driver writes and reads back, its comparison, and
step() which reports the step that failed ("FAIL <step>: <what>") and exits 1."""

import datetime
import decimal
import json
import os
import sys
import traceback
import uuid
from contextlib import contextmanager

HOST = os.environ["MX_HOST"]
PORT = int(os.environ["MX_PORT"])
USER = os.environ["MX_USER"]
PASSWORD = os.environ["MX_PASSWORD"]
DBNAME = os.environ["MX_DBNAME"]
TABLE = os.environ["MX_TABLE"]
TARGET = os.environ["MX_TARGET"]

decimal.getcontext().prec = 60

DSN = f"host={HOST} port={PORT} user={USER} password={PASSWORD} dbname={DBNAME} connect_timeout=10"
URL = f"postgresql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DBNAME}"

# Times a prepared statement is re-executed: beyond every driver's prepare threshold (pgjdbc 5,
# psycopg 3 5 by default, node-postgres and asyncpg at once) and pgjdbc's binary switch.
REPEAT = 12

DDL = f"""CREATE TABLE {TABLE} (
    id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint, n numeric, f8 double precision,
    b boolean, nul text, u text, by bytea, ts timestamptz, uu uuid, j json, big text)"""
COLUMNS = ["id", "t", "i2", "i4", "i8", "n", "f8", "b", "nul", "u", "by", "ts", "uu", "j", "big"]

BIG = "".join(chr(0x61 + (i % 26)) for i in range(1024)) * 1024  # 1 MiB of text


def row(id_):
    """The values row id_ holds (Python objects)."""
    return {
        "id": id_,
        "t": f"plain text {id_}",
        "i2": -32768,
        "i4": 2147483647,
        "i8": 9007199254740993,  # 2^53 + 1: not exact as a double
        # 15 significant digits: the most the SQLite backend stores exactly (it refuses more
        # with 0A000)
        "n": decimal.Decimal("-1234567890.12345"),
        "f8": 0.1,
        "b": True,
        "nul": None,
        "u": "héllo wörld ✓ 日本語 🐜",
        "by": bytes(range(256)) + b"\x00\\'",
        "ts": datetime.datetime(2024, 2, 29, 12, 34, 56, 789000, tzinfo=datetime.timezone.utc),
        "uu": uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        "j": {"a": [1, 2, {"b": None}], "c": "ü", "d": 1.5},
        "big": BIG,
    }


def _norm(col, v):
    if v is None:
        return None
    if col == "by":
        return bytes(v)
    if col == "uu":
        return str(v)
    if col == "j" and isinstance(v, str):
        return json.loads(v)
    if col == "n":
        return decimal.Decimal(str(v))
    if col == "ts" and isinstance(v, str):
        return v
    return v


def check_row(got, id_):
    """got: a mapping column -> value. Raises AssertionError naming the first column that differs."""
    want = row(id_)
    for col in COLUMNS:
        if col not in got:
            raise AssertionError(f"column {col} missing from the result ({sorted(got)})")
        g, w = _norm(col, got[col]), _norm(col, want[col])
        if col == "ts" and isinstance(g, datetime.datetime):
            if g.tzinfo is None:
                raise AssertionError(f"timestamptz came back without a time zone: {g!r}")
        if g != w:
            gs, ws = repr(g), repr(w)
            raise AssertionError(f"column {col}: got {gs[:200]} (type {type(got[col]).__name__}), want {ws[:200]}")


def sqlstate_of(exc):
    for attr in ("sqlstate", "pgcode"):
        v = getattr(exc, attr, None)
        if isinstance(v, str):
            return v
    diag = getattr(exc, "diag", None)
    if diag is not None and getattr(diag, "sqlstate", None):
        return diag.sqlstate
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's exception
    if orig is not None and orig is not exc:
        return sqlstate_of(orig)
    return None


def expect_sqlstate(code, fn, *args):
    """Run fn(*args); it must raise an error with SQLSTATE code."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - drivers raise their own classes
        got = sqlstate_of(e)
        if got != code:
            raise AssertionError(f"expected SQLSTATE {code}, got {got}: {type(e).__name__}: {e}") from e
        return e
    raise AssertionError(f"expected an error with SQLSTATE {code}, but the statement succeeded")


def expect_eq(want, got, what):
    if want != got:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


@contextmanager
def step(name):
    try:
        yield
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        code = sqlstate_of(e)
        msg = str(e).strip().replace("\n", " | ")[:600]
        print(f"FAIL {name}: {type(e).__name__}{' [' + code + ']' if code else ''}: {msg}", flush=True)
        traceback.print_exc(limit=4, file=sys.stdout)
        sys.exit(1)
    print(f"ok {name}", flush=True)
