/*
 * Unit tests for SQLite backups (src/backup/backup_sqlite.c) on real database files in a
 * temporary directory: online backups with and without gzip while four threads keep running
 * transfer transactions (the writers must go on committing while the backup is midway, and the
 * copy must be one consistent snapshot: the balances still sum to the total), in WAL and in
 * rollback-journal mode; file modes, no *.partial left, the SHA-256 against one computed here;
 * verify's report; restore into a new file and over an old one with a stale WAL; a flipped
 * byte, a truncated or corrupt gzip stream, a missing file; cancellation; partial leftovers.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "backup/backup.h"
#include "util/util.h"

#define N_ACCOUNTS    100
#define TOTAL_BALANCE 100000
#define N_FILLER      3000 /* rows of about 2.5 KB: a database of some 8 MB, many slices */
#define N_WRITERS     4

static char basedir[PATH_MAX / 4]; /* made by main, removed when every test has run */
static char tdir[PATH_MAX / 4 + 16];
static char dbpath[PATH_MAX / 2], bdir[PATH_MAX / 2], sdir[PATH_MAX / 2];

/* --- helpers ---------------------------------------------------------------------------- */

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void query_str(sqlite3 *db, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* The database the tests back up: accounts summing to TOTAL_BALANCE, and filler rows of
 * half random (incompressible), half repetitive bytes; journal_mode "wal" or "delete". */
static void make_db(const char *path, const char *journal_mode, int n_filler)
{
    sqlite3 *db = NULL;
    char sql[256];
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", journal_mode);
    exec_ok(db, sql);
    exec_ok(db, "BEGIN");
    exec_ok(db, "CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL)");
    exec_ok(db, "CREATE TABLE \"odd \"\"name\" (x)");
    exec_ok(db, "INSERT INTO \"odd \"\"name\" VALUES (1), (2)");
    exec_ok(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                "INSERT INTO accounts SELECT i, 1000 FROM n");
    exec_ok(db, "CREATE TABLE filler (id integer PRIMARY KEY, r blob, t text)");
    snprintf(sql, sizeof(sql),
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
             "INSERT INTO filler SELECT i, randomblob(1200), printf('%%.1200c', 'x') FROM n",
             n_filler);
    exec_ok(db, sql);
    exec_ok(db, "COMMIT");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM accounts"), N_ACCOUNTS);
    ck_assert_int_eq(query_int(db, "SELECT sum(balance) FROM accounts"), TOTAL_BALANCE);
    sqlite3_close(db);
}

static void sha256_of_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    unsigned char buf[8192], d[32];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        ck_assert_int_eq(EVP_DigestUpdate(ctx, buf, n), 1);
    fclose(f);
    unsigned int len = 0;
    ck_assert_int_eq(EVP_DigestFinal_ex(ctx, d, &len), 1);
    ck_assert_uint_eq(len, 32);
    EVP_MD_CTX_free(ctx);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* How many entries of dir end with suffix. */
static int count_suffix(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t a = strlen(e->d_name), b = strlen(suffix);
        if (a >= b && strcmp(e->d_name + a - b, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void flip_byte(const char *path, off_t at)
{
    int fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    unsigned char c;
    ck_assert_int_eq(pread(fd, &c, 1, at), 1);
    c ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

/* Open path, check its integrity and the accounts' invariant. */
static void check_restored(const char *path)
{
    sqlite3 *db = NULL;
    char text[64];
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    query_str(db, "PRAGMA integrity_check", text, sizeof(text));
    ck_assert_str_eq(text, "ok");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM accounts"), N_ACCOUNTS);
    ck_assert_int_eq(query_int(db, "SELECT sum(balance) FROM accounts"), TOTAL_BALANCE);
    sqlite3_close(db);
}

/* --- writers ---------------------------------------------------------------------------- */

struct writers {
    pthread_t threads[N_WRITERS];
    atomic_bool stop;
    atomic_long commits, failures;
    char path[PATH_MAX / 2];
};

static void *writer_main(void *arg)
{
    struct writers *w = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *take = NULL, *give = NULL;
    unsigned seed = (unsigned)(uintptr_t)&db ^ (unsigned)time(NULL);
    int64_t deadline = now_ms() + 60000; /* bounded even if the test never says stop */

    if (sqlite3_open_v2(w->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        atomic_fetch_add(&w->failures, 1);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "UPDATE accounts SET balance = balance - ?1 WHERE id = ?2", -1, &take,
                       NULL);
    sqlite3_prepare_v2(db, "UPDATE accounts SET balance = balance + ?1 WHERE id = ?2", -1, &give,
                       NULL);
    while (!atomic_load(&w->stop) && now_ms() < deadline) {
        int from = 1 + rand_r(&seed) % N_ACCOUNTS, to = 1 + rand_r(&seed) % N_ACCOUNTS;
        int amount = 1 + rand_r(&seed) % 50;
        bool ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_int(take, 1, amount);
            sqlite3_bind_int(take, 2, from);
            sqlite3_bind_int(give, 1, amount);
            sqlite3_bind_int(give, 2, to);
            ok = sqlite3_step(take) == SQLITE_DONE && sqlite3_step(give) == SQLITE_DONE;
            sqlite3_reset(take);
            sqlite3_reset(give);
            ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
            if (!ok)
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        }
        atomic_fetch_add(ok ? &w->commits : &w->failures, 1);
        struct timespec pause = {0, 500000};
        nanosleep(&pause, NULL);
    }
    sqlite3_finalize(take);
    sqlite3_finalize(give);
    sqlite3_close(db);
    return NULL;
}

static void writers_start(struct writers *w, const char *path)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->path, sizeof(w->path), "%s", path);
    for (int i = 0; i < N_WRITERS; i++)
        ck_assert_int_eq(pthread_create(&w->threads[i], NULL, writer_main, w), 0);
    /* Wait until they commit (bounded). */
    for (int i = 0; i < 500 && atomic_load(&w->commits) < 10; i++)
        usleep(10000);
    ck_assert_int_ge(atomic_load(&w->commits), 10);
}

static void writers_stop(struct writers *w)
{
    atomic_store(&w->stop, true);
    for (int i = 0; i < N_WRITERS; i++)
        pthread_join(w->threads[i], NULL);
    ck_assert_int_eq(atomic_load(&w->failures), 0);
}

/* --- progress and cancellation ------------------------------------------------------------ */

struct watch {
    struct writers *w;
    int calls, copy_calls, last_percent;
    bool percent_monotonic;
    bool waited, writers_went_on; /* midway through the copy, writers committed */
    int cancel_at_check;          /* cancelled() answers true from this call on (0: never) */
    int checks;
};

static void on_progress(void *arg, int percent, const char *line)
{
    struct watch *wt = arg;
    wt->calls++;
    if (percent < wt->last_percent)
        wt->percent_monotonic = false;
    wt->last_percent = percent;
    ck_assert_int_ge(percent, 0);
    ck_assert_int_le(percent, 100);
    if (strncmp(line, "copied ", 7) != 0)
        return;
    wt->copy_calls++;
    if (wt->w && !wt->waited) {
        /* The backup is midway and holds its snapshot: writers must still commit. */
        wt->waited = true;
        long c0 = atomic_load(&wt->w->commits);
        for (int i = 0; i < 500 && atomic_load(&wt->w->commits) < c0 + 5; i++)
            usleep(10000);
        wt->writers_went_on = atomic_load(&wt->w->commits) >= c0 + 5;
    }
}

static bool on_cancelled(void *arg)
{
    struct watch *wt = arg;
    wt->checks++;
    return wt->cancel_at_check > 0 && wt->checks >= wt->cancel_at_check;
}

static void watch_init(struct watch *wt, struct backup_progress *p, struct writers *w)
{
    memset(wt, 0, sizeof(*wt));
    wt->w = w;
    wt->percent_monotonic = true;
    *p = (struct backup_progress){.arg = wt, .progress = on_progress, .cancelled = on_cancelled};
}

/* --- fixture ---------------------------------------------------------------------------- */

static void setup(void)
{
    snprintf(tdir, sizeof(tdir), "%s/t.XXXXXX", basedir);
    ck_assert_ptr_nonnull(mkdtemp(tdir));
    snprintf(dbpath, sizeof(dbpath), "%s/app.db", tdir);
    snprintf(bdir, sizeof(bdir), "%s/backups/app", tdir); /* made by the backup */
    snprintf(sdir, sizeof(sdir), "%s/scratch", tdir);
}

/* A backup of the database under load; returns the manifest in m. */
static void backup_under_load(const char *journal_mode, bool gzip, struct backup_manifest *m)
{
    struct writers w;
    struct watch wt;
    struct backup_progress p;
    char err[512] = "", path[PATH_MAX], hex[65], jpath[PATH_MAX];
    struct stat st;

    make_db(dbpath, journal_mode, N_FILLER);
    writers_start(&w, dbpath);
    watch_init(&wt, &p, &w);
    long before = atomic_load(&w.commits);
    snprintf(m->migration_version, sizeof(m->migration_version), "20261101_add_accounts");
    int64_t t0 = now_ms();
    bool ok = backup_sqlite(dbpath, bdir, "app", "nightly", gzip, &p, m, err, sizeof(err));
    int64_t took_ms = now_ms() - t0;
    long after = atomic_load(&w.commits);
    writers_stop(&w);
    ck_assert_msg(ok, "backup: %s", err);
    /* It ended while the writers still ran (they stop by themselves after 60 s). */
    ck_assert_msg(took_ms < 30000, "the backup took %lld ms", (long long)took_ms);

    /* The writers were not locked out and the copy took several slices. */
    ck_assert(wt.waited);
    ck_assert_msg(wt.writers_went_on, "writers made no progress while the backup ran");
    ck_assert_int_gt(after, before + 5);
    ck_assert_int_ge(wt.copy_calls, 3);
    ck_assert(wt.percent_monotonic);
    ck_assert_int_eq(wt.last_percent, 100);

    /* The manifest. */
    ck_assert_int_eq(m->status, BACKUP_COMPLETE);
    ck_assert_str_eq(m->database, "app");
    ck_assert_str_eq(m->backend, "sqlite");
    ck_assert_str_eq(m->method, "sqlite-backup-api");
    ck_assert_str_eq(m->label, "nightly");
    ck_assert_str_eq(m->migration_version, "20261101_add_accounts"); /* the caller's */
    ck_assert_str_eq(m->compression, gzip ? "gzip" : "none");
    /* app-YYYYMMDD-HHMMSS-xxxx */
    ck_assert_msg(strncmp(m->id, "app-", 4) == 0 && strlen(m->id) == strlen("app-") + 20, "id %s",
                  m->id);
    ck_assert_int_eq(m->id[12], '-');
    ck_assert_int_eq(m->id[19], '-');
    char expect_file[128];
    snprintf(expect_file, sizeof(expect_file), "%s.db%s", m->id, gzip ? ".gz" : "");
    ck_assert_str_eq(m->file, expect_file);
    ck_assert_int_le(m->started_ms, m->finished_ms);
    ck_assert_int_gt(m->source_bytes, (int64_t)N_FILLER * 2400);

    /* The file: mode 0600, in a folder made 0700, checksum and size as the manifest says. */
    snprintf(path, sizeof(path), "%s/%s", bdir, m->file);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(st.st_size, m->bytes);
    struct stat dst;
    ck_assert_int_eq(stat(bdir, &dst), 0);
    ck_assert_int_eq(dst.st_mode & 0777, 0700);
    sha256_of_file(path, hex);
    ck_assert_str_eq(m->sha256, hex);
    if (gzip) {
        unsigned char magic[2];
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fread(magic, 1, 2, f), 2);
        fclose(f);
        ck_assert(magic[0] == 0x1f && magic[1] == 0x8b);
        ck_assert_int_lt(m->bytes, m->source_bytes); /* the repetitive half compresses */
    } else {
        ck_assert_int_eq(m->bytes, m->source_bytes);
    }
    snprintf(jpath, sizeof(jpath), "%s/%s.json", bdir, m->id);
    ck_assert(exists(jpath));
    ck_assert_int_eq(count_suffix(bdir, ".partial"), 0);
    ck_assert_int_eq(count_suffix(bdir, "-journal"), 0);
}

static void verify_and_restore(const struct backup_manifest *m)
{
    char err[512] = "", report[1024], dest[PATH_MAX], expect[64];
    struct stat st;

    ck_assert_msg(
        backup_verify_sqlite(bdir, m, sdir, NULL, report, sizeof(report), err, sizeof(err)),
        "verify: %s", err);
    ck_assert_msg(strstr(report, "accounts 100\n") != NULL, "report: %s", report);
    snprintf(expect, sizeof(expect), "filler %d\n", N_FILLER);
    ck_assert_msg(strstr(report, expect) != NULL, "report: %s", report);
    ck_assert_msg(strstr(report, "odd \"name 2\n") != NULL, "report: %s", report);
    /* The scratch copy is gone. */
    ck_assert_int_eq(count_suffix(sdir, ".partial"), 0);
    ck_assert_int_eq(count_suffix(sdir, "-wal"), 0);

    snprintf(dest, sizeof(dest), "%s/restored.db", tdir);
    ck_assert_msg(backup_restore_sqlite(bdir, m, dest, NULL, err, sizeof(err)), "restore: %s", err);
    ck_assert_int_eq(stat(dest, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(count_suffix(tdir, ".partial"), 0);
    check_restored(dest);
}

/* --- tests ------------------------------------------------------------------------------ */

START_TEST(test_backup_plain_under_load)
{
    struct backup_manifest m;
    backup_under_load("wal", false, &m);
    verify_and_restore(&m);
}
END_TEST

START_TEST(test_backup_gzip_under_load)
{
    struct backup_manifest m;
    backup_under_load("wal", true, &m);
    verify_and_restore(&m);
}
END_TEST

/* In a rollback journal mode every slice takes its own lock, the writers commit between them
 * and the copy restarts; it still ends, with one consistent snapshot. */
START_TEST(test_backup_rollback_journal_under_load)
{
    struct backup_manifest m;
    backup_under_load("delete", true, &m);
    verify_and_restore(&m);
}
END_TEST

/* A commit still in the WAL (no checkpoint yet) is in the backup. */
START_TEST(test_wal_content_included)
{
    struct backup_manifest m;
    char err[512] = "", report[1024], wal[PATH_MAX + 8];
    sqlite3 *db = NULL;
    struct stat st;

    make_db(dbpath, "wal", 10);
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    exec_ok(db, "PRAGMA wal_autocheckpoint = 0");
    exec_ok(db, "INSERT INTO accounts VALUES (101, 0)");
    snprintf(wal, sizeof(wal), "%s-wal", dbpath);
    ck_assert_int_eq(stat(wal, &st), 0);
    ck_assert_int_gt(st.st_size, 0);
    ck_assert_msg(backup_sqlite(dbpath, bdir, "app", NULL, false, NULL, &m, err, sizeof(err)), "%s",
                  err);
    ck_assert_msg(
        backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)),
        "verify: %s", err);
    ck_assert_msg(strstr(report, "accounts 101\n") != NULL, "report: %s", report);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_checksum_mismatch)
{
    struct backup_manifest m;
    char err[512] = "", report[512], path[PATH_MAX], dest[PATH_MAX];

    make_db(dbpath, "wal", 50);
    ck_assert_msg(backup_sqlite(dbpath, bdir, "app", NULL, false, NULL, &m, err, sizeof(err)), "%s",
                  err);
    ck_assert_str_eq(m.label, "");
    snprintf(path, sizeof(path), "%s/%s", bdir, m.file);
    flip_byte(path, m.bytes / 2);
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "checksum mismatch: manifest ") != NULL, "err: %s", err);
    char expect[64];
    snprintf(expect, sizeof(expect), "manifest %.8s, file ", m.sha256);
    ck_assert_msg(strstr(err, expect) != NULL, "err: %s", err);

    /* Restore refuses too, and touches nothing. */
    snprintf(dest, sizeof(dest), "%s/restored.db", tdir);
    ck_assert(!backup_restore_sqlite(bdir, &m, dest, NULL, err, sizeof(err)));
    ck_assert_msg(strstr(err, "checksum mismatch") != NULL, "err: %s", err);
    ck_assert(!exists(dest));
    ck_assert_int_eq(count_suffix(tdir, ".partial"), 0);
}
END_TEST

START_TEST(test_missing_file)
{
    struct backup_manifest m;
    char err[512] = "", report[512], path[PATH_MAX];

    make_db(dbpath, "wal", 10);
    ck_assert_msg(backup_sqlite(dbpath, bdir, "app", NULL, true, NULL, &m, err, sizeof(err)), "%s",
                  err);
    snprintf(path, sizeof(path), "%s/%s", bdir, m.file);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "missing") != NULL && strstr(err, m.file) != NULL, "err: %s", err);

    /* A file name that would leave the folder is refused. */
    snprintf(m.file, sizeof(m.file), "../app.db");
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "invalid backup file name") != NULL, "err: %s", err);
}
END_TEST

/* A gzip file damaged after the backup, with a manifest whose checksum matches the damage:
 * the decompression says what is wrong, nothing crashes, nothing is left behind. */
START_TEST(test_damaged_gzip)
{
    struct backup_manifest m;
    char err[512] = "", report[512], path[PATH_MAX], dest[PATH_MAX];

    make_db(dbpath, "wal", 200);
    ck_assert_msg(backup_sqlite(dbpath, bdir, "app", NULL, true, NULL, &m, err, sizeof(err)), "%s",
                  err);
    snprintf(path, sizeof(path), "%s/%s", bdir, m.file);
    snprintf(dest, sizeof(dest), "%s/restored.db", tdir);

    /* Truncated. */
    ck_assert_int_eq(truncate(path, m.bytes / 2), 0);
    sha256_of_file(path, m.sha256);
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "corrupt gzip stream") != NULL && strstr(err, "truncated") != NULL,
                  "err: %s", err);
    ck_assert_int_eq(count_suffix(sdir, ".partial"), 0);
    ck_assert(!backup_restore_sqlite(bdir, &m, dest, NULL, err, sizeof(err)));
    ck_assert_msg(strstr(err, "truncated") != NULL, "err: %s", err);
    ck_assert(!exists(dest));
    ck_assert_int_eq(count_suffix(tdir, ".partial"), 0);

    /* A byte changed inside the compressed data. */
    flip_byte(path, m.bytes / 4);
    sha256_of_file(path, m.sha256);
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "corrupt gzip stream") != NULL, "err: %s", err);
    ck_assert_int_eq(count_suffix(sdir, ".partial"), 0);

    /* Not gzip at all. */
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("this is not a gzip stream", f);
    fclose(f);
    sha256_of_file(path, m.sha256);
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "corrupt gzip stream") != NULL, "err: %s", err);
}
END_TEST

/* A copy that is not a database fails the integrity check. */
START_TEST(test_not_a_database)
{
    struct backup_manifest m;
    char err[512] = "", report[512], path[PATH_MAX];

    make_db(dbpath, "wal", 10);
    ck_assert_msg(backup_sqlite(dbpath, bdir, "app", NULL, false, NULL, &m, err, sizeof(err)), "%s",
                  err);
    snprintf(path, sizeof(path), "%s/%s", bdir, m.file);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fputs("garbage garbage garbage garbage", f); /* over the header */
    fclose(f);
    sha256_of_file(path, m.sha256);
    ck_assert(
        !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
    ck_assert_msg(strstr(err, "not a database") != NULL, "err: %s", err);
    ck_assert_int_eq(count_suffix(sdir, ".partial"), 0);
}
END_TEST

START_TEST(test_cancel)
{
    struct backup_manifest m;
    struct watch wt;
    struct backup_progress p;
    char err[512] = "", path[PATH_MAX];

    make_db(dbpath, "wal", N_FILLER);
    for (int gzip = 0; gzip <= 1; gzip++) {
        watch_init(&wt, &p, NULL);
        wt.cancel_at_check = 3; /* midway through the copy */
        ck_assert(!backup_sqlite(dbpath, bdir, "app", NULL, gzip, &p, &m, err, sizeof(err)));
        ck_assert_msg(strstr(err, "cancelled") != NULL, "err: %s", err);
        ck_assert_int_ge(wt.copy_calls, 1);
        ck_assert_int_eq(m.status, BACKUP_FAILED);
        ck_assert_str_eq(m.error, err);
        snprintf(path, sizeof(path), "%s/%s", bdir, m.file);
        ck_assert(!exists(path));
        ck_assert_int_eq(count_suffix(bdir, ".partial"), 0);
        ck_assert_int_eq(count_suffix(bdir, ".db"), 0);
        ck_assert_int_eq(count_suffix(bdir, ".gz"), 0);
        snprintf(path, sizeof(path), "%s/%s.json", bdir, m.id); /* says "failed" */
        ck_assert(exists(path));
        char report[256];
        ck_assert(
            !backup_verify_sqlite(bdir, &m, sdir, NULL, report, sizeof(report), err, sizeof(err)));
        ck_assert_msg(strstr(err, "did not complete: backup cancelled") != NULL, "err: %s", err);
    }
    /* Cancelled while compressing. */
    watch_init(&wt, &p, NULL);
    wt.cancel_at_check = 1000000;
    ck_assert(backup_sqlite(dbpath, bdir, "app", NULL, true, &p, &m, err, sizeof(err)));
    int checks = wt.checks; /* how many a whole gzip run makes */
    watch_init(&wt, &p, NULL);
    wt.cancel_at_check = checks - 2;
    ck_assert(!backup_sqlite(dbpath, bdir, "app", NULL, true, &p, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "cancelled") != NULL, "err: %s", err);
    ck_assert_int_eq(count_suffix(bdir, ".partial"), 0);
    snprintf(path, sizeof(path), "%s/%s", bdir, m.file);
    ck_assert(!exists(path));
    ck_assert_int_eq(count_suffix(bdir, ".gz"), 1); /* the complete run's */
}
END_TEST

START_TEST(test_missing_source)
{
    struct backup_manifest m;
    char err[512] = "";

    ck_assert(!backup_sqlite(dbpath, bdir, "app", NULL, true, NULL, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, dbpath) != NULL, "err: %s", err);
    ck_assert(!exists(dbpath)); /* not created by opening it */
    ck_assert_int_eq(m.status, BACKUP_FAILED);
    ck_assert_int_eq(count_suffix(bdir, ".partial"), 0);
    ck_assert_int_eq(count_suffix(bdir, ".gz"), 0);
}
END_TEST

/* Restore over a database whose stale WAL and shared memory files are still there: they go,
 * and the file is the backup's. */
START_TEST(test_restore_over_existing)
{
    struct backup_manifest m;
    char err[512] = "", dest[PATH_MAX], side[PATH_MAX + 8];
    sqlite3 *db = NULL;

    make_db(dbpath, "wal", 20);
    ck_assert_msg(backup_sqlite(dbpath, bdir, "app", NULL, true, NULL, &m, err, sizeof(err)), "%s",
                  err);
    snprintf(dest, sizeof(dest), "%s/live.db", tdir);
    ck_assert_int_eq(sqlite3_open(dest, &db), SQLITE_OK);
    exec_ok(db, "PRAGMA journal_mode = wal; CREATE TABLE other (x); INSERT INTO other VALUES (1)");
    sqlite3_close(db);
    static const char *const stale[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < ARRAY_SIZE(stale); i++) {
        snprintf(side, sizeof(side), "%s%s", dest, stale[i]);
        FILE *f = fopen(side, "wb");
        ck_assert_ptr_nonnull(f);
        fputs("stale bytes of the old database", f);
        fclose(f);
    }
    ck_assert_msg(backup_restore_sqlite(bdir, &m, dest, NULL, err, sizeof(err)), "%s", err);
    for (size_t i = 0; i < ARRAY_SIZE(stale); i++) {
        snprintf(side, sizeof(side), "%s%s", dest, stale[i]);
        ck_assert_msg(!exists(side), "%s left", side);
    }
    check_restored(dest);
    ck_assert_int_eq(sqlite3_open(dest, &db), SQLITE_OK);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'other'"), 0);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_clean_partial)
{
    char path[PATH_MAX];
    static const char *const partial[] = {"a.db.partial", "b.db.gz.partial", "c.json.partial",
                                          "x-verify-abc123.partial-wal"};
    static const char *const kept[] = {"a.db", "a.db.gz", "partial", "a.partial.db"};

    ck_assert_int_eq(backup_clean_partial(bdir), 0); /* no folder yet */
    snprintf(path, sizeof(path), "%s/backups", tdir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(mkdir(bdir, 0700), 0);
    for (size_t i = 0; i < ARRAY_SIZE(partial); i++) {
        snprintf(path, sizeof(path), "%s/%s", bdir, partial[i]);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
    }
    for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
        snprintf(path, sizeof(path), "%s/%s", bdir, kept[i]);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/folder.partial", bdir); /* not a regular file */
    ck_assert_int_eq(mkdir(path, 0700), 0);

    ck_assert_int_eq(backup_clean_partial(bdir), (int)ARRAY_SIZE(partial));
    for (size_t i = 0; i < ARRAY_SIZE(partial); i++) {
        snprintf(path, sizeof(path), "%s/%s", bdir, partial[i]);
        ck_assert(!exists(path));
    }
    for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
        snprintf(path, sizeof(path), "%s/%s", bdir, kept[i]);
        ck_assert(exists(path));
    }
    snprintf(path, sizeof(path), "%s/folder.partial", bdir);
    ck_assert(exists(path));
    ck_assert_int_eq(backup_clean_partial(bdir), 0);
}
END_TEST

int main(void)
{
    char cmd[PATH_MAX];
    const char *base = getenv("TMPDIR");

    snprintf(basedir, sizeof(basedir), "%s/test_backup_sqlite.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(basedir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("backup_sqlite");
    TCase *tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_backup_plain_under_load);
    tcase_add_test(tc, test_backup_gzip_under_load);
    tcase_add_test(tc, test_backup_rollback_journal_under_load);
    tcase_add_test(tc, test_wal_content_included);
    tcase_add_test(tc, test_checksum_mismatch);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_damaged_gzip);
    tcase_add_test(tc, test_not_a_database);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_missing_source);
    tcase_add_test(tc, test_restore_over_existing);
    tcase_add_test(tc, test_clean_partial);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", basedir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", basedir);
    return failed == 0 ? 0 : 1;
}
