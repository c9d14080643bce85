-- Golden translations (tests/unit/test_translate.c, test_golden_files): numeric results with
-- their own display scale. avg(), numeric division, numeric ^ numeric, and + - * on exact
-- results or numeric literals are computed exactly by pg_avg / pg_numeric_div / pg_numeric_op /
-- pg_numeric_pow (after the operands: bits telling which operands are exact results, then, for
-- a result column, its position); numeric literals reach them as text, keeping their scale. A
-- coalesce() or CASE result column keeps its constants' scale through pg_numeric_lit.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: SELECT avg(x) * 2, avg(x) + 1.50, 2 - avg(x) FROM t
-- sqlite: SELECT pg_numeric_op('*', pg_avg("x"), 2, 1, 0) AS "?column?", pg_numeric_op('+', pg_avg("x"), '1.50', 1, 1) AS "?column?", pg_numeric_op('-', 2, pg_avg("x"), 2, 2) AS "?column?" FROM "t"
-- columns: ?column?:1700 ?column?:1700 ?column?:1700

-- pg: SELECT avg(x) - avg(y), avg(x) * avg(y), -avg(x) FROM t
-- sqlite: SELECT pg_numeric_op('-', pg_avg("x"), pg_avg("y"), 3, 0) AS "?column?", pg_numeric_op('*', pg_avg("x"), pg_avg("y"), 3, 1) AS "?column?", pg_numeric_op('-', 0, pg_avg("x"), 2, 2) AS "?column?" FROM "t"
-- columns: ?column?:1700 ?column?:1700 ?column?:1700

-- pg: SELECT (1::numeric / 3) * 3, avg(x) / 3, 1.50 / -0.5
-- sqlite: SELECT pg_numeric_op('*', pg_numeric_div(pg_cast(1, 'numeric'), 3, 0), 3, 1, 0) AS "?column?", pg_numeric_div(pg_avg("x"), 3, 1, 1) AS "?column?", pg_numeric_div('1.50', '-0.5', 0, 2) AS "?column?"
-- columns: ?column?:1700 ?column?:1700 ?column?:1700

-- pg: SELECT x * 2, x + 1.5, 1.5 * 2 FROM t
-- sqlite: SELECT CASE WHEN pg_colnumeric('t', 'x') < -1 THEN ("x" * 2) ELSE pg_numeric_op('*', pg_numeric_pad("x", pg_colnumeric('t', 'x')), 2, 0, 0) END AS "?column?", CASE WHEN pg_colnumeric('t', 'x') < -2 THEN ("x" + 1.5) ELSE pg_numeric_op('+', pg_numeric_pad("x", pg_colnumeric('t', 'x')), '1.5', 0, 1) END AS "?column?", pg_numeric_op('*', '1.5', 2, 0, 2) AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0 ?column?:1700

-- pg: SELECT 2.0 ^ 0.5, 2 ^ 0.5, x ^ 2.0, avg(x) ^ 2, 2 ^ 3 FROM t
-- sqlite: SELECT pg_numeric_pow('2.0', '0.5', 0, 0) AS "?column?", pg_numeric_pow(2, '0.5', 0, 1) AS "?column?", pg_numeric_pow("x", '2.0', 0, 2) AS "?column?", pg_numeric_pow(pg_avg("x"), 2, 1, 3) AS "?column?", pg_power(2, 3) AS "?column?" FROM "t"
-- columns: ?column?:1700 ?column?:1700 ?column?:1700 ?column?:1700 ?column?:701

-- pg: SELECT 2.0 ^ 1.23456789012345678
-- error: 0A000 more than 15 significant digits

-- pg: SELECT coalesce(x, 0), coalesce(x, -1.50), coalesce(sum(x), 0) FROM t
-- sqlite: SELECT coalesce("x", pg_numeric_lit(0, 0)) AS "coalesce", coalesce("x", pg_numeric_lit('-1.50', 1)) AS "coalesce", coalesce(CASE WHEN pg_colnumeric('t', 'x') = -1 THEN pg_numeric_sum("x", pg_colnumeric('t', 'x')) ELSE sum("x") END, pg_numeric_lit(0, 2)) AS "coalesce" FROM "t"
-- columns: coalesce:0 coalesce:0 coalesce:0

-- pg: SELECT coalesce(x, y, 0), coalesce(x, 'a'), coalesce(x, NULL, 1) FROM t
-- sqlite: SELECT coalesce("x", "y", 0) AS "coalesce", coalesce("x", 'a') AS "coalesce", coalesce("x", NULL, pg_numeric_lit(1, 2)) AS "coalesce" FROM "t"
-- columns: coalesce:0 coalesce:0 coalesce:0

-- pg: SELECT y FROM t WHERE coalesce(x, 0) > 1 ORDER BY coalesce(x, 0)
-- sqlite: SELECT "y" AS "y" FROM "t" WHERE (coalesce("x", 0) > 1) ORDER BY coalesce("x", 0) NULLS LAST
-- columns: y:0

-- pg: SELECT s.c FROM (SELECT coalesce(x, 0) AS c FROM t) s
-- sqlite: SELECT "s"."c" AS "c" FROM (SELECT coalesce("x", 0) AS "c" FROM "t") AS "s"
-- columns: c:0

-- pg: SELECT '1.50'::numeric, '1e3'::numeric, ' -0.5 '::numeric(5,2)
-- sqlite: SELECT pg_cast('1.50', 'numeric') AS "numeric", pg_cast('1e3', 'numeric') AS "numeric", pg_cast(' -0.5 ', 'numeric', 5, 2) AS "numeric"
-- columns: numeric:1700 numeric:1700 numeric:1700

-- pg: SELECT CASE WHEN y > 0 THEN x ELSE 0 END, CASE WHEN y > 0 THEN 1.50 ELSE 2 END, CASE WHEN y > 0 THEN x ELSE 'a' END FROM t
-- sqlite: SELECT CASE WHEN ("y" > 0) THEN "x" ELSE pg_numeric_lit(0, 0) END AS "case", CASE WHEN ("y" > 0) THEN pg_numeric_lit('1.50', 1) ELSE pg_numeric_lit(2, 1) END AS "case", CASE WHEN ("y" > 0) THEN "x" ELSE 'a' END AS "case" FROM "t"
-- columns: case:0 case:1700 case:0

-- pg: SELECT coalesce(x, -1), coalesce(x, -2.50), CASE WHEN y > 0 THEN -1 ELSE x END FROM t
-- sqlite: SELECT coalesce("x", pg_numeric_lit(-1, 0)) AS "coalesce", coalesce("x", pg_numeric_lit('-2.50', 1)) AS "coalesce", CASE WHEN ("y" > 0) THEN pg_numeric_lit(-1, 2) ELSE "x" END AS "case" FROM "t"
-- columns: coalesce:0 coalesce:0 case:0
