/*
 * PostgreSQL SQL to SQLite SQL. The text is parsed by the real PostgreSQL parser (libpg_query,
 * protobuf tree) and each statement is emitted again for SQLite by a walker over that tree.
 * Nothing is given a different meaning silently: what cannot be translated faithfully is an
 * error with SQLSTATE 0A000 that names the construct. No I/O, no SQLite handle: the result is
 * plain data that the SQLite backend executes (src/sqlite/).
 */
#ifndef MYRMEX_SQL_TRANSLATE_H
#define MYRMEX_SQL_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the backend does with a statement. */
enum sql_kind {
    SQL_EXEC = 0,    /* run sqlite text; rows when returns_rows */
    SQL_EMPTY,       /* nothing (an empty query between semicolons) */
    SQL_BEGIN,       /* BEGIN / START TRANSACTION */
    SQL_COMMIT,      /* COMMIT / END */
    SQL_ROLLBACK,    /* ROLLBACK / ABORT */
    SQL_SAVEPOINT,   /* SAVEPOINT name (name) */
    SQL_RELEASE,     /* RELEASE [SAVEPOINT] name (name) */
    SQL_ROLLBACK_TO, /* ROLLBACK TO [SAVEPOINT] name (name) */
    SQL_SET,         /* SET [LOCAL|SESSION] name = value / TO DEFAULT (name, value or NULL) */
    SQL_RESET,       /* RESET name (name) / RESET ALL (name NULL) */
    SQL_SHOW,        /* SHOW name (name) */
    SQL_DISCARD_ALL, /* DISCARD ALL */
    SQL_DEALLOCATE,  /* DEALLOCATE [PREPARE] name (name) / ALL (name NULL) */
    SQL_COPY_FROM,   /* COPY table [(cols)] FROM STDIN (copy) */
    SQL_COPY_TO,     /* COPY table [(cols)] / (query) TO STDOUT (copy; sqlite = the query) */
    SQL_NOTICE_NOOP, /* accepted with no observable effect on SQLite; notice says why */
    SQL_DDL,         /* run sqlite text, then the bookkeeping in ddl (sequences of serial
                        columns, owners of sequences after a rename) in the same transaction */
    SQL_DROP,        /* DROP TABLE/INDEX/VIEW of ddl->names (tag says which) */
    SQL_TRUNCATE,    /* TRUNCATE of ddl->names */
    SQL_VACUUM,      /* VACUUM / ANALYZE [ddl->names] */
    SQL_REBUILD,     /* ALTER TABLE ddl->table by SQLite's table rebuild (ddl->alters) */
    SQL_SEQUENCE,    /* CREATE / ALTER / DROP SEQUENCE (ddl->seq_op, ddl->seqs) */
};

/* One ALTER TABLE action the backend applies to the table definition before a rebuild. */
enum sql_alter_op {
    SQL_ALTER_ADD_CONSTRAINT,  /* contype, name, text (constraint body), keys */
    SQL_ALTER_DROP_CONSTRAINT, /* name, missing_ok */
    SQL_ALTER_TYPE,            /* column, text (declared type and its length CHECK), using */
    SQL_ALTER_SET_NOT_NULL,    /* column */
    SQL_ALTER_DROP_NOT_NULL,   /* column */
    SQL_ALTER_SET_DEFAULT,     /* column, text (the expression) */
    SQL_ALTER_DROP_DEFAULT,    /* column */
    SQL_ALTER_ADD_COLUMN,      /* column, text (the whole column definition) */
};

struct sql_alter {
    enum sql_alter_op op;
    char *column;     /* unquoted */
    char *name;       /* constraint name: as given, or PostgreSQL's default */
    char contype;     /* ADD CONSTRAINT: 'p' primary key, 'u' unique, 'c' check, 'f' foreign */
    char *text;       /* SQLite text, see the op */
    char *using_expr; /* ALTER TYPE: the new value from the old row (USING, or a cast) */
    char *check;      /* ALTER TYPE: the length CHECK of varchar(n)/char(n), else NULL */
    bool using_given; /* ALTER TYPE: USING was written (else using_expr is a cast) */
    char **keys;      /* PRIMARY KEY / UNIQUE / FOREIGN KEY columns, unquoted */
    int n_keys;
    bool missing_ok;
};

enum sql_seq_op { SQL_SEQ_CREATE = 0, SQL_SEQ_ALTER, SQL_SEQ_DROP };

/* A sequence's options as written; has_* says which were given. */
struct sql_seq {
    char *name;      /* unquoted */
    char *data_type; /* "smallint", "integer", "bigint" or NULL */
    bool has_increment, has_min, has_max, has_start, has_cache, has_cycle, has_restart;
    int64_t increment, min_value, max_value, start, cache, restart;
    bool no_min, no_max; /* NO MINVALUE / NO MAXVALUE (has_min/has_max set too) */
    bool cycle;
    bool restart_default;             /* RESTART without WITH */
    bool has_owner;                   /* OWNED BY given */
    char *owner_table, *owner_column; /* unquoted; NULL for OWNED BY NONE */
};

/* What the backend needs to carry out the DDL kinds above. */
struct sql_ddl {
    char **names; /* unquoted: tables (DROP/TRUNCATE/VACUUM), or sequences for DROP SEQUENCE */
    int n_names;
    bool missing_ok;       /* IF EXISTS */
    bool if_not_exists;    /* CREATE ... IF NOT EXISTS */
    bool cascade;          /* TRUNCATE ... CASCADE */
    bool restart_identity; /* TRUNCATE ... RESTART IDENTITY */
    bool vacuum, analyze;  /* SQL_VACUUM */
    char *table;           /* SQL_REBUILD; SQL_DDL: the table created or renamed (unquoted) */
    char *new_name;        /* SQL_DDL rename: the new table name; with column: the new column */
    char *column;          /* SQL_DDL column rename: the old column name */
    struct sql_alter *alters;
    int n_alters;
    enum sql_seq_op seq_op;
    struct sql_seq *seqs; /* SQL_SEQUENCE; SQL_DDL: sequences of serial/identity columns */
    int n_seqs;
};

/*
 * How a result column's type follows the table column it is computed from (origin_rel,
 * origin_col), which the backend looks up (the translator has no catalog); sql_column.type is
 * then the fallback when that table column cannot be found (a CTE, a view).
 */
enum sql_derive {
    SQL_DERIVE_NONE = 0,  /* no origin */
    SQL_DERIVE_SAME,      /* the column itself: its type and typmod */
    SQL_DERIVE_VALUE,     /* same type, typmod not reported (coalesce, min, max, col + 1...);
                             a numeric keeps printing the column's scale, as its values would */
    SQL_DERIVE_WIDEN,     /* arithmetic with an integer constant: int2 becomes int4 */
    SQL_DERIVE_SUM,       /* sum(): int2/int4 -> int8, int8 -> numeric, float4 stays */
    SQL_DERIVE_AVG,       /* avg(): float4/float8 -> float8, else numeric (no scale) */
    SQL_DERIVE_DIVIDE,    /* col / or % an integer constant: integers as WIDEN, numeric
                             without the column's scale */
    SQL_DERIVE_TIMESTAMP, /* col +/- interval: a date becomes a timestamp */
    SQL_DERIVE_TRUNC,     /* date_trunc(f, col): a date becomes a timestamptz */
    SQL_DERIVE_ADDNUM,    /* col +/- a numeric literal whose scale is typmod's: numeric with
                             the larger scale (a float column stays float8) */
    SQL_DERIVE_MULNUM,    /* col * a numeric literal: numeric, the scales added */
    SQL_DERIVE_ADD2,      /* col +/- col2 (origin2): the common type; numeric scale the larger */
    SQL_DERIVE_MUL2,      /* col * col2: the common type; numeric scales added */
    SQL_DERIVE_PARAM,     /* col + - * / % $n: the parameter takes the column's type, so the
                             result has it too when that is a number (numeric without the
                             column's scale); 0 otherwise */
};

struct sql_column {
    char *name;     /* result column name as PostgreSQL would report it (?column? etc.) */
    uint32_t type;  /* PostgreSQL type OID when the translator knows it; 0: from the value */
    int32_t typmod; /* -1 when none; ADDNUM/MULNUM: the literal's scale as a typmod */
    char *origin_rel, *origin_col;   /* the table column the type follows (derive), or NULL */
    char *origin2_rel, *origin2_col; /* ADD2 / MUL2: the other operand's column */
    enum sql_derive derive;
    /* The column is $param itself (derive NONE), or col op $param (SQL_DERIVE_PARAM); 0 when
     * neither. The backend then sets param_type, the parameter's type once the statement is
     * parsed (given by the client or looked up), which the column's type follows. */
    int param;
    uint32_t param_type;
};

struct sql_copy {
    char *table;    /* quoted SQLite table name */
    char **columns; /* quoted column names; NULL/0: all, in table order */
    int n_columns;
    bool csv;           /* FORMAT csv (else text) */
    bool header;        /* HEADER */
    char delimiter;     /* '\t' text, ',' csv */
    char quote, escape; /* csv only */
    char *null_string;  /* "\\N" text, "" csv */
};

/*
 * An INSERT without a column list: PostgreSQL's targets are the table's first n_values columns
 * (the others get their defaults), which SQLite does not do. The backend, which knows the
 * table, writes that column list into sqlite at byte offset at, or raises 42601 at
 * positions[k] when the table has only k columns.
 */
struct sql_insert_fill {
    char *table; /* unquoted */
    size_t at;
    int n_values;   /* values in a row */
    int *positions; /* n_values ErrorResponse positions of the first row's values */
};

/* A column reference as written: qual NULL when unqualified; both unquoted. */
struct sql_colref {
    char *qual, *column;
};

/* A FROM item of a grouped SELECT: a table (or view), or a subquery, VALUES or WITH query with
 * known column names. */
struct sql_group_item {
    char *alias;    /* the name column references use */
    char *table;    /* unquoted; NULL for the kinds with columns */
    char **columns; /* n_columns output column names when table is NULL */
    int n_columns;
};

/*
 * One SELECT with GROUP BY, HAVING or aggregates, for PostgreSQL's check that every column
 * outside an aggregate is grouped (42803). Which table an unqualified name belongs to and a
 * table's primary key (grouping by it allows the table's other columns) need the schema, so
 * the translator lists the candidates and the backend decides after SQLite accepted the query.
 */
struct sql_group_check {
    struct sql_group_item *items;
    int n_items;
    bool opaque; /* a FROM item whose columns are not known too (a function, SELECT *...) */
    struct sql_colref *grouped; /* GROUP BY items that are plain column references */
    int n_grouped;
    struct sql_colref *refs; /* column references outside aggregates, in PostgreSQL's order of
                                checking, that no GROUP BY item names as written */
    int *positions;          /* their ErrorResponse positions */
    int n_refs;
    /* Whether the SELECT is grouped: certainly (GROUP BY, HAVING, an aggregate of its own), or
     * when one of these unqualified names in aggregate calls is a column of its FROM items (an
     * aggregate of an outer query's columns belongs to that query). */
    bool is_grouped;
    struct sql_colref *agg_refs;
    int n_agg_refs;
};

/*
 * Where a parameter's type comes from when the translator cannot name it (param_types[i] 0):
 * PostgreSQL gives a parameter stored into, compared with or computed with a table column that
 * column's type, which the backend looks up (the translator has no catalog).
 */
struct sql_param_origin {
    char *rel;    /* unquoted table; NULL: no origin (the parameter is text) */
    char *col;    /* unquoted column, or NULL with position */
    int position; /* INSERT without a column list: the table's column at this position, from 0 */
    bool arith;   /* an operand of + - * / %: taken only when the column's type is a number */
};

struct sql_stmt {
    enum sql_kind kind;
    char *sqlite;          /* SQLite text to prepare (SQL_EXEC, SQL_COPY_TO), else NULL */
    char tag[32];          /* command tag base: SELECT, INSERT, UPDATE, DELETE, CREATE TABLE... */
    bool returns_rows;     /* a result set: SELECT, VALUES, ... RETURNING */
    bool writes;           /* changes the database (a write transaction is needed) */
    bool catalog;          /* reads the emulated pg_catalog / information_schema */
    char *missing_from;    /* a column qualifier no FROM item of the statement names, or NULL:
                              SQLite's "no such column: q.c" is then PostgreSQL's 42P01 */
    int n_params;          /* highest $n referenced; SQLite parameters are ?1..?n */
    uint32_t *param_types; /* n_params entries: inferred PostgreSQL OIDs (0 unknown) */
    struct sql_param_origin *param_origins; /* n_params entries, or NULL when none has one */
    struct sql_column *columns;             /* n_columns entries when returns_rows */
    int n_columns;
    char *name;           /* SET/RESET/SHOW parameter, SAVEPOINT name; lowercased */
    char *value;          /* SET value as text (quotes removed); NULL for DEFAULT */
    bool is_local;        /* SET LOCAL */
    char *notice;         /* SQL_NOTICE_NOOP: the NOTICE text */
    struct sql_copy copy; /* SQL_COPY_* */
    int location;         /* byte offset of the statement in the original text */
    struct sql_ddl *ddl;  /* the SQL_DDL .. SQL_SEQUENCE kinds; NULL otherwise */

    /* An INSERT without a column list, or NULL. */
    struct sql_insert_fill *insert_fill;
    /* The grouped SELECTs, checked once SQLite has prepared the statement. */
    struct sql_group_check *group_checks;
    int n_group_checks;
    /* Literals emitted as SQLite parameters (sql/lift.h): ?k+1 is the text's literal k. */
    int *lift_ids;
    int n_lift;
};

struct sql_stmt_list {
    struct sql_stmt *v;
    int n;
};

struct sql_error {
    char sqlstate[6];
    char message[512];
    char hint[256];
    int position; /* 1-based character position in the text, 0 when none (as ErrorResponse P) */
};

/*
 * Translate every statement of text (a simple Query may hold several). On failure returns
 * false with err filled and out empty: 42601 for syntax errors (with position), 0A000 for
 * what SQLite cannot do faithfully, naming the construct.
 */
bool sql_translate(const char *text, struct sql_stmt_list *out, struct sql_error *err);
struct sql_lift;
/* The same, with the integer literals of lift emitted as parameters where that is the same
 * (sql/lift.h): statement i binds ?k+1 to literal k for each k in v[i].lift_ids. */
bool sql_translate_lifted(const char *text, const struct sql_lift *lift, struct sql_stmt_list *out,
                          struct sql_error *err);
void sql_stmt_list_free(struct sql_stmt_list *list);
void sql_ddl_free(struct sql_ddl *ddl);

#endif
