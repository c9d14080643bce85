-- Differential corpus: a numeric column without a type modifier (see diff_dml.sql for the
-- format): uniqueness and comparisons by value (2.5 = 2.50), order, grouping, aggregates,
-- arithmetic with integer and float columns, literals and parameters, casts, and bad input.
-- Values are written with the digits their number has, since a plain numeric column keeps
-- the number, not its written scale (the known difference in diff_types.sql).
CREATE TABLE t_pn (id integer PRIMARY KEY, n numeric UNIQUE, i integer, f double precision);
INSERT INTO t_pn VALUES (1, 2.5, 2, 0.5), (2, 1.25, 3, 1.5), (3, 3, 3, 2.25), (4, -0.125, 4, -1), (5, NULL, 5, NULL), (6, 0, 0, 0);
INSERT INTO t_pn VALUES (7, 2.50, 7, 7);
INSERT INTO t_pn VALUES (7, '2.5000', 7, 7);
INSERT INTO t_pn (id, n) VALUES (7, 'abc');
INSERT INTO t_pn (id, n) VALUES (7, '1.5.2');
INSERT INTO t_pn (id, n) VALUES (7, '');
UPDATE t_pn SET n = '3.0' WHERE id = 1;
SELECT id FROM t_pn WHERE n < 3 ORDER BY id;
SELECT id FROM t_pn WHERE n = 2.50 OR n = '1.250' ORDER BY id;
SELECT id FROM t_pn WHERE n IN (3, 0.0, -0.125) ORDER BY id;
SELECT id FROM t_pn WHERE n BETWEEN 0 AND 2.5 ORDER BY id;
SELECT id, n > i, n = i, n < f, n = f FROM t_pn ORDER BY id;
SELECT id, n FROM t_pn ORDER BY n DESC NULLS LAST, id;
SELECT id, n FROM t_pn ORDER BY n NULLS FIRST, id;
SELECT n, count(*) FROM t_pn GROUP BY n ORDER BY n;
SELECT i, sum(n), max(n), min(n), count(n) FROM t_pn GROUP BY i ORDER BY i;
SELECT sum(n), min(n), max(n), count(n), count(*) FROM t_pn;
SELECT avg(n) FROM t_pn;
SELECT avg(n) FROM t_pn WHERE id IN (2, 4);
SELECT DISTINCT n FROM t_pn WHERE n IS NOT NULL ORDER BY n;
SELECT id, n + i, n - i, n * i, i - n FROM t_pn ORDER BY id;
SELECT id, n + f, n * f, f - n FROM t_pn ORDER BY id;
SELECT id, n + 1, n - 2, n + 0.5, n * 1.5, n - 0.25 FROM t_pn ORDER BY id;
SELECT id, n * 2, 2 * n, i * 1.50, i + 0.50, 0.5 - i, n * n, n + n, n - n FROM t_pn ORDER BY id;
SELECT id, f * 1.50, f + n, i * i FROM t_pn ORDER BY id;
SELECT id, -n, abs(n) FROM t_pn ORDER BY id;
SELECT id, n::int, n::bigint, n::float8, n::text, n::numeric(10,2) FROM t_pn ORDER BY id;
SELECT id, i::numeric, f::numeric FROM t_pn ORDER BY id;
SELECT '2.5'::numeric = 2.50, 2.5::numeric < 3, '-0.125'::numeric + 1;
SELECT round(n, 1), trunc(n), ceil(n), floor(n) FROM t_pn WHERE id = 2;
SELECT id FROM t_pn WHERE n = 'abc';
-- params: 1.25
SELECT id FROM t_pn WHERE n = $1;
-- params: 2|0.5
SELECT id, n * $1 - $2 FROM t_pn WHERE n > $2 ORDER BY id;
-- params: 2|0.5|3
SELECT id, (n * $1 - $2) * $3, $3 * (n - $2) FROM t_pn ORDER BY id;
-- params: 1|2
SELECT id, (i + $1) * $2, (f + $1) * $2 FROM t_pn ORDER BY id;
-- params: abc
SELECT id FROM t_pn WHERE n > $1;
CREATE TABLE t_ps (id integer PRIMARY KEY, g integer, n numeric);
INSERT INTO t_ps VALUES (1, 1, 2.5), (2, 1, 2.5), (3, 2, 0.25), (4, 2, 0.75), (5, 3, NULL), (6, 4, 'NaN'), (7, 4, 1), (8, 5, 'Infinity'), (9, 5, '-Infinity'), (10, 6, 1e-3), (11, 6, 2), (12, 7, 'Infinity'), (13, 7, 1.5);
SELECT g, sum(n), count(n) FROM t_ps GROUP BY g ORDER BY g;
SELECT g, avg(n), min(n), max(n) FROM t_ps WHERE g IN (1, 2, 3, 6) GROUP BY g ORDER BY g;
SELECT sum(n) FROM t_ps WHERE g IN (1, 2, 6);
SELECT id, sum(n) OVER (ORDER BY id) FROM t_ps WHERE g IN (1, 2, 3, 6) ORDER BY id;
SELECT g, sum(n) OVER (PARTITION BY g) FROM t_ps WHERE g < 3 ORDER BY id;
SELECT coalesce(sum(n), 0), coalesce(sum(n), 0.5) FROM t_ps WHERE g IN (1, 2);
DROP TABLE t_ps;
DELETE FROM t_pn WHERE n = 3.000;
SELECT count(*) FROM t_pn;
DROP TABLE t_pn;
