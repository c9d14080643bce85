-- Golden translations (tests/unit/test_translate.c, test_golden_files): select.
-- SELECT: ORDER BY with explicit NULLS placement, DISTINCT ON, CTEs (recursive too), window 
-- functions, subqueries, set operations; refusals (frames, named windows, locking clauses, 
-- grouping sets).
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: SELECT 1
-- sqlite: SELECT 1 AS "?column?"
-- columns: ?column?:23

-- pg: SELECT 1 AS one, 'x' AS "Two"
-- sqlite: SELECT 1 AS "one", 'x' AS "Two"
-- columns: one:23 Two:25

-- pg: SELECT a, b FROM t WHERE a > 1 ORDER BY a DESC, b
-- sqlite: SELECT "a" AS "a", "b" AS "b" FROM "t" WHERE ("a" > 1) ORDER BY "a" DESC NULLS FIRST, "b" NULLS LAST
-- columns: a:0 b:0

-- pg: SELECT a FROM t ORDER BY a NULLS FIRST
-- sqlite: SELECT "a" AS "a" FROM "t" ORDER BY "a" NULLS FIRST
-- columns: a:0

-- pg: SELECT a FROM t ORDER BY a DESC NULLS LAST
-- sqlite: SELECT "a" AS "a" FROM "t" ORDER BY "a" DESC NULLS LAST
-- columns: a:0

-- pg: SELECT a FROM t LIMIT 10 OFFSET 5
-- sqlite: SELECT "a" AS "a" FROM "t" LIMIT 10 OFFSET 5
-- columns: a:0

-- pg: SELECT a FROM t FETCH FIRST 3 ROWS ONLY
-- sqlite: SELECT "a" AS "a" FROM "t" LIMIT 3
-- columns: a:0

-- pg: SELECT a FROM t LIMIT ALL
-- sqlite: SELECT "a" AS "a" FROM "t"
-- columns: a:0

-- pg: SELECT DISTINCT a FROM t
-- sqlite: SELECT DISTINCT "a" AS "a" FROM "t"
-- columns: a:0

-- pg: SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC
-- sqlite: SELECT "__c1" AS "a", "__c2" AS "b" FROM (SELECT "a" AS "__c1", "b" AS "__c2", "a" AS "__s1", "b" AS "__s2", row_number() OVER (PARTITION BY "a" ORDER BY "a" NULLS LAST, "b" DESC NULLS FIRST) AS "__rn" FROM "t") WHERE "__rn" = 1 ORDER BY "__s1" NULLS LAST, "__s2" DESC NULLS FIRST
-- columns: a:0 b:0

-- pg: SELECT DISTINCT ON (a, b) a, b, c FROM t
-- sqlite: SELECT "__c1" AS "a", "__c2" AS "b", "__c3" AS "c" FROM (SELECT "a" AS "__c1", "b" AS "__c2", "c" AS "__c3", row_number() OVER (PARTITION BY "a", "b") AS "__rn" FROM "t") WHERE "__rn" = 1
-- columns: a:0 b:0 c:0

-- pg: SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1
-- sqlite: SELECT "a" AS "a", count(*) AS "count" FROM "t" GROUP BY "a" HAVING (count(*) > 1)
-- columns: a:0 count:20

-- pg: SELECT t.a, u.b FROM t JOIN u ON u.id = t.id LEFT JOIN v ON v.id = u.id
-- sqlite: SELECT "t"."a" AS "a", "u"."b" AS "b" FROM "t" JOIN "u" ON ("u"."id" = "t"."id") LEFT JOIN "v" ON ("v"."id" = "u"."id")
-- columns: a:0 b:0

-- pg: SELECT * FROM t CROSS JOIN u
-- sqlite: SELECT * FROM "t" CROSS JOIN "u"

-- pg: SELECT * FROM t NATURAL JOIN u
-- sqlite: SELECT * FROM "t" NATURAL JOIN "u"

-- pg: SELECT * FROM t JOIN u USING (id)
-- sqlite: SELECT * FROM "t" JOIN "u" USING ("id")

-- pg: SELECT * FROM t FULL JOIN u ON u.id = t.id
-- sqlite: SELECT * FROM "t" FULL JOIN "u" ON ("u"."id" = "t"."id")

-- pg: SELECT * FROM (SELECT a FROM t) AS s
-- sqlite: SELECT * FROM (SELECT "a" AS "a" FROM "t") AS "s"

-- pg: SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v (n, s)
-- sqlite: SELECT * FROM (WITH "v"("n", "s") AS (VALUES (1, 'a'), (2, 'b')) SELECT * FROM "v") AS "v"

-- pg: SELECT * FROM t AS x (p, q)
-- sqlite: SELECT * FROM (WITH "x"("p", "q") AS (SELECT * FROM "t") SELECT * FROM "x") AS "x"

-- pg: SELECT * FROM generate_series(1, 10) AS g
-- sqlite: SELECT * FROM (WITH RECURSIVE "__gs"(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM "__gs" WHERE v + 1 <= 10) SELECT v AS "g" FROM "__gs") AS "g"

-- pg: SELECT * FROM generate_series(1, 10, 2) g (n)
-- sqlite: SELECT * FROM (WITH RECURSIVE "__gs"(v) AS (SELECT 1 UNION ALL SELECT v + 2 FROM "__gs" WHERE v + 2 <= 10) SELECT v AS "n" FROM "__gs") AS "g"

-- pg: VALUES (1, 2), (3, 4)
-- sqlite: VALUES (1, 2), (3, 4)
-- columns: column1:23 column2:23

-- pg: SELECT a FROM t UNION SELECT b FROM u ORDER BY 1
-- sqlite: SELECT "a" AS "a" FROM "t" UNION SELECT "b" FROM "u" ORDER BY 1 NULLS LAST
-- columns: a:0

-- pg: SELECT a FROM t UNION ALL SELECT b FROM u
-- sqlite: SELECT "a" AS "a" FROM "t" UNION ALL SELECT "b" FROM "u"
-- columns: a:0

-- pg: SELECT a FROM t INTERSECT SELECT b FROM u
-- sqlite: SELECT "a" AS "a" FROM "t" INTERSECT SELECT "b" FROM "u"
-- columns: a:0

-- pg: SELECT a FROM t EXCEPT SELECT b FROM u
-- sqlite: SELECT "a" AS "a" FROM "t" EXCEPT SELECT "b" FROM "u"
-- columns: a:0

-- pg: WITH x AS (SELECT 1 AS a) SELECT a FROM x
-- sqlite: WITH "x" AS (SELECT 1 AS "a") SELECT "a" AS "a" FROM "x"
-- columns: a:23

-- pg: WITH x (n) AS (SELECT 1), y AS (SELECT n + 1 AS m FROM x) SELECT * FROM y
-- sqlite: WITH "x"("n") AS (SELECT 1 AS "?column?"), "y" AS (SELECT pg_addint("n", 1) AS "m" FROM "x") SELECT * FROM "y"

-- pg: WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r
-- sqlite: WITH RECURSIVE "r"("n") AS (SELECT 1 AS "?column?" UNION ALL SELECT pg_addint("n", 1) FROM "r" WHERE ("n" < 10)) SELECT "n" AS "n" FROM "r"
-- columns: n:23

-- pg: WITH x AS MATERIALIZED (SELECT 1) SELECT * FROM x
-- sqlite: WITH "x" AS MATERIALIZED (SELECT 1 AS "?column?") SELECT * FROM "x"

-- pg: WITH x AS (DELETE FROM t RETURNING a) SELECT a FROM x
-- error: 0A000 data-modifying statements in WITH are not supported on the SQLite backend

-- pg: SELECT a, row_number() OVER (ORDER BY a) FROM t
-- sqlite: SELECT "a" AS "a", row_number() OVER (ORDER BY "a" NULLS LAST) AS "row_number" FROM "t"
-- columns: a:0 row_number:20

-- pg: SELECT a, rank() OVER (PARTITION BY b ORDER BY a DESC) FROM t
-- sqlite: SELECT "a" AS "a", rank() OVER (PARTITION BY "b" ORDER BY "a" DESC NULLS FIRST) AS "rank" FROM "t"
-- columns: a:0 rank:20

-- pg: SELECT a, sum(a) OVER (PARTITION BY b) FROM t
-- sqlite: SELECT "a" AS "a", CASE WHEN pg_colnumeric('t', 'a') = -1 THEN pg_numeric_sum("a", pg_colnumeric('t', 'a'), 1) OVER (PARTITION BY "b") ELSE sum("a") OVER (PARTITION BY "b") END AS "sum" FROM "t"
-- columns: a:0 sum:0

-- pg: SELECT a, avg(a) OVER () FROM t
-- sqlite: SELECT "a" AS "a", pg_avg("a") OVER () AS "avg" FROM "t"
-- columns: a:0 avg:1700

-- pg: SELECT a, lag(a, 1, 0) OVER (ORDER BY a), lead(a) OVER (ORDER BY a) FROM t
-- sqlite: SELECT "a" AS "a", lag("a", 1, 0) OVER (ORDER BY "a" NULLS LAST) AS "lag", lead("a") OVER (ORDER BY "a" NULLS LAST) AS "lead" FROM "t"
-- columns: a:0 lag:0 lead:0

-- pg: SELECT a, sum(a) OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t
-- error: 0A000 an explicit window frame is not supported on the SQLite backend

-- pg: SELECT a, rank() OVER w FROM t WINDOW w AS (ORDER BY a)
-- error: 0A000 a named window is not supported on the SQLite backend

-- pg: SELECT (SELECT max(a) FROM t) AS m
-- sqlite: SELECT (SELECT max("a") FROM "t") AS "m"
-- columns: m:0

-- pg: SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)
-- sqlite: SELECT * FROM "t" WHERE EXISTS (SELECT 1 FROM "u" WHERE ("u"."a" = "t"."a"))

-- pg: SELECT * FROM t WHERE a IN (SELECT a FROM u)
-- sqlite: SELECT * FROM "t" WHERE ("a" IN (SELECT "a" FROM "u"))

-- pg: SELECT * FROM t WHERE a NOT IN (SELECT a FROM u)
-- sqlite: SELECT * FROM "t" WHERE (NOT ("a" IN (SELECT "a" FROM "u")))

-- pg: SELECT * FROM t WHERE a > ANY (SELECT a FROM u)
-- error: 0A000 > ANY (subquery) is not supported on the SQLite backend

-- pg: SELECT ARRAY(SELECT a FROM t)
-- error: 0A000 ARRAY(subquery) is not supported on the SQLite backend

-- pg: SELECT a FROM t FOR UPDATE
-- sqlite: SELECT "a" AS "a" FROM "t"
-- columns: a:0

-- pg: SELECT a FROM t FOR SHARE SKIP LOCKED
-- sqlite: SELECT "a" AS "a" FROM "t"
-- columns: a:0

-- pg: SELECT a, count(*) FROM t GROUP BY ROLLUP (a)
-- error: 0A000 GROUPING SETS, ROLLUP and CUBE are not supported on the SQLite backend

-- pg: SELECT a, count(*) FROM t GROUP BY CUBE (a)
-- error: 0A000 GROUPING SETS, ROLLUP and CUBE are not supported on the SQLite backend

-- pg: SELECT * FROM t TABLESAMPLE SYSTEM (10)
-- error: 0A000 TABLESAMPLE is not supported on the SQLite backend

-- pg: SELECT * FROM ONLY t
-- sqlite: SELECT * FROM "t"

-- pg: SELECT * FROM public.t
-- sqlite: SELECT * FROM "t"

-- pg: SELECT * FROM other.t
-- error: 0A000 schema "other" is not supported on the SQLite backend

-- pg: SELECT * FROM LATERAL (SELECT 1) x
-- error: 0A000 LATERAL is not supported on the SQLite backend

-- pg: SELECT a INTO newt FROM t
-- error: 0A000 SELECT INTO is not supported on the SQLite backend

-- pg: SELECT row(1, 2)
-- sqlite: SELECT (1, 2) AS "row"
-- columns: row:0

-- pg: SELECT (a).x FROM t
-- error: 0A000 subscripts and field selection are not supported on the SQLite backend

