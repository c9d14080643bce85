-- Golden translations (tests/unit/test_translate.c, test_golden_files): utility.
-- Transactions, settings, COPY and the utility statements that are refused.
-- Format: "-- pg:" a PostgreSQL statement, then "-- sqlite:" the exact SQLite text or
-- "-- error: SQLSTATE fragment", and optionally "-- columns: name:oid ..." (0: typed by the backend).

-- pg: BEGIN
-- sqlite: (none)

-- pg: BEGIN ISOLATION LEVEL SERIALIZABLE
-- sqlite: (none)

-- pg: START TRANSACTION READ ONLY
-- sqlite: (none)

-- pg: COMMIT
-- sqlite: (none)

-- pg: ROLLBACK
-- sqlite: (none)

-- pg: SAVEPOINT s1
-- sqlite: (none)

-- pg: RELEASE SAVEPOINT s1
-- sqlite: (none)

-- pg: ROLLBACK TO SAVEPOINT s1
-- sqlite: (none)

-- pg: SET TimeZone = 'UTC'
-- sqlite: (none)

-- pg: SET LOCAL statement_timeout = 0
-- sqlite: (none)

-- pg: SET search_path TO public
-- sqlite: (none)

-- pg: SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED
-- sqlite: (none)

-- pg: RESET ALL
-- sqlite: (none)

-- pg: RESET TimeZone
-- sqlite: (none)

-- pg: SHOW TimeZone
-- sqlite: (none)

-- pg: SHOW ALL
-- error: 0A000 SHOW ALL is not supported on the SQLite backend, which keeps only some settings: SHOW name, or SELECT name, setting FROM pg_settings

-- pg: DISCARD ALL
-- sqlite: (none)

-- pg: DISCARD PLANS
-- error: 0A000 DISCARD other than ALL is not supported on the SQLite backend

-- pg: EXPLAIN SELECT 1
-- error: 0A000 EXPLAIN is not supported on the SQLite backend

-- pg: LISTEN c
-- error: 0A000 LISTEN is not supported on the SQLite backend

-- pg: NOTIFY c
-- error: 0A000 NOTIFY is not supported on the SQLite backend

-- pg: CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql
-- error: 0A000 CREATE FUNCTION is not supported on the SQLite backend

-- pg: CREATE SCHEMA s
-- error: 0A000 CREATE SCHEMA s is not supported on the SQLite backend (only public exists)

-- pg: CREATE EXTENSION pgcrypto
-- error: 0A000 CREATE EXTENSION is not supported on the SQLite backend

-- pg: PREPARE p AS SELECT 1
-- error: 0A000 SQL-level PREPARE / EXECUTE is not supported on the SQLite backend

-- pg: EXECUTE p
-- error: 0A000 SQL-level PREPARE / EXECUTE is not supported on the SQLite backend

-- pg: DEALLOCATE p
-- sqlite: (none)

-- pg: DEALLOCATE PREPARE ALL
-- sqlite: (none)

-- pg: LOCK TABLE t
-- error: 0A000 LOCK is not supported on the SQLite backend

-- pg: GRANT SELECT ON t TO u
-- error: 0A000 GRANT / REVOKE is not supported on the SQLite backend

-- pg: COPY t FROM STDIN
-- sqlite: (none)

-- pg: COPY t TO STDOUT WITH (FORMAT csv)
-- sqlite: SELECT * FROM "t"

-- pg: COPY t FROM '/etc/passwd'
-- error: 0A000 COPY to or from a file or program is not supported on the SQLite backend; use STDIN/STDOUT

-- pg: DO $$ BEGIN END $$
-- error: 0A000 DO is not supported on the SQLite backend

