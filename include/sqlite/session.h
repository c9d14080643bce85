/*
 * One SQLite backend session (private to src/sqlite/): the state a PostgreSQL backend keeps
 * for one connection, on one sqlite3 handle, driven by one executor thread.
 */
#ifndef MYRMEX_SQLITE_SESSION_H
#define MYRMEX_SQLITE_SESSION_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "sql/functions.h"
#include "sql/lift.h"
#include "sql/translate.h"
#include "sql/types.h"
#include "pool/stats.h"
#include "sqlite/sqlite_server.h"
#include "util/list.h"
#include "wire/proto.h"

#define SQ_MAX_MESSAGE (1u << 30) /* PostgreSQL's own limit on a message */
#define SQ_FLUSH_AT    65536      /* flush output once this much is buffered */
#define SQ_CACHE_SIZE  256        /* translated query texts kept per session */
#define SQ_MAX_GUCS    128

struct sq_guc {
    char *name;  /* lowercased */
    char *value; /* current */
    char *saved; /* value before a SET LOCAL in the open transaction, or NULL */
    bool local_set;
};

/* A table's column names in attnum order, for RowDescription (sqlite_catalog.c). */
struct sq_cat_origin {
    char *table;
    char *columns; /* NUL-separated */
    int n_columns;
};
#define SQ_CAT_ORIGINS 32

struct sq_cached {
    char *text;
    struct sql_stmt_list list;
    uint64_t last_used;
    uint64_t hash; /* of the text, or of the shape */
    char *shape;   /* a lifted translation (sql/lift.h): the shape it serves, else NULL */
    struct sql_lift_token *toks; /* the text's literals */
    bool *lifted;                /* which of them the translation takes as parameters */
    int n_toks;
};

struct sq_prepared {
    struct list node;
    char *name; /* "" for the unnamed statement */
    char *text;
    struct sql_stmt_list list; /* 0 or 1 statement */
    uint32_t *param_types;     /* n_param_types from Parse, then the translator's */
    int n_param_types;
    int refs;     /* portals using it */
    bool dropped; /* closed while portals use it: freed with the last one */
    /* Its result columns (names and declared types) when first bound: like PostgreSQL's
     * cached plan, a statement whose result changes after DDL fails until prepared again. */
    uint64_t result_sig;
    bool has_result_sig;
};

struct sq_portal {
    struct list node;
    char *name;
    struct sq_prepared *ps;
    sqlite3_stmt *st; /* for SQL_EXEC */
    int16_t *formats; /* result formats, one per column (expanded) */
    int n_formats;
    uint32_t *col_types; /* decided at Describe or first Execute */
    int32_t *col_mods;
    int n_cols;
    bool started, done, described;
    bool describe_pending; /* a Describe answered by the Execute that follows (sq_describe) */
    int64_t rows;
};

struct sq_session {
    struct list node;       /* registry */
    int fd;                 /* what messages are read from and written to: pair_fd or the lease's */
    int pair_fd;            /* the socketpair to the proxy */
    uint64_t token;         /* what the proxy's lease messages carry */
    struct sq_lease *lease; /* the client's socket, lent by the proxy (sqlite_server.h) */
    bool ready;             /* the last output flushed ended with ReadyForQuery */
    bool lost;              /* a write to the client failed: what it ran is not committed */
    bool fatal;             /* a FATAL error was sent: the lease ends with the client */
    bool native_ok;         /* opened by the migration engine: SQ_NATIVE_MSG runs SQLite SQL */
    struct stats_clock stats; /* SHOW STATS during a lease */
    size_t mon_scanned;       /* output the monitor has looked at (sq_mon_scan) */
    uint32_t pid, key;
    sqlite3 *db;
    char *path;
    char open_error[256];
    int busy_timeout_ms;
    char synchronous[16];

    uint8_t *in;
    size_t in_len, in_cap, in_pos;
    struct proto_builder out;

    char tx;    /* 'I', 'T', 'E' as ReadyForQuery reports it */
    bool begun; /* the SQLite transaction of an explicit block is open */
    bool skip_to_sync;
    bool implicit; /* tx 'T'/'E' is the implicit transaction of extended messages up to Sync */
    bool report_pending;
    bool in_execute; /* an extended-protocol Execute: no RowDescription (SHOW) */
    unsigned errors; /* ERRORs sent so far: a statement failed when this moved */

    struct sq_guc gucs[SQ_MAX_GUCS];
    int n_gucs;
    struct pg_format_settings fs;
    struct sql_fn_context fn;

    struct sq_cached cache[SQ_CACHE_SIZE];
    uint64_t cache_clock;
    struct sql_lift lift;               /* the literals of the simple query being run */
    const struct sql_lift *lift_values; /* what sq_prepare binds lifted literals to, or NULL */

    struct list prepared;
    struct list portals;

    /* Catalog emulation (sqlite_catalog.c): origin cache valid for one schema_version. */
    sqlite3_stmt *cat_version_st;
    int64_t cat_origin_version;
    struct sq_cat_origin cat_origins[SQ_CAT_ORIGINS];
    int n_cat_origins;
    struct sq_seq_state *seq;     /* sequences: prepared statements, currval (sqlite_seq.c) */
    int64_t statement_timeout_ms; /* statement_timeout, parsed */
    int64_t deadline_us;          /* the running statement's statement_timeout, 0: none */
    bool timed_out;               /* the interrupt came from statement_timeout */
    int64_t busy_since_us;        /* when the current wait for the write lock began */
    struct sq_file *file;         /* what the sessions of one database file share */
    struct list wait_node;        /* in file->waiters while waiting for the write lock */
    bool waiting;                 /* wait_node is queued (under file->mu) */
    pthread_cond_t wait_cv;       /* signalled when this session's turn comes */
    bool cancel_pending;          /* a CancelRequest arrived (under sq_lock): ends a lock wait */
};

/* sqlite_exec.c */
void sq_cached_clear(struct sq_cached *c);
void sq_guc_init(struct sq_session *s, const char *const *names, const char *const *values, int n);
void sq_guc_fini(struct sq_session *s);
const char *sq_guc_get(struct sq_session *s, const char *name);
/* set_config(): sql_fn_context.set_setting, with arg the session. */
const char *sq_set_config(void *arg, const char *name, const char *value, bool is_local);
void sq_send_startup_status(struct sq_session *s);
void sq_query(struct sq_session *s, const char *text);
void sq_parse(struct sq_session *s, const uint8_t *body, size_t len);
void sq_bind(struct sq_session *s, const uint8_t *body, size_t len);
void sq_describe(struct sq_session *s, const uint8_t *body, size_t len);
void sq_execute(struct sq_session *s, const uint8_t *body, size_t len);
void sq_close(struct sq_session *s, const uint8_t *body, size_t len);
void sq_sync(struct sq_session *s);
void sq_discard_all(struct sq_session *s);
void sq_free_statements(struct sq_session *s);
/* DEALLOCATE name (NULL: every named statement); false after a 26000 error. */
bool sq_deallocate(struct sq_session *s, const char *name);
/* An ErrorResponse/NoticeResponse (severity ERROR, FATAL, WARNING, NOTICE, ...). */
void sq_report(struct sq_session *s, const char *severity, const char *sqlstate, int position,
               const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* An ERROR: in a transaction block it fails the block; in the extended protocol it skips to Sync.
 */
void sq_error(struct sq_session *s, const char *sqlstate, int position, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sq_error_sqlite(struct sq_session *s, int rc);
/* An ERROR from a "[SQLSTATE] message" text (types, functions), else with fallback_state. */
void sq_error_text(struct sq_session *s, const char *err, const char *fallback_state);

/* sqlite_catalog.c */
/* Register the catalog functions (format_type, pg_get_indexdef, ...) on s->db. */
bool sq_catalog_register(struct sq_session *s);
/* Before a statement that reads pg_catalog / information_schema: (re)fill the TEMP catalog
 * tables when the schema changed. false after sending an error. */
bool sq_catalog_prepare(struct sq_session *s);
/* Table OID and attnum of each result column of st that comes straight from a table (0, 0
 * otherwise). */
void sq_catalog_origins(struct sq_session *s, sqlite3_stmt *st, int n, uint32_t *relids,
                        int16_t *attnums);
/* Forget the origin cache (sq_catalog_fini) or everything before the handle closes. */
void sq_catalog_fini(struct sq_session *s);
void sq_catalog_close(struct sq_session *s);
/* Inside a transaction block, open SQLite's transaction (BEGIN IMMEDIATE when writes). */
bool sq_ensure_begun(struct sq_session *s, bool writes);
/* statement_timeout around one statement: arm before it runs, disarm after (sqlite_server.c);
 * sq_parse_ms reads a time setting ("200ms", "5s", "1min", a number of ms); 0 when off. */
int64_t sq_parse_ms(const char *v);
void sq_timeout_arm(struct sq_session *s);
void sq_timeout_disarm(struct sq_session *s);

/*
 * PostgreSQL's sequences are not transactional: a value nextval handed out is never handed out
 * again, even when its transaction rolls back. The last value handed out per sequence is kept
 * for every session of the file (sqlite_server.c) and wins over the table's row; any other
 * change to _myrmex_sequence (setval, ALTER, DROP, RESTART) forgets them all.
 */
bool sq_file_seq_last(struct sq_session *s, const char *name, int64_t *last);
void sq_file_seq_set_last(struct sq_session *s, const char *name, int64_t last);
void sq_file_seq_forget(struct sq_session *s);

/* sqlite_ddl.c: the DDL kinds the backend carries out itself (SQL_DDL .. SQL_SEQUENCE). */
bool sq_ddl(struct sq_session *s, const struct sql_stmt *stmt);
/* Run one SQLite statement text; false after sending the error. */
bool sq_ddl_exec(struct sq_session *s, const char *sql);

/* sqlite_seq.c: sequences and their functions (nextval, currval, setval, lastval,
 * pg_get_serial_sequence) on this session's handle. */
bool sq_seq_register(struct sq_session *s);
void sq_seq_fini(struct sq_session *s);
bool sq_seq_statement(struct sq_session *s, const struct sql_stmt *stmt);
bool sq_seq_create(struct sq_session *s, const struct sql_seq *q, bool if_not_exists);
/* Bookkeeping of owned sequences when their table is dropped, truncated or renamed. */
bool sq_seq_drop_owned(struct sq_session *s, const char *table);
bool sq_seq_restart_owned(struct sq_session *s, const char *table);
bool sq_seq_rename_owner(struct sq_session *s, const char *table, const char *column,
                         const char *new_name);
/* Does a table, view, index or sequence of this name exist? */
bool sq_relation_exists(struct sq_session *s, const char *name);

/* sqlite_exec.c: the statement machinery that sqlite_extended.c shares with the simple protocol. */
int64_t sq_now_us(void);
const char *sq_guc_reported(const char *name); /* the ParameterStatus name, or NULL */
void sq_reset(struct sq_session *s, const char *name);
void sq_report_settings(struct sq_session *s); /* ParameterStatus for what changed */
bool sq_is_tx_control(enum sql_kind k);
void sq_end_block(struct sq_session *s, bool commit);
bool sq_tx_failed(struct sq_session *s, const struct sql_stmt *st); /* 25P02 sent when true */
bool sq_prepare(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt **out);

/* sqlite_check.c */
/* An INSERT without a column list that SQLite refused: 1 with *text the statement naming the
 * table's first columns (sqlite3_free it), 0 when that is not the cause, -1 after sending
 * PostgreSQL's error for too many values. */
int sq_insert_fill(struct sq_session *s, const struct sql_stmt *stmt, char **text);
/* PostgreSQL's ungrouped-column check (42803) of a prepared statement; false after sending it. */
bool sq_check_grouping(struct sq_session *s, const struct sql_stmt *stmt);
bool sq_utility(struct sq_session *s, const struct sql_stmt *stmt);
/* An autocommit statement that writes through a read-only-looking SELECT takes the write lock
 * first (*own); the end commits or rolls it back. */
bool sq_autocommit_write_begin(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st,
                               bool *own);
bool sq_autocommit_write_end(struct sq_session *s, bool own, bool ok);
/* The type of a parameter that follows a table column (sql_param_origin), 0 when unknown. */
uint32_t sq_param_type(sqlite3 *db, const struct sql_param_origin *o);
void sq_column_types(const struct sql_stmt *stmt, sqlite3_stmt *st, bool have_row, uint32_t *types,
                     int32_t *mods, int n);
void sq_row_description(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st,
                        const uint32_t *types, const int32_t *mods, int n, const int16_t *formats);
/* Step st and send its rows (at most max_rows when > 0): 1 done, 0 suspended, -1 error sent. */
/* sq_run's describe: RowDescription with the first row (or at the end); also before an error. */
#define SQ_DESCRIBE_ROWS   1
#define SQ_DESCRIBE_ALWAYS 2
int sq_run(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st, int describe,
           const int16_t *formats, uint32_t *types, int32_t *mods, bool *typed, int64_t *rows,
           int64_t max_rows);
void sq_tag_with_count(struct sq_session *s, const struct sql_stmt *stmt, int64_t rows);

/* sqlite_native.c: SQ_NATIVE_MSG, SQLite's own SQL for the migration engine (sqlite_server.h):
 * every statement of text, in the open transaction block if there is one, then ReadyForQuery. */
void sq_native(struct sq_session *s, const char *text);

/* sqlite_copy.c */
void sq_copy_from(struct sq_session *s, const struct sql_stmt *stmt);
void sq_copy_to(struct sq_session *s, const struct sql_stmt *stmt);

/* sqlite_server.c: protocol I/O for the other files. */
bool sq_flush(struct sq_session *s);
/* A leased client's replies written since the last call, to the performance monitor. */
void sq_mon_scan(struct sq_session *s);
/* Read one whole message: *type, *body, *len (body valid until the next read). */
bool sq_read_message(struct sq_session *s, uint8_t *type, const uint8_t **body, uint32_t *len);

#endif
