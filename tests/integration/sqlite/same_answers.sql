-- Run through psql -X -At against PostgreSQL 15 and against myrmex's SQLite backend: the
-- output (rows, command results and SQLSTATEs of errors) must be identical. The wider
-- differential test, which also compares column names and type OIDs, is
-- tests/integration/19_sqlite_diff.sh with the corpora diff_*.sql beside this file.
\set VERBOSITY sqlstate
\set ON_ERROR_STOP 0
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty integer DEFAULT 0, price numeric(10,2), active boolean DEFAULT true, born date, seen timestamp, uid uuid, note varchar(10));
INSERT INTO items (name, qty, price, active, born, seen, uid, note) VALUES ('apple', 3, 1.5, true, '2024-02-29', '2024-03-01 12:34:56.5', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'crisp') RETURNING id, name;
INSERT INTO items (name, qty, price, active) VALUES ('pear', 10, 0.25, false), ('fig', 0, NULL, NULL), ('Apricot', 7, 12, true);
SELECT id, name, qty, price, active, born, seen, uid, note FROM items ORDER BY id;
SELECT count(*), sum(qty), max(qty), min(name), max(born) FROM items;
SELECT name FROM items WHERE name LIKE 'a%' ORDER BY name;
SELECT name FROM items WHERE name ILIKE 'a%' ORDER BY name;
SELECT name FROM items WHERE name NOT LIKE '%p%' ORDER BY name;
SELECT name, qty * 2 AS dbl, qty / 2 AS half, qty % 3 AS m, -qty AS neg FROM items ORDER BY name;
SELECT coalesce(note, '-'), nullif(qty, 0), greatest(qty, 5), least(qty, 5), greatest(NULL, qty) FROM items ORDER BY id;
SELECT upper(name), lower(name), length(name), substr(name, 2, 2), name || '!' FROM items ORDER BY id;
SELECT name, CASE WHEN qty > 5 THEN 'many' WHEN qty > 0 THEN 'some' ELSE 'none' END FROM items ORDER BY id;
SELECT name FROM items WHERE qty BETWEEN 1 AND 7 AND price IS NOT NULL ORDER BY name;
SELECT name FROM items WHERE id IN (1, 3) ORDER BY id;
SELECT name FROM items WHERE active IS NULL;
UPDATE items SET qty = qty + 1 WHERE active RETURNING name, qty;
DELETE FROM items WHERE name = 'fig';
SELECT * FROM missing_table;
INSERT INTO items (id, name) VALUES (1, 'dup');
INSERT INTO items (name) VALUES (NULL);
INSERT INTO items (name, note) VALUES ('long', 'abcdefghijkl');
SELECT 1 + 1, 2.5::float8, 'x'::text, true, false, NULL::int;
SELECT 'abc' ~ 'b', 'abc' ~* 'B', 'abc' !~ 'z';
SELECT 7 / 2, -7 / 2, 7 % 3, 2 * 3 + 1;
BEGIN;
INSERT INTO items (name) VALUES ('in tx');
ROLLBACK;
SELECT count(*) FROM items;
BEGIN;
SELECT 1/0;
SELECT 1;
ROLLBACK;
INSERT INTO items (id, name, qty) VALUES (2, 'pear', 99) ON CONFLICT (id) DO UPDATE SET qty = excluded.qty RETURNING name, qty;
INSERT INTO items (id, name) VALUES (2, 'other') ON CONFLICT DO NOTHING;
SELECT DISTINCT active FROM items ORDER BY active NULLS FIRST;
SELECT name FROM items ORDER BY name DESC LIMIT 2 OFFSET 1;
WITH t AS (SELECT name, qty FROM items WHERE qty > 0) SELECT count(*), sum(qty) FROM t;
SELECT active, count(*) FROM items GROUP BY active HAVING count(*) > 0 ORDER BY active;
SELECT i.name, j.name FROM items i JOIN items j ON j.id = i.id + 1 ORDER BY i.id;
SELECT name FROM items WHERE qty = (SELECT max(qty) FROM items);
SELECT name FROM items UNION SELECT 'zz' ORDER BY 1;
SELECT '2024-01-31'::date, '2024-01-31 10:00:00'::timestamp;
SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid;
SELECT 'abc'::int;
SELECT 12.345::numeric(5,2), 0.1::float8 + 0.2::float8;
SELECT count(DISTINCT active), string_agg(name, ',') FROM items WHERE qty > 50;
TRUNCATE items;
SELECT count(*) FROM items;
DROP TABLE items;
SELECT * FROM items;
