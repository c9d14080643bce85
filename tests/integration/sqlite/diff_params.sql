-- Differential corpus: parameter types and the result types of expressions with parameters,
-- and the text of booleans and typed columns in concatenation (see diff_dml.sql for the
-- format; "-- params:" statements are prepared, described and executed with those values).
SET TimeZone = 'UTC';
CREATE TABLE t_par (id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint, n numeric, n2 numeric(10,2), f4 real, f8 double precision, b boolean, vc varchar(10), by bytea, ts timestamptz, tsn timestamp, d date, uu uuid, j json, jb jsonb);
-- params: 1|7|1.25|héllo|t
INSERT INTO t_par (id, i4, n, t, b) VALUES ($1, $2, $3, $4, $5);
-- params: 2|x|-2|40|9000000000|2.5|3.333|1.5|0.1|f|abc|\x00ff|2024-02-29 12:34:56+00|2024-02-29 12:34:56|2024-02-29|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{"a": 1}|{"b": 2}
INSERT INTO t_par VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18);
-- params: 3|1|4|2
INSERT INTO t_par (id, i2) VALUES ($1, $2), ($3, $4);
-- params: 5|2.555|3
UPDATE t_par SET i2 = $1, n2 = $2 WHERE id = $3;
SELECT id, t, i2, i4, i8, n, n2, f4, f8, b, vc, by, ts, tsn, d, uu, j::text, jb::text FROM t_par ORDER BY id;
-- params: 9000000000|-2|2|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12|2024-01-01|2024-12-31
SELECT id FROM t_par WHERE i8 = $1 AND $2 = i2 AND f4 < $3 AND uu IN ($4, $5) AND d BETWEEN $6 AND $7;
-- params: 1|1
SELECT id FROM t_par ORDER BY id LIMIT $1 OFFSET $2;
-- params: 1|2|0.25|2|3|3|10|2
SELECT i4 - $1, i2 + $2, n + $3, f4 * $4, i8 / $5, i4 % $6, $7 - i8 FROM t_par WHERE id = $8;
-- params: 0.5
SELECT n + $1 FROM t_par WHERE id = 2;
-- params: 1|2|3|1.5|40
SELECT $1::int, $2::int + 1, $3 + 1, 2.5 * $4, i4 - $5::int FROM t_par WHERE id = 2;
-- params: 5|1.005
SELECT n2 + $1, n2 * $2 FROM t_par WHERE id = 2;
-- params: -2
SELECT id FROM t_par WHERE i2 = $1 AND $1::text <> '';
-- params: 1|3
SELECT id FROM t_par WHERE $1 = 1 AND length(t) > $2 ORDER BY id;
-- params: a|b|c
SELECT $1, t || $2, $3 || 'x' FROM t_par WHERE id = 1;
-- params: 2|t
SELECT id FROM t_par WHERE id = $1 OR b = $2 ORDER BY id;
SELECT '|' || b, b || '|', (i4 = 7) || '', concat(b, 1), concat_ws(',', b, true), b::text, b::varchar(3) FROM t_par WHERE id <= 2 ORDER BY id;
SELECT '|' || true, 'x' || (1 < 2), concat(1 = 1), true::text;
SELECT 'n2|' || n2, 'f4|' || f4, 'f8|' || f8, n2::text, f8::text FROM t_par WHERE id = 2;
SELECT 'row|' || t || '|' || n || '|' || b || '|' || (d = '2024-02-29') FROM t_par WHERE id = 2;
-- params: 1.5|4
UPDATE t_par SET n2 = $1 WHERE id = $2;
SELECT '|' || n2, n2::text, concat(n2, '|'), n2 || '' FROM t_par WHERE id = 4;
-- Parameter types the client gives: the result columns follow them.
-- params: 7|2|1.57|x
-- ptypes: 20|0|1700|25
SELECT $1, i4 - $2, i2 + $1, i2 * $3, i4 + $2, $4 FROM t_par WHERE id = 2;
-- params: 7|2
-- ptypes: 21|701
SELECT $1, i2 + $1, i4 - $2, f4 * $2, f4 * $1, n2 - $1 FROM t_par WHERE id = 2;
CREATE TABLE t_parn (id integer PRIMARY KEY, n numeric, n2 numeric(10,2), f8 float8, i4 integer);
INSERT INTO t_parn VALUES (1, 2.5, 1.10, 0.1, 7), (2, -0.125, 3, 2.5, -3);
-- params: 0.25|2|1.5
SELECT id, n + $1, n * $2, $3 - n FROM t_parn ORDER BY id;
-- params: 0.50|2.00|1.0
SELECT id, n + $1, n * $2, $2 - n, n2 + $1, n2 * $3 FROM t_parn ORDER BY id;
-- params: 1|2|0.5|0.001
SELECT id, n2 + $1, n2 * $2, n2 - $3, $4 * n2 FROM t_parn ORDER BY id;
-- params: 0.2|3
SELECT id, f8 + $1, i4 * $2, i4 - $2, $2 - i4 FROM t_parn ORDER BY id;
-- params: 0.5
SELECT id FROM t_parn WHERE n + $1 > 1 ORDER BY id;
-- params: 1.5
UPDATE t_parn SET n = n + $1 WHERE id = 2 RETURNING n;
-- params: 0.75
SELECT sum(n * $1), max(n2 - $1) FROM t_parn;
INSERT INTO t_parn (id, n) VALUES (3, 'NaN'), (4, 'Infinity'), (5, '-Infinity'), (6, 0);
-- params: 1|Infinity|2
SELECT id, n + $1, n - $2, n * $2, $3 * n FROM t_parn ORDER BY id;
-- params: 0.5|0.25
SELECT id, n + $1::numeric, $2::numeric * n FROM t_parn WHERE id <= 2 ORDER BY id;
-- params: 0.5|0.25
SELECT id, i4 + $1::numeric, f8 * $2::numeric, n - $1::numeric FROM t_parn WHERE id <= 2 ORDER BY id;
-- ptypes: 1700|1700
-- params: 0.5|0.25
SELECT id, i4 + $1, $2 * i4, n - $1 FROM t_parn WHERE id <= 2 ORDER BY id;
-- ptypes: 701
-- params: 0.2
SELECT id, n + $1 FROM t_parn WHERE id <= 2 ORDER BY id;
-- params: x
SELECT n + $1 FROM t_parn WHERE id = 1;
DROP TABLE t_parn;
