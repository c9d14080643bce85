-- Schema for 18_sqlite_psql.sh: run on the SQLite backend (and on PostgreSQL 15 to compare).
CREATE TABLE authors (
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL,
    email text UNIQUE,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE books (
    id bigserial PRIMARY KEY,
    author_id integer NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    title text NOT NULL,
    price numeric(10,2) CHECK (price >= 0),
    isbn uuid,
    published date,
    notes text DEFAULT 'none'
);
CREATE TABLE tags (
    book_id bigint NOT NULL,
    tag varchar(20) NOT NULL,
    CONSTRAINT tags_pk PRIMARY KEY (book_id, tag)
);
CREATE UNIQUE INDEX books_isbn_key ON books (isbn);
CREATE INDEX books_title_idx ON books (title);
CREATE INDEX books_author_published_idx ON books (author_id, published);
CREATE INDEX books_cheap_idx ON books (price DESC) WHERE price < 10;
CREATE INDEX authors_lower_email_idx ON authors (lower(email));
CREATE VIEW cheap_books AS SELECT id, title, price FROM books WHERE price < 10;
INSERT INTO authors (name, email) VALUES ('Ann', 'ann@example.org'), ('Bob', NULL);
INSERT INTO books (author_id, title, price, isbn, published)
    VALUES (1, 'First', 9.5, '00000000-0000-0000-0000-000000000001', '2020-01-02'),
           (2, 'Second', 20, NULL, NULL);
