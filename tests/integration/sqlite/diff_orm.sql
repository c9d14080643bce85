-- Differential corpus: statements in the shapes ORMs and drivers send (see diff_dml.sql for
-- the format).
SET TimeZone = 'UTC';
SET extra_float_digits = 3;
SET application_name = 'orm';
SELECT 1;
CREATE TABLE o_user (id bigserial PRIMARY KEY, email varchar(254) NOT NULL UNIQUE, name text, is_active boolean NOT NULL DEFAULT true, score double precision, balance numeric(12,2) NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(), birthday date);
CREATE TABLE o_post (id serial PRIMARY KEY, user_id bigint NOT NULL REFERENCES o_user (id) ON DELETE CASCADE, title varchar(200) NOT NULL, body text, published boolean DEFAULT false, views integer DEFAULT 0);
CREATE INDEX o_post_user ON o_post (user_id);
INSERT INTO o_user (email, name, score, balance, birthday) VALUES ('ann@example.com', 'Ann', 4.5, 100.5, '1990-05-17') RETURNING id;
INSERT INTO o_user (email, name, score, balance, birthday) VALUES ('bob@example.com', 'Bob', NULL, 0, NULL) RETURNING id, email, is_active, balance;
INSERT INTO o_user (email, name, is_active, score) VALUES ('cy@example.com', 'Cy', false, 0.1) RETURNING "o_user"."id";
INSERT INTO o_post (user_id, title, body, published, views) VALUES (1, 'Hello', 'First post', true, 10), (1, 'Draft', NULL, false, 0), (2, 'Bob''s', 'text', true, 3) RETURNING id, title;
SELECT "o_user"."id", "o_user"."email", "o_user"."is_active", "o_user"."balance" FROM "o_user" WHERE "o_user"."id" = 1 LIMIT 1;
SELECT "o_user"."id" FROM "o_user" WHERE "o_user"."email" = 'bob@example.com' LIMIT 21;
SELECT EXISTS(SELECT 1 FROM o_user WHERE email = 'ann@example.com') AS "exists";
SELECT (1) AS "a" FROM "o_user" WHERE "o_user"."is_active" LIMIT 1;
SELECT COUNT(*) AS "__count" FROM "o_user" WHERE NOT "o_user"."is_active";
SELECT count(*) > 0 FROM o_post WHERE published IS TRUE;
SELECT id, email FROM o_user WHERE lower(email) = lower('ANN@example.com');
SELECT id FROM o_user WHERE email LIKE '%@example.com' ESCAPE '\' ORDER BY id;
SELECT id FROM o_user WHERE name ILIKE 'a%' OR name IS NULL ORDER BY id;
SELECT coalesce(max(id), 0) + 1 FROM o_post;
SELECT u.name, count(p.id) AS posts, coalesce(sum(p.views), 0) AS views FROM o_user u LEFT JOIN o_post p ON p.user_id = u.id GROUP BY u.id, u.name ORDER BY u.id;
SELECT u.email FROM o_user u WHERE u.id IN (SELECT user_id FROM o_post WHERE published) ORDER BY 1;
SELECT p.title, u.email FROM o_post p INNER JOIN o_user u ON (p.user_id = u.id) WHERE p.views >= 3 ORDER BY p.views DESC, p.id ASC LIMIT 10 OFFSET 0;
SELECT id, CASE WHEN views > 5 THEN true ELSE false END AS popular FROM o_post ORDER BY id;
SELECT id, score, balance FROM o_user ORDER BY score DESC NULLS LAST, id;
SELECT sum(balance), avg(balance), max(score), min(birthday) FROM o_user;
SELECT balance + 1.25, balance * 2, -balance FROM o_user WHERE id = 1;
SELECT id FROM o_user WHERE birthday < current_date AND created_at <= now() ORDER BY id;
SELECT id FROM o_user WHERE created_at > now() - interval '1 hour' ORDER BY id;
-- differs: date_trunc of a date gives a timestamp here, a timestamptz in PostgreSQL
SELECT extract(year FROM birthday), date_trunc('month', birthday) FROM o_user WHERE id = 1;
UPDATE o_user SET name = 'Ann B', balance = balance + 10.255 WHERE id = 1 RETURNING name, balance;
UPDATE o_user SET score = score * 2 WHERE score IS NOT NULL;
UPDATE o_post SET views = views + 1 WHERE id = 1 RETURNING views;
UPDATE "o_user" SET "is_active" = false WHERE "o_user"."id" IN (2, 3);
SELECT id, is_active FROM o_user ORDER BY id;
INSERT INTO o_user (email, name) VALUES ('ann@example.com', 'dup');
INSERT INTO o_post (user_id, title) VALUES (99, 'orphan');
INSERT INTO o_post (user_id, title) VALUES (1, NULL);
-- differs: a failed INSERT does not use up a serial value on SQLite (no sequence), so later ids are lower
INSERT INTO o_user (email, name) VALUES ('dan@example.com', 'Dan') ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id, name;
-- differs: serial values not used up by failed INSERTs (see above)
INSERT INTO o_user (email, name) VALUES ('dan@example.com', 'Daniel') ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id, name;
BEGIN;
SELECT id FROM o_user WHERE id = 1 FOR UPDATE;
UPDATE o_user SET balance = balance - 5 WHERE id = 1;
SAVEPOINT s1;
INSERT INTO o_user (email) VALUES ('ann@example.com');
ROLLBACK TO SAVEPOINT s1;
RELEASE SAVEPOINT s1;
COMMIT;
SELECT balance FROM o_user WHERE id = 1;
DELETE FROM o_user WHERE id = 2;
SELECT count(*) FROM o_post;
SELECT id, title FROM o_post ORDER BY id;
SELECT DISTINCT published FROM o_post ORDER BY published;
SELECT title FROM o_post WHERE body IS NULL;
SELECT length(title), upper(title), substring(title FROM 1 FOR 3) FROM o_post ORDER BY id;
SELECT string_agg(title, ', ') FROM (SELECT title FROM o_post ORDER BY title) s;
-- differs: serial values not used up by failed INSERTs (see above)
SELECT u.id, (SELECT count(*) FROM o_post p WHERE p.user_id = u.id) AS n FROM o_user u ORDER BY u.id;
SELECT 1 AS one UNION ALL SELECT 2 ORDER BY one;
SELECT NULL::text IS NULL, NULL::int, ''::text = '';
SELECT current_setting('application_name'), current_setting('extra_float_digits');
DROP TABLE o_post;
DROP TABLE o_user;
