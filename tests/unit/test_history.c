/*
 * Unit tests for src/monitor/history.c: the per-minute query history in the state database,
 * on disk in a temporary directory and in memory: appends and queries, replacing a minute
 * appended twice, retention, file modes, bad state files, persistence across a reopen.
 */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monitor/history.h"

#define FP_A UINT64_C(0xfedcba9876543210) /* the high bit set: stored as a negative int64 */
#define FP_B UINT64_C(0x0123456789abcdef)

static char basedir[PATH_MAX / 4]; /* made by main, removed when every test has run */
static char tmpdir[PATH_MAX / 2];  /* each test's own, inside basedir */

static void tmp_setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/t.XXXXXX", basedir);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    umask(022); /* what SQLite's own 0644 would become: the file must still be 0600 */
}

static void tmp_teardown(void)
{
    history_close();
}

static struct mon_minute row(int64_t minute, const char *db, const char *user, uint64_t fp,
                             uint64_t calls)
{
    struct mon_minute r;
    memset(&r, 0, sizeof(r));
    r.minute = minute;
    snprintf(r.db, sizeof(r.db), "%s", db);
    snprintf(r.user, sizeof(r.user), "%s", user);
    r.fp = fp;
    r.calls = calls;
    r.errors = calls / 10;
    r.rows = calls * 3;
    r.total_ms = (double)calls * 1.5;
    r.wait_ms = (double)calls * 0.25;
    r.max_ms = 40.5;
    r.p50_ms = 1.25;
    r.p95_ms = 7.5;
    r.p99_ms = 20.0;
    return r;
}

static void check_row(const struct mon_minute *r, int64_t minute, const char *db, const char *user,
                      uint64_t fp, uint64_t calls)
{
    ck_assert_int_eq(r->minute, minute);
    ck_assert_str_eq(r->db, db);
    ck_assert_str_eq(r->user, user);
    ck_assert_uint_eq(r->fp, fp);
    ck_assert_uint_eq(r->calls, calls);
    ck_assert_uint_eq(r->errors, calls / 10);
    ck_assert_uint_eq(r->rows, calls * 3);
    ck_assert_double_eq(r->total_ms, (double)calls * 1.5);
    ck_assert_double_eq(r->wait_ms, (double)calls * 0.25);
    ck_assert_double_eq(r->max_ms, 40.5);
    ck_assert_double_eq(r->p50_ms, 1.25);
    ck_assert_double_eq(r->p95_ms, 7.5);
    ck_assert_double_eq(r->p99_ms, 20.0);
}

/* Two minutes of two databases: totals (fp 0, user "") and per-user fingerprints. */
static int64_t append_two_minutes(void)
{
    int64_t m1 = (time(NULL) / 60 - 2) * 60, m2 = m1 + 60;
    struct mon_minute first[] = {
        row(m1, "app", "bob", FP_A, 10),   row(m1, "app", "alice", FP_A, 20),
        row(m1, "app", "alice", FP_B, 30), row(m1, "shop", "alice", FP_A, 40),
        row(m1, "app", "", 0, 60),         row(m1, "shop", "", 0, 40),
    };
    struct mon_minute second[] = {
        row(m2, "shop", "alice", FP_A, 50),
        row(m2, "app", "alice", FP_A, 70),
        row(m2, "app", "", 0, 70),
        row(m2, "shop", "", 0, 50),
    };
    ck_assert(history_append(first, (int)(sizeof(first) / sizeof(first[0]))));
    ck_assert(history_append(second, (int)(sizeof(second) / sizeof(second[0]))));
    return m1;
}

/* What append_two_minutes stored, read back by fingerprint, by database and since. */
static void check_two_minutes(int64_t m1)
{
    struct mon_minute *r = NULL;
    int64_t m2 = m1 + 60;
    int n;

    /* One fingerprint over every database: by minute, then database, then user. */
    n = history_query(FP_A, NULL, 0, &r);
    ck_assert_int_eq(n, 5);
    check_row(&r[0], m1, "app", "alice", FP_A, 20);
    check_row(&r[1], m1, "app", "bob", FP_A, 10);
    check_row(&r[2], m1, "shop", "alice", FP_A, 40);
    check_row(&r[3], m2, "app", "alice", FP_A, 70);
    check_row(&r[4], m2, "shop", "alice", FP_A, 50);
    free(r);

    n = history_query(FP_B, NULL, 0, &r);
    ck_assert_int_eq(n, 1);
    check_row(&r[0], m1, "app", "alice", FP_B, 30);
    free(r);

    /* One database. */
    n = history_query(FP_A, "shop", 0, &r);
    ck_assert_int_eq(n, 2);
    check_row(&r[0], m1, "shop", "alice", FP_A, 40);
    check_row(&r[1], m2, "shop", "alice", FP_A, 50);
    free(r);

    /* fp 0: the per-database totals, and only those. */
    n = history_query(0, NULL, 0, &r);
    ck_assert_int_eq(n, 4);
    check_row(&r[0], m1, "app", "", 0, 60);
    check_row(&r[1], m1, "shop", "", 0, 40);
    check_row(&r[2], m2, "app", "", 0, 70);
    check_row(&r[3], m2, "shop", "", 0, 50);
    free(r);
    n = history_query(0, "app", 0, &r);
    ck_assert_int_eq(n, 2);
    check_row(&r[0], m1, "app", "", 0, 60);
    check_row(&r[1], m2, "app", "", 0, 70);
    free(r);

    /* since is inclusive. */
    n = history_query(0, "app", m2, &r);
    ck_assert_int_eq(n, 1);
    check_row(&r[0], m2, "app", "", 0, 70);
    free(r);
    n = history_query(FP_A, NULL, m2 + 1, &r);
    ck_assert_int_eq(n, 0);
    free(r);

    /* Nothing known of that database or fingerprint: 0 rows, not an error. */
    n = history_query(FP_A, "nosuchdb", 0, &r);
    ck_assert_int_eq(n, 0);
    free(r);
    n = history_query(12345, NULL, 0, &r);
    ck_assert_int_eq(n, 0);
    free(r);
}

static void check_mode(const char *path, mode_t want)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "%s missing", path);
    ck_assert_msg((st.st_mode & 07777) == want, "%s: mode %o, expected %o", path,
                  (unsigned)(st.st_mode & 07777), (unsigned)want);
}

START_TEST(test_memory)
{
    char err[512] = "";

    ck_assert_msg(history_open("", 7, err, sizeof(err)), "%s", err);
    check_two_minutes(append_two_minutes());
    history_close();
    /* A new in-memory history starts empty. */
    ck_assert_msg(history_open(NULL, 7, err, sizeof(err)), "%s", err);
    struct mon_minute *r = NULL;
    ck_assert_int_eq(history_query(0, NULL, 0, &r), 0);
    free(r);
    history_close();
}
END_TEST

START_TEST(test_disk_modes_and_restart)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], err[512] = "";
    int64_t m1;

    /* Missing directories are created, 0700; the file is 0600 (its WAL too). */
    snprintf(dir, sizeof(dir), "%s/var/myrmex", tmpdir);
    ck_assert_msg(history_open(dir, 7, err, sizeof(err)), "%s", err);
    m1 = append_two_minutes();
    check_two_minutes(m1);
    check_mode(dir, 0700);
    snprintf(path, sizeof(path), "%s/var", tmpdir);
    check_mode(path, 0700);
    snprintf(path, sizeof(path), "%s/myrmex-state.db", dir);
    check_mode(path, 0600);
    snprintf(path, sizeof(path), "%s/myrmex-state.db-wal", dir);
    check_mode(path, 0600);
    history_close();

    /* A restart finds the history as it was (state_dir given with a trailing slash). */
    snprintf(dir, sizeof(dir), "%s/var/myrmex/", tmpdir);
    ck_assert_msg(history_open(dir, 7, err, sizeof(err)), "%s", err);
    check_two_minutes(m1);
    history_close();

    /* An existing file others could read is made private. */
    snprintf(path, sizeof(path), "%s/var/myrmex/myrmex-state.db", tmpdir);
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_msg(history_open(dir, 7, err, sizeof(err)), "%s", err);
    check_mode(path, 0600);
    check_two_minutes(m1);
}
END_TEST

START_TEST(test_replace_minute)
{
    char err[512] = "";
    struct mon_minute *r = NULL;
    int64_t m1;

    ck_assert_msg(history_open(tmpdir, 7, err, sizeof(err)), "%s", err);
    m1 = append_two_minutes();
    /* The first minute again (a restart re-sends it): its rows are replaced, not doubled,
     * and a key it no longer has keeps its old row. */
    struct mon_minute again[] = {row(m1, "app", "alice", FP_A, 25), row(m1, "app", "", 0, 65)};
    ck_assert(history_append(again, 2));
    ck_assert_int_eq(history_query(FP_A, "app", 0, &r), 3);
    check_row(&r[0], m1, "app", "alice", FP_A, 25);
    check_row(&r[1], m1, "app", "bob", FP_A, 10);
    check_row(&r[2], m1 + 60, "app", "alice", FP_A, 70);
    free(r);
    ck_assert_int_eq(history_query(0, "app", 0, &r), 2);
    check_row(&r[0], m1, "app", "", 0, 65);
    check_row(&r[1], m1 + 60, "app", "", 0, 70);
    free(r);
    /* The same row twice in one append: the last one wins. */
    struct mon_minute twice[] = {row(m1, "shop", "", 0, 1), row(m1, "shop", "", 0, 2)};
    ck_assert(history_append(twice, 2));
    ck_assert_int_eq(history_query(0, "shop", m1, &r), 2);
    check_row(&r[0], m1, "shop", "", 0, 2);
    free(r);
}
END_TEST

START_TEST(test_retention)
{
    char err[512] = "";
    struct mon_minute *r = NULL;
    int64_t now = time(NULL) / 60 * 60;
    int64_t old = now - 3 * 86400, older = now - 8 * 86400;

    ck_assert_msg(history_open(tmpdir, 7, err, sizeof(err)), "%s", err);
    /* Kept 7 days: 3 days old stays, 8 days old goes with the append that brought it. */
    struct mon_minute first[] = {row(older, "app", "", 0, 1), row(old, "app", "", 0, 2),
                                 row(old, "app", "alice", FP_A, 2)};
    ck_assert(history_append(first, 3));
    ck_assert_int_eq(history_query(0, NULL, 0, &r), 1);
    check_row(&r[0], old, "app", "", 0, 2);
    free(r);

    /* Down to 1 day: the next minute's append removes the 3-day-old rows. */
    history_set_keep_days(1);
    struct mon_minute next[] = {row(now, "app", "", 0, 3), row(now, "app", "alice", FP_A, 3),
                                row(now - 86400 + 120, "app", "", 0, 4)};
    ck_assert(history_append(next, 3));
    ck_assert_int_eq(history_query(0, NULL, 0, &r), 2);
    check_row(&r[0], now - 86400 + 120, "app", "", 0, 4);
    check_row(&r[1], now, "app", "", 0, 3);
    free(r);
    ck_assert_int_eq(history_query(FP_A, NULL, 0, &r), 1);
    check_row(&r[0], now, "app", "alice", FP_A, 3);
    free(r);

    /* 0 (or less) keeps one day, never nothing: the minute just written stays. */
    history_set_keep_days(0);
    struct mon_minute day[] = {row(now - 12 * 3600, "app", "", 0, 5),
                               row(now - 25 * 3600, "app", "", 0, 6)};
    ck_assert(history_append(day, 2));
    ck_assert_int_eq(history_query(0, NULL, now - 13 * 3600, &r), 2);
    check_row(&r[0], now - 12 * 3600, "app", "", 0, 5);
    check_row(&r[1], now, "app", "", 0, 3);
    free(r);
    ck_assert_int_eq(history_query(0, NULL, 0, &r), 3); /* the -25 h row is gone */
    free(r);

    /* An empty minute still ages the history out. */
    history_set_keep_days(-5);
    ck_assert(history_append(NULL, 0));
    ck_assert_int_eq(history_query(0, NULL, 0, &r), 3);
    free(r);
}
END_TEST

START_TEST(test_state_dir_is_a_file)
{
    char dir[PATH_MAX], err[512] = "";
    struct mon_minute *r = NULL;

    snprintf(dir, sizeof(dir), "%s/plain", tmpdir);
    FILE *f = fopen(dir, "w");
    ck_assert_ptr_nonnull(f);
    fputs("not a directory\n", f);
    fclose(f);
    ck_assert(!history_open(dir, 7, err, sizeof(err)));
    ck_assert_msg(strstr(err, dir) != NULL, "no path in: %s", err);
    ck_assert_msg(strstr(err, "not a directory") != NULL, "%s", err);
    /* Without a history, appends and queries fail cleanly. */
    struct mon_minute one = row(60, "app", "", 0, 1);
    ck_assert(!history_append(&one, 1));
    ck_assert_int_eq(history_query(0, NULL, 0, &r), -1);
    ck_assert_ptr_null(r);

    /* A directory below that file cannot be made. */
    snprintf(dir, sizeof(dir), "%s/plain/sub", tmpdir);
    err[0] = '\0';
    ck_assert(!history_open(dir, 7, err, sizeof(err)));
    ck_assert_msg(strstr(err, dir) != NULL && strstr(err, "Not a directory") != NULL, "%s", err);
}
END_TEST

START_TEST(test_garbage_file)
{
    char path[PATH_MAX + 32], err[512] = "";
    struct mon_minute *r = NULL;
    unsigned char junk[8192];

    snprintf(path, sizeof(path), "%s/myrmex-state.db", tmpdir);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)(i * 7919u + 13u);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
    fclose(f);
    ck_assert(!history_open(tmpdir, 7, err, sizeof(err)));
    ck_assert_msg(strstr(err, path) != NULL, "no path in: %s", err);
    ck_assert_msg(strstr(err, "not a database") != NULL, "%s", err);
    ck_assert_int_eq(history_query(0, NULL, 0, &r), -1);
    /* The file is left as it was for someone to look at. */
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, (off_t)sizeof(junk));

    /* A directory where the file should be. */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    err[0] = '\0';
    ck_assert(!history_open(tmpdir, 7, err, sizeof(err)));
    ck_assert_msg(strstr(err, path) != NULL, "no path in: %s", err);
}
END_TEST

START_TEST(test_newer_schema)
{
    char path[PATH_MAX + 32], err[512] = "";
    sqlite3 *db;

    /* A file a later release migrated past what this one knows is refused, not guessed at. */
    snprintf(path, sizeof(path), "%s/myrmex-state.db", tmpdir);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert(!history_open(tmpdir, 7, err, sizeof(err)));
    ck_assert_msg(strstr(err, path) != NULL && strstr(err, "version 99") != NULL, "%s", err);
}
END_TEST

int main(void)
{
    const char *base = getenv("TMPDIR");
    char cmd[PATH_MAX + 16];

    snprintf(basedir, sizeof(basedir), "%s/test_history.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(basedir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("history");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_memory);
    tcase_add_test(tc, test_disk_modes_and_restart);
    tcase_add_test(tc, test_replace_minute);
    tcase_add_test(tc, test_retention);
    tcase_add_test(tc, test_state_dir_is_a_file);
    tcase_add_test(tc, test_garbage_file);
    tcase_add_test(tc, test_newer_schema);
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
