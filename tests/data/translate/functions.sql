-- Golden translations (tests/unit/test_translate.c, test_golden_files): functions.
-- Functions: PostgreSQL names mapped to pg_* implementations or SQLite built-ins with the same 
-- meaning; aggregates and refusals (arrays, ordered-set aggregates, named arguments).
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: SELECT lower(a), upper(a), length(a) FROM t
-- sqlite: SELECT pg_lower("a") AS "lower", pg_upper("a") AS "upper", length("a") AS "length" FROM "t"
-- columns: lower:25 upper:25 length:23

-- pg: SELECT substr(a, 2), substring(a, 2, 3), substring(a FROM 2 FOR 3) FROM t
-- sqlite: SELECT pg_substr("a", 2) AS "substr", pg_substr("a", 2, 3) AS "substring", pg_substr("a", 2, 3) AS "substring" FROM "t"
-- columns: substr:25 substring:25 substring:25

-- pg: SELECT concat(a, b), concat_ws(',', a, b) FROM t
-- sqlite: SELECT pg_concat(pg_coltext("a", 't', 'a', 1), pg_coltext("b", 't', 'b', 1)) AS "concat", pg_concat_ws(',', pg_coltext("a", 't', 'a', 1), pg_coltext("b", 't', 'b', 1)) AS "concat_ws" FROM "t"
-- columns: concat:25 concat_ws:25

-- pg: SELECT trim(a), trim(both 'x' from a), ltrim(a), rtrim(a, 'y') FROM t
-- sqlite: SELECT trim("a") AS "btrim", trim("a", 'x') AS "btrim", ltrim("a") AS "ltrim", rtrim("a", 'y') AS "rtrim" FROM "t"
-- columns: btrim:25 btrim:25 ltrim:25 rtrim:25

-- pg: SELECT replace(a, 'x', 'y'), left(a, 2), right(a, 2), repeat(a, 2), reverse(a) FROM t
-- sqlite: SELECT replace("a", 'x', 'y') AS "replace", pg_left("a", 2) AS "left", pg_right("a", 2) AS "right", pg_repeat("a", 2) AS "repeat", pg_reverse("a") AS "reverse" FROM "t"
-- columns: replace:25 left:25 right:25 repeat:25 reverse:25

-- pg: SELECT lpad(a, 5, '0'), rpad(a, 5), split_part(a, ',', 2) FROM t
-- sqlite: SELECT pg_lpad("a", 5, '0') AS "lpad", pg_rpad("a", 5) AS "rpad", pg_split_part("a", ',', 2) AS "split_part" FROM "t"
-- columns: lpad:25 rpad:25 split_part:25

-- pg: SELECT position('x' IN a), strpos(a, 'x'), starts_with(a, 'x') FROM t
-- sqlite: SELECT instr("a", 'x') AS "position", instr("a", 'x') AS "strpos", pg_starts_with("a", 'x') AS "starts_with" FROM "t"
-- columns: position:23 strpos:23 starts_with:16

-- pg: SELECT md5(a), initcap(a), chr(65), ascii(a) FROM t
-- sqlite: SELECT pg_md5("a") AS "md5", pg_initcap("a") AS "initcap", pg_chr(65) AS "chr", pg_ascii("a") AS "ascii" FROM "t"
-- columns: md5:25 initcap:25 chr:25 ascii:23

-- pg: SELECT octet_length(a), char_length(a) FROM t
-- sqlite: SELECT length(CAST("a" AS BLOB)) AS "octet_length", length("a") AS "char_length" FROM "t"
-- columns: octet_length:23 char_length:23

-- pg: SELECT abs(x), round(x), round(x, 2), trunc(x), ceil(x), floor(x), sign(x) FROM t
-- sqlite: SELECT abs("x") AS "abs", pg_round("x") AS "round", pg_round("x", 2) AS "round", pg_trunc("x") AS "trunc", ceil("x") AS "ceil", floor("x") AS "floor", sign("x") AS "sign" FROM "t"
-- columns: abs:0 round:1700 round:1700 trunc:1700 ceil:1700 floor:1700 sign:0

-- pg: SELECT mod(a, 3), power(2, 10), sqrt(2), exp(1), ln(2), pi()
-- sqlite: SELECT pg_mod("a", 3) AS "mod", power(2, 10) AS "power", sqrt(2) AS "sqrt", exp(1) AS "exp", ln(2) AS "ln", pi() AS "pi"
-- columns: mod:0 power:701 sqrt:701 exp:701 ln:701 pi:701

-- pg: SELECT coalesce(a, b, 0), nullif(a, 0) FROM t
-- sqlite: SELECT coalesce("a", "b", 0) AS "coalesce", nullif("a", 0) AS "nullif" FROM "t"
-- columns: coalesce:0 nullif:0

-- pg: SELECT greatest(a, b), least(a, b, 0) FROM t
-- sqlite: SELECT pg_greatest("a", "b") AS "greatest", pg_least("a", "b", 0) AS "least" FROM "t"
-- columns: greatest:0 least:0

-- pg: SELECT now(), current_timestamp, current_date, localtimestamp, clock_timestamp()
-- sqlite: SELECT pg_now() AS "now", pg_now() AS "current_timestamp", pg_current_date() AS "current_date", pg_localtimestamp() AS "localtimestamp", pg_clock_timestamp() AS "clock_timestamp"
-- columns: now:1184 current_timestamp:1184 current_date:1082 localtimestamp:1114 clock_timestamp:1184

-- pg: SELECT date_trunc('day', ts), extract(year FROM ts), date_part('month', ts) FROM t
-- sqlite: SELECT pg_date_trunc('day', "ts") AS "date_trunc", pg_extract('year', "ts") AS "extract", pg_date_part('month', "ts") AS "date_part" FROM "t"
-- columns: date_trunc:0 extract:1700 date_part:701

-- pg: SELECT gen_random_uuid(), random()
-- sqlite: SELECT pg_gen_random_uuid() AS "gen_random_uuid", pg_random() AS "random"
-- columns: gen_random_uuid:2950 random:701

-- pg: SELECT current_setting('TimeZone'), current_setting('x.y', true)
-- sqlite: SELECT pg_current_setting('TimeZone') AS "current_setting", pg_current_setting('x.y', 1) AS "current_setting"
-- columns: current_setting:25 current_setting:25

-- pg: SELECT set_config('application_name', 'x', false)
-- sqlite: SELECT set_config('application_name', 'x', 0) AS "set_config"
-- columns: set_config:25

-- pg: SELECT version()
-- sqlite: SELECT version() AS "version"
-- columns: version:25

-- pg: SELECT current_user, session_user, current_catalog, current_schema
-- sqlite: SELECT pg_current_setting('session_authorization') AS "current_user", pg_current_setting('session_authorization') AS "session_user", pg_current_setting('myrmex.database') AS "current_catalog", 'public' AS "current_schema"
-- columns: current_user:19 session_user:19 current_catalog:19 current_schema:19

-- pg: SELECT count(*), count(a), count(DISTINCT a) FROM t
-- sqlite: SELECT count(*) AS "count", count("a") AS "count", count(DISTINCT "a") AS "count" FROM "t"
-- columns: count:20 count:20 count:20

-- pg: SELECT sum(a), avg(a), min(a), max(a) FROM t
-- sqlite: SELECT CASE WHEN pg_colnumeric('t', 'a') = -1 THEN pg_numeric_sum("a", pg_colnumeric('t', 'a'), 0) ELSE sum("a") END AS "sum", pg_avg("a") AS "avg", min("a") AS "min", max("a") AS "max" FROM "t"
-- columns: sum:0 avg:1700 min:0 max:0

-- pg: SELECT string_agg(a, ','), bool_and(b), bool_or(b), every(b) FROM t
-- sqlite: SELECT group_concat("a", ',') AS "string_agg", min("b") AS "bool_and", max("b") AS "bool_or", min("b") AS "every" FROM "t"
-- columns: string_agg:25 bool_and:16 bool_or:16 every:16

-- pg: SELECT count(*) FILTER (WHERE a > 1) FROM t
-- sqlite: SELECT count(*) FILTER (WHERE ("a" > 1)) AS "count" FROM "t"
-- columns: count:20

-- pg: SELECT array_agg(a) FROM t
-- error: 0A000 array_agg (arrays) is not supported on the SQLite backend

-- pg: SELECT json_agg(a) FROM t
-- error: 0A000 json_agg (arrays) is not supported on the SQLite backend

-- pg: SELECT unnest(a) FROM t
-- error: 0A000 unnest (arrays) is not supported on the SQLite backend

-- pg: SELECT string_agg(a, ',' ORDER BY a) FROM t
-- error: 0A000 ORDER BY inside an aggregate call (string_agg) is not supported on the SQLite backend

-- pg: SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t
-- error: 0A000 WITHIN GROUP is not supported on the SQLite backend

-- pg: SELECT overlay('abc' placing 'x' from 2)
-- error: 0A000 overlay is not supported on the SQLite backend

-- pg: SELECT generate_series(1, 3)
-- error: 0A000 generate_series outside FROM is not supported on the SQLite backend

-- pg: SELECT myschema.f(1)
-- error: 0A000 function myschema.f is not supported on the SQLite backend

-- pg: SELECT printf('%d', 1)
-- error: 0A000 function printf is not supported on the SQLite backend

-- pg: SELECT ifnull(a, 1) FROM t
-- error: 0A000 function ifnull is not supported on the SQLite backend

-- pg: SELECT f(VARIADIC ARRAY[1])
-- error: 0A000 VARIADIC arguments are not supported on the SQLite backend

-- pg: SELECT f(a => 1)
-- error: 0A000 named function arguments are not supported on the SQLite backend

-- pg: SELECT count()
-- error: 0A000 count() needs an argument

-- pg: SELECT lower(a, b) FROM t
-- error: 0A000 function lower with 2 arguments is not supported on the SQLite backend

