-- psql meta-commands for 18_sqlite_psql.sh, run on the SQLite backend (transcript:
-- psql_meta.expected) and on PostgreSQL 15. The output is the same as PostgreSQL's for
-- \l, \dn, \dt, \di, \dv, \ds, \df, \d authors, \d tags, \d on an index and \d on a view (the
-- test asserts it). It differs, honestly, where SQLite differs:
--   \du     the connecting role can do everything on an SQLite file: Superuser etc.;
--   \d books / \d+ books: a CHECK shows the expression as stored ("price >= 0", not PostgreSQL's
--           "price >= 0::numeric"), so does a partial index's predicate;
--   information_schema: OIDs in the NOT NULL constraint names are myrmex's name hashes.
\pset footer on
\echo '== l'
\l app
\echo '== dn'
\dn
\echo '== dt'
\dt
\echo '== di'
\di
\echo '== dv'
\dv
\echo '== ds'
\ds
\echo '== df'
\df
\echo '== du'
\du app
\echo '== d authors'
\d authors
\echo '== d books'
\d books
\echo '== d tags'
\d tags
\echo '== d+ books'
\d+ books
\echo '== d books_author_published_idx'
\d books_author_published_idx
\echo '== d cheap_books'
\d cheap_books
\echo '== information_schema'
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1;
SELECT column_name, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_name = 'books' ORDER BY ordinal_position;
SELECT constraint_name, constraint_type FROM information_schema.table_constraints WHERE table_name IN ('authors', 'books', 'tags') ORDER BY 1;
SELECT constraint_name, column_name, ordinal_position FROM information_schema.key_column_usage WHERE table_name IN ('books', 'tags') ORDER BY 1, 3;
SELECT constraint_name, unique_constraint_name, delete_rule FROM information_schema.referential_constraints ORDER BY 1;
