-- Golden translations (tests/unit/test_translate.c, test_golden_files): grouping.
-- PostgreSQL's ungrouped-column check (42803) as the translator prepares it for the backend
-- (sql_group_check: FROM items, GROUP BY columns, the references to judge with their
-- positions), and INSERT without a column list (sql_insert_fill) with the row shape errors
-- PostgreSQL raises at parse analysis.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns:", "-- insert:", "-- grouping:".

-- pg: SELECT name FROM q_emp GROUP BY dept
-- sqlite: SELECT "name" AS "name" FROM "q_emp" GROUP BY "dept"
-- grouping: items q_emp=q_emp grouped dept refs name@8 aggrefs - grouped

-- pg: SELECT e.name FROM q_emp e GROUP BY dept
-- sqlite: SELECT "e"."name" AS "name" FROM "q_emp" AS "e" GROUP BY "dept"
-- grouping: items e=q_emp grouped dept refs e.name@8 aggrefs - grouped

-- pg: SELECT name, count(*) FROM q_emp
-- sqlite: SELECT "name" AS "name", count(*) AS "count" FROM "q_emp"
-- grouping: items q_emp=q_emp grouped - refs name@8 aggrefs - grouped

-- pg: SELECT name, max(salary) FROM q_emp
-- sqlite: SELECT "name" AS "name", max("salary") AS "max" FROM "q_emp"
-- grouping: items q_emp=q_emp grouped - refs name@8 aggrefs salary

-- pg: SELECT name FROM q_emp
-- sqlite: SELECT "name" AS "name" FROM "q_emp"
-- grouping: none

-- pg: SELECT dept, count(*) FROM q_emp GROUP BY dept ORDER BY dept
-- sqlite: SELECT "dept" AS "dept", count(*) AS "count" FROM "q_emp" GROUP BY "dept" ORDER BY "dept" NULLS LAST
-- grouping: none

-- pg: SELECT e.name, d.floor FROM q_emp e JOIN q_dept d ON d.name = e.dept GROUP BY e.id, d.name
-- sqlite: SELECT "e"."name" AS "name", "d"."floor" AS "floor" FROM "q_emp" AS "e" JOIN "q_dept" AS "d" ON ("d"."name" = "e"."dept") GROUP BY "e"."id", "d"."name"
-- grouping: items e=q_emp,d=q_dept grouped e.id,d.name refs e.name@8,d.floor@16 aggrefs - grouped

-- pg: SELECT dept FROM q_emp GROUP BY dept HAVING salary > 1 ORDER BY sum(salary), boss
-- sqlite: SELECT "dept" AS "dept" FROM "q_emp" GROUP BY "dept" HAVING ("salary" > 1) ORDER BY sum("salary") NULLS LAST, "boss" NULLS LAST
-- grouping: items q_emp=q_emp grouped dept,dept refs boss@78,salary@45 aggrefs salary grouped

-- pg: SELECT dept AS d, count(*) AS n FROM q_emp GROUP BY d ORDER BY n, d, 1
-- sqlite: SELECT "dept" AS "d", count(*) AS "n" FROM "q_emp" GROUP BY "d" ORDER BY "n" NULLS LAST, "d" NULLS LAST, 1 NULLS LAST
-- grouping: none

-- pg: SELECT dept, count(*) FROM q_emp GROUP BY 1
-- sqlite: SELECT "dept" AS "dept", count(*) AS "count" FROM "q_emp" GROUP BY 1
-- grouping: none

-- pg: SELECT lower(dept), upper(name) FROM q_emp GROUP BY lower(dept), upper(name || '')
-- sqlite: SELECT pg_lower("dept") AS "lower", pg_upper("name") AS "upper" FROM "q_emp" GROUP BY pg_lower("dept"), pg_upper((pg_coltext("name", 'q_emp', 'name', 0) || ''))
-- grouping: none

-- pg: SELECT lower(dept), salary FROM q_emp GROUP BY lower(dept)
-- sqlite: SELECT pg_lower("dept") AS "lower", "salary" AS "salary" FROM "q_emp" GROUP BY pg_lower("dept")
-- grouping: items q_emp=q_emp grouped - refs salary@21 aggrefs - grouped

-- pg: SELECT sum(salary) OVER (PARTITION BY boss), sum(sum(salary)) OVER () FROM q_emp GROUP BY dept
-- sqlite: SELECT CASE WHEN pg_colnumeric('q_emp', 'salary') = -1 THEN pg_numeric_sum("salary", pg_colnumeric('q_emp', 'salary'), 0) OVER (PARTITION BY "boss") ELSE sum("salary") OVER (PARTITION BY "boss") END AS "sum", sum(CASE WHEN pg_colnumeric('q_emp', 'salary') = -1 THEN pg_numeric_sum("salary", pg_colnumeric('q_emp', 'salary')) ELSE sum("salary") END) OVER () AS "sum" FROM "q_emp" GROUP BY "dept"
-- grouping: items q_emp=q_emp grouped dept refs salary@12,boss@39 aggrefs salary grouped

-- pg: SELECT dept, (SELECT count(*) FROM q_dept d WHERE d.name = q_emp.dept), name IN (SELECT name FROM q_dept) FROM q_emp GROUP BY dept
-- sqlite: SELECT "dept" AS "dept", (SELECT count(*) FROM "q_dept" AS "d" WHERE ("d"."name" = "q_emp"."dept")) AS "count", ("name" IN (SELECT "name" FROM "q_dept")) AS "?column?" FROM "q_emp" GROUP BY "dept"
-- grouping: items q_emp=q_emp grouped dept,dept refs name@73 aggrefs - grouped

-- pg: SELECT x.salary FROM (SELECT dept, salary FROM q_emp) x GROUP BY x.dept
-- sqlite: SELECT "x"."salary" AS "salary" FROM (SELECT "dept" AS "dept", "salary" AS "salary" FROM "q_emp") AS "x" GROUP BY "x"."dept"
-- grouping: items x=(dept,salary) grouped x.dept refs x.salary@8 aggrefs - grouped

-- pg: WITH w(d, n) AS (SELECT dept, name FROM q_emp) SELECT n FROM w GROUP BY d
-- sqlite: WITH "w"("d", "n") AS (SELECT "dept" AS "dept", "name" AS "name" FROM "q_emp") SELECT "n" AS "n" FROM "w" GROUP BY "d"
-- grouping: items w=(d,n) grouped d refs n@55 aggrefs - grouped

-- pg: SELECT b FROM (VALUES (1, 2)) v(a, b) GROUP BY a
-- sqlite: SELECT "b" AS "b" FROM (WITH "v"("a", "b") AS (VALUES (1, 2)) SELECT * FROM "v") AS "v" GROUP BY "a"
-- grouping: items v=(a,b) grouped a refs b@8 aggrefs - grouped

-- pg: SELECT x, name FROM q_emp, generate_series(1, 2) AS x GROUP BY dept
-- sqlite: SELECT "x" AS "x", "name" AS "name" FROM "q_emp", (WITH RECURSIVE "__gs"(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM "__gs" WHERE v + 1 <= 2) SELECT v AS "x" FROM "__gs") AS "x" GROUP BY "dept"
-- grouping: items q_emp=q_emp grouped dept refs x@8,name@11 aggrefs - opaque grouped

-- pg: SELECT * FROM q_emp GROUP BY id
-- sqlite: SELECT * FROM "q_emp" GROUP BY "id"
-- grouping: none

-- pg: SELECT e.name, (SELECT d.floor + max(e.salary) FROM q_dept d) FROM q_emp e GROUP BY e.id
-- sqlite: SELECT "e"."name" AS "name", (SELECT ("d"."floor" + max("e"."salary")) FROM "q_dept" AS "d") AS "?column?" FROM "q_emp" AS "e" GROUP BY "e"."id"
-- grouping: items e=q_emp grouped e.id refs e.name@8 aggrefs - grouped

-- pg: SELECT 'é', name FROM q_emp GROUP BY dept
-- sqlite: SELECT 'é' AS "?column?", "name" AS "name" FROM "q_emp" GROUP BY "dept"
-- grouping: items q_emp=q_emp grouped dept refs name@13 aggrefs - grouped

-- pg: INSERT INTO q_emp VALUES (1)
-- sqlite: INSERT INTO "q_emp" VALUES (pg_assign(1, 'q_emp', 0))
-- insert: q_emp at 19 values 1 positions 27

-- pg: INSERT INTO q_emp AS e VALUES (1, 'a'), (2, 'b') ON CONFLICT (id) DO NOTHING
-- sqlite: INSERT INTO "q_emp" AS "e" VALUES (pg_assign(1, 'q_emp', 0), pg_assign('a', 'q_emp', 1)), (pg_assign(2, 'q_emp', 0), pg_assign('b', 'q_emp', 1)) ON CONFLICT ("id") DO NOTHING
-- insert: q_emp at 26 values 2 positions 32,35

-- pg: INSERT INTO q_emp SELECT 7, 'é' UNION ALL SELECT 8, 'h'
-- sqlite: INSERT INTO "q_emp" SELECT 7 AS "?column?", 'é' AS "?column?" UNION ALL SELECT 8, 'h'
-- insert: q_emp at 19 values 2 positions 26,29

-- pg: INSERT INTO q_emp SELECT * FROM q_old
-- sqlite: INSERT INTO "q_emp" SELECT * FROM "q_old"
-- insert: none

-- pg: INSERT INTO q_emp (id, name) VALUES (1, 'a')
-- sqlite: INSERT INTO "q_emp" ("id", "name") VALUES (pg_assign(1, 'q_emp', 'id'), pg_assign('a', 'q_emp', 'name'))
-- insert: none

-- pg: INSERT INTO q_emp DEFAULT VALUES
-- sqlite: INSERT INTO "q_emp" DEFAULT VALUES
-- insert: none

-- pg: INSERT INTO q_dept (floor) VALUES (1, 2)
-- error: 42601 INSERT has more expressions than target columns

-- pg: INSERT INTO q_dept (name, floor) VALUES ('a')
-- error: 42601 INSERT has more target columns than expressions

-- pg: INSERT INTO q_dept (name) SELECT 'a', 2
-- error: 42601 INSERT has more expressions than target columns

-- pg: INSERT INTO q_dept VALUES ('a', 1), ('b')
-- error: 42601 VALUES lists must all be the same length
