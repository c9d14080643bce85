/*
 * The migration engine (include/migrate/migrate.h): one action on one database. It reads the
 * folder, takes the runner's lock when it is going to change anything, reads the history
 * table, works out each migration's state, and then applies, reverts, validates, repairs or
 * baselines. Every versioned migration runs in a transaction of its own together with its
 * history row, so a migration and its record commit or vanish together; a failure is rolled
 * back, then recorded as a failed row (with the statement and its SQLSTATE) in a second
 * transaction, and the run stops there.
 *
 * The lock: on PostgreSQL a session-level advisory lock on the engine's own connection, which
 * no pooler can break, taken with pg_try_advisory_lock in a loop so that a waiting runner is
 * never inside a transaction (a blocking pg_advisory_lock would be, and CREATE INDEX
 * CONCURRENTLY in the holder would then wait for the waiter forever). On SQLite an flock on
 * "<file>.migrate-lock" beside the database, whose text names the holder; each migration also
 * takes SQLite's write lock for its transaction.
 */
#include "migrate/migrate.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "migrate_int.h"
#include "util/util.h"

/* pg_try_advisory_lock(int4, int4): "myrm", "migr". */
#define MIG_LOCK_KEY1    1836675693
#define MIG_LOCK_KEY2    1835624306
#define MIG_LOCK_POLL_MS 100
#define MIG_ERROR_TEXT   2000 /* characters of a failed statement kept in the history */

/* One row of the history table. */
struct mig_row {
    int rank;
    char *version, *description, *type, *script, *checksum, *installed_by, *installed_on;
    char *execution_time;
    bool success;
    char *error_sqlstate, *error;
};

/* A migration's state: a file, a history row, or both. */
struct mig_entry {
    const struct mig_file *file;
    const struct mig_row *row; /* the latest row of this version / repeatable */
    const char *state;
    char problem[512]; /* what blocks MIGRATE, or "" */
};

struct mig_run {
    const struct mig_target *t;
    const struct mig_options *o;
    const struct mig_hooks *h;
    struct mig_error *err;
    struct mig_conn *conn;
    int lock_fd; /* SQLite's lock file, or -1 */
    bool locked;
    struct mig_set files;
    struct mig_row *rows;
    size_t n_rows;
    struct mig_entry *entries;
    size_t n_entries;
    int next_rank;
    bool paused;
    int64_t paused_at;
    char hist[200]; /* the history table's name, schema-qualified on PostgreSQL */
};

static void mig_row_clear(struct mig_row *r)
{
    free(r->version);
    free(r->description);
    free(r->type);
    free(r->script);
    free(r->checksum);
    free(r->installed_by);
    free(r->installed_on);
    free(r->execution_time);
    free(r->error_sqlstate);
    free(r->error);
}

void mig_target_free(struct mig_target *t)
{
    if (!t)
        return;
    free(t->database);
    free(t->host);
    free(t->dbname);
    free(t->user);
    if (t->password) {
        volatile char *p = t->password;
        while (*p)
            *p++ = '\0';
    }
    free(t->password);
    free(t->sqlite_path);
    free(t->dir);
    memset(t, 0, sizeof(*t));
}

static void mig_fail(struct mig_run *m, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mig_utf8_trim(char *s);

static void mig_fail(struct mig_run *m, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    if (m->err->message[0])
        return; /* the first failure is the one to tell */
    snprintf(m->err->sqlstate, sizeof(m->err->sqlstate), "%s", sqlstate);
    va_start(ap, fmt);
    vsnprintf(m->err->message, sizeof(m->err->message), fmt, ap);
    va_end(ap);
    mig_utf8_trim(m->err->message);
}

static void mig_progress(struct mig_run *m, int percent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void mig_progress(struct mig_run *m, int percent, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    if (!m->h || !m->h->progress)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    m->h->progress(m->h->arg, percent, line);
}

static bool mig_cancelled(struct mig_run *m)
{
    return m->h && m->h->cancelled && m->h->cancelled(m->h->arg);
}

static void mig_columns(struct mig_run *m, int n, const char *const *names)
{
    if (m->h && m->h->columns)
        m->h->columns(m->h->arg, n, names);
}

static void mig_row_out(struct mig_run *m, const char *const *values)
{
    if (m->h && m->h->row)
        m->h->row(m->h->arg, values);
}

/* The longest prefix of s of at most max bytes that ends on a UTF-8 character boundary. */
static size_t mig_utf8_fit(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--; /* s[n] continues a character: cut before the character's first byte */
    return n;
}

/* Drop a character a truncating snprintf cut in half at the end of s. */
static void mig_utf8_trim(char *s)
{
    size_t n = strlen(s), start = n, need;
    unsigned char lead;
    while (start > 0 && n - start < 4 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
        start--;
    if (start == 0)
        return;
    lead = (unsigned char)s[start - 1];
    need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (n - (start - 1) < need)
        s[start - 1] = '\0';
}

/*
 * A string literal for SQL, or NULL: E'...' with quotes and backslashes doubled, which reads
 * the same whatever standard_conforming_strings is (a migration may change it).
 */
static char *mig_literal(const char *s)
{
    size_t n = 4;
    char *out, *p;
    if (!s)
        return xstrdup("NULL");
    for (const char *q = s; *q; q++)
        n += *q == '\'' || *q == '\\' ? 2 : 1;
    out = p = xmalloc(n);
    *p++ = 'E';
    *p++ = '\'';
    for (const char *q = s; *q; q++) {
        if (*q == '\'' || *q == '\\')
            *p++ = *q;
        *p++ = *q;
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

/* printf into a new string. */
static char *mig_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *mig_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *out;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    out = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* Run sql; false (with the run's error set from what) on an SQL error or a lost connection. */
static bool mig_sql(struct mig_run *m, const char *sql, struct mig_res *res, const char *what)
{
    struct mig_res own = {0};
    struct mig_res *r = res ? res : &own;
    bool ok = mig_exec(m->conn, sql, r);
    if (!ok)
        mig_fail(m, "08006", "%s: connection to database %s lost: %s", what, m->t->database,
                 r->message ? r->message : "");
    else if (!r->ok)
        mig_fail(m, r->sqlstate, "%s: %s", what, r->message ? r->message : "error");
    ok = ok && r->ok;
    if (!res)
        mig_res_clear(&own);
    return ok;
}

/* --- the lock ------------------------------------------------------------------------------ */

static void mig_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Who holds the PostgreSQL lock, as a phrase. */
static void mig_pg_holder(struct mig_run *m, char *out, size_t outlen)
{
    struct mig_res r = {0};
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), "
             "coalesce(host(a.client_addr), 'local socket'), "
             "to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS') "
             "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
             "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %d AND l.objid = %d "
             "AND l.objsubid = 2 AND l.database = "
             "(SELECT oid FROM pg_database WHERE datname = current_database())",
             MIG_LOCK_KEY1, MIG_LOCK_KEY2);
    if (mig_exec(m->conn, sql, &r) && r.ok && r.n_rows > 0)
        snprintf(out, outlen, "%s (server process %s from %s, connected since %s)",
                 mig_res_get(&r, 0, 1), mig_res_get(&r, 0, 0), mig_res_get(&r, 0, 2),
                 mig_res_get(&r, 0, 3));
    else
        snprintf(out, outlen, "another session (it was released while being looked up)");
    mig_res_clear(&r);
}

static bool mig_lock_pg(struct mig_run *m)
{
    int64_t deadline = now_ms() + m->o->lock_wait_ms;
    bool told = false;
    char sql[128], holder[400];
    snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%d, %d)", MIG_LOCK_KEY1, MIG_LOCK_KEY2);
    for (;;) {
        struct mig_res r = {0};
        bool got;
        if (!mig_sql(m, sql, &r, "taking the migration lock")) {
            mig_res_clear(&r);
            return false;
        }
        got = r.n_rows == 1 && mig_res_get(&r, 0, 0) && strcmp(mig_res_get(&r, 0, 0), "t") == 0;
        mig_res_clear(&r);
        if (got) {
            m->locked = true;
            return true;
        }
        if (!told || now_ms() >= deadline) {
            mig_pg_holder(m, holder, sizeof(holder));
            if (now_ms() >= deadline) {
                mig_fail(m, "55P03",
                         "database %s: another migration runner holds the lock: %s; waited %lld "
                         "ms (migrations_lock_wait)",
                         m->t->database, holder, (long long)m->o->lock_wait_ms);
                return false;
            }
            mig_progress(m, -1, "database %s: waiting for the migration lock held by %s",
                         m->t->database, holder);
            told = true;
        }
        if (mig_cancelled(m)) {
            mig_fail(m, "57014", "cancelled while waiting for the migration lock");
            return false;
        }
        mig_sleep_ms(MIG_LOCK_POLL_MS);
    }
}

static bool mig_lock_sqlite(struct mig_run *m)
{
    char sqlstate[6], msg[800];
    m->lock_fd = mig_sqlite_lock(m->t->sqlite_path, m->t->database, m->o->runner,
                                 m->o->lock_wait_ms, m->h, sqlstate, msg, sizeof(msg));
    if (m->lock_fd < 0) {
        mig_fail(m, sqlstate, "%s", msg);
        return false;
    }
    m->locked = true;
    return true;
}

static void mig_unlock(struct mig_run *m)
{
    if (m->t->backend == MIG_BACKEND_POSTGRES && m->locked && m->conn) {
        char sql[128];
        struct mig_res r = {0};
        snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%d, %d)", MIG_LOCK_KEY1,
                 MIG_LOCK_KEY2);
        mig_exec(m->conn, sql, &r); /* closing the connection releases it anyway */
        mig_res_clear(&r);
    }
    if (m->lock_fd >= 0)
        close(m->lock_fd); /* releases the flock */
    m->lock_fd = -1;
    m->locked = false;
}

/* --- the history table ---------------------------------------------------------------------- */

static const char mig_history_ddl[] = "CREATE TABLE IF NOT EXISTS %s ("
                                      "installed_rank integer NOT NULL PRIMARY KEY, "
                                      "version varchar(50), "
                                      "description varchar(200) NOT NULL, "
                                      "type varchar(20) NOT NULL, "
                                      "script varchar(1000) NOT NULL, "
                                      "checksum varchar(64), "
                                      "installed_by varchar(100) NOT NULL, "
                                      "installed_on timestamp NOT NULL DEFAULT now(), "
                                      "execution_time integer NOT NULL, "
                                      "success boolean NOT NULL, "
                                      "error_sqlstate varchar(5), "
                                      "error text)";

/* DELETE of the history row of rank into buf. */
static void mig_delete_sql(const struct mig_run *m, int rank, char *buf, size_t len)
{
    snprintf(buf, len, "DELETE FROM %s WHERE installed_rank = %d", m->hist, rank);
}

/*
 * The history table's name. On PostgreSQL it is qualified with the schema the connection
 * starts in (the first of search_path that exists), so a migration that changes search_path
 * (pg_dump's header empties it) cannot lose it.
 */
static bool mig_history_name(struct mig_run *m)
{
    struct mig_res r = {0};
    bool ok = true;
    snprintf(m->hist, sizeof(m->hist), "%s", MIG_HISTORY_TABLE);
    if (m->t->backend != MIG_BACKEND_POSTGRES)
        return true;
    if (!mig_sql(m, "SELECT quote_ident(current_schema())", &r, "reading current_schema()")) {
        ok = false;
    } else if (r.n_rows != 1 || !mig_res_get(&r, 0, 0)) {
        mig_fail(m, "3F000",
                 "database %s: no schema to keep %s in: the search_path names no existing "
                 "schema",
                 m->t->database, MIG_HISTORY_TABLE);
        ok = false;
    } else {
        snprintf(m->hist, sizeof(m->hist), "%s.%s", mig_res_get(&r, 0, 0), MIG_HISTORY_TABLE);
    }
    mig_res_clear(&r);
    return ok;
}

/* Read the history; a missing table is an empty history when may_be_missing. */
static bool mig_read_history(struct mig_run *m, bool may_be_missing)
{
    struct mig_res r = {0};
    char *sql = mig_printf("SELECT installed_rank, version, description, type, script, checksum, "
                           "installed_by, installed_on, execution_time, success, error_sqlstate, "
                           "error FROM %s ORDER BY installed_rank",
                           m->hist);
    bool ok = mig_exec(m->conn, sql, &r);
    free(sql);
    m->next_rank = 1;
    if (!ok) {
        mig_fail(m, "08006", "reading %s: connection lost: %s", MIG_HISTORY_TABLE,
                 r.message ? r.message : "");
    } else if (!r.ok) {
        if (may_be_missing && strcmp(r.sqlstate, "42P01") == 0) {
            mig_res_clear(&r);
            return true;
        }
        mig_fail(m, r.sqlstate, "reading %s: %s", MIG_HISTORY_TABLE,
                 r.message ? r.message : "error");
        ok = false;
    } else {
        m->rows = xcalloc(r.n_rows ? r.n_rows : 1, sizeof(*m->rows));
        for (size_t i = 0; i < r.n_rows; i++) {
            struct mig_row *row = &m->rows[m->n_rows++];
            const char *v;
#define MIG_CELL(c) ((v = mig_res_get(&r, i, (c))) ? xstrdup(v) : NULL)
            row->rank = atoi(mig_res_get(&r, i, 0) ? mig_res_get(&r, i, 0) : "0");
            row->version = MIG_CELL(1);
            row->description = MIG_CELL(2);
            row->type = MIG_CELL(3);
            row->script = MIG_CELL(4);
            row->checksum = MIG_CELL(5);
            row->installed_by = MIG_CELL(6);
            row->installed_on = MIG_CELL(7);
            if (row->installed_on) /* to the second */
                row->installed_on[strcspn(row->installed_on, ".")] = '\0';
            row->execution_time = MIG_CELL(8);
            v = mig_res_get(&r, i, 9);
            row->success = v && (strcmp(v, "t") == 0 || strcmp(v, "true") == 0);
            row->error_sqlstate = MIG_CELL(10);
            row->error = MIG_CELL(11);
#undef MIG_CELL
            if (row->rank >= m->next_rank)
                m->next_rank = row->rank + 1;
        }
    }
    mig_res_clear(&r);
    return ok;
}

static bool mig_row_is_baseline(const struct mig_row *row)
{
    return row->type && strcmp(row->type, "BASELINE") == 0;
}

/* --- states ---------------------------------------------------------------------------------- */

static const struct mig_file *mig_find_version(const struct mig_set *s, const char *version)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->files[i].kind == MIG_VERSIONED && strcmp(s->files[i].version, version) == 0)
            return &s->files[i];
    return NULL;
}

static const struct mig_file *mig_find_repeatable(const struct mig_set *s, const char *desc)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->files[i].kind == MIG_REPEATABLE && strcmp(s->files[i].description, desc) == 0)
            return &s->files[i];
    return NULL;
}

/* Whether the statement starts with word (a whole keyword, any case). */
static bool mig_starts_with(const char *sql, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(sql, word, n) == 0 && !isalnum((unsigned char)sql[n]) && sql[n] != '_';
}

/*
 * The first statement of a transactional file that ends or starts a transaction itself
 * (BEGIN, COMMIT, ROLLBACK but not ROLLBACK TO, ...): it would commit part of the file and
 * leave the rest to a retry. NULL when there is none.
 */
static const struct mig_stmt *mig_tx_control(const struct mig_file *f)
{
    static const char *const words[] = {"begin", "start", "commit", "end", "abort", "prepare"};
    if (f->no_transaction)
        return NULL;
    for (size_t i = 0; i < f->n_up; i++) {
        const char *sql = f->up[i].sql;
        for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
            if (!mig_starts_with(sql, words[w]))
                continue;
            /* START TRANSACTION, PREPARE TRANSACTION; a plain PREPARE (a statement) is fine. */
            if (strcmp(words[w], "start") == 0 || strcmp(words[w], "prepare") == 0) {
                const char *p = sql + strlen(words[w]);
                while (isspace((unsigned char)*p))
                    p++;
                if (!mig_starts_with(p, "transaction"))
                    continue;
            }
            return &f->up[i];
        }
        if (mig_starts_with(sql, "rollback")) {
            const char *p = sql + 8;
            while (isspace((unsigned char)*p))
                p++;
            if (!mig_starts_with(p, "to") && !mig_starts_with(p, "prepared"))
                return &f->up[i];
            if (mig_starts_with(p, "prepared"))
                return &f->up[i];
        }
    }
    return NULL;
}

static struct mig_entry *mig_add_entry(struct mig_run *m)
{
    struct mig_entry *e = &m->entries[m->n_entries++];
    memset(e, 0, sizeof(*e));
    return e;
}

/* The highest version applied with success (baseline included), or NULL. */
static const char *mig_applied_max(const struct mig_run *m)
{
    const char *max = NULL;
    for (size_t i = 0; i < m->n_rows; i++)
        if (m->rows[i].version && m->rows[i].success &&
            (!max || mig_version_cmp(m->rows[i].version, max) > 0))
            max = m->rows[i].version;
    return max;
}

static const struct mig_row *mig_baseline_row(const struct mig_run *m)
{
    for (size_t i = 0; i < m->n_rows; i++)
        if (mig_row_is_baseline(&m->rows[i]))
            return &m->rows[i];
    return NULL;
}

/*
 * Merge files and history into entries, in the order SHOW MIGRATIONS lists them: history
 * rows in installed order (the latest row per version or repeatable), then what is not
 * applied, versioned by version, then repeatable.
 */
static void mig_compute(struct mig_run *m)
{
    const char *max_file = NULL, *max_applied = mig_applied_max(m);
    const struct mig_row *baseline = mig_baseline_row(m);

    for (size_t i = 0; i < m->files.n; i++)
        if (m->files.files[i].kind == MIG_VERSIONED)
            max_file = m->files.files[i].version;
    m->entries = xcalloc(m->n_rows + m->files.n + 1, sizeof(*m->entries));
    for (size_t i = 0; i < m->n_rows; i++) {
        const struct mig_row *row = &m->rows[i];
        struct mig_entry *e;
        bool later = false;
        /* Only the latest row of a version or repeatable stands for it. */
        for (size_t j = i + 1; j < m->n_rows && !later; j++) {
            const struct mig_row *o = &m->rows[j];
            later = row->version ? o->version && strcmp(o->version, row->version) == 0
                                 : !o->version && o->description && row->description &&
                                       strcmp(o->description, row->description) == 0;
        }
        if (later)
            continue;
        e = mig_add_entry(m);
        e->row = row;
        if (mig_row_is_baseline(row)) {
            e->state = "baseline";
            continue;
        }
        e->file = row->version ? mig_find_version(&m->files, row->version)
                               : mig_find_repeatable(&m->files, row->description);
        if (!row->success) {
            e->state = "failed";
            if (e->file && e->file->no_transaction)
                snprintf(e->problem, sizeof(e->problem),
                         "%s failed outside a transaction and may be half-applied: put the "
                         "database right by hand, then MIGRATE REPAIR %s%s%s",
                         row->script, row->version ? "" : "'",
                         row->version ? row->version : row->script, row->version ? "" : "'");
        } else if (!e->file) {
            e->state = row->version && max_file && mig_version_cmp(row->version, max_file) < 0
                           ? "missing"
                           : (row->version ? "future" : "missing");
            if (row->version && strcmp(e->state, "missing") == 0)
                snprintf(e->problem, sizeof(e->problem),
                         "applied migration %s (%s) has no file in %s", row->version, row->script,
                         m->t->dir);
        } else if (row->version) {
            e->state = "success";
            if (!row->checksum || strcmp(row->checksum, e->file->checksum) != 0)
                snprintf(e->problem, sizeof(e->problem),
                         "%s was edited after it was applied: checksum %.12s applied, %.12s "
                         "now; restore the file, or accept it with MIGRATE REPAIR %s",
                         e->file->script, row->checksum ? row->checksum : "(none)",
                         e->file->checksum, row->version);
        } else {
            e->state = row->checksum && strcmp(row->checksum, e->file->checksum) == 0 ? "success"
                                                                                      : "outdated";
        }
    }
    for (size_t i = 0; i < m->files.n; i++) {
        const struct mig_file *f = &m->files.files[i];
        bool applied = false;
        struct mig_entry *e;
        for (size_t j = 0; j < m->n_entries && !applied; j++)
            applied = m->entries[j].file == f;
        if (applied)
            continue;
        e = mig_add_entry(m);
        e->file = f;
        if (f->kind == MIG_REPEATABLE) {
            e->state = "pending";
        } else if (baseline && mig_version_cmp(f->version, baseline->version) <= 0) {
            e->state = "below baseline";
        } else if (max_applied && mig_version_cmp(f->version, max_applied) < 0) {
            e->state = "out of order";
            snprintf(e->problem, sizeof(e->problem),
                     "%s has version %s, lower than the applied %s: give it a version above %s",
                     f->script, f->version, max_applied, max_applied);
        } else {
            e->state = "pending";
        }
    }
    /* What is to be applied may not take its transaction into its own hands. */
    for (size_t i = 0; i < m->n_entries; i++) {
        struct mig_entry *e = &m->entries[i];
        const struct mig_stmt *st;
        if (!e->file || e->problem[0] ||
            !(strcmp(e->state, "pending") == 0 || strcmp(e->state, "failed") == 0 ||
              strcmp(e->state, "outdated") == 0))
            continue;
        st = mig_tx_control(e->file);
        if (st)
            snprintf(e->problem, sizeof(e->problem),
                     "%s:%d: a transaction control statement in a migration that runs in a "
                     "transaction of its own: remove it, or make the file's first line "
                     "\"-- myrmex:no-transaction\"",
                     e->file->script, st->line);
    }
}

static int mig_problems(const struct mig_run *m)
{
    int n = 0;
    for (size_t i = 0; i < m->n_entries; i++)
        n += m->entries[i].problem[0] != '\0';
    return n;
}

static const struct mig_entry *mig_first_problem(const struct mig_run *m)
{
    for (size_t i = 0; i < m->n_entries; i++)
        if (m->entries[i].problem[0])
            return &m->entries[i];
    return NULL;
}

/* --- applying ---------------------------------------------------------------------------- */

static void mig_pause(struct mig_run *m)
{
    if (m->paused || !m->h || !m->h->pause)
        return;
    /* The time the hook spends waiting for transactions in flight counts: clients are held
     * from now on. */
    m->paused_at = now_ms();
    m->h->pause(m->h->arg, m->t->database, m->o->pause_max_ms);
    m->paused = true;
}

static void mig_resume(struct mig_run *m)
{
    if (!m->paused)
        return;
    m->paused = false;
    if (m->h && m->h->resume)
        m->h->resume(m->h->arg, m->t->database);
}

/* Between statements: a pause that outlived migrations_pause_max is lifted. */
static void mig_pause_check(struct mig_run *m)
{
    if (m->paused && now_ms() - m->paused_at > m->o->pause_max_ms) {
        mig_resume(m);
        mig_progress(m, -1,
                     "database %s: new transactions were held for migrations_pause_max (%lld "
                     "ms): they run again while the migration goes on",
                     m->t->database, (long long)m->o->pause_max_ms);
    }
}

static void mig_notice(void *arg, const char *message)
{
    struct mig_run *m = arg;
    mig_progress(m, -1, "NOTICE: %s", message);
}

/* The first line of a statement, shortened, for progress and errors. */
static void mig_excerpt(const char *sql, char *out, size_t outlen)
{
    size_t n = strcspn(sql, "\n");
    if (n >= outlen)
        n = mig_utf8_fit(sql, outlen - 4);
    snprintf(out, outlen, "%.*s%s", (int)n, sql, sql[n] ? "..." : "");
}

/* What the run has done so far, for percentages: n of total migrations. */
struct mig_count {
    size_t done, total;
};

static int mig_percent(const struct mig_count *c, size_t stmt, size_t n_stmts)
{
    double per = c->total ? 100.0 / (double)c->total : 100.0;
    double p = (double)c->done * per + (n_stmts ? per * (double)stmt / (double)n_stmts : 0);
    return p > 100 ? 100 : (int)p;
}

/*
 * The history row of f as SQL: success, or a failed attempt (sqlstate and error set). A
 * no-transaction file's row is written first as a failed "running" attempt and updated at the
 * end (mig_apply_notx), so an interruption leaves a failed row behind, never nothing.
 */
static char *mig_row_insert(const struct mig_run *m, const struct mig_file *f, int64_t ms,
                            bool success, const char *sqlstate, const char *error)
{
    char *l_ver = mig_literal(f->version), *l_desc = mig_literal(f->description),
         *l_script = mig_literal(f->script), *l_sum = mig_literal(f->checksum),
         *l_by = mig_literal(m->t->user ? m->t->user : "myrmex"), *l_state = mig_literal(sqlstate),
         *l_err = mig_literal(error);
    char *sql =
        mig_printf("INSERT INTO %s (installed_rank, version, description, type, script, "
                   "checksum, installed_by, execution_time, success, error_sqlstate, "
                   "error) VALUES (%d, %s, %s, '%s', %s, %s, %s, %lld, %s, %s, %s)",
                   m->hist, m->next_rank, l_ver, l_desc, f->native ? "SQLITE" : "SQL", l_script,
                   l_sum, l_by, (long long)ms, success ? "true" : "false", l_state, l_err);
    free(l_ver);
    free(l_desc);
    free(l_script);
    free(l_sum);
    free(l_by);
    free(l_state);
    free(l_err);
    return sql;
}

/* Record a failed attempt in its own transaction, after the migration's was rolled back. */
static void mig_record_failure(struct mig_run *m, const struct mig_file *f, int64_t ms,
                               const char *sqlstate, const char *error)
{
    char *sql = mig_row_insert(m, f, ms, false, sqlstate, error);
    struct mig_res r = {0};
    if (mig_exec(m->conn, sql, &r) && r.ok)
        m->next_rank++;
    else
        mig_progress(m, -1, "could not record the failure of %s in %s: %s", f->script,
                     MIG_HISTORY_TABLE, r.message ? r.message : "connection lost");
    mig_res_clear(&r);
    free(sql);
}

/* After each migration: settings it changed (search_path, role, timeouts) do not leak into
 * the next one or into the history's statements. */
static void mig_reset_session(struct mig_run *m)
{
    struct mig_res r = {0};
    mig_exec(m->conn, "RESET ALL", &r);
    mig_res_clear(&r);
}

/* Statement i of st (n of them) failed with r (or the connection was lost: !alive): set the
 * run's error and what the history records. */
static void mig_stmt_failed(struct mig_run *m, const struct mig_file *f, const struct mig_stmt *st,
                            size_t i, size_t n, bool alive, const struct mig_res *r,
                            char *failed_state, char *failed_text, size_t failed_len)
{
    const char *state = alive ? r->sqlstate : "08006";
    const char *msg = r->message ? r->message : "connection lost";
    char excerpt[120];
    mig_excerpt(st[i].sql, excerpt, sizeof(excerpt));
    snprintf(failed_state, 6, "%s", state);
    snprintf(failed_text, failed_len, "statement %zu (line %d): %s: %.*s", i + 1, st[i].line, msg,
             (int)mig_utf8_fit(st[i].sql, MIG_ERROR_TEXT), st[i].sql);
    mig_utf8_trim(failed_text);
    mig_fail(m, state, "%s:%d: statement %zu failed: ERROR %s: %s%s%s\nSTATEMENT: %s", f->path,
             st[i].line, i + 1, state, msg, r->detail ? "\nDETAIL: " : "",
             r->detail ? r->detail : "", excerpt);
    (void)n;
}

/* Run statements of f (its up or down section) on the connection, one at a time; false with
 * the error set (and *failed_state / failed_text filled for the history) on the first
 * failure. */
static bool mig_statements(struct mig_run *m, const struct mig_file *f, const struct mig_stmt *st,
                           size_t n, const struct mig_count *count, const char *verb,
                           char *failed_state, char *failed_text, size_t failed_len)
{
    for (size_t i = 0; i < n; i++) {
        struct mig_res r = {0};
        char excerpt[120];
        bool ok;
        mig_pause_check(m);
        if (mig_cancelled(m)) {
            snprintf(failed_state, 6, "57014");
            snprintf(failed_text, failed_len, "cancelled before statement %zu (line %d)", i + 1,
                     st[i].line);
            mig_fail(m, "57014", "%s: cancelled before statement %zu of %zu (line %d)", f->script,
                     i + 1, n, st[i].line);
            return false;
        }
        mig_excerpt(st[i].sql, excerpt, sizeof(excerpt));
        mig_progress(m, mig_percent(count, i, n), "%s %s: statement %zu/%zu (line %d): %s", verb,
                     f->script, i + 1, n, st[i].line, excerpt);
        ok = f->native ? mig_exec_native(m->conn, st[i].sql, &r) : mig_exec(m->conn, st[i].sql, &r);
        if (!ok || !r.ok) {
            mig_stmt_failed(m, f, st, i, n, ok, &r, failed_state, failed_text, failed_len);
            mig_res_clear(&r);
            return false;
        }
        mig_res_clear(&r);
    }
    return true;
}

/*
 * The same inside a transaction block, on SQLite: BEGIN, the replacement of a failed
 * attempt's row (retry_rank), and every statement go to the session in one write, and their
 * replies are read in order (one wake-up of the session instead of one per statement; an
 * error aborts the block, so what follows it runs to no effect). Progress comes as each
 * statement's reply arrives.
 */
static bool mig_statements_pipelined(struct mig_run *m, const struct mig_file *f, int retry_rank,
                                     const struct mig_count *count, char *failed_state,
                                     char *failed_text, size_t failed_len)
{
    size_t head = retry_rank ? 2 : 1, n = head + f->n_up;
    const char **sql = xcalloc(n, sizeof(*sql));
    bool *native = xcalloc(n, sizeof(*native));
    struct mig_res *res = xcalloc(n, sizeof(*res));
    char del[320];
    bool alive, ok = true;

    sql[0] = "BEGIN";
    if (retry_rank) {
        mig_delete_sql(m, retry_rank, del, sizeof(del));
        sql[1] = del;
    }
    for (size_t i = 0; i < f->n_up; i++) {
        sql[head + i] = f->up[i].sql;
        native[head + i] = f->native;
    }
    alive = mig_exec_pipeline(m->conn, n, sql, native, res);
    for (size_t i = 0; i < n && ok; i++) {
        if (i < head) {
            if (!res[i].ok) {
                mig_fail(m, res[i].sqlstate, "%s: %s", f->script,
                         res[i].message ? res[i].message : "error");
                snprintf(failed_state, 6, "%s", m->err->sqlstate);
                snprintf(failed_text, failed_len, "%s", m->err->message);
                ok = false;
            }
            continue;
        }
        if (!res[i].ok) {
            mig_stmt_failed(m, f, f->up, i - head, f->n_up, alive || res[i].sqlstate[0], &res[i],
                            failed_state, failed_text, failed_len);
            ok = false;
        } else {
            char excerpt[120];
            mig_excerpt(f->up[i - head].sql, excerpt, sizeof(excerpt));
            mig_progress(m, mig_percent(count, i - head + 1, f->n_up),
                         "applying %s: statement %zu/%zu (line %d): %s", f->script, i - head + 1,
                         f->n_up, f->up[i - head].line, excerpt);
        }
    }
    for (size_t i = 0; i < n; i++)
        mig_res_clear(&res[i]);
    free(res);
    free(native);
    free(sql);
    return ok;
}

/* The result row of one applied (or failed) file. */
static void mig_applied_row(struct mig_run *m, const struct mig_file *f, const char *action,
                            int64_t ms)
{
    char ms_text[32], n_text[32];
    const char *row[] = {m->t->database, f->version, f->description, f->script,
                         action,         n_text,     ms_text};
    snprintf(ms_text, sizeof(ms_text), "%lld", (long long)ms);
    snprintf(n_text, sizeof(n_text), "%zu", f->n_up);
    mig_row_out(m, row);
}

/*
 * A no-transaction file: its row goes in first as a failed "running" attempt, then the
 * statements run one by one (each commits on its own), then the row says how it ended. A
 * crash or a lost connection in between leaves the failed row: the file may be half-applied,
 * and MIGRATE refuses to go on until MIGRATE REPAIR.
 */
static bool mig_apply_notx(struct mig_run *m, const struct mig_file *f,
                           const struct mig_count *count)
{
    int64_t t0 = now_ms(), ms;
    int rank = m->next_rank;
    char failed_state[6] = "", failed_text[MIG_ERROR_TEXT + 200] = "", *sql, *l_state, *l_err;
    bool ok;

    sql = mig_row_insert(m, f, 0, false, "XX000",
                         "running: started, not finished (the process running it stopped)");
    ok = mig_sql(m, sql, NULL, "recording the migration's start");
    free(sql);
    if (!ok)
        return false;
    m->next_rank++;
    ok = mig_statements(m, f, f->up, f->n_up, count, "applying", failed_state, failed_text,
                        sizeof(failed_text));
    ms = now_ms() - t0;
    mig_reset_session(m);
    l_state = mig_literal(ok ? NULL : failed_state);
    l_err = mig_literal(ok ? NULL : failed_text);
    sql = mig_printf("UPDATE %s SET success = %s, execution_time = %lld, error_sqlstate = %s, "
                     "error = %s WHERE installed_rank = %d",
                     m->hist, ok ? "true" : "false", (long long)ms, l_state, l_err, rank);
    free(l_state);
    free(l_err);
    if (ok) {
        ok = mig_sql(m, sql, NULL, "recording the migration");
    } else {
        struct mig_res r = {0};
        mig_exec(m->conn, sql, &r); /* the "running" row stands if this fails */
        mig_res_clear(&r);
    }
    free(sql);
    mig_applied_row(m, f, ok ? "applied" : "failed (no transaction)", ms);
    if (ok)
        mig_progress(m, mig_percent(count, f->n_up, f->n_up), "applied %s in %lld ms", f->script,
                     (long long)ms);
    return ok;
}

/* Apply one file (versioned or repeatable). retry_rank: a failed row to replace, or 0. */
static bool mig_apply_one(struct mig_run *m, const struct mig_file *f, int retry_rank,
                          const struct mig_count *count)
{
    int64_t t0 = now_ms(), ms;
    char failed_state[6] = "", failed_text[MIG_ERROR_TEXT + 200] = "";
    bool ok;

    if (f->no_transaction)
        return mig_apply_notx(m, f, count);
    mig_pause(m);
    if (m->t->backend == MIG_BACKEND_SQLITE && !mig_cancelled(m)) {
        ok = mig_statements_pipelined(m, f, retry_rank, count, failed_state, failed_text,
                                      sizeof(failed_text));
    } else {
        ok = mig_sql(m, "BEGIN", NULL, f->script);
        if (ok && retry_rank) {
            char sql[320];
            mig_delete_sql(m, retry_rank, sql, sizeof(sql));
            ok = mig_sql(m, sql, NULL, "replacing the failed attempt's row");
        }
        if (ok)
            ok = mig_statements(m, f, f->up, f->n_up, count, "applying", failed_state, failed_text,
                                sizeof(failed_text));
    }
    ms = now_ms() - t0;
    if (ok) {
        /* The row, the COMMIT and a reset together (an error in the row aborts the block). */
        char *sql = mig_row_insert(m, f, ms, true, NULL, NULL);
        const char *three[] = {sql, "COMMIT", "RESET ALL"};
        struct mig_res res[3];
        bool alive = mig_exec_pipeline(m->conn, 3, three, NULL, res);
        for (int i = 0; i < 2 && ok; i++) {
            if (!res[i].ok) {
                mig_fail(m, alive ? res[i].sqlstate : "08006", "%s: %s",
                         i ? "committing" : "recording the migration",
                         res[i].message ? res[i].message : "connection lost");
                ok = false;
            }
        }
        /* An aborted block answers COMMIT with ROLLBACK. */
        if (ok && (!res[1].tag || strcmp(res[1].tag, "COMMIT") != 0)) {
            mig_fail(m, "40000", "%s: the transaction was rolled back at COMMIT (%s)", f->script,
                     res[1].tag ? res[1].tag : "no tag");
            ok = false;
        }
        for (int i = 0; i < 3; i++)
            mig_res_clear(&res[i]);
        free(sql);
        if (!ok) {
            snprintf(failed_state, sizeof(failed_state), "%s", m->err->sqlstate);
            snprintf(failed_text, sizeof(failed_text), "%s", m->err->message);
        }
    }
    if (ok) {
        m->next_rank++;
        mig_resume(m);
        mig_progress(m, mig_percent(count, f->n_up, f->n_up), "applied %s in %lld ms", f->script,
                     (long long)ms);
        mig_applied_row(m, f, "applied", ms);
        return true;
    }
    {
        struct mig_res r = {0};
        mig_exec(m->conn, "ROLLBACK", &r);
        mig_res_clear(&r);
    }
    mig_reset_session(m);
    mig_resume(m);
    if (!failed_state[0])
        snprintf(failed_state, sizeof(failed_state), "%s", m->err->sqlstate);
    if (!failed_text[0])
        snprintf(failed_text, sizeof(failed_text), "%s", m->err->message);
    if (retry_rank) {
        /* The rollback brought the earlier failed row back: replace it with this attempt's. */
        char sql[320];
        struct mig_res r = {0};
        mig_delete_sql(m, retry_rank, sql, sizeof(sql));
        mig_exec(m->conn, sql, &r);
        mig_res_clear(&r);
    }
    mig_record_failure(m, f, ms, failed_state, failed_text);
    mig_applied_row(m, f, "failed (rolled back)", ms);
    return false;
}

static const char *const mig_run_columns[] = {"database", "version",    "description",   "script",
                                              "action",   "statements", "execution_time"};

static bool mig_up(struct mig_run *m)
{
    const struct mig_file **plan = xcalloc(m->n_entries + 1, sizeof(*plan));
    int *retry = xcalloc(m->n_entries + 1, sizeof(*retry));
    size_t n = 0;
    bool versioned_left = false, ok = true;
    struct mig_count count = {0};
    const struct mig_entry *bad = mig_first_problem(m);

    mig_columns(m, 7, mig_run_columns);
    if (bad) {
        mig_fail(m, "55000", "database %s: %s (%d problem%s; MIGRATE VALIDATE lists them)",
                 m->t->database, bad->problem, mig_problems(m), mig_problems(m) == 1 ? "" : "s");
        free(plan);
        free(retry);
        return false;
    }
    /* Versioned first (a failed transactional attempt is retried in its place), in version
     * order; then repeatables that are new or changed, once no versioned one is left. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < m->files.n; i++) {
            const struct mig_file *f = &m->files.files[i];
            const struct mig_entry *e = NULL;
            if ((pass == 0) != (f->kind == MIG_VERSIONED))
                continue;
            for (size_t j = 0; j < m->n_entries && !e; j++)
                if (m->entries[j].file == f)
                    e = &m->entries[j];
            if (!e || !(strcmp(e->state, "pending") == 0 || strcmp(e->state, "failed") == 0 ||
                        strcmp(e->state, "outdated") == 0))
                continue;
            if (pass == 0 && m->o->to_version &&
                mig_version_cmp(f->version, m->o->to_version) > 0) {
                versioned_left = true;
                continue;
            }
            if (pass == 1 && versioned_left)
                continue;
            retry[n] =
                f->kind == MIG_VERSIONED && strcmp(e->state, "failed") == 0 ? e->row->rank : 0;
            plan[n++] = f;
        }
    }
    count.total = n;
    if (n == 0) {
        const char *max = mig_applied_max(m);
        const char *row[] = {m->t->database, max, NULL, NULL, "up to date", "0", "0"};
        mig_progress(m, 100, "database %s is up to date (version %s)", m->t->database,
                     max ? max : "none");
        mig_row_out(m, row);
    }
    for (size_t i = 0; i < n && ok; i++) {
        if (m->o->dry_run) {
            char n_text[32];
            const char *row[] = {m->t->database,
                                 plan[i]->version,
                                 plan[i]->description,
                                 plan[i]->script,
                                 retry[i] ? "would retry" : "would apply",
                                 n_text,
                                 NULL};
            snprintf(n_text, sizeof(n_text), "%zu", plan[i]->n_up);
            mig_progress(m, -1, "would apply %s (%zu statement%s%s)", plan[i]->script,
                         plan[i]->n_up, plan[i]->n_up == 1 ? "" : "s",
                         plan[i]->no_transaction ? ", outside a transaction" : "");
            mig_row_out(m, row);
            continue;
        }
        ok = mig_apply_one(m, plan[i], retry[i], &count);
        count.done++;
    }
    if (!ok && n > count.done)
        mig_progress(m, -1, "%zu later migration%s not attempted", n - count.done,
                     n - count.done == 1 ? "" : "s");
    free(plan);
    free(retry);
    return ok;
}

static bool mig_down(struct mig_run *m)
{
    int want = m->o->down_count > 0 ? m->o->down_count : 1, done = 0;
    struct mig_count count = {0, (size_t)want};
    bool ok = true;

    mig_columns(m, 7, mig_run_columns);
    for (size_t i = m->n_rows; i-- > 0 && done < want && ok;) {
        const struct mig_row *row = &m->rows[i];
        const struct mig_file *f;
        char failed_state[6], failed_text[MIG_ERROR_TEXT + 200], ms_text[32], n_text[32];
        int64_t t0 = now_ms();
        bool tx;
        if (!row->version || !row->success || mig_row_is_baseline(row))
            continue;
        f = mig_find_version(&m->files, row->version);
        if (!f) {
            mig_fail(m, "55000", "cannot revert %s: its file is gone from %s", row->script,
                     m->t->dir);
            return false;
        }
        if (!f->has_down || f->n_down == 0) {
            mig_fail(m, "55000", "cannot revert %s: it has no \"-- migrate:down\" section",
                     f->path);
            return false;
        }
        snprintf(n_text, sizeof(n_text), "%zu", f->n_down);
        if (m->o->dry_run) {
            const char *out[] = {
                m->t->database, f->version, f->description, f->script, "would revert",
                n_text,         NULL};
            mig_progress(m, -1, "would revert %s (%zu statement%s)", f->script, f->n_down,
                         f->n_down == 1 ? "" : "s");
            mig_row_out(m, out);
            done++;
            continue;
        }
        tx = !f->no_transaction;
        if (tx)
            mig_pause(m);
        ok = !tx || mig_sql(m, "BEGIN", NULL, f->script);
        ok = ok && mig_statements(m, f, f->down, f->n_down, &count, "reverting", failed_state,
                                  failed_text, sizeof(failed_text));
        if (ok) {
            char sql[320];
            mig_delete_sql(m, row->rank, sql, sizeof(sql));
            ok = mig_sql(m, sql, NULL, "removing the migration's row");
        }
        ok = ok && (!tx || mig_sql(m, "COMMIT", NULL, f->script));
        if (!ok && tx) {
            struct mig_res r = {0};
            mig_exec(m->conn, "ROLLBACK", &r);
            mig_res_clear(&r);
        }
        mig_reset_session(m);
        mig_resume(m);
        snprintf(ms_text, sizeof(ms_text), "%lld", (long long)(now_ms() - t0));
        {
            const char *out[] = {m->t->database,
                                 f->version,
                                 f->description,
                                 f->script,
                                 ok ? "reverted" : "revert failed",
                                 n_text,
                                 ms_text};
            mig_row_out(m, out);
        }
        if (ok)
            mig_progress(m, -1, "reverted %s in %s ms", f->script, ms_text);
        done++;
        count.done++;
    }
    if (ok && done == 0)
        mig_progress(m, 100, "database %s: no applied migration to revert", m->t->database);
    return ok;
}

static void mig_status(struct mig_run *m)
{
    static const char *const names[] = {
        "database", "installed_rank", "version",        "description", "type",         "script",
        "state",    "installed_on",   "execution_time", "checksum",    "installed_by", "problem"};
    mig_columns(m, 12, names);
    for (size_t i = 0; i < m->n_entries; i++) {
        const struct mig_entry *e = &m->entries[i];
        const struct mig_row *r = e->row;
        const struct mig_file *f = e->file;
        char rank[16], problem[600];
        const char *type = r ? r->type : f->native ? "SQLITE" : "SQL";
        snprintf(rank, sizeof(rank), "%d", r ? r->rank : 0);
        snprintf(problem, sizeof(problem), "%s", e->problem);
        if (!problem[0] && r && !r->success && r->error)
            snprintf(problem, sizeof(problem), "%s %s", r->error_sqlstate ? r->error_sqlstate : "",
                     r->error);
        {
            const char *row[] = {m->t->database,
                                 r ? rank : NULL,
                                 r ? r->version : f->version,
                                 r ? r->description : f->description,
                                 type,
                                 r ? r->script : f->script,
                                 e->state,
                                 r ? r->installed_on : NULL,
                                 r ? r->execution_time : NULL,
                                 f ? f->checksum : r->checksum,
                                 r ? r->installed_by : NULL,
                                 problem[0] ? problem : NULL};
            mig_row_out(m, row);
        }
    }
}

static bool mig_validate(struct mig_run *m)
{
    static const char *const names[] = {"database", "version", "script", "state", "problem"};
    int n = 0;
    mig_columns(m, 5, names);
    for (size_t i = 0; i < m->n_entries; i++) {
        const struct mig_entry *e = &m->entries[i];
        const char *row[5];
        if (!e->problem[0])
            continue;
        row[0] = m->t->database;
        row[1] = e->row ? e->row->version : e->file->version;
        row[2] = e->file ? e->file->script : e->row->script;
        row[3] = e->state;
        row[4] = e->problem;
        mig_row_out(m, row);
        n++;
    }
    if (n) {
        mig_fail(m, "55000", "database %s: %d migration problem%s: %s", m->t->database, n,
                 n == 1 ? "" : "s", mig_first_problem(m)->problem);
        return false;
    }
    mig_progress(m, 100, "database %s: %zu applied migration%s match their files", m->t->database,
                 m->n_rows, m->n_rows == 1 ? "" : "s");
    return true;
}

static bool mig_repair(struct mig_run *m)
{
    static const char *const names[] = {"database", "version", "script", "action"};
    char version[64], sql[512], action[300], *update = NULL;
    const struct mig_row *row = NULL;
    const struct mig_file *f;
    bool ok;

    mig_columns(m, 4, names);
    if (!m->o->version || !m->o->version[0]) {
        mig_fail(m, "22023",
                 "MIGRATE REPAIR needs a version, or the script of a repeatable migration");
        return false;
    }
    if (mig_version_normalize(m->o->version, version, sizeof(version))) {
        for (size_t i = 0; i < m->n_rows; i++)
            if (m->rows[i].version && strcmp(m->rows[i].version, version) == 0 &&
                !mig_row_is_baseline(&m->rows[i]))
                row = &m->rows[i]; /* the latest */
        f = mig_find_version(&m->files, version);
    } else {
        /* A repeatable one, by script (R__x.sql) or description. */
        snprintf(version, sizeof(version), "%s", m->o->version);
        for (size_t i = 0; i < m->n_rows; i++)
            if (!m->rows[i].version &&
                ((m->rows[i].script && strcmp(m->rows[i].script, m->o->version) == 0) ||
                 (m->rows[i].description && strcmp(m->rows[i].description, m->o->version) == 0)))
                row = &m->rows[i];
        f = row ? mig_find_repeatable(&m->files, row->description) : NULL;
    }
    if (!row) {
        mig_fail(m, "22023", "database %s: %s has no row in %s: nothing to repair", m->t->database,
                 version, MIG_HISTORY_TABLE);
        return false;
    }
    if (!row->success) {
        mig_delete_sql(m, row->rank, sql, sizeof(sql));
        snprintf(action, sizeof(action), "removed the row of the failed attempt (%s %s)",
                 row->error_sqlstate ? row->error_sqlstate : "", row->script);
    } else if (!f) {
        mig_delete_sql(m, row->rank, sql, sizeof(sql));
        snprintf(action, sizeof(action), "removed the row of %s, whose file is gone", row->script);
    } else if (!row->checksum || strcmp(row->checksum, f->checksum) != 0) {
        char *l_sum = mig_literal(f->checksum), *l_desc = mig_literal(f->description),
             *l_script = mig_literal(f->script);
        update = mig_printf("UPDATE %s SET checksum = %s, description = %s, script = %s WHERE "
                            "installed_rank = %d",
                            m->hist, l_sum, l_desc, l_script, row->rank);
        snprintf(action, sizeof(action), "checksum %.12s replaced by the file's %.12s",
                 row->checksum ? row->checksum : "(none)", f->checksum);
        free(l_sum);
        free(l_desc);
        free(l_script);
    } else {
        mig_fail(m, "22023", "database %s: version %s (%s) needs no repair", m->t->database,
                 version, row->script);
        return false;
    }
    ok = mig_sql(m, update ? update : sql, NULL, "repairing");
    free(update);
    if (!ok)
        return false;
    {
        const char *out[] = {m->t->database, version, row->script, action};
        mig_row_out(m, out);
    }
    mig_progress(m, 100, "database %s: version %s: %s", m->t->database, version, action);
    return true;
}

static bool mig_baseline(struct mig_run *m)
{
    static const char *const names[] = {"database", "version", "action"};
    char version[64], *l_ver, *l_by, *sql;
    bool ok;

    mig_columns(m, 3, names);
    if (!m->o->version || !mig_version_normalize(m->o->version, version, sizeof(version))) {
        mig_fail(m, "22023", "MIGRATE BASELINE needs a version (digits separated by '.' or '_')");
        return false;
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        if (mig_row_is_baseline(&m->rows[i])) {
            mig_fail(m, "55000", "database %s already has a baseline (version %s)", m->t->database,
                     m->rows[i].version);
            return false;
        }
        if (m->rows[i].version && m->rows[i].success) {
            mig_fail(m, "55000",
                     "database %s already has applied migrations (%s): a baseline only starts "
                     "an empty history",
                     m->t->database, m->rows[i].script);
            return false;
        }
    }
    l_ver = mig_literal(version);
    l_by = mig_literal(m->t->user ? m->t->user : "myrmex");
    sql = mig_printf("INSERT INTO %s"
                     " (installed_rank, version, description, type, script, installed_by, "
                     "execution_time, success) VALUES (%d, %s, '<< Baseline >>', 'BASELINE', "
                     "'<< Baseline >>', %s, 0, true)",
                     m->hist, m->next_rank, l_ver, l_by);
    ok = mig_sql(m, sql, NULL, "recording the baseline");
    free(sql);
    free(l_ver);
    free(l_by);
    if (ok) {
        const char *out[] = {m->t->database, version,
                             "baseline: versions up to it count as applied"};
        mig_row_out(m, out);
        mig_progress(m, 100, "database %s: baseline at version %s", m->t->database, version);
    }
    return ok;
}

bool mig_run(const struct mig_target *t, const struct mig_options *o, const struct mig_hooks *h,
             struct mig_error *err)
{
    struct mig_watch watch = {0};
    struct mig_run m = {.t = t, .o = o, .h = h, .err = err, .lock_fd = -1};
    char msg[1024];
    bool writes = !o->dry_run && (o->action == MIG_UP || o->action == MIG_DOWN ||
                                  o->action == MIG_REPAIR || o->action == MIG_BASELINE);
    bool ok = false;

    memset(err, 0, sizeof(*err));
    if (!mig_scan(t->dir,
                  t->backend == MIG_BACKEND_SQLITE ? MIG_DIALECT_SQLITE : MIG_DIALECT_POSTGRES,
                  &m.files, msg, sizeof(msg))) {
        mig_fail(&m, "F0000", "%s", msg);
        return false;
    }
    m.conn = mig_connect(t, o->runner ? o->runner : "myrmex-migrate", msg, sizeof(msg));
    if (!m.conn) {
        mig_fail(&m, "08001", "database %s: %s", t->database, msg);
        goto out;
    }
    mig_set_notice(m.conn, mig_notice, &m);
    mig_watch_start(&watch, m.conn, h);
    if (!mig_history_name(&m))
        goto out;
    if (writes) {
        if (!(t->backend == MIG_BACKEND_POSTGRES ? mig_lock_pg(&m) : mig_lock_sqlite(&m)))
            goto out;
        char *ddl = mig_printf(mig_history_ddl, m.hist);
        bool created = mig_sql(&m, ddl, NULL, "creating " MIG_HISTORY_TABLE);
        free(ddl);
        if (!created)
            goto out;
    }
    if (!mig_read_history(&m, !writes))
        goto out;
    mig_compute(&m);
    switch (o->action) {
    case MIG_STATUS:
        mig_status(&m);
        ok = true;
        break;
    case MIG_UP:
        ok = mig_up(&m);
        break;
    case MIG_DOWN:
        ok = mig_down(&m);
        break;
    case MIG_VALIDATE:
        ok = mig_validate(&m);
        break;
    case MIG_REPAIR:
        ok = mig_repair(&m);
        break;
    case MIG_BASELINE:
        ok = mig_baseline(&m);
        break;
    }
out:
    mig_watch_stop(&watch);
    mig_resume(&m);
    mig_unlock(&m);
    if (m.conn)
        mig_disconnect(m.conn);
    for (size_t i = 0; i < m.n_rows; i++)
        mig_row_clear(&m.rows[i]);
    free(m.rows);
    free(m.entries);
    mig_set_free(&m.files);
    if (!ok && !err->message[0])
        mig_fail(&m, "XX000", "migration run failed");
    return ok;
}
