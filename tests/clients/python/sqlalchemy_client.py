"""SQLAlchemy (python3-sqlalchemy, psycopg2 dialect) against one target: tests/clients/sqlalchemy.sh.
create_all, reflection of what it created (pg_catalog queries), an ORM round trip with every
column type, a rolled back session, an IntegrityError and bound-parameter statements re-executed."""

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Session, declarative_base

from common import REPEAT, TABLE, URL, check_row, expect_eq, expect_sqlstate, row, step

Base = declarative_base()


class Item(Base):
    __tablename__ = TABLE
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    t = sa.Column(sa.Text, nullable=False)
    i2 = sa.Column(sa.SmallInteger)
    i4 = sa.Column(sa.Integer)
    i8 = sa.Column(sa.BigInteger)
    n = sa.Column(sa.Numeric)
    f8 = sa.Column(sa.Float(precision=53))
    b = sa.Column(sa.Boolean)
    nul = sa.Column(sa.Text)
    u = sa.Column(sa.Text)
    by = sa.Column(sa.LargeBinary)
    ts = sa.Column(sa.DateTime(timezone=True))
    uu = sa.Column(pg.UUID(as_uuid=True))
    j = sa.Column(pg.JSON)
    big = sa.Column(sa.Text)


class Child(Base):
    __tablename__ = TABLE + "_child"
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    item_id = sa.Column(sa.Integer, sa.ForeignKey(f"{TABLE}.id"), nullable=False)
    label = sa.Column(sa.String(40), server_default="none")


def as_dict(item):
    return {c: getattr(item, c) for c in row(1)}


with step("connect with SCRAM"):
    engine = sa.create_engine(URL, future=True, pool_size=1, max_overflow=0)
    with engine.connect() as c:
        expect_eq(1, c.execute(sa.text("SELECT 1")).scalar(), "SELECT 1")

with step("create_all"):
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)

with step("reflection"):
    insp = sa.inspect(engine)
    names = insp.get_table_names()
    for t in (TABLE, TABLE + "_child"):
        if t not in names:
            raise AssertionError(f"table {t} not in get_table_names(): {names}")
    cols = {c["name"]: c for c in insp.get_columns(TABLE)}
    expect_eq(list(row(1)), [c["name"] for c in insp.get_columns(TABLE)], "reflected column names")
    for name, typ in (("id", sa.Integer), ("t", sa.Text), ("i2", sa.SmallInteger), ("i8", sa.BigInteger),
                      ("n", sa.Numeric), ("b", sa.Boolean), ("by", pg.BYTEA), ("ts", sa.DateTime),
                      ("uu", pg.UUID), ("j", pg.JSON)):
        if not isinstance(cols[name]["type"], typ):
            raise AssertionError(f"column {name} reflected as {cols[name]['type']!r}, want {typ.__name__}")
    expect_eq(False, cols["t"]["nullable"], "t NOT NULL reflected")
    expect_eq(True, cols["ts"]["type"].timezone, "timestamptz reflected with time zone")
    expect_eq(["id"], insp.get_pk_constraint(TABLE)["constrained_columns"], "primary key reflected")
    fks = insp.get_foreign_keys(TABLE + "_child")
    expect_eq(1, len(fks), "foreign keys reflected")
    expect_eq((TABLE, ["item_id"], ["id"]), (fks[0]["referred_table"], fks[0]["constrained_columns"],
                                            fks[0]["referred_columns"]), "foreign key reflected")
    child_cols = {c["name"]: c for c in insp.get_columns(TABLE + "_child")}
    expect_eq(40, child_cols["label"]["type"].length, "varchar(40) length reflected")
    if "none" not in str(child_cols["label"]["default"]):
        raise AssertionError(f"server default reflected as {child_cols['label']['default']!r}")
    md = sa.MetaData()
    reflected = sa.Table(TABLE, md, autoload_with=engine)
    expect_eq(list(row(1)), [c.name for c in reflected.columns], "MetaData reflection")

with step("ORM round trip"):
    with Session(engine) as s:
        s.add(Item(**row(1)))
        s.commit()
    with Session(engine) as s:
        check_row(as_dict(s.get(Item, 1)), 1)
        s.add(Child(id=1, item_id=1))
        s.commit()
    with Session(engine) as s:
        it = s.get(Item, 1)
        it.nul = "not null any more"
        s.commit()
        expect_eq("not null any more", s.execute(sa.select(Item.nul).where(Item.id == 1)).scalar_one(), "ORM update")
        it.nul = None
        s.commit()
        expect_eq("none", s.get(Child, 1).label, "server default")

with step("session rolled back"):
    with Session(engine) as s:
        s.add(Item(**row(2)))
        s.flush()
        expect_eq(2, s.execute(sa.select(sa.func.count()).select_from(Item)).scalar_one(), "rows inside the transaction")
        s.rollback()
        expect_eq(1, s.execute(sa.select(sa.func.count()).select_from(Item)).scalar_one(), "rows after rollback")

with step("error then the same session goes on"):
    with Session(engine) as s:
        def dup():
            s.add(Item(**row(1)))
            s.flush()
        e = expect_sqlstate("23505", dup)
        if not isinstance(e, exc.IntegrityError):
            raise AssertionError(f"duplicate key raised {type(e).__name__}, not IntegrityError")
        s.rollback()
        expect_eq(1, s.execute(sa.select(sa.func.count()).select_from(Item)).scalar_one(), "query after the error")

with step("bound-parameter statements re-executed"):
    q = sa.select(Item.i4 - sa.bindparam("a", type_=sa.Integer), Item.u + sa.bindparam("b", type_=sa.Text)).where(
        Item.id == sa.bindparam("id", type_=sa.Integer))
    with engine.connect() as c:
        for i in range(REPEAT):
            got = tuple(c.execute(q, {"a": i, "b": str(i), "id": 1}).one())
            expect_eq((2147483647 - i, row(1)["u"] + str(i)), got, f"execution {i}")
        c.commit()

with step("drop_all"):
    Base.metadata.drop_all(engine)
    expect_eq(False, sa.inspect(engine).has_table(TABLE), "table dropped")
    engine.dispose()
