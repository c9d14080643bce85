-- Golden translations (tests/unit/test_translate.c, test_golden_files): patterns.
-- LIKE (case-sensitive, backslash escape), ILIKE, POSIX regular expressions; SIMILAR TO is 
-- refused.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: SELECT * FROM t WHERE a LIKE 'x%'
-- sqlite: SELECT * FROM "t" WHERE pg_like("a", 'x%')

-- pg: SELECT * FROM t WHERE a NOT LIKE '%y'
-- sqlite: SELECT * FROM "t" WHERE (NOT pg_like("a", '%y'))

-- pg: SELECT * FROM t WHERE a ILIKE 'x%'
-- sqlite: SELECT * FROM "t" WHERE pg_ilike("a", 'x%')

-- pg: SELECT * FROM t WHERE a NOT ILIKE 'x%'
-- sqlite: SELECT * FROM "t" WHERE (NOT pg_ilike("a", 'x%'))

-- pg: SELECT * FROM t WHERE a LIKE 'x!%%' ESCAPE '!'
-- sqlite: SELECT * FROM "t" WHERE pg_like("a", 'x!%%', '!')

-- pg: SELECT * FROM t WHERE a ~~ 'x%' AND a !~~* 'y%'
-- sqlite: SELECT * FROM "t" WHERE (pg_like("a", 'x%') AND (NOT pg_ilike("a", 'y%')))

-- pg: SELECT * FROM t WHERE a ~ '^x' AND a ~* 'y$'
-- sqlite: SELECT * FROM "t" WHERE (pg_regex("a", '^x', 0) AND pg_regex("a", 'y$', 1))

-- pg: SELECT * FROM t WHERE a !~ 'x' OR a !~* 'y'
-- sqlite: SELECT * FROM "t" WHERE ((NOT pg_regex("a", 'x', 0)) OR (NOT pg_regex("a", 'y', 1)))

-- pg: SELECT * FROM t WHERE a SIMILAR TO 'x%'
-- error: 0A000 SIMILAR TO is not supported on the SQLite backend

-- pg: SELECT 'abc' LIKE $1
-- sqlite: SELECT pg_like('abc', ?1) AS "?column?"
-- columns: ?column?:16

