-- Golden translations (tests/unit/test_translate.c, test_golden_files): casts.
-- Casts go through pg_cast() (PostgreSQL's input rules and errors); result column names and 
-- types as PostgreSQL reports them.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: SELECT '1'::int
-- sqlite: SELECT pg_cast('1', 'int4') AS "int4"
-- columns: int4:23

-- pg: SELECT CAST('1' AS bigint)
-- sqlite: SELECT pg_cast('1', 'int8') AS "int8"
-- columns: int8:20

-- pg: SELECT 1::text
-- sqlite: SELECT pg_cast(1, 'text') AS "text"
-- columns: text:25

-- pg: SELECT '12.345'::numeric(5,2)
-- sqlite: SELECT pg_cast('12.345', 'numeric', 5, 2) AS "numeric"
-- columns: numeric:1700

-- pg: SELECT '12.345'::decimal(5)
-- sqlite: SELECT pg_cast('12.345', 'numeric', 5) AS "numeric"
-- columns: numeric:1700

-- pg: SELECT 'x'::varchar(3)
-- sqlite: SELECT pg_cast('x', 'varchar', 3) AS "varchar"
-- columns: varchar:1043

-- pg: SELECT 'ab'::char(4)
-- sqlite: SELECT pg_cast('ab', 'bpchar', 4) AS "bpchar"
-- columns: bpchar:1042

-- pg: SELECT '2024-01-01'::date
-- sqlite: SELECT pg_cast('2024-01-01', 'date') AS "date"
-- columns: date:1082

-- pg: SELECT '2024-01-01 10:00'::timestamp
-- sqlite: SELECT pg_cast('2024-01-01 10:00', 'timestamp') AS "timestamp"
-- columns: timestamp:1114

-- pg: SELECT '2024-01-01 10:00+02'::timestamptz
-- sqlite: SELECT pg_cast('2024-01-01 10:00+02', 'timestamptz') AS "timestamptz"
-- columns: timestamptz:1184

-- pg: SELECT '10:00'::time
-- sqlite: SELECT pg_cast('10:00', 'time') AS "time"
-- columns: time:1083

-- pg: SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid
-- sqlite: SELECT pg_cast('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'uuid') AS "uuid"
-- columns: uuid:2950

-- pg: SELECT '{"a":1}'::jsonb
-- sqlite: SELECT pg_cast('{"a":1}', 'jsonb') AS "jsonb"
-- columns: jsonb:3802

-- pg: SELECT '{"a":1}'::json
-- sqlite: SELECT pg_cast('{"a":1}', 'json') AS "json"
-- columns: json:114

-- pg: SELECT '\x00ff'::bytea
-- sqlite: SELECT pg_cast('\x00ff', 'bytea') AS "bytea"
-- columns: bytea:17

-- pg: SELECT 't'::boolean
-- sqlite: SELECT pg_cast('t', 'bool') AS "bool"
-- columns: bool:16

-- pg: SELECT 1.5::float4, 1.5::float8, 1.5::real, 1.5::double precision
-- sqlite: SELECT pg_cast(1.5, 'float4') AS "float4", pg_cast(1.5, 'float8') AS "float8", pg_cast(1.5, 'float4') AS "float4", pg_cast(1.5, 'float8') AS "float8"
-- columns: float4:700 float8:701 float4:700 float8:701

-- pg: SELECT NULL::int
-- sqlite: SELECT NULL AS "int4"
-- columns: int4:23

-- pg: SELECT $1::int
-- sqlite: SELECT pg_cast(?1, 'int4') AS "int4"
-- columns: int4:23

-- pg: SELECT pg_catalog.int4('5')
-- sqlite: SELECT int4('5') AS "int4"
-- columns: int4:0

-- pg: SELECT '1 day'::interval
-- error: 0A000 type interval is not supported on the SQLite backend except in timestamp +/- interval

-- pg: SELECT '{1,2}'::int[]
-- error: 0A000 type int4[] (arrays) is not supported on the SQLite backend

-- pg: SELECT 'x'::tsvector
-- error: 0A000 type tsvector is not supported on the SQLite backend

-- pg: SELECT '1.2.3.4'::inet
-- error: 0A000 type inet is not supported on the SQLite backend

-- pg: SELECT x::text FROM t
-- sqlite: SELECT pg_cast(pg_coltext("x", 't', 'x', 0), 'text') AS "x" FROM "t"
-- columns: x:25

-- pg: SELECT CAST(a AS numeric(10,2)) AS n FROM t
-- sqlite: SELECT pg_cast("a", 'numeric', 10, 2) AS "n" FROM "t"
-- columns: n:1700

-- pg: SELECT true
-- sqlite: SELECT 1 AS "?column?"
-- columns: ?column?:16

-- pg: SELECT false AS f
-- sqlite: SELECT 0 AS "f"
-- columns: f:16

-- pg: SELECT 1::bool
-- sqlite: SELECT pg_cast(1, 'bool') AS "bool"
-- columns: bool:16

-- pg: SELECT date '2024-01-01'
-- sqlite: SELECT pg_cast('2024-01-01', 'date') AS "date"
-- columns: date:1082

-- pg: SELECT timestamp '2024-01-01 10:00'
-- sqlite: SELECT pg_cast('2024-01-01 10:00', 'timestamp') AS "timestamp"
-- columns: timestamp:1114

