/*
 * Migrations (DESIGN.md section 6): a folder of SQL files applied to one database in version
 * order, exactly once, each in its own transaction, recorded with its SHA-256 checksum in the
 * history table myrmex_schema_history (Flyway's columns). The engine runs on a thread that may
 * block (a job's executor, a console session, the command line); it talks to PostgreSQL on a
 * dedicated libpq connection and to SQLite through an embedded SQLite session, so
 * PostgreSQL-dialect files are translated exactly as clients' SQL is.
 */
#ifndef MYRMEX_MIGRATE_MIGRATE_H
#define MYRMEX_MIGRATE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIG_HISTORY_TABLE "myrmex_schema_history"

enum mig_kind { MIG_VERSIONED, MIG_REPEATABLE };
enum mig_dialect { MIG_DIALECT_POSTGRES, MIG_DIALECT_SQLITE };

/* One statement of a script: its text (no trailing ';') and the file line it starts on. */
struct mig_stmt {
    char *sql;
    int line;
};

/* One migration file, as it applies to one dialect. */
struct mig_file {
    enum mig_kind kind;
    char *version;       /* normalized: '_' read as '.', e.g. "1.2"; NULL when repeatable */
    char *description;   /* '_' read as ' ' */
    char *script;        /* file name within the folder, e.g. "V2__add_agents.sql" */
    char *path;          /* the file's path */
    char checksum[65];   /* SHA-256, hex, of the up section (CRLF read as LF) */
    bool no_transaction; /* first line "-- myrmex:no-transaction" */
    bool native;         /* a .sqlite.sql file: SQLite's own SQL, not translated */
    struct mig_stmt *up;
    size_t n_up;
    struct mig_stmt *down; /* the "-- migrate:down" section */
    size_t n_down;
    bool has_down;
};

/* Versioned files in version order, then repeatable ones by description. */
struct mig_set {
    struct mig_file *files;
    size_t n;
};

/*
 * Read the folder dir for dialect: V<version>__<description>.sql, R__<description>.sql, and
 * the .sqlite.sql / .postgres.sql overrides (the one for dialect replaces the plain file of
 * the same version or description; the other dialect's are ignored). Other names ending in
 * .sql, duplicate versions and scripts that do not parse are errors, "path:line: message" in
 * err. A folder that does not exist is an empty set.
 */
bool mig_scan(const char *dir, enum mig_dialect dialect, struct mig_set *out, char *err,
              size_t errlen);
void mig_set_free(struct mig_set *set);

/* Compare normalized versions part by part, numerically ("1.10" > "1.9"). */
int mig_version_cmp(const char *a, const char *b);
/* Normalize a version as written ("2_1" -> "2.1", leading zeros of parts dropped); false
 * when it is not digits separated by '.' or '_'. */
bool mig_version_normalize(const char *in, char *out, size_t outlen);

/*
 * Split a script into statements. native: SQLite SQL (split where sqlite3_complete() says a
 * statement ends), otherwise PostgreSQL's parser splits and checks it. first_line is the file
 * line the text starts on. false with "line N: message" in err.
 */
bool mig_split(const char *text, bool native, int first_line, struct mig_stmt **out, size_t *n,
               char *err, size_t errlen);
void mig_stmts_free(struct mig_stmt *stmts, size_t n);

enum mig_backend { MIG_BACKEND_POSTGRES, MIG_BACKEND_SQLITE };

/* Where a run goes: copied from the configuration when it starts (reloads do not touch it). */
struct mig_target {
    char *database; /* the name clients use */
    enum mig_backend backend;
    char *host, *dbname, *user, *password; /* PostgreSQL */
    int port;
    char *sqlite_path; /* SQLite */
    char *dir;         /* its migrations folder */
};
void mig_target_free(struct mig_target *t);

struct config;
struct db_config;
/*
 * The target of database db of cfg (a copy). Its folder: migrations_dir/<name> when that is a
 * folder, else migrations_dir itself when db is the only database, else none (an empty set).
 * false when migrations are off (migrations_dir empty) or db is the console.
 */
bool mig_target_init(struct mig_target *t, const struct config *cfg, const struct db_config *db);
/* Whether t's folder exists: runs over every database skip those without one (they would only
 * get an empty history table). */
bool mig_target_has_dir(const struct mig_target *t);

enum mig_action { MIG_STATUS, MIG_UP, MIG_DOWN, MIG_VALIDATE, MIG_REPAIR, MIG_BASELINE };

struct mig_options {
    enum mig_action action;
    const char *to_version; /* MIG_UP: apply up to and including it; NULL: all pending */
    bool dry_run;           /* MIG_UP / MIG_DOWN: say what would run, change nothing */
    int down_count;         /* MIG_DOWN: how many applied versions to revert (>= 1) */
    const char *version;    /* MIG_REPAIR, MIG_BASELINE */
    int64_t lock_wait_ms;   /* wait for another runner's lock at most this long */
    int64_t pause_max_ms;   /* hold the database's new transactions at most this long */
    const char *runner;     /* who runs it, for lock reports: e.g. "myrmex 12345 on host" */
};

/* What the engine tells the one who runs it. Every callback may be NULL. */
struct mig_hooks {
    void *arg;
    /* percent 0..100 of the run (-1 unknown) and one line of progress. */
    void (*progress)(void *arg, int percent, const char *line);
    /* Whether to stop at the next statement boundary (CANCEL JOB). */
    bool (*cancelled)(void *arg);
    /* Around each transactional migration: hold new transactions on database and wait for
     * the ones in flight (at most max_ms); then let them go. NULL outside a proxy. */
    void (*pause)(void *arg, const char *database, int64_t max_ms);
    void (*resume)(void *arg, const char *database);
    /* The result: column names once, then rows (NULL for a NULL value). */
    void (*columns)(void *arg, int n, const char *const *names);
    void (*row)(void *arg, const char *const *values);
};

struct mig_error {
    char sqlstate[6];
    char message[1024];
};

/*
 * The lock of SQLite database file sqlite_path that migration runs (and backups) of it take:
 * an flock on "<sqlite_path>.migrate-lock", whose text names holder_name. Waits up to wait_ms
 * (telling h->progress once, stopping when h->cancelled), then fails with 55P03 naming the
 * holder. Returns the lock's descriptor (close it to release), or -1 with sqlstate and err.
 */
int mig_sqlite_lock(const char *sqlite_path, const char *database, const char *holder_name,
                    int64_t wait_ms, const struct mig_hooks *h, char *sqlstate, char *err,
                    size_t errlen);

/* Run one action on one database. false with err set when it failed (the result rows say
 * what was done before). */
bool mig_run(const struct mig_target *t, const struct mig_options *o, const struct mig_hooks *h,
             struct mig_error *err);

#endif
