/*
 * Session threads of the embedded SQLite backend: the socketpair, the registry that maps
 * BackendKeyData to a session for cancels, blocking protocol I/O, start-up and the message
 * loop. What each message does is in sqlite_exec.c and sqlite_copy.c.
 */
#include "sqlite/sqlite_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/proxy.h"
#include "pool/stats.h"
#include "sqlite/session.h"
#include "util/log.h"
#include "util/session.h"
#include "util/util.h"

/*
 * The sessions of one database file. Sessions that find the write lock taken queue up in
 * arrival order; each commit on the file (SQLite's WAL hook runs once the write lock is
 * released) hands the turn to the first of them only. Polling the lock instead (SQLite's own
 * handler) lets a waiter starve behind a stream of short transactions, and waking every waiter
 * at each commit makes them all retry and fail but one.
 */
struct sq_file {
    struct list node;
    char *path;
    int refs;
    pthread_mutex_t mu;
    struct list waiters;      /* sq_session.wait_node, first come first */
    struct sq_seq_last *seqs; /* the last value nextval handed out, per sequence */
};

struct sq_seq_last {
    struct sq_seq_last *next;
    int64_t last;
    char name[];
};

bool sq_file_seq_last(struct sq_session *s, const char *name, int64_t *last)
{
    struct sq_file *f = s->file;
    bool found = false;
    if (!f)
        return false;
    pthread_mutex_lock(&f->mu);
    for (struct sq_seq_last *q = f->seqs; q && !found; q = q->next)
        if (!strcmp(q->name, name)) {
            *last = q->last;
            found = true;
        }
    pthread_mutex_unlock(&f->mu);
    return found;
}

void sq_file_seq_set_last(struct sq_session *s, const char *name, int64_t last)
{
    struct sq_file *f = s->file;
    struct sq_seq_last *q;
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    for (q = f->seqs; q; q = q->next)
        if (!strcmp(q->name, name))
            break;
    if (!q) {
        size_t n = strlen(name) + 1;
        q = xmalloc(sizeof(*q) + n);
        memcpy(q->name, name, n);
        q->next = f->seqs;
        f->seqs = q;
    }
    q->last = last;
    pthread_mutex_unlock(&f->mu);
}

static void sq_seq_last_free(struct sq_seq_last *q)
{
    while (q) {
        struct sq_seq_last *next = q->next;
        free(q);
        q = next;
    }
}

void sq_file_seq_forget(struct sq_session *s)
{
    struct sq_file *f = s->file;
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    sq_seq_last_free(f->seqs);
    f->seqs = NULL;
    pthread_mutex_unlock(&f->mu);
}

static pthread_mutex_t sq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list sq_files = {&sq_files, &sq_files};
static pthread_cond_t sq_gone = PTHREAD_COND_INITIALIZER;
static struct list sq_sessions = {&sq_sessions, &sq_sessions};
static int sq_n_sessions;
static uint32_t sq_next_pid = 1;

/*
 * The performance monitor of a leased client: the replies written since the last look, up to
 * a message boundary, complete its statements (monitor/monitor.h). Called between messages.
 */
void sq_mon_scan(struct sq_session *s)
{
    size_t at = s->mon_scanned;

    if (s->lease && s->lease->mon.dbuser >= 0 && !s->out.failed) {
        while (at + PROTO_HEADER_LEN <= s->out.len) {
            uint8_t type = s->out.data[at];
            uint32_t len = proto_read_u32(s->out.data + at + 1);
            if (len < 4 || at + 1 + len > s->out.len)
                break;
            if (type == 'C' || type == 'I' || type == 's' || type == 'E' || type == 'Z')
                mon_tap_backend(&s->lease->mon, type, s->out.data + at + PROTO_HEADER_LEN, len - 4);
            at += 1 + (size_t)len;
        }
    }
    s->mon_scanned = s->out.len;
}

bool sq_flush(struct sq_session *s)
{
    sq_mon_scan(s);
    s->mon_scanned = 0;
    if (s->out.failed) {
        proto_builder_reset(&s->out);
        return false;
    }
    if (!session_send_all(s->fd, s->out.data, s->out.len)) {
        proto_builder_reset(&s->out);
        s->lost = true;
        return false;
    }
    if (s->lease && s->lease->stats)
        stats_add(s->lease->stats, STATS_SENT, s->out.len);
    /* The client is owed nothing more when the last thing it got is a ReadyForQuery. */
    if (s->out.len > 0)
        s->ready = s->out.len >= 6 && s->out.data[s->out.len - 6] == 'Z' &&
                   proto_read_u32(s->out.data + s->out.len - 5) == 5;
    proto_builder_reset(&s->out);
    return true;
}

/* Make at least want bytes available at s->in + s->in_pos; false at EOF or error. */
static bool sq_fill(struct sq_session *s, size_t want)
{
    if (s->in_pos > 0 && s->in_pos == s->in_len) {
        s->in_pos = s->in_len = 0;
    } else if (s->in_pos > 0 && s->in_pos + want > s->in_cap) {
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    if (s->in_pos + want > s->in_cap) {
        size_t cap = s->in_cap ? s->in_cap : 16384;
        while (cap < s->in_pos + want)
            cap *= 2;
        s->in = xrealloc(s->in, cap);
        s->in_cap = cap;
    }
    while (s->in_len - s->in_pos < want) {
        ssize_t n;
        /* About to wait for the client: what it is owed goes out first. */
        if (s->out.len > 0 && !sq_flush(s))
            return false;
        if (s->lease && s->ready && s->in_pos == s->in_len) {
            /* Everything answered up to a ReadyForQuery and nothing more read: idle. */
            __atomic_store_n(&s->lease->busy_since_ms, 0, __ATOMIC_RELAXED);
            __atomic_store_n(&s->lease->tx, s->tx, __ATOMIC_RELAXED);
        }
        mon_thread_flush(); /* about to wait: the counts so far go to the shared table */
        n = recv(s->fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        s->in_len += (size_t)n;
        if (s->lease) {
            int64_t now = now_ms();
            if (s->lease->stats)
                stats_add(s->lease->stats, STATS_RECEIVED, (uint64_t)n);
            __atomic_store_n(&s->lease->last_active_ms, now, __ATOMIC_RELAXED);
            if (!__atomic_load_n(&s->lease->busy_since_ms, __ATOMIC_RELAXED))
                __atomic_store_n(&s->lease->busy_since_ms, now, __ATOMIC_RELAXED);
        }
    }
    return true;
}

struct sq_lease *sq_lease_new(int fd)
{
    struct sq_lease *l = xcalloc(1, sizeof(*l));
    l->fd = fd;
    l->mon.dbuser = -1;
    l->refs = 2;
    l->tx = 'I';
    l->last_active_ms = now_ms();
    return l;
}

void sq_lease_put(struct sq_lease *l)
{
    if (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        if (l->fd >= 0)
            close(l->fd);
        mon_tap_fini(&l->mon);
        free(l);
    }
}

/* Set or clear O_NONBLOCK (shared by every descriptor of the socket). */
static void sq_set_blocking(int fd, bool blocking)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl >= 0)
        fcntl(fd, F_SETFL, blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
}

/*
 * The proxy lends the client's socket (sqlite_server.h): body is the token, the lease, then
 * client bytes already read. false when the message is not one the proxy sent.
 */
static bool sq_lease_begin(struct sq_session *s, const uint8_t *body, uint32_t len)
{
    uint64_t token;
    struct sq_lease *l;

    const size_t head = sizeof(token) + sizeof(l);

    if (s->lease || len < head)
        return false;
    memcpy(&token, body, sizeof(token));
    memcpy(&l, body + sizeof(token), sizeof(l));
    if (token != s->token || !l)
        return false;
    if (s->in_pos != s->in_len) {
        sq_lease_put(l); /* the proxy's, but more followed it: refused, and not kept */
        return false;
    }
    /* The client's bytes take the place of the message (memmove: they are inside it). */
    memmove(s->in, body + head, len - head);
    s->in_pos = 0;
    s->in_len = len - head;
    s->lease = l;
    s->fd = l->fd;
    s->ready = true; /* the proxy lends the socket right after a ReadyForQuery */
    s->lost = s->fatal = false;
    sq_set_blocking(s->fd, true);
    return true;
}

/*
 * Give the socket back: what the client is owed goes out first; the proxy then learns the
 * reported settings and the transaction status. false when the proxy is gone too.
 */
static bool sq_lease_finish(struct sq_session *s, enum sq_lease_end why)
{
    struct sq_lease *l = s->lease;

    sq_flush(s);
    sq_set_blocking(l->fd, false);
    s->lease = NULL;
    s->stats = (struct stats_clock){0, 0};
    s->fd = s->pair_fd;
    s->in_pos = s->in_len = 0;
    s->skip_to_sync = false;
    s->lost = false;
    if (s->fatal)
        why = SQ_LEASE_FATAL;
    s->fatal = false;
    sq_lease_put(l);
    sq_send_startup_status(s);
    proto_begin(&s->out, SQ_LEASE_MSG);
    proto_put_u8(&s->out, (uint8_t)s->tx);
    proto_put_u8(&s->out, (uint8_t)why);
    proto_end(&s->out);
    return sq_flush(s);
}

bool sq_read_message(struct sq_session *s, uint8_t *type, const uint8_t **body, uint32_t *len)
{
    uint32_t n;

    if (!sq_fill(s, PROTO_HEADER_LEN))
        return false;
    *type = s->in[s->in_pos];
    n = proto_read_u32(s->in + s->in_pos + 1);
    if (s->lease && (n < 4 || (int64_t)n > s->lease->max_message)) {
        /* The client's own message: what the proxy would answer (client.c). */
        if (n < 4)
            sq_report(s, "FATAL", "08P01", 0, NULL, "invalid message length");
        else
            sq_report(s, "FATAL", "54000", 0, NULL, "message of %u bytes exceeds max_packet_size",
                      n);
        s->fatal = true;
        return false;
    }
    if (n < 4 || n > SQ_MAX_MESSAGE)
        return false;
    if (!sq_fill(s, (size_t)n + 1))
        return false;
    *body = s->in + s->in_pos + PROTO_HEADER_LEN;
    *len = n - 4;
    s->in_pos += (size_t)n + 1;
    return true;
}

static bool sq_read_startup(struct sq_session *s, struct proto_startup *st)
{
    uint32_t n;
    const char *reason = NULL;

    if (!sq_fill(s, 4))
        return false;
    n = proto_read_u32(s->in + s->in_pos);
    if (n < 8 || n > PROTO_STARTUP_MAX || !sq_fill(s, n))
        return false;
    if (!proto_parse_startup(s->in + s->in_pos + 4, n - 4, st, &reason))
        return false;
    s->in_pos += n;
    return st->code == PROTO_V3;
}

/* A time setting in milliseconds: a number (ms) or with a unit us, ms, s, min, h, d. */
int64_t sq_parse_ms(const char *v)
{
    char *end;
    double n;
    if (!v || !*v)
        return 0;
    n = strtod(v, &end);
    while (*end == ' ')
        end++;
    if (strcasecmp(end, "us") == 0)
        n /= 1000;
    else if (strcasecmp(end, "s") == 0)
        n *= 1000;
    else if (strcasecmp(end, "min") == 0)
        n *= 60000;
    else if (strcasecmp(end, "h") == 0)
        n *= 3600000;
    else if (strcasecmp(end, "d") == 0)
        n *= 86400000;
    return n > 0 ? (int64_t)n : 0;
}

/* statement_timeout: SQLite's progress handler interrupts the statement past its deadline. */
static int sq_progress(void *arg)
{
    struct sq_session *s = arg;
    if (s->deadline_us && now_us() > s->deadline_us) {
        s->timed_out = true;
        return 1;
    }
    return 0;
}

void sq_timeout_arm(struct sq_session *s)
{
    s->timed_out = false;
    if (s->statement_timeout_ms <= 0 || !s->db)
        return;
    s->deadline_us = now_us() + s->statement_timeout_ms * 1000;
    sqlite3_progress_handler(s->db, 1000, sq_progress, s);
}

void sq_timeout_disarm(struct sq_session *s)
{
    if (!s->deadline_us)
        return;
    s->deadline_us = 0;
    sqlite3_progress_handler(s->db, 0, NULL, NULL);
}

static void sq_exec_pragma(struct sq_session *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_warning("sqlite %s: %s: %s", s->path, sql, msg ? msg : "error");
        sqlite3_free(msg);
    }
}

/* version(): what PostgreSQL says, with the server_version the session reports. */
static void sq_fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "PostgreSQL %s (myrmex SQLite backend, SQLite %s) on %s",
             sq_guc_get(sqlite3_user_data(ctx), "server_version"), sqlite3_libversion(),
             "x86_64-pc-linux-gnu, 64-bit");
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void sq_fn_current_database(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *db = sq_guc_get(sqlite3_user_data(ctx), "myrmex.database");
    sqlite3_result_text(ctx, db ? db : "", -1, SQLITE_TRANSIENT);
}

/*
 * Waiting for another writer, up to sqlite_busy_timeout. SQLite's own timeout handler sleeps up
 * to 100 ms between tries: behind a stream of short write transactions from other sessions a
 * waiter then keeps missing the moments the lock is free, and can starve. Trying again after a
 * fraction of a millisecond keeps the wait close to first come, first served.
 */
static void sq_timespec_in(struct timespec *ts, int64_t us)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(us / 1000000);
    ts->tv_nsec += (long)(us % 1000000) * 1000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

static int sq_busy(void *arg, int count)
{
    struct sq_session *s = arg;
    struct sq_file *f = s->file;
    int64_t now = now_us();
    if (count == 0)
        s->busy_since_us = now;
    if (!f) {
        usleep(count < 10 ? 100 : 1000);
        return now - s->busy_since_us < (int64_t)s->busy_timeout_ms * 1000;
    }
    int verdict = -1; /* 1: try the lock again, 0: give up */
    pthread_mutex_lock(&f->mu);
    if (!s->waiting) {
        /* A retry that failed goes back to the front: it was first in line already. */
        if (count == 0)
            list_add_tail(&f->waiters, &s->wait_node);
        else
            list_add_head(&f->waiters, &s->wait_node);
        s->waiting = true;
    }
    while (verdict < 0) {
        now = now_us();
        if (__atomic_load_n(&s->cancel_pending, __ATOMIC_ACQUIRE) ||
            now - s->busy_since_us >= (int64_t)s->busy_timeout_ms * 1000) {
            verdict = 0;
        } else if (s->deadline_us && now > s->deadline_us) {
            s->timed_out = true; /* statement_timeout also bounds the wait */
            verdict = 0;
        } else if (!s->waiting) {
            verdict = 1; /* a commit handed us the turn */
        } else {
            /* First in line: try again every 2 ms anyway (a rollback or another process
             * frees the lock without a commit here). Others only watch their deadlines. */
            bool first = f->waiters.next == &s->wait_node;
            struct timespec until;
            sq_timespec_in(&until, first ? 2000 : 50000);
            if (pthread_cond_timedwait(&s->wait_cv, &f->mu, &until) != 0 && first &&
                f->waiters.next == &s->wait_node)
                verdict = 1;
        }
    }
    if (s->waiting) {
        list_del(&s->wait_node);
        s->waiting = false;
    }
    pthread_mutex_unlock(&f->mu);
    return verdict; /* a cancelled wait is reported as 57014 (sq_error_sqlite) */
}

/* After every commit in WAL mode, once the write lock is released: the first waiter's turn;
 * then what SQLite's default WAL hook does (a passive checkpoint past 1000 frames). */
static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct sq_file *f = arg;
    pthread_mutex_lock(&f->mu);
    if (f->waiters.next != &f->waiters) {
        struct sq_session *w = list_entry(f->waiters.next, struct sq_session, wait_node);
        list_del(&w->wait_node);
        w->waiting = false;
        pthread_cond_signal(&w->wait_cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (frames >= 1000)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* The shared state of s->path (by its configured name), created on first use; under sq_lock. */
static struct sq_file *sq_file_get(const char *path)
{
    struct list *pos;
    for (pos = sq_files.next; pos != &sq_files; pos = pos->next) {
        struct sq_file *f = list_entry(pos, struct sq_file, node);
        if (!strcmp(f->path, path)) {
            f->refs++;
            return f;
        }
    }
    struct sq_file *f = xcalloc(1, sizeof(*f));
    f->path = xstrdup(path);
    f->refs = 1;
    pthread_mutex_init(&f->mu, NULL);
    list_init(&f->waiters);
    list_add_tail(&sq_files, &f->node);
    return f;
}

static void sq_file_put(struct sq_file *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&sq_lock);
    if (--f->refs == 0) {
        list_del(&f->node);
        sq_seq_last_free(f->seqs);
        pthread_mutex_destroy(&f->mu);
        free(f->path);
        free(f);
    }
    pthread_mutex_unlock(&sq_lock);
}

static bool sq_open_db(struct sq_session *s)
{
    char sql[64];
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(s->open_error, sizeof(s->open_error), "could not open SQLite database \"%s\": %s",
                 s->path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return false;
    }
    /* Published under the lock: a cancel may read it from another thread. */
    pthread_mutex_lock(&sq_lock);
    s->db = db;
    s->file = sq_file_get(s->path);
    pthread_mutex_unlock(&sq_lock);
    sqlite3_extended_result_codes(s->db, 1);
    /*
     * Identifiers are always double-quoted by the translator: an unknown column must be an
     * error (42703), never SQLite's legacy fallback to a string literal.
     */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
    sqlite3_busy_handler(s->db, sq_busy, s);
    sq_exec_pragma(s, "PRAGMA journal_mode = WAL");
    /* Replaces SQLite's default WAL hook (sq_wal_hook checkpoints as that one does). */
    sqlite3_wal_hook(s->db, sq_wal_hook, s->file);
    snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s", s->synchronous);
    sq_exec_pragma(s, sql);
    sq_exec_pragma(s, "PRAGMA foreign_keys = ON");
    /* Reads through a shared mapping: every pooled handle of a file shares the OS page cache
     * instead of filling a private SQLite cache with the same pages (one pread each). */
    sq_exec_pragma(s, "PRAGMA mmap_size = 268435456");
    if (!sql_functions_register(s->db, &s->fn) || !sq_catalog_register(s) ||
        sqlite3_create_function_v2(s->db, "version", 0, SQLITE_UTF8, s, sq_fn_version, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(s->db, "current_database", 0, SQLITE_UTF8, s,
                                   sq_fn_current_database, NULL, NULL, NULL) != SQLITE_OK ||
        !sq_seq_register(s)) {
        snprintf(s->open_error, sizeof(s->open_error),
                 "could not register SQL functions on SQLite database \"%s\": %s", s->path,
                 sqlite3_errmsg(s->db));
        return false;
    }
    return true;
}

static const char *sq_fn_setting(void *arg, const char *name)
{
    return sq_guc_get(arg, name);
}

static void sq_session_free(struct sq_session *s)
{
    sq_free_statements(s);
    for (int i = 0; i < SQ_CACHE_SIZE; i++) {
        sq_cached_clear(&s->cache[i]);
    }
    sq_guc_fini(s);
    sq_catalog_close(s);
    sq_seq_fini(s);
    if (s->db)
        sqlite3_close_v2(s->db);
    sq_file_put(s->file);
    pthread_cond_destroy(&s->wait_cv);
    proto_builder_fini(&s->out);
    free(s->in);
    free(s->path);
    if (s->lease)
        sq_lease_put(s->lease);
    if (s->pair_fd >= 0)
        close(s->pair_fd);
    free(s);
}

/* One message; 0 to go on, else why the session (or its lease) stops. */
static int sq_dispatch(struct sq_session *s, uint8_t type, const uint8_t *body, uint32_t len)
{
    if (s->skip_to_sync && type != 'S' && type != 'X')
        return 0;
    /* A cancel counts for the statement it interrupted, not for later ones. */
    if ((type == 'Q' || type == 'E' || type == SQ_NATIVE_MSG) &&
        __atomic_load_n(&s->cancel_pending, __ATOMIC_ACQUIRE))
        __atomic_store_n(&s->cancel_pending, false, __ATOMIC_RELEASE);
    switch (type) {
    case 'Q':
        if (len == 0 || body[len - 1] != '\0') {
            sq_error(s, "08P01", 0, "invalid Query message");
            return SQ_LEASE_FATAL;
        }
        sq_query(s, (const char *)body);
        return 0;
    case 'P':
        sq_parse(s, body, len);
        return 0;
    case 'B':
        sq_bind(s, body, len);
        return 0;
    case 'D':
        sq_describe(s, body, len);
        return 0;
    case 'E':
        sq_execute(s, body, len);
        return 0;
    case 'C':
        sq_close(s, body, len);
        return 0;
    case 'S':
        sq_sync(s);
        return 0;
    case 'H':
        return sq_flush(s) ? 0 : SQ_LEASE_CLIENT_GONE;
    case 'X':
        return SQ_LEASE_TERMINATE;
    case SQ_LEASE_MSG:
        /* Only ever from the proxy, never during a lease (a client's own is refused). */
        if (!s->lease && sq_lease_begin(s, body, len))
            return 0;
        break;
    case SQ_NATIVE_MSG:
        /* Only on the migration engine's own socketpair: never a client's (sqlite_server.h). */
        if (!s->native_ok || s->lease)
            break;
        if (len == 0 || body[len - 1] != '\0') {
            sq_error(s, "08P01", 0, "invalid native SQL message");
            return SQ_LEASE_FATAL;
        }
        sq_native(s, (const char *)body);
        return 0;
    case 'd':
    case 'c':
    case 'f':
        /* Copy messages after the copy ended are ignored, as PostgreSQL does. */
        return 0;
    case 'F':
        /* Answered like a simple query: the error, then ReadyForQuery. */
        sq_error(s, "0A000", 0,
                 "the function call protocol is not supported on the SQLite "
                 "backend");
        if (s->tx == 'T')
            s->tx = 'E';
        proto_write_ready(&s->out, s->tx);
        return 0;
    default:
        break;
    }
    sq_error(s, "08P01", 0, "invalid frontend message type %d", type);
    sq_flush(s);
    return SQ_LEASE_FATAL;
}

/*
 * SHOW STATS for a leased client, whose messages never pass through the worker: the same
 * counts client.c keeps (a query per ReadyForQuery asked for, a transaction when it is 'I').
 */
static void sq_stats_before(struct sq_session *s, uint8_t type)
{
    if (!s->lease || !s->lease->stats || !type || !strchr("QPBDECSF", type) ||
        (s->skip_to_sync && type != 'S'))
        return;
    stats_clock_begin(&s->stats);
}

static void sq_stats_after(struct sq_session *s, uint8_t type)
{
    if (s->lease && s->lease->stats && (type == 'Q' || type == 'S' || type == 'F'))
        stats_clock_ready(s->lease->stats, &s->stats, s->tx, false);
}

static void sq_loop(struct sq_session *s)
{
    uint8_t type;
    const uint8_t *body;
    uint32_t len;

    for (;;) {
        int stop = SQ_LEASE_CLIENT_GONE;
        if (sq_read_message(s, &type, &body, &len)) {
            sq_stats_before(s, type);
            if (s->lease && !(s->skip_to_sync && type != 'S'))
                mon_tap_frontend(&s->lease->mon, type, body, len, true);
            stop = sq_dispatch(s, type, body, len);
            sq_mon_scan(s);
            sq_stats_after(s, type);
        }
        if (!stop && s->out.len >= SQ_FLUSH_AT && !sq_flush(s))
            stop = SQ_LEASE_CLIENT_GONE;
        /* The end of a lent socket is the client's, not the session's: it goes on. */
        if (stop && (!s->lease || !sq_lease_finish(s, (enum sq_lease_end)stop)))
            return;
    }
}

static void *sq_thread(void *arg)
{
    struct sq_session *s = arg;
    struct proto_startup st;

    if (sq_read_startup(s, &st)) {
        const char *names[PROTO_MAX_STARTUP_PARAMS], *values[PROTO_MAX_STARTUP_PARAMS];
        int n = 0;
        for (size_t i = 0; i < st.n_params; i++) {
            names[n] = st.names[i];
            values[n++] = st.values[i];
        }
        sq_guc_init(s, names, values, n);
        if (!sq_open_db(s)) {
            /* The proxy logs it and retries after server_login_retry. */
            sq_report(s, "FATAL", "57P03", 0, NULL, "%s", s->open_error);
        } else {
            proto_write_auth(&s->out, 0, NULL, 0);
            sq_send_startup_status(s);
            proto_write_key_data(&s->out, s->pid, s->key);
            proto_write_ready(&s->out, 'I');
            if (sq_flush(s))
                sq_loop(s);
        }
        sq_flush(s);
    }
    mon_thread_exit(); /* before it counts as gone: shutdown frees the monitor after */
    pthread_mutex_lock(&sq_lock);
    list_del(&s->node);
    sq_n_sessions--;
    pthread_cond_broadcast(&sq_gone);
    pthread_mutex_unlock(&sq_lock);
    sq_session_free(s);
    return NULL;
}

static bool sq_open(const struct db_config *db, bool native_ok, int *fd_out, uint64_t *token_out,
                    char *err, size_t errlen)
{
    const struct config *cfg = proxy_config();
    struct sq_session *s;
    int sv[2];

    if (!session_socketpair(sv, err, errlen))
        return false;
    s = xcalloc(1, sizeof(*s));
    pthread_cond_init(&s->wait_cv, NULL);
    s->fd = s->pair_fd = sv[1];
    random_bytes(&s->token, sizeof(s->token));
    s->path = xstrdup(db->sqlite_path);
    s->busy_timeout_ms = (int)cfg->sqlite_busy_timeout_ms;
    snprintf(s->synchronous, sizeof(s->synchronous), "%s", cfg->sqlite_synchronous);
    s->tx = 'I';
    s->native_ok = native_ok;
    s->fn.get_setting = sq_fn_setting;
    s->fn.get_setting_arg = s;
    s->fn.set_setting = sq_set_config;
    list_init(&s->prepared);
    list_init(&s->portals);
    proto_builder_init(&s->out);
    random_bytes(&s->key, sizeof(s->key));

    pthread_mutex_lock(&sq_lock);
    s->pid = sq_next_pid++;
    list_add_tail(&sq_sessions, &s->node);
    sq_n_sessions++;
    pthread_mutex_unlock(&sq_lock);

    if (!session_thread_start(sq_thread, s)) {
        snprintf(err, errlen, "could not start an SQLite session thread");
        pthread_mutex_lock(&sq_lock);
        list_del(&s->node);
        sq_n_sessions--;
        pthread_mutex_unlock(&sq_lock);
        sq_session_free(s);
        close(sv[0]);
        return false;
    }
    *fd_out = sv[0];
    *token_out = s->token;
    return true;
}

bool sqlite_server_open(const struct db_config *db, int *fd_out, uint64_t *token_out, char *err,
                        size_t errlen)
{
    return sq_open(db, false, fd_out, token_out, err, errlen);
}

bool sqlite_server_open_engine(const struct db_config *db, int *fd_out, char *err, size_t errlen)
{
    uint64_t token;
    return sq_open(db, true, fd_out, &token, err, errlen);
}

void sqlite_server_cancel(uint32_t pid, uint32_t key)
{
    struct list *pos;

    pthread_mutex_lock(&sq_lock);
    for (pos = sq_sessions.next; pos != &sq_sessions; pos = pos->next) {
        struct sq_session *s = list_entry(pos, struct sq_session, node);
        if (s->pid == pid && s->key == key) {
            /* The handle stays open while the session is registered. */
            if (s->db)
                sqlite3_interrupt(s->db);
            if (s->file) {
                /* A session waiting for the write lock ends its wait. */
                pthread_mutex_lock(&s->file->mu);
                __atomic_store_n(&s->cancel_pending, true, __ATOMIC_RELEASE);
                pthread_cond_signal(&s->wait_cv);
                pthread_mutex_unlock(&s->file->mu);
            }
            break;
        }
    }
    pthread_mutex_unlock(&sq_lock);
}

void sqlite_server_shutdown(int timeout_ms)
{
    session_wait_all_gone(&sq_lock, &sq_gone, &sq_n_sessions, timeout_ms, "SQLite session(s)");
}
