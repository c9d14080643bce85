/*
 * Unit tests for the jobs registry (src/admin/admin_jobs.c) through the console commands:
 * progress relayed to a waiter in order, result rows, failure and cancellation (running and
 * queued) with their SQLSTATEs, unknown ids, the bounded history, and a clean stop.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin/jobs.h"
#include "admin_int.h"
#include "util/log.h"
#include "util/util.h"

static char notices[16][128];
static int n_notices;

static void record_notice(void *session, const char *message, const char *detail)
{
    (void)session;
    (void)detail;
    if (n_notices < 16)
        snprintf(notices[n_notices++], sizeof(notices[0]), "%s", message);
}

static const struct admin_ctx ctx = {
    .role = ADMIN_ROLE_ADMIN, .user = "admin", .notify = record_notice};

static void run(const char *sql, struct admin_result *r)
{
    admin_result_init(r);
    admin_command_run(&ctx, sql, r);
}

static int submit(job_run_fn fn, void *arg)
{
    char err[64];
    int id = jobs_submit("test", "db", fn, arg, NULL, err, sizeof(err));
    ck_assert_int_gt(id, 0);
    return id;
}

static bool job_steps(struct job *job, void *arg)
{
    (void)arg;
    job_columns(job, "si", "name", "n");
    for (int i = 1; i <= 3; i++) {
        job_progress(job, i * 33, "step %d", i);
        usleep(10000);
    }
    job_row(job, "a", "1");
    job_row(job, NULL, "2");
    return true;
}

static bool job_fails(struct job *job, void *arg)
{
    (void)arg;
    job_fail(job, "XX001", "boom at step %d", 2);
    return false;
}

static atomic_int started;

/* Runs until cancelled (at most 10 s). */
static bool job_blocks(struct job *job, void *arg)
{
    (void)arg;
    atomic_fetch_add(&started, 1);
    for (int i = 0; i < 1000 && !job_cancelled(job); i++)
        usleep(10000);
    return false;
}

static bool job_quick(struct job *job, void *arg)
{
    (void)job;
    (void)arg;
    return true;
}

START_TEST(test_jobs)
{
    struct admin_result r;
    char sql[64];
    int id, a, b, c;

    /* Progress, in order, then the rows. */
    id = submit(job_steps, NULL);
    snprintf(sql, sizeof(sql), "WAIT JOB %d", id);
    run(sql, &r);
    ck_assert(!r.error);
    ck_assert_int_eq(r.n_rows, 2);
    ck_assert_str_eq(r.fmt, "si");
    ck_assert_int_eq(n_notices, 3);
    ck_assert_str_eq(notices[0], "step 1");
    ck_assert_str_eq(notices[2], "step 3");
    admin_result_fini(&r);

    /* A failure carries its own SQLSTATE. */
    id = submit(job_fails, NULL);
    snprintf(sql, sizeof(sql), "WAIT JOB %d", id);
    run(sql, &r);
    ck_assert(r.error);
    ck_assert_str_eq(r.sqlstate, "XX001");
    ck_assert_ptr_nonnull(strstr(r.message, "boom at step 2"));
    admin_result_fini(&r);

    /* Unknown ids. */
    run("WAIT JOB 99999", &r);
    ck_assert(r.error);
    ck_assert_str_eq(r.sqlstate, "42704");
    admin_result_fini(&r);
    run("CANCEL JOB 99999", &r);
    ck_assert_str_eq(r.sqlstate, "42704");
    admin_result_fini(&r);

    /* Two executors busy: the third job waits, is cancelled there and never runs. */
    a = submit(job_blocks, NULL);
    b = submit(job_blocks, NULL);
    for (int i = 0; i < 500 && atomic_load(&started) < 2; i++)
        usleep(10000);
    ck_assert_int_eq(atomic_load(&started), 2);
    c = submit(job_blocks, NULL);
    snprintf(sql, sizeof(sql), "CANCEL JOB %d", c);
    run(sql, &r);
    ck_assert(!r.error);
    admin_result_fini(&r);
    snprintf(sql, sizeof(sql), "CANCEL JOB %d", a);
    run(sql, &r);
    admin_result_fini(&r);
    snprintf(sql, sizeof(sql), "WAIT JOB %d", a);
    run(sql, &r);
    ck_assert(r.error);
    ck_assert_str_eq(r.sqlstate, "57014");
    admin_result_fini(&r);
    snprintf(sql, sizeof(sql), "WAIT JOB %d", c);
    run(sql, &r);
    ck_assert_str_eq(r.sqlstate, "57014");
    ck_assert_ptr_nonnull(strstr(r.message, "before it started"));
    admin_result_fini(&r);
    usleep(50000);
    ck_assert_int_eq(atomic_load(&started), 2);

    /* The history is bounded: b still runs, 150 quick jobs come and most go. */
    for (int i = 0; i < 150; i++)
        id = submit(job_quick, NULL);
    snprintf(sql, sizeof(sql), "WAIT JOB %d", id);
    run(sql, &r);
    ck_assert(!r.error);
    admin_result_fini(&r);
    run("SHOW JOBS", &r);
    ck_assert(!r.error);
    ck_assert_int_le(r.n_rows, 101);
    ck_assert_int_ge(r.n_rows, 100);
    admin_result_fini(&r);

    /* Stop cancels b and refuses new work. */
    (void)b;
    jobs_stop(1000);
    {
        char err[64];
        ck_assert_int_eq(jobs_submit("test", NULL, job_quick, NULL, NULL, err, sizeof(err)), -1);
    }
}
END_TEST

int main(void)
{
    log_set_level(LOG_WARNING);
    Suite *s = suite_create("jobs");
    TCase *tc = tcase_create("jobs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_jobs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
