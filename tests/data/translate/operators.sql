-- Golden translations (tests/unit/test_translate.c, test_golden_files): operators.
-- Operators: arithmetic with PostgreSQL's errors (pg_div, pg_numeric_div, pg_power; numeric.sql), 
-- comparisons, IS [NOT] DISTINCT FROM, IN/ANY over lists, JSON arrows; refusals for operators 
-- without a faithful SQLite form.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: SELECT a + b, a - b, a * b, -a FROM t
-- sqlite: SELECT CASE WHEN max(pg_colnumeric('t', 'a'), pg_colnumeric('t', 'b')) < -1 OR min(pg_colnumeric('t', 'a'), pg_colnumeric('t', 'b')) < -2 THEN ("a" + "b") ELSE pg_numeric_op('+', pg_numeric_pad("a", pg_colnumeric('t', 'a')), pg_numeric_pad("b", pg_colnumeric('t', 'b')), 0, 0) END AS "?column?", CASE WHEN max(pg_colnumeric('t', 'a'), pg_colnumeric('t', 'b')) < -1 OR min(pg_colnumeric('t', 'a'), pg_colnumeric('t', 'b')) < -2 THEN ("a" - "b") ELSE pg_numeric_op('-', pg_numeric_pad("a", pg_colnumeric('t', 'a')), pg_numeric_pad("b", pg_colnumeric('t', 'b')), 0, 1) END AS "?column?", CASE WHEN max(pg_colnumeric('t', 'a'), pg_colnumeric('t', 'b')) < -1 OR min(pg_colnumeric('t', 'a'), pg_colnumeric('t', 'b')) < -2 THEN ("a" * "b") ELSE pg_numeric_op('*', pg_numeric_pad("a", pg_colnumeric('t', 'a')), pg_numeric_pad("b", pg_colnumeric('t', 'b')), 0, 2) END AS "?column?", (-"a") AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0 ?column?:0 ?column?:0

-- pg: SELECT a / b, a % b FROM t
-- sqlite: SELECT pg_div("a", "b") AS "?column?", pg_mod("a", "b") AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0

-- pg: SELECT a / 2, a % 2 FROM t
-- sqlite: SELECT ("a" / 2) AS "?column?", ("a" % 2) AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0

-- pg: SELECT 7 / 2, 7.0 / 2, 1::numeric / 3
-- sqlite: SELECT (7 / 2) AS "?column?", pg_numeric_div('7.0', 2, 0, 1) AS "?column?", pg_numeric_div(pg_cast(1, 'numeric'), 3, 0, 2) AS "?column?"
-- columns: ?column?:23 ?column?:1700 ?column?:1700

-- pg: SELECT a / 2.0 FROM t
-- sqlite: SELECT ("a" / 2.0) AS "?column?" FROM "t"
-- columns: ?column?:0

-- pg: SELECT 2 ^ 10, 2.0 ^ 0.5, a ^ 2 FROM t
-- sqlite: SELECT pg_power(2, 10) AS "?column?", pg_numeric_pow('2.0', '0.5', 0, 1) AS "?column?", pg_power("a", 2) AS "?column?" FROM "t"
-- columns: ?column?:701 ?column?:1700 ?column?:0

-- pg: SELECT a || b, a || 'x' FROM t
-- sqlite: SELECT (pg_coltext("a", 't', 'a', 0) || pg_coltext("b", 't', 'b', 0)) AS "?column?", (pg_coltext("a", 't', 'a', 0) || 'x') AS "?column?" FROM "t"
-- columns: ?column?:25 ?column?:25

-- pg: SELECT a = 1, a <> 1, a != 1, a < 1, a <= 1, a > 1, a >= 1 FROM t
-- sqlite: SELECT ("a" = 1) AS "?column?", ("a" <> 1) AS "?column?", ("a" <> 1) AS "?column?", ("a" < 1) AS "?column?", ("a" <= 1) AS "?column?", ("a" > 1) AS "?column?", ("a" >= 1) AS "?column?" FROM "t"
-- columns: ?column?:16 ?column?:16 ?column?:16 ?column?:16 ?column?:16 ?column?:16 ?column?:16

-- pg: SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b FROM t
-- sqlite: SELECT ("a" IS NOT "b") AS "?column?", ("a" IS "b") AS "?column?" FROM "t"
-- columns: ?column?:16 ?column?:16

-- pg: SELECT a IS NULL, a IS NOT NULL, b IS TRUE, b IS NOT FALSE, b IS UNKNOWN FROM t
-- sqlite: SELECT ("a" IS NULL) AS "?column?", ("a" IS NOT NULL) AS "?column?", ("b" IS TRUE) AS "?column?", ("b" IS NOT FALSE) AS "?column?", ("b" IS NULL) AS "?column?" FROM "t"
-- columns: ?column?:16 ?column?:16 ?column?:16 ?column?:16 ?column?:16

-- pg: SELECT * FROM t WHERE a BETWEEN 1 AND 5 AND b NOT BETWEEN 2 AND 3
-- sqlite: SELECT * FROM "t" WHERE (("a" BETWEEN 1 AND 5) AND ("b" NOT BETWEEN 2 AND 3))

-- pg: SELECT * FROM t WHERE a IN (1, 2, 3) OR a NOT IN (4)
-- sqlite: SELECT * FROM "t" WHERE (("a" IN (1, 2, 3)) OR ("a" NOT IN (4)))

-- pg: SELECT * FROM t WHERE a = ANY (ARRAY[1, 2]) AND b <> ALL (ARRAY[3])
-- sqlite: SELECT * FROM "t" WHERE (("a" IN (1, 2)) AND ("b" NOT IN (3)))

-- pg: SELECT * FROM t WHERE a = ANY ($1)
-- error: 0A000 = ANY (array) is not supported on the SQLite backend

-- pg: SELECT * FROM t WHERE a BETWEEN SYMMETRIC 5 AND 1
-- error: 0A000 BETWEEN SYMMETRIC is not supported on the SQLite backend

-- pg: SELECT j -> 'a', j ->> 'a', j -> 0 FROM t
-- sqlite: SELECT pg_json_get("j", 'a', 0) AS "?column?", pg_json_get("j", 'a', 1) AS "?column?", pg_json_get("j", 0, 0) AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:25 ?column?:0

-- pg: SELECT j @> '{"a":1}' FROM t
-- error: 0A000 operator @> is not supported on the SQLite backend

-- pg: SELECT a && b FROM t
-- error: 0A000 operator && is not supported on the SQLite backend

-- pg: SELECT a & 1, a | 2, a << 1, a >> 1, ~a FROM t
-- sqlite: SELECT ("a" & 1) AS "?column?", ("a" | 2) AS "?column?", ("a" << 1) AS "?column?", ("a" >> 1) AS "?column?", (~"a") AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0 ?column?:0 ?column?:0 ?column?:0

-- pg: SELECT a # 1 FROM t
-- error: 0A000 operator # is not supported on the SQLite backend

-- pg: SELECT @ a FROM t
-- error: 0A000 prefix operator @ is not supported on the SQLite backend

-- pg: SELECT * FROM t WHERE flag = 't'
-- sqlite: SELECT * FROM "t" WHERE ("flag" = pg_assign('t', 't', 'flag'))

-- pg: SELECT * FROM t WHERE a = $1 AND b = $2
-- sqlite: SELECT * FROM "t" WHERE (("a" = pg_assign(?1, 't', 'a')) AND ("b" = pg_assign(?2, 't', 'b')))

-- pg: SELECT NOT (a AND b) OR c FROM t
-- sqlite: SELECT ((NOT ("a" AND "b")) OR "c") AS "?column?" FROM "t"
-- columns: ?column?:16

-- pg: SELECT CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE 'z' END FROM t
-- sqlite: SELECT CASE WHEN ("a" > 0) THEN 'p' WHEN ("a" < 0) THEN 'n' ELSE 'z' END AS "case" FROM "t"
-- columns: case:25

-- pg: SELECT CASE a WHEN 1 THEN 'one' END FROM t
-- sqlite: SELECT CASE "a" WHEN 1 THEN 'one' END AS "case" FROM "t"
-- columns: case:25

-- pg: SELECT a COLLATE "C" FROM t
-- sqlite: SELECT "a" AS "a" FROM "t"
-- columns: a:0

-- pg: SELECT a COLLATE "en_US" FROM t
-- error: 0A000 COLLATE "en_US" is not supported on the SQLite backend

-- pg: SELECT 0x1F
-- error: 42601 trailing junk after numeric literal at or near "0x"

-- pg: SELECT B'101'
-- error: 0A000 bit string literals are not supported on the SQLite backend

