-- Golden translations (tests/unit/test_translate.c, test_golden_files): infer.
-- Result column types of columns of WITH queries and subqueries in FROM: their defining
-- expressions are typed in their own FROM items, recursively (a column computed from an
-- earlier WITH query's column).
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT x, y FROM a, b
-- sqlite: WITH "a" AS (SELECT 1 AS "x"), "b" AS (SELECT pg_addint("x", 1) AS "y" FROM "a") SELECT "x" AS "x", "y" AS "y" FROM "a", "b"
-- columns: x:23 y:23

-- pg: WITH a AS (SELECT 1 AS x), b AS (SELECT x * 2.5 AS y FROM a), c AS (SELECT y AS z FROM b) SELECT z, z + 1 FROM c
-- sqlite: WITH "a" AS (SELECT 1 AS "x"), "b" AS (SELECT ("x" * 2.5) AS "y" FROM "a"), "c" AS (SELECT "y" AS "z" FROM "b") SELECT "z" AS "z", pg_addint("z", 1) AS "?column?" FROM "c"
-- columns: z:1700 ?column?:1700

-- pg: WITH a AS (SELECT 1::bigint AS x) SELECT x + 1 AS y, -x AS n FROM a
-- sqlite: WITH "a" AS (SELECT pg_cast(1, 'int8') AS "x") SELECT pg_addint("x", 1) AS "y", (-"x") AS "n" FROM "a"
-- columns: y:20 n:20

-- pg: SELECT s.y FROM (SELECT x + 1 AS y FROM (SELECT 1 AS x) i) s
-- sqlite: SELECT "s"."y" AS "y" FROM (SELECT pg_addint("x", 1) AS "y" FROM (SELECT 1 AS "x") AS "i") AS "s"
-- columns: y:23

-- pg: SELECT v.b || 'x', v.a + 1 FROM (VALUES (1, 'p')) v(a, b)
-- sqlite: SELECT ("v"."b" || 'x') AS "?column?", pg_addint("v"."a", 1) AS "?column?" FROM (WITH "v"("a", "b") AS (VALUES (1, 'p')) SELECT * FROM "v") AS "v"
-- columns: ?column?:25 ?column?:23

-- pg: WITH a(x) AS (SELECT 'p'), b AS (SELECT x FROM a) SELECT x FROM b
-- sqlite: WITH "a"("x") AS (SELECT 'p' AS "?column?"), "b" AS (SELECT "x" AS "x" FROM "a") SELECT "x" AS "x" FROM "b"
-- columns: x:25

-- pg: SELECT x.dept, x.total FROM (SELECT dept, sum(salary) AS total FROM q_emp GROUP BY dept) x WHERE x.total > 100
-- sqlite: SELECT "x"."dept" AS "dept", "x"."total" AS "total" FROM (SELECT "dept" AS "dept", CASE WHEN pg_colnumeric('q_emp', 'salary') = -1 THEN pg_numeric_sum("salary", pg_colnumeric('q_emp', 'salary')) ELSE sum("salary") END AS "total" FROM "q_emp" GROUP BY "dept") AS "x" WHERE ("x"."total" > 100)
-- columns: dept:0 total:0

-- pg: WITH a AS (SELECT x FROM t) SELECT x + 1 FROM a
-- sqlite: WITH "a" AS (SELECT "x" AS "x" FROM "t") SELECT pg_addint("x", 1) AS "?column?" FROM "a"
-- columns: ?column?:0

-- A name that refers to itself (an error SQLite reports) is typed in bounded time.
-- pg: WITH a AS (SELECT x FROM a, a AS b, a AS c) SELECT x FROM a, a AS b, a AS c
-- sqlite: WITH "a" AS (SELECT "x" AS "x" FROM "a", "a" AS "b", "a" AS "c") SELECT "x" AS "x" FROM "a", "a" AS "b", "a" AS "c"
-- columns: x:0
