/*
 * The query history: per-minute aggregates of the monitor in the proxy's own SQLite state
 * database, so trends survive a restart. This file owns that database's one connection, its
 * schema and its retention; what goes into a minute is the monitor thread's business
 * (monitor.c), and what is shown of it the console's and the dashboard's.
 *
 * One sqlite3 connection behind history_lock: the monitor thread writes one transaction a
 * minute, the console and the HTTP thread read. Every call takes the lock for its whole use of
 * the connection, so the prepared statements are never shared by two threads at once.
 *
 * The file is state_dir/myrmex-state.db (the directory created mode 0700, the file 0600; SQLite
 * gives its -wal and -shm files the mode of the database file), or an in-memory database when
 * state_dir is empty. WAL with synchronous = NORMAL: a power loss may lose the last minute or
 * so of history, never corrupt the file, and this data is not worth an fsync per minute on the
 * proxy's disk.
 *
 * Schema versions are PRAGMA user_version: history_migrations[i] takes the file from version i
 * to i + 1, each step in the same transaction as its new user_version. A later release appends
 * steps; a file written by a newer release (a version above what this one knows) is refused
 * rather than guessed at.
 *
 * Retention: after each minute's rows, rows older than keep_days days before now are deleted.
 * keep_days below 1 is taken as 1: "0 days" cannot mean "keep nothing" (each minute would be
 * deleted as it is written); an in-memory history (empty state_dir) is how to keep nothing on
 * disk.
 *
 * A corrupt or unwritable file fails history_open with a message naming the path; the caller
 * runs without history. The file is not checked page by page at open (quick_check reads all of
 * it): a corruption found later fails the append or the query, which log it and return an
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monitor/history.h"
#include "util/log.h"
#include "util/util.h"

#define HISTORY_FILE         "myrmex-state.db"
#define HISTORY_BUSY_MS      2000 /* another process holding the file (a second proxy) */
#define HISTORY_SECONDS_DAY  86400
#define HISTORY_MAX_KEEP_DAY 36500 /* keeps now - days * 86400 far from overflow */

/*
 * Version 1. The key is (fp, minute, db, user): every read gives fp and a first minute (the
 * history of one fingerprint, or fp 0: the database totals, optionally of one database), so
 * the key serves it as one range scan already in the order of the result (minute, db, user);
 * a database filter is checked within that range, which holds few rows per minute for fp 0.
 * query_history_minute serves the retention delete. fp and the counters are the uint64
 * values' bits as SQLite's int64.
 */
static const char *const history_migrations[] = {
    "CREATE TABLE query_history ("
    " minute INTEGER NOT NULL,"
    " db TEXT NOT NULL,"
    " user TEXT NOT NULL,"
    " fp INTEGER NOT NULL,"
    " calls INTEGER NOT NULL,"
    " errors INTEGER NOT NULL,"
    " \"rows\" INTEGER NOT NULL,"
    " total_ms REAL NOT NULL,"
    " wait_ms REAL NOT NULL,"
    " max_ms REAL NOT NULL,"
    " p50_ms REAL NOT NULL,"
    " p95_ms REAL NOT NULL,"
    " p99_ms REAL NOT NULL,"
    " PRIMARY KEY (fp, minute, db, user)"
    ") WITHOUT ROWID;"
    "CREATE INDEX query_history_minute ON query_history (minute);",
};
#define HISTORY_VERSION ((int)(sizeof(history_migrations) / sizeof(history_migrations[0])))

static pthread_mutex_t history_lock = PTHREAD_MUTEX_INITIALIZER;
/* Under history_lock. */
static sqlite3 *history_db;
static sqlite3_stmt *history_insert, *history_trim, *history_select;
static int history_keep_days = 1;
static char history_path[PATH_MAX];

static int history_clamp_days(int keep_days)
{
    if (keep_days < 1)
        return 1;
    if (keep_days > HISTORY_MAX_KEEP_DAY)
        return HISTORY_MAX_KEEP_DAY;
    return keep_days;
}

/* mkdir -p with mode 0700 for what is created; an existing directory is left as it is. */
static bool history_mkdir(const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    struct stat st;
    size_t len = strlen(dir);

    if (len >= sizeof(path)) {
        err_set(err, errlen, "state_dir \"%s\": path too long", dir);
        return false;
    }
    memcpy(path, dir, len + 1);
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0';
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            err_set(err, errlen, "state_dir \"%s\": could not create \"%s\": %s", dir, path,
                    strerror(errno));
            return false;
        }
        path[i] = saved;
    }
    if (stat(dir, &st) != 0) {
        err_set(err, errlen, "state_dir \"%s\": %s", dir, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        err_set(err, errlen, "state_dir \"%s\" is not a directory", dir);
        return false;
    }
    return true;
}

/*
 * Create the database file 0600 before SQLite opens it (SQLite would create it 0644 less the
 * umask), and tighten an existing one that others could read. Fails on what SQLite would only
 * report later or vaguely: a directory in its place, no permission to write it.
 */
static bool history_create_file(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0) {
        err_set(err, errlen, "state database \"%s\": %s", path, strerror(errno));
        return false;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        err_set(err, errlen, "state database \"%s\" is not a regular file", path);
        return false;
    }
    if ((st.st_mode & 077) != 0 && fchmod(fd, 0600) != 0)
        log_warning("state database \"%s\": could not make it private (mode 0600): %s", path,
                    strerror(errno));
    close(fd);
    return true;
}

static bool history_exec(const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(history_db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return true;
    err_set(err, errlen, "state database \"%s\": %s", history_path,
            msg ? msg : sqlite3_errmsg(history_db));
    sqlite3_free(msg);
    return false;
}

static bool history_int_pragma(const char *sql, int *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(history_db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK)
        err_set(err, errlen, "state database \"%s\": %s", history_path, sqlite3_errmsg(history_db));
    sqlite3_finalize(st);
    return rc == SQLITE_OK;
}

/* Bring the schema to HISTORY_VERSION, one step per transaction. */
static bool history_migrate(char *err, size_t errlen)
{
    int version;

    for (;;) {
        if (!history_exec("BEGIN IMMEDIATE", err, errlen))
            return false;
        /* Read inside the write transaction: another process may have migrated meanwhile. */
        if (!history_int_pragma("PRAGMA user_version", &version, err, errlen))
            goto fail;
        if (version == HISTORY_VERSION)
            return history_exec("COMMIT", err, errlen);
        if (version < 0 || version > HISTORY_VERSION) {
            err_set(err, errlen,
                    "state database \"%s\" has schema version %d, which this release does "
                    "not know (it knows up to %d): written by a newer release?",
                    history_path, version, HISTORY_VERSION);
            goto fail;
        }
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
        if (!history_exec(history_migrations[version], err, errlen) ||
            !history_exec(sql, err, errlen) || !history_exec("COMMIT", err, errlen))
            goto fail;
        if (version > 0)
            log_info("state database \"%s\": schema migrated to version %d", history_path,
                     version + 1);
    }
fail:
    sqlite3_exec(history_db, "ROLLBACK", NULL, NULL, NULL);
    return false;
}

static bool history_prepare(sqlite3_stmt **st, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_prepare_v3(history_db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK)
        return true;
    err_set(err, errlen, "state database \"%s\": %s", history_path, sqlite3_errmsg(history_db));
    return false;
}

/* Under history_lock. */
static void history_close_locked(void)
{
    sqlite3_finalize(history_insert);
    sqlite3_finalize(history_trim);
    sqlite3_finalize(history_select);
    history_insert = history_trim = history_select = NULL;
    if (history_db)
        sqlite3_close_v2(history_db);
    history_db = NULL;
}

bool history_open(const char *state_dir, int keep_days, char *err, size_t errlen)
{
    bool memory = !state_dir || state_dir[0] == '\0';
    bool ok = false;
    int rc;

    pthread_mutex_lock(&history_lock);
    history_close_locked();
    history_keep_days = history_clamp_days(keep_days);
    if (memory) {
        snprintf(history_path, sizeof(history_path), ":memory:");
    } else {
        if (!history_mkdir(state_dir, err, errlen))
            goto out;
        int n = snprintf(history_path, sizeof(history_path), "%s%s%s", state_dir,
                         state_dir[strlen(state_dir) - 1] == '/' ? "" : "/", HISTORY_FILE);
        if (n < 0 || (size_t)n >= sizeof(history_path)) {
            err_set(err, errlen, "state_dir \"%s\": path too long", state_dir);
            goto out;
        }
        if (!history_create_file(history_path, err, errlen))
            goto out;
    }
    rc = sqlite3_open_v2(history_path, &history_db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, errlen, "state database \"%s\": %s", history_path,
                history_db ? sqlite3_errmsg(history_db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_busy_timeout(history_db, HISTORY_BUSY_MS);
    /* The first statements read the file's header: a file that is not a database fails
     * here ("file is not a database"). Non-critical data: see the top of the file. */
    if (!history_exec("PRAGMA journal_mode = WAL", err, errlen) ||
        !history_exec("PRAGMA synchronous = NORMAL", err, errlen) || !history_migrate(err, errlen))
        goto out;
    if (!history_prepare(&history_insert,
                         "INSERT OR REPLACE INTO query_history (minute, db, user, fp, calls, "
                         "errors, \"rows\", total_ms, wait_ms, max_ms, p50_ms, p95_ms, p99_ms) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                         err, errlen) ||
        !history_prepare(&history_trim, "DELETE FROM query_history WHERE minute < ?1", err,
                         errlen) ||
        !history_prepare(&history_select,
                         "SELECT minute, db, user, fp, calls, errors, \"rows\", total_ms, wait_ms, "
                         "max_ms, p50_ms, p95_ms, p99_ms FROM query_history "
                         "WHERE fp = ?1 AND minute >= ?2 AND (?3 IS NULL OR db = ?3) "
                         "ORDER BY minute, db, user",
                         err, errlen))
        goto out;
    ok = true;
out:
    if (!ok)
        history_close_locked();
    pthread_mutex_unlock(&history_lock);
    return ok;
}

void history_set_keep_days(int keep_days)
{
    pthread_mutex_lock(&history_lock);
    history_keep_days = history_clamp_days(keep_days);
    pthread_mutex_unlock(&history_lock);
}

void history_close(void)
{
    pthread_mutex_lock(&history_lock);
    history_close_locked();
    pthread_mutex_unlock(&history_lock);
}

/* A uint64 kept as the int64 with the same bits (and back). */
static sqlite3_int64 history_bits(uint64_t v)
{
    sqlite3_int64 out;
    memcpy(&out, &v, sizeof(out));
    return out;
}

static uint64_t history_unbits(sqlite3_int64 v)
{
    uint64_t out;
    memcpy(&out, &v, sizeof(out));
    return out;
}

static bool history_insert_row(const struct mon_minute *r)
{
    sqlite3_stmt *st = history_insert;

    sqlite3_bind_int64(st, 1, r->minute);
    sqlite3_bind_text(st, 2, r->db, (int)strnlen(r->db, sizeof(r->db)), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->user, (int)strnlen(r->user, sizeof(r->user)), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, history_bits(r->fp));
    sqlite3_bind_int64(st, 5, history_bits(r->calls));
    sqlite3_bind_int64(st, 6, history_bits(r->errors));
    sqlite3_bind_int64(st, 7, history_bits(r->rows));
    sqlite3_bind_double(st, 8, r->total_ms);
    sqlite3_bind_double(st, 9, r->wait_ms);
    sqlite3_bind_double(st, 10, r->max_ms);
    sqlite3_bind_double(st, 11, r->p50_ms);
    sqlite3_bind_double(st, 12, r->p95_ms);
    sqlite3_bind_double(st, 13, r->p99_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE;
}

bool history_append(const struct mon_minute *rows, int n)
{
    bool ok = false;

    pthread_mutex_lock(&history_lock);
    if (!history_db)
        goto out;
    if (sqlite3_exec(history_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    for (int i = 0; i < n; i++)
        if (!history_insert_row(&rows[i]))
            goto fail;
    sqlite3_bind_int64(history_trim, 1,
                       (sqlite3_int64)time(NULL) -
                           (sqlite3_int64)history_keep_days * HISTORY_SECONDS_DAY);
    int rc = sqlite3_step(history_trim);
    sqlite3_reset(history_trim);
    if (rc != SQLITE_DONE || sqlite3_exec(history_db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    ok = true;
    goto out;
fail:
    log_warning("state database \"%s\": could not store a minute of query history: %s",
                history_path, sqlite3_errmsg(history_db));
    if (!sqlite3_get_autocommit(history_db))
        sqlite3_exec(history_db, "ROLLBACK", NULL, NULL, NULL);
out:
    pthread_mutex_unlock(&history_lock);
    return ok;
}

static void history_column_text(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

/* The caller owns *out (free it), also when 0 rows come back. */
int history_query(uint64_t fp, const char *db, int64_t since, struct mon_minute **out)
{
    struct mon_minute *rows = NULL;
    int n = 0, cap = 0, rc;
    sqlite3_stmt *st;

    *out = NULL;
    pthread_mutex_lock(&history_lock);
    if (!history_db) {
        pthread_mutex_unlock(&history_lock);
        return -1;
    }
    st = history_select;
    sqlite3_bind_int64(st, 1, history_bits(fp));
    sqlite3_bind_int64(st, 2, since);
    if (db)
        sqlite3_bind_text(st, 3, db, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct mon_minute *grown;
            if (ncap < cap || (size_t)ncap > SIZE_MAX / sizeof(*rows) ||
                !(grown = realloc(rows, (size_t)ncap * sizeof(*rows)))) {
                rc = SQLITE_NOMEM;
                break;
            }
            rows = grown;
            cap = ncap;
        }
        struct mon_minute *r = &rows[n++];
        memset(r, 0, sizeof(*r));
        r->minute = sqlite3_column_int64(st, 0);
        history_column_text(st, 1, r->db, sizeof(r->db));
        history_column_text(st, 2, r->user, sizeof(r->user));
        r->fp = history_unbits(sqlite3_column_int64(st, 3));
        r->calls = history_unbits(sqlite3_column_int64(st, 4));
        r->errors = history_unbits(sqlite3_column_int64(st, 5));
        r->rows = history_unbits(sqlite3_column_int64(st, 6));
        r->total_ms = sqlite3_column_double(st, 7);
        r->wait_ms = sqlite3_column_double(st, 8);
        r->max_ms = sqlite3_column_double(st, 9);
        r->p50_ms = sqlite3_column_double(st, 10);
        r->p95_ms = sqlite3_column_double(st, 11);
        r->p99_ms = sqlite3_column_double(st, 12);
    }
    if (rc != SQLITE_DONE)
        log_warning("state database \"%s\": could not read the query history: %s", history_path,
                    rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(history_db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    pthread_mutex_unlock(&history_lock);
    if (rc != SQLITE_DONE) {
        free(rows);
        return -1;
    }
    *out = rows;
    return n;
}
