-- Differential corpus: queries (joins, aggregates, window functions, CTEs, DISTINCT ON, set
-- operations, subqueries), settings, errors and refusals (see diff_dml.sql for the format).
SET TimeZone = 'UTC';
CREATE TABLE q_emp (id integer PRIMARY KEY, name text NOT NULL, dept text, salary integer, boss integer, hired date);
CREATE TABLE q_dept (name text PRIMARY KEY, floor integer);
INSERT INTO q_emp VALUES (1, 'ann', 'eng', 100, NULL, '2020-01-15'), (2, 'bob', 'eng', 80, 1, '2021-03-01'), (3, 'cy', 'ops', 70, 1, '2021-07-07'), (4, 'dee', 'ops', 70, 3, '2022-02-02'), (5, 'eve', NULL, 50, 3, NULL), (6, 'fay', 'eng', 90, 2, '2023-05-05');
INSERT INTO q_dept VALUES ('eng', 3), ('ops', 1), ('hr', 2);
SELECT e.name, d.floor FROM q_emp e JOIN q_dept d ON d.name = e.dept ORDER BY e.id;
SELECT e.name, d.floor FROM q_emp e LEFT JOIN q_dept d ON d.name = e.dept ORDER BY e.id;
SELECT d.name, count(e.id) FROM q_dept d LEFT JOIN q_emp e ON e.dept = d.name GROUP BY d.name ORDER BY d.name;
SELECT e.name, b.name AS boss FROM q_emp e LEFT JOIN q_emp b ON b.id = e.boss ORDER BY e.id;
SELECT e.name FROM q_emp e, q_dept d WHERE d.name = e.dept AND d.floor > 1 ORDER BY 1;
SELECT count(*) FROM q_emp CROSS JOIN q_dept;
SELECT name FROM q_emp JOIN q_dept USING (name);
SELECT e.name, d.name FROM q_emp e RIGHT JOIN q_dept d ON d.name = e.dept ORDER BY d.name, e.name;
SELECT e.name, d.name FROM q_emp e FULL JOIN q_dept d ON d.name = e.dept ORDER BY d.name NULLS FIRST, e.name;
SELECT dept, count(*), sum(salary), avg(salary), min(salary), max(salary) FROM q_emp GROUP BY dept ORDER BY dept;
SELECT dept, count(*) FROM q_emp GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
SELECT dept, avg(salary) FROM q_emp GROUP BY dept HAVING avg(salary) > 60 ORDER BY avg(salary) DESC;
SELECT dept, avg(salary) AS a FROM q_emp WHERE dept IS NOT NULL GROUP BY dept ORDER BY 2, 1;
SELECT 1::numeric / 3 > 0.3, 10::numeric / 4 < 3, (SELECT avg(salary) FROM q_emp) > 70;
SELECT round(avg(salary), 2) FROM q_emp;
SELECT avg(salary) * 2 FROM q_emp;
SELECT avg(salary) + 1, avg(salary) - 1.50, -avg(salary), avg(salary) / 3 FROM q_emp;
SELECT avg(salary) - avg(id), avg(salary) * avg(id), 2 * avg(boss) FROM q_emp;
SELECT (1::numeric / 3) * 3, 1::numeric / 3 + 1::numeric / 3, 1.50 / 3;
SELECT 1.0 ^ 0, (1::numeric / 3) * 3, 0.0 ^ 0, (1::numeric / 3) * 3 < 1.0 ^ 0;
SELECT dept, avg(salary) * 2 AS x FROM q_emp GROUP BY dept HAVING avg(salary) * 2 > 100 ORDER BY 2 DESC;
SELECT avg(salary) * 2 > 153.3, round(avg(salary) * 2, 2) FROM q_emp;
SELECT count(DISTINCT dept), count(dept), count(*) FROM q_emp;
SELECT string_agg(name, ',') FROM q_emp WHERE dept = 'ops';
SELECT bool_and(salary > 60), bool_or(salary > 95), every(salary > 40) FROM q_emp;
SELECT sum(salary) FILTER (WHERE dept = 'eng'), count(*) FILTER (WHERE boss IS NULL) FROM q_emp;
SELECT max(salary) FROM q_emp WHERE false;
SELECT sum(salary), count(*) FROM q_emp WHERE false;
SELECT dept, name FROM q_emp ORDER BY dept NULLS FIRST, name DESC;
SELECT dept FROM q_emp ORDER BY dept LIMIT 3;
SELECT dept FROM q_emp ORDER BY dept DESC LIMIT 2 OFFSET 1;
SELECT name FROM q_emp ORDER BY id OFFSET 4;
SELECT name FROM q_emp ORDER BY id FETCH FIRST 2 ROWS ONLY;
SELECT DISTINCT dept FROM q_emp ORDER BY dept;
SELECT DISTINCT ON (dept) dept, name, salary FROM q_emp ORDER BY dept, salary DESC;
SELECT DISTINCT ON (dept) dept, name FROM q_emp ORDER BY dept, name;
SELECT name, salary, row_number() OVER (ORDER BY salary DESC, id) FROM q_emp ORDER BY id;
SELECT name, rank() OVER (ORDER BY salary DESC), dense_rank() OVER (ORDER BY salary DESC) FROM q_emp ORDER BY id;
SELECT name, dept, sum(salary) OVER (PARTITION BY dept) FROM q_emp ORDER BY id;
SELECT name, sum(salary) OVER (ORDER BY id) FROM q_emp ORDER BY id;
SELECT name, lag(name) OVER (ORDER BY id), lead(name, 2) OVER (ORDER BY id) FROM q_emp ORDER BY id;
SELECT name, first_value(name) OVER (PARTITION BY dept ORDER BY salary) FROM q_emp ORDER BY id;
SELECT name, ntile(2) OVER (ORDER BY id) FROM q_emp ORDER BY id;
SELECT name, percent_rank() OVER (ORDER BY salary), cume_dist() OVER (ORDER BY salary) FROM q_emp ORDER BY id;
SELECT name, count(*) OVER () FROM q_emp ORDER BY id LIMIT 2;
SELECT name, avg(salary) OVER (PARTITION BY dept) FROM q_emp ORDER BY id;
-- refused: explicit window frames
SELECT name, sum(salary) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM q_emp;
-- refused: named windows
SELECT name, rank() OVER w FROM q_emp WINDOW w AS (ORDER BY salary);
WITH eng AS (SELECT * FROM q_emp WHERE dept = 'eng') SELECT name FROM eng ORDER BY name;
-- differs: a CTE column computed from another CTE's column (y = x + 1) is typed by its value (int8, PostgreSQL int4)
WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT x, y FROM a, b;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT x FROM n;
WITH RECURSIVE chain AS (SELECT id, name, boss, 0 AS depth FROM q_emp WHERE id = 6 UNION ALL SELECT e.id, e.name, e.boss, c.depth + 1 FROM q_emp e JOIN chain c ON e.id = c.boss) SELECT name, depth FROM chain ORDER BY depth;
WITH RECURSIVE t(n, f) AS (SELECT 1, 1::bigint UNION ALL SELECT n + 1, f * (n + 1) FROM t WHERE n < 20) SELECT n, f FROM t WHERE n >= 19;
-- refused: data-modifying statements in WITH
WITH moved AS (DELETE FROM q_emp WHERE id = 5 RETURNING name) SELECT name FROM moved;
-- refused: data-modifying statements in WITH
WITH ins AS (INSERT INTO q_emp VALUES (5, 'eve', NULL, 50, 3, NULL) RETURNING id) SELECT id FROM ins;
SELECT name FROM q_emp WHERE salary = (SELECT max(salary) FROM q_emp);
SELECT name FROM q_emp WHERE dept IN (SELECT name FROM q_dept WHERE floor > 1) ORDER BY name;
SELECT name FROM q_emp WHERE dept NOT IN (SELECT name FROM q_dept WHERE floor > 1) ORDER BY name;
SELECT name FROM q_dept d WHERE EXISTS (SELECT 1 FROM q_emp e WHERE e.dept = d.name) ORDER BY name;
SELECT name FROM q_dept d WHERE NOT EXISTS (SELECT 1 FROM q_emp e WHERE e.dept = d.name);
SELECT name, (SELECT count(*) FROM q_emp e WHERE e.dept = d.name) AS n FROM q_dept d ORDER BY name;
-- differs: the extended protocol's Describe types a subquery's computed column before any row exists (text)
SELECT x.dept, x.total FROM (SELECT dept, sum(salary) AS total FROM q_emp GROUP BY dept) x WHERE x.total > 100 ORDER BY 1;
-- refused: > ANY (subquery)
SELECT name FROM q_emp WHERE salary > ANY (SELECT salary FROM q_emp WHERE dept = 'ops') ORDER BY name;
SELECT name FROM q_emp WHERE id = ANY (ARRAY[1, 3]) ORDER BY id;
SELECT name FROM q_emp WHERE id IN (1, 3) ORDER BY id;
SELECT name FROM q_emp WHERE salary BETWEEN 70 AND 90 ORDER BY id;
SELECT name FROM q_emp WHERE name LIKE '_e%' ORDER BY id;
SELECT dept FROM q_emp UNION SELECT name FROM q_dept ORDER BY 1;
SELECT dept FROM q_emp UNION ALL SELECT name FROM q_dept ORDER BY 1 NULLS FIRST;
SELECT name FROM q_dept INTERSECT SELECT dept FROM q_emp ORDER BY 1;
SELECT name FROM q_dept EXCEPT SELECT dept FROM q_emp;
SELECT 1 AS a UNION SELECT 2 ORDER BY a DESC;
VALUES (1, 'a'), (2, 'b');
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v(n, word) ORDER BY n DESC;
SELECT x FROM generate_series(1, 4) AS x;
SELECT * FROM generate_series(10, 1, -3);
SELECT count(*) FROM generate_series(1, 1000);
SELECT CASE WHEN salary > 85 THEN 'high' WHEN salary > 60 THEN 'mid' ELSE 'low' END AS band, count(*) FROM q_emp GROUP BY 1 ORDER BY 1;
SELECT CASE dept WHEN 'eng' THEN 1 WHEN 'ops' THEN 2 END FROM q_emp ORDER BY id;
SELECT salary * 1.1 FROM q_emp WHERE id = 1;
SELECT salary + 0.5, salary - 0.25 FROM q_emp WHERE id = 2;
SELECT salary / 3, salary % 3, salary::float8 / 3 FROM q_emp WHERE id = 1;
SELECT 1;
SELECT 1 AS one, 'two' AS two, 3.0 AS three;
SELECT 1 + 1, 2.5::float8, 'x'::text, true, false, NULL::int, NULL;
SELECT 'abc', 'abc'::varchar, 1::smallint, 1::bigint, 1::real;
SELECT count(*) AS "Count", max(id) "Max" FROM q_emp;
SELECT e.* FROM q_emp e WHERE e.id = 2;
SELECT q_emp.name FROM q_emp WHERE q_emp.id = 2;
SELECT * FROM q_dept ORDER BY floor;
SELECT COUNT(*) FROM Q_EMP;
SELECT "name" FROM "q_emp" WHERE "id" = 1;
SELECT version() LIKE 'PostgreSQL 15%';
SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('IntervalStyle');
SELECT current_setting('no_such_setting');
SELECT current_setting('no_such_setting', true);
SELECT set_config('application_name', 'corpus', false);
SHOW application_name;
SELECT set_config('TimeZone', 'Europe/Paris', false);
SHOW TimeZone;
BEGIN;
SELECT set_config('TimeZone', 'UTC', true);
SHOW TimeZone;
COMMIT;
SHOW TimeZone;
-- differs: SHOW ALL lists only the settings the SQLite backend keeps
SHOW ALL;
SELECT pg_catalog.version() LIKE 'PostgreSQL%', current_schema(), current_database() IS NOT NULL;
SET extra_float_digits = 3;
SELECT 0.1::float8;
RESET extra_float_digits;
SELECT set_config('myapp.user_id', '42', false), current_setting('myapp.user_id');
SHOW TimeZone;
SHOW DateStyle;
-- differs: server_version is the emulated "15.0", not the real server's version string
SHOW server_version;
SHOW standard_conforming_strings;
SHOW nope;
SET TimeZone TO 'Asia/Tokyo';
SHOW TimeZone;
SET application_name = 'diff';
SHOW application_name;
RESET application_name;
SHOW application_name;
SET search_path TO public;
SET client_min_messages TO warning;
SET statement_timeout = 0;
BEGIN;
SET LOCAL TimeZone = 'UTC';
SHOW TimeZone;
COMMIT;
SHOW TimeZone;
SET DateStyle = 'ISO, DMY';
SHOW DateStyle;
RESET DateStyle;
-- refused: DateStyle other than ISO (dates and timestamps print in ISO only)
SET DateStyle = 'SQL, DMY';
RESET DateStyle;
-- refused: DateStyle other than ISO
SET DateStyle = 'German';
RESET DateStyle;
-- refused: IntervalStyle other than postgres and iso_8601
SET intervalstyle = 'sql_standard';
RESET IntervalStyle;
SET client_encoding = 'UTF8';
SHOW client_encoding;
SELEC 1;
SELECT 1 +;
SELECT (1;
SELECT * FROM q_nope;
SELECT nope FROM q_emp;
SELECT q_emp.nope FROM q_emp;
SELECT x.name FROM q_emp;
SELECT name FROM q_emp e JOIN q_dept d ON d.name = e.dept;
SELECT no_such_function(1);
-- differs: SQLite accepts ungrouped columns; PostgreSQL raises 42803
SELECT name FROM q_emp GROUP BY dept;
SELECT 'a' + 1;
-- differs: SQLite wants a value for every column without a column list (42601); PostgreSQL fills defaults and hits NOT NULL (23502)
INSERT INTO q_emp VALUES (1);
-- refused: arrays
SELECT ARRAY[1, 2, 3];
-- refused: array_agg (arrays)
SELECT array_agg(name) FROM q_emp;
-- refused: ORDER BY inside an aggregate call
SELECT string_agg(name, ',' ORDER BY name) FROM q_emp;
-- refused: SIMILAR TO
SELECT 'abc' SIMILAR TO 'a%';
-- refused: LISTEN / NOTIFY
LISTEN chan;
-- refused: NOTIFY
NOTIFY chan;
-- refused: EXPLAIN
EXPLAIN SELECT 1;
-- refused: CREATE FUNCTION
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
-- refused: COLLATE other than C
SELECT 'a' < 'b' COLLATE "en_US";
-- refused: LOCK TABLE
LOCK TABLE q_emp;
SELECT id FROM q_emp WHERE id = 1 FOR UPDATE;
-- refused: GROUPING SETS / ROLLUP
SELECT dept, count(*) FROM q_emp GROUP BY ROLLUP (dept);
-- refused: time with time zone
SELECT current_time;
-- refused: BETWEEN SYMMETRIC
SELECT 5 BETWEEN SYMMETRIC 10 AND 1;
-- refused: CREATE SCHEMA
CREATE SCHEMA other;
-- refused: PREPARE (SQL-level)
PREPARE p AS SELECT 1;
DROP TABLE q_emp;
DROP TABLE q_dept;
