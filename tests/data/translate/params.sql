-- Golden translations (tests/unit/test_translate.c, test_golden_files): params.
-- Parameter types as PostgreSQL's parse analysis gives them: a parameter stored into, compared
-- with or computed with a table column takes that column's type, which the backend looks up
-- ("-- params: $N:TABLE.COLUMN", "~" for an arithmetic operand, taken only for a number
-- column); LIMIT and OFFSET are int8, an explicit cast names the type, a parameter computed
-- with an operand of known type takes that type; 0 is unknown (text in ParameterDescription).
-- Result types of expressions with parameters follow (col - $1 has the column's type).
-- col + - * $1 (and col * 2, col + col2) asks at run time whether a column is numeric
-- (pg_colnumeric): then pg_numeric_op computes in exact decimal with PostgreSQL's scale, else
-- SQLite's operator does; $1::numeric counts as such a parameter, typed numeric by its cast.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the
-- backend) and "-- params: $N:T ..." (tests/unit/test_translate.c).

-- pg: INSERT INTO t (id, i4, n, u, b) VALUES ($1, $2, $3, $4, $5)
-- sqlite: INSERT INTO "t" ("id", "i4", "n", "u", "b") VALUES (pg_assign(?1, 't', 'id'), pg_assign(?2, 't', 'i4'), pg_assign(?3, 't', 'n'), pg_assign(?4, 't', 'u'), pg_assign(?5, 't', 'b'))
-- params: $1:t.id $2:t.i4 $3:t.n $4:t.u $5:t.b

-- pg: INSERT INTO t (id, i2) VALUES ($1, $2), ($3, $4)
-- sqlite: INSERT INTO "t" ("id", "i2") VALUES (pg_assign(?1, 't', 'id'), pg_assign(?2, 't', 'i2')), (pg_assign(?3, 't', 'id'), pg_assign(?4, 't', 'i2'))
-- params: $1:t.id $2:t.i2 $3:t.id $4:t.i2

-- pg: INSERT INTO t VALUES ($1, $2, $3)
-- sqlite: INSERT INTO "t" VALUES (pg_assign(?1, 't', 0), pg_assign(?2, 't', 1), pg_assign(?3, 't', 2))
-- params: $1:t.#0 $2:t.#1 $3:t.#2

-- pg: UPDATE t SET i2 = $1, n = $2 WHERE id = $3
-- sqlite: UPDATE "t" SET "i2" = pg_assign(?1, 't', 'i2'), "n" = pg_assign(?2, 't', 'n') WHERE ("id" = pg_assign(?3, 't', 'id'))
-- params: $1:t.i2 $2:t.n $3:t.id

-- pg: SELECT id FROM t WHERE i8 = $1 AND $2 = i2 AND f4 < $3 AND uu IN ($4, $5) AND d BETWEEN $6 AND $7
-- sqlite: SELECT "id" AS "id" FROM "t" WHERE (("i8" = pg_assign(?1, 't', 'i8')) AND (pg_assign(?2, 't', 'i2') = "i2") AND ("f4" < pg_assign(?3, 't', 'f4')) AND ("uu" IN (pg_assign(?4, 't', 'uu'), pg_assign(?5, 't', 'uu'))) AND ("d" BETWEEN pg_assign(?6, 't', 'd') AND pg_assign(?7, 't', 'd')))
-- params: $1:t.i8 $2:t.i2 $3:t.f4 $4:t.uu $5:t.uu $6:t.d $7:t.d

-- pg: SELECT x.id FROM t x JOIN u ON u.tid = x.id WHERE x.n >= $1 AND u.name = $2
-- sqlite: SELECT "x"."id" AS "id" FROM "t" AS "x" JOIN "u" ON ("u"."tid" = "x"."id") WHERE (("x"."n" >= pg_assign(?1, 't', 'n')) AND ("u"."name" = pg_assign(?2, 'u', 'name')))
-- params: $1:t.n $2:u.name

-- pg: SELECT id FROM t ORDER BY id LIMIT $1 OFFSET $2
-- sqlite: SELECT "id" AS "id" FROM "t" ORDER BY "id" NULLS LAST LIMIT ?1 OFFSET ?2
-- params: $1:20 $2:20

-- pg: SELECT i4 - $1, i2 + $2, n + $3, f4 * $4, i8 / $5, i4 % $6, $7 - i8 FROM t
-- sqlite: SELECT CASE WHEN pg_colnumeric('t', 'i4') < -1 THEN ("i4" - ?1) ELSE pg_numeric_op('-', pg_numeric_pad("i4", pg_colnumeric('t', 'i4')), ?1, 1048576, 0) END AS "?column?", CASE WHEN pg_colnumeric('t', 'i2') < -1 THEN ("i2" + ?2) ELSE pg_numeric_op('+', pg_numeric_pad("i2", pg_colnumeric('t', 'i2')), ?2, 2097152, 1) END AS "?column?", CASE WHEN pg_colnumeric('t', 'n') < -1 THEN ("n" + ?3) ELSE pg_numeric_op('+', pg_numeric_pad("n", pg_colnumeric('t', 'n')), ?3, 3145728, 2) END AS "?column?", CASE WHEN pg_colnumeric('t', 'f4') < -1 THEN ("f4" * ?4) ELSE pg_numeric_op('*', pg_numeric_pad("f4", pg_colnumeric('t', 'f4')), ?4, 4194304, 3) END AS "?column?", pg_div("i8", ?5) AS "?column?", pg_mod("i4", ?6) AS "?column?", CASE WHEN pg_colnumeric('t', 'i8') < -1 THEN (?7 - "i8") ELSE pg_numeric_op('-', ?7, pg_numeric_pad("i8", pg_colnumeric('t', 'i8')), 112, 6) END AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0 ?column?:0 ?column?:0 ?column?:0 ?column?:0 ?column?:0
-- params: $1:~t.i4 $2:~t.i2 $3:~t.n $4:~t.f4 $5:~t.i8 $6:~t.i4 $7:~t.i8

-- pg: SELECT $1::int, $2::int + 1, $3 + 1, 2.5 * $4, i4 - $5::int, $6 FROM t
-- sqlite: SELECT pg_cast(?1, 'int4') AS "int4", (pg_cast(?2, 'int4') + 1) AS "?column?", (?3 + 1) AS "?column?", pg_numeric_op('*', '2.5', ?4, 0, 3) AS "?column?", ("i4" - pg_cast(?5, 'int4')) AS "?column?", ?6 AS "?column?" FROM "t"
-- columns: int4:23 ?column?:23 ?column?:23 ?column?:1700 ?column?:0 ?column?:0
-- params: $1:23 $2:23 $3:23 $4:1700 $5:23 $6:0

-- The first context decides: the column, then the cast reads that type.
-- pg: SELECT id FROM t WHERE i4 = $1 AND $1::text <> ''
-- sqlite: SELECT "id" AS "id" FROM "t" WHERE (("i4" = pg_assign(?1, 't', 'i4')) AND (pg_cast(?1, 'text') <> ''))
-- params: $1:t.i4

-- pg: SELECT id FROM t WHERE $1 = 1 AND length(u) > $2
-- sqlite: SELECT "id" AS "id" FROM "t" WHERE ((?1 = 1) AND (length("u") > ?2))
-- params: $1:23 $2:23

-- Unknown contexts stay unknown: text, as PostgreSQL reports it.
-- pg: SELECT $1, u || $2, $3 || 'x' FROM t
-- sqlite: SELECT ?1 AS "?column?", (pg_coltext("u", 't', 'u', 0) || ?2) AS "?column?", (?3 || 'x') AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:25 ?column?:25
-- params: $1:0 $2:0 $3:0

-- A timestamp column minus a parameter: PostgreSQL types it as the column; not a number, so
-- the backend leaves it unknown rather than guess.
-- pg: SELECT ts - $1 FROM t
-- sqlite: SELECT CASE WHEN pg_colnumeric('t', 'ts') < -1 THEN ("ts" - ?1) ELSE pg_numeric_op('-', pg_numeric_pad("ts", pg_colnumeric('t', 'ts')), ?1, 1048576, 0) END AS "?column?" FROM "t"
-- params: $1:~t.ts

-- Concatenation prints a boolean as true/false and a table column as its declared type does.
-- pg: SELECT '|' || b, b || '|', (i4 = 1) || '', concat(b, 1), concat_ws(',', b, true), b::text, b::varchar(3) FROM t
-- sqlite: SELECT ('|' || pg_coltext("b", 't', 'b', 0)) AS "?column?", (pg_coltext("b", 't', 'b', 0) || '|') AS "?column?", ((CASE ("i4" = 1) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END) || '') AS "?column?", pg_concat(pg_coltext("b", 't', 'b', 1), 1) AS "concat", pg_concat_ws(',', pg_coltext("b", 't', 'b', 1), (CASE 1 WHEN 1 THEN 't' WHEN 0 THEN 'f' END)) AS "concat_ws", pg_cast(pg_coltext("b", 't', 'b', 0), 'text') AS "b", pg_cast(pg_coltext("b", 't', 'b', 0), 'varchar', 3) AS "b" FROM "t"
-- columns: ?column?:25 ?column?:25 ?column?:25 concat:25 concat_ws:25 b:25 b:1043

-- pg: SELECT '|' || true, 'x' || (1 < 2)
-- sqlite: SELECT ('|' || (CASE 1 WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)) AS "?column?", ('x' || (CASE (1 < 2) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)) AS "?column?"
-- columns: ?column?:25 ?column?:25

-- pg: INSERT INTO t (id, i4) SELECT $1, $2
-- sqlite: INSERT INTO "t" ("id", "i4") SELECT ?1 AS "?column?", ?2 AS "?column?"
-- params: $1:t.id $2:t.i4

-- pg: INSERT INTO t (id, i4) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET i4 = $3
-- sqlite: INSERT INTO "t" ("id", "i4") VALUES (pg_assign(?1, 't', 'id'), pg_assign(?2, 't', 'i4')) ON CONFLICT ("id") DO UPDATE SET "i4" = pg_assign(?3, 't', 'i4')
-- params: $1:t.id $2:t.i4 $3:t.i4

-- pg: UPDATE t SET i2 = i2 + $1 WHERE id = $2
-- sqlite: UPDATE "t" SET "i2" = pg_assign(CASE WHEN pg_colnumeric('t', 'i2') < -1 THEN ("i2" + ?1) ELSE pg_numeric_op('+', pg_numeric_pad("i2", pg_colnumeric('t', 'i2')), ?1, 1048576) END, 't', 'i2') WHERE ("id" = pg_assign(?2, 't', 'id'))
-- params: $1:~t.i2 $2:t.id

-- A column of a subquery or WITH query that is a table column: that column's type.
-- pg: WITH w AS (SELECT id, i4 FROM t) SELECT s.id FROM (SELECT id, n FROM t) s, w WHERE s.n > $1 AND w.i4 = $2
-- sqlite: WITH "w" AS (SELECT "id" AS "id", "i4" AS "i4" FROM "t") SELECT "s"."id" AS "id" FROM (SELECT "id" AS "id", "n" AS "n" FROM "t") AS "s", "w" WHERE (("s"."n" > ?1) AND ("w"."i4" = pg_assign(?2, 'w', 'i4')))
-- params: $1:t.n $2:t.i4

-- pg: SELECT n * $1::numeric, $2::numeric - i4, n + $3::numeric(10,2) FROM t
-- sqlite: SELECT CASE WHEN pg_colnumeric('t', 'n') < -1 THEN ("n" * pg_cast(?1, 'numeric')) ELSE pg_numeric_op('*', pg_numeric_pad("n", pg_colnumeric('t', 'n')), pg_cast(?1, 'numeric'), 1048576, 0) END AS "?column?", CASE WHEN pg_colnumeric('t', 'i4') < -1 THEN (pg_cast(?2, 'numeric') - "i4") ELSE pg_numeric_op('-', pg_cast(?2, 'numeric'), pg_numeric_pad("i4", pg_colnumeric('t', 'i4')), 32, 1) END AS "?column?", ("n" + pg_cast(?3, 'numeric', 10, 2)) AS "?column?" FROM "t"
-- columns: ?column?:0 ?column?:0 ?column?:0

-- pg: SELECT n * $1 - $2 FROM t
-- sqlite: SELECT CASE WHEN pg_colnumeric('t', 'n') < -1 THEN (CASE WHEN pg_colnumeric('t', 'n') < -1 THEN ("n" * ?1) ELSE pg_numeric_op('*', pg_numeric_pad("n", pg_colnumeric('t', 'n')), ?1, 1048576) END - ?2) ELSE pg_numeric_op('-', CASE WHEN pg_colnumeric('t', 'n') < -1 THEN ("n" * ?1) ELSE pg_numeric_op('*', pg_numeric_pad("n", pg_colnumeric('t', 'n')), ?1, 1048576) END, ?2, 2097153, 0) END AS "?column?" FROM "t"
