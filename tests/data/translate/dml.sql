-- Golden translations (tests/unit/test_translate.c, test_golden_files): dml.
-- INSERT / UPDATE / DELETE: untyped literals typed by their column (pg_assign), RETURNING, ON 
-- CONFLICT, data-modifying CTEs; refusals.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: INSERT INTO t VALUES (1, 'a')
-- sqlite: INSERT INTO "t" VALUES (pg_assign(1, 't', 0), pg_assign('a', 't', 1))

-- pg: INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')), (pg_assign(2, 't', 'a'), pg_assign('y', 't', 'b'))

-- pg: INSERT INTO t (a) VALUES ($1)
-- sqlite: INSERT INTO "t" ("a") VALUES (pg_assign(?1, 't', 'a'))

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') RETURNING *
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')) RETURNING *

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') RETURNING a, b AS bee, a + 1
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')) RETURNING "a" AS "a", "b" AS "bee", pg_addint("a", 1) AS "?column?"
-- columns: a:0 bee:0 ?column?:0

-- pg: INSERT INTO t (a) SELECT x FROM u WHERE x > 1
-- sqlite: INSERT INTO "t" ("a") SELECT "x" AS "x" FROM "u" WHERE ("x" > 1)

-- pg: INSERT INTO t DEFAULT VALUES
-- sqlite: INSERT INTO "t" DEFAULT VALUES

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') ON CONFLICT DO NOTHING
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')) ON CONFLICT DO NOTHING

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') ON CONFLICT (a) DO NOTHING
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')) ON CONFLICT ("a") DO NOTHING

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') ON CONFLICT (a) DO UPDATE SET b = excluded.b
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')) ON CONFLICT ("a") DO UPDATE SET "b" = excluded."b"

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE t.b <> excluded.b RETURNING a
-- sqlite: INSERT INTO "t" ("a", "b") VALUES (pg_assign(1, 't', 'a'), pg_assign('x', 't', 'b')) ON CONFLICT ("a") DO UPDATE SET "b" = excluded."b" WHERE ("t"."b" <> excluded."b") RETURNING "a" AS "a"
-- columns: a:0

-- pg: INSERT INTO t (a, b) VALUES (1, 'x') ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING
-- error: 0A000 ON CONFLICT ON CONSTRAINT is not supported on the SQLite backend

-- pg: INSERT INTO t (a) VALUES (DEFAULT)
-- sqlite: INSERT INTO "t" DEFAULT VALUES

-- pg: INSERT INTO t (a) OVERRIDING SYSTEM VALUE VALUES (1)
-- error: 0A000 OVERRIDING ... VALUE is not supported on the SQLite backend

-- pg: UPDATE t SET b = 'y' WHERE a = 1
-- sqlite: UPDATE "t" SET "b" = pg_assign('y', 't', 'b') WHERE ("a" = 1)

-- pg: UPDATE t SET b = $1, c = c + 1 WHERE a = $2 RETURNING c
-- sqlite: UPDATE "t" SET "b" = pg_assign(?1, 't', 'b'), "c" = pg_assign(pg_addint("c", 1), 't', 'c') WHERE ("a" = pg_assign(?2, 't', 'a')) RETURNING "c" AS "c"
-- columns: c:0

-- pg: UPDATE t SET (b, c) = ('y', 2) WHERE a = 1
-- sqlite: UPDATE "t" SET ("b", "c") = ('y', 2) WHERE ("a" = 1)

-- pg: UPDATE t SET b = u.b FROM u WHERE u.a = t.a
-- sqlite: UPDATE "t" SET "b" = "u"."b" FROM "u" WHERE ("u"."a" = "t"."a")

-- pg: UPDATE ONLY t SET b = 1
-- error: 0A000 UPDATE ONLY is not supported on the SQLite backend

-- pg: UPDATE t SET b = DEFAULT
-- error: 0A000 SET column = DEFAULT is not supported on the SQLite backend

-- pg: UPDATE t SET b[1] = 2
-- error: 0A000 assignment to a subfield or array element is not supported on the SQLite backend

-- pg: DELETE FROM t WHERE a = 1
-- sqlite: DELETE FROM "t" WHERE ("a" = 1)

-- pg: DELETE FROM t WHERE a = 1 RETURNING a, b
-- sqlite: DELETE FROM "t" WHERE ("a" = 1) RETURNING "a" AS "a", "b" AS "b"
-- columns: a:0 b:0

-- pg: DELETE FROM t USING u WHERE u.a = t.a
-- sqlite: DELETE FROM "t" WHERE EXISTS (SELECT 1 FROM "u" WHERE ("u"."a" = "t"."a"))

-- pg: DELETE FROM t WHERE CURRENT OF c
-- error: 0A000 WHERE CURRENT OF is not supported on the SQLite backend

-- pg: WITH x AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM x
-- sqlite: WITH "x" AS (SELECT 1 AS "a") INSERT INTO "t" SELECT "a" AS "a" FROM "x"

-- pg: MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN DELETE
-- error: 0A000 MERGE is not supported on the SQLite backend

