/*
 * The jobs registry and its executor threads (include/admin/jobs.h), and the console commands
 * that read it: SHOW JOBS, WAIT JOB id, CANCEL JOB id. It owns every job from submit to
 * eviction; it does not know what a job does (admin_check.c and later engines do).
 *
 * A job moves QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED (a queued job cancelled
 * goes to CANCELLED without running). Every field of a job is guarded by jobs_lock; one
 * condition variable, jobs_cond, wakes executors (new work), waiters (progress, end) and
 * jobs_stop (a waiter left). Executors start on the first submit. Finished jobs are kept
 * for SHOW JOBS, JOBS_HISTORY at most; a job some client waits on (refs > 0) is never evicted.
 */
#include "admin/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/admin_parse.h"
#include "admin_int.h"
#include "util/log.h"
#include "util/util.h"

#define JOBS_EXECUTORS     2
#define JOBS_HISTORY       100
#define JOBS_MAX_LOG       1000
#define JOBS_MAX_ROWS      10000
#define JOBS_WAIT_SLICE_MS 200

struct job {
    int id;
    char kind[64];
    char database[64];
    enum job_state state;
    int percent;
    char progress[256];
    int64_t started_ms, finished_ms, submitted_ms; /* wall clock */
    char sqlstate[6];
    char error[512];
    bool cancel;
    int refs; /* clients in WAIT JOB on this job */
    job_run_fn run;
    void *arg;
    void (*arg_free)(void *);
    /* Progress lines for waiters, the last JOBS_MAX_LOG kept in a ring (line i in slot
     * i % JOBS_MAX_LOG, with its percent, -1 unknown); n_log counts every line ever logged. */
    char **log;
    int *log_pct;
    int n_log;
    /* The result, as text. */
    char fmt[ADMIN_MAX_COLUMNS + 1];
    char *names[ADMIN_MAX_COLUMNS];
    char **cells; /* n_rows * strlen(fmt) */
    int n_rows;
    struct job *next; /* in id order */
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cond = PTHREAD_COND_INITIALIZER;
static struct job *jobs_head, *jobs_tail;
static int jobs_next_id = 1;
static bool jobs_stopping;
static pthread_t jobs_threads[JOBS_EXECUTORS];
static int jobs_n_threads;

static const char *const job_state_names[] = {"queued", "running", "succeeded", "failed",
                                              "cancelled"};

static int64_t jobs_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool job_finished(const struct job *job)
{
    return job->state >= JOB_SUCCEEDED;
}

static void job_free(struct job *job)
{
    size_t ncol = strlen(job->fmt);
    if (job->arg_free)
        job->arg_free(job->arg);
    for (int i = 0; i < job->n_log && i < JOBS_MAX_LOG; i++)
        free(job->log[i]);
    free(job->log);
    free(job->log_pct);
    for (size_t i = 0; i < ncol; i++)
        free(job->names[i]);
    for (size_t i = 0; i < (size_t)job->n_rows * ncol; i++)
        free(job->cells[i]);
    free(job->cells);
    free(job);
}

/* Drop the oldest finished jobs nobody waits on beyond JOBS_HISTORY. Under jobs_lock. */
static void jobs_evict(void)
{
    int finished = 0;
    struct job **pp;

    for (struct job *j = jobs_head; j; j = j->next)
        finished += job_finished(j);
    pp = &jobs_head;
    while (*pp && finished > JOBS_HISTORY) {
        struct job *j = *pp;
        if (!job_finished(j) || j->refs > 0) {
            pp = &j->next;
            continue;
        }
        *pp = j->next;
        finished--;
        job_free(j);
    }
    jobs_tail = NULL;
    for (struct job *j = jobs_head; j; j = j->next)
        jobs_tail = j;
}

static struct job *jobs_find(int id)
{
    for (struct job *j = jobs_head; j; j = j->next)
        if (j->id == id)
            return j;
    return NULL;
}

static void *jobs_executor(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&jobs_lock);
    for (;;) {
        struct job *job = NULL;
        bool ok;

        for (struct job *j = jobs_head; j; j = j->next)
            if (j->state == JOB_QUEUED) {
                job = j;
                break;
            }
        if (!job) {
            if (jobs_stopping)
                break;
            pthread_cond_wait(&jobs_cond, &jobs_lock);
            continue;
        }
        job->state = JOB_RUNNING;
        job->started_ms = jobs_wall_ms();
        pthread_cond_broadcast(&jobs_cond);
        pthread_mutex_unlock(&jobs_lock);
        log_info("job %d (%s) started", job->id, job->kind);
        ok = job->run(job, job->arg);
        pthread_mutex_lock(&jobs_lock);
        if (ok)
            job->state = JOB_SUCCEEDED;
        else if (!job->error[0] && job->cancel)
            job->state = JOB_CANCELLED;
        else
            job->state = JOB_FAILED;
        if (job->state == JOB_FAILED && !job->error[0]) {
            snprintf(job->sqlstate, sizeof(job->sqlstate), "XX000");
            snprintf(job->error, sizeof(job->error), "job failed");
        }
        if (job->state == JOB_CANCELLED) {
            snprintf(job->sqlstate, sizeof(job->sqlstate), jobs_stopping ? "57P01" : "57014");
            snprintf(job->error, sizeof(job->error), "%s",
                     jobs_stopping ? "the proxy is shutting down" : "canceled by CANCEL JOB");
        }
        job->finished_ms = jobs_wall_ms();
        log_info("job %d (%s) %s%s%s", job->id, job->kind, job_state_names[job->state],
                 job->error[0] ? ": " : "", job->error);
        jobs_evict();
        pthread_cond_broadcast(&jobs_cond);
    }
    pthread_mutex_unlock(&jobs_lock);
    return NULL;
}

int jobs_submit(const char *kind, const char *database, job_run_fn run, void *arg,
                void (*arg_free)(void *), char *err, size_t errlen)
{
    struct job *job;
    int id;

    pthread_mutex_lock(&jobs_lock);
    if (jobs_stopping) {
        pthread_mutex_unlock(&jobs_lock);
        snprintf(err, errlen, "the proxy is shutting down");
        if (arg_free)
            arg_free(arg);
        return -1;
    }
    while (jobs_n_threads < JOBS_EXECUTORS) {
        if (pthread_create(&jobs_threads[jobs_n_threads], NULL, jobs_executor, NULL) != 0)
            break;
        jobs_n_threads++;
    }
    if (jobs_n_threads == 0) {
        pthread_mutex_unlock(&jobs_lock);
        snprintf(err, errlen, "could not start a job executor thread");
        if (arg_free)
            arg_free(arg);
        return -1;
    }
    job = xcalloc(1, sizeof(*job));
    job->id = id = jobs_next_id++;
    snprintf(job->kind, sizeof(job->kind), "%s", kind);
    snprintf(job->database, sizeof(job->database), "%s", database ? database : "");
    job->state = JOB_QUEUED;
    job->percent = -1;
    job->submitted_ms = jobs_wall_ms();
    job->run = run;
    job->arg = arg;
    job->arg_free = arg_free;
    if (jobs_tail)
        jobs_tail->next = job;
    else
        jobs_head = job;
    jobs_tail = job;
    pthread_cond_broadcast(&jobs_cond);
    pthread_mutex_unlock(&jobs_lock);
    return id;
}

void job_progress(struct job *job, int percent, const char *fmt, ...)
{
    va_list ap;
    char line[256];

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&jobs_lock);
    job->percent = percent;
    snprintf(job->progress, sizeof(job->progress), "%s", line);
    if (job->n_log < JOBS_MAX_LOG) {
        if (job->n_log % 16 == 0) {
            job->log = xrealloc(job->log, (size_t)(job->n_log + 16) * sizeof(*job->log));
            job->log_pct =
                xrealloc(job->log_pct, (size_t)(job->n_log + 16) * sizeof(*job->log_pct));
        }
    } else {
        free(job->log[job->n_log % JOBS_MAX_LOG]);
    }
    job->log[job->n_log % JOBS_MAX_LOG] = xstrdup(line);
    job->log_pct[job->n_log % JOBS_MAX_LOG] = percent;
    job->n_log++;
    pthread_cond_broadcast(&jobs_cond);
    pthread_mutex_unlock(&jobs_lock);
}

bool job_cancelled(const struct job *job)
{
    bool c;
    pthread_mutex_lock(&jobs_lock);
    c = job->cancel;
    pthread_mutex_unlock(&jobs_lock);
    return c;
}

void job_fail(struct job *job, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&jobs_lock);
    snprintf(job->sqlstate, sizeof(job->sqlstate), "%s", sqlstate);
    va_start(ap, fmt);
    vsnprintf(job->error, sizeof(job->error), fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&jobs_lock);
}

/* The result is written by the job's own thread only, and read once the job has finished. */
void job_columns(struct job *job, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(fmt);

    if (job->fmt[0] || n > ADMIN_MAX_COLUMNS)
        return;
    memcpy(job->fmt, fmt, n + 1);
    va_start(ap, fmt);
    for (size_t i = 0; i < n; i++)
        job->names[i] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
}

void job_columns_v(struct job *job, const char *fmt, const char *const *names)
{
    size_t n = strlen(fmt);

    if (job->fmt[0] || n > ADMIN_MAX_COLUMNS)
        return;
    memcpy(job->fmt, fmt, n + 1);
    for (size_t i = 0; i < n; i++)
        job->names[i] = xstrdup(names[i]);
}

void job_row_v(struct job *job, const char *const *values)
{
    size_t n = strlen(job->fmt);

    if (n == 0 || job->n_rows >= JOBS_MAX_ROWS)
        return;
    job->cells = xrealloc(job->cells, (size_t)(job->n_rows + 1) * n * sizeof(*job->cells));
    for (size_t i = 0; i < n; i++)
        job->cells[(size_t)job->n_rows * n + i] = values[i] ? xstrdup(values[i]) : NULL;
    job->n_rows++;
}

void job_row(struct job *job, ...)
{
    va_list ap;
    size_t n = strlen(job->fmt);

    if (n == 0 || job->n_rows >= JOBS_MAX_ROWS)
        return;
    job->cells = xrealloc(job->cells, (size_t)(job->n_rows + 1) * n * sizeof(*job->cells));
    va_start(ap, job);
    for (size_t i = 0; i < n; i++) {
        const char *v = va_arg(ap, const char *);
        job->cells[(size_t)job->n_rows * n + i] = v ? xstrdup(v) : NULL;
    }
    va_end(ap);
    job->n_rows++;
}

void jobs_stop(int timeout_ms)
{
    struct timespec until;
    int64_t deadline;

    pthread_mutex_lock(&jobs_lock);
    jobs_stopping = true;
    for (struct job *j = jobs_head; j; j = j->next) {
        j->cancel = true;
        if (j->state == JOB_QUEUED) {
            j->state = JOB_CANCELLED;
            j->finished_ms = jobs_wall_ms();
            snprintf(j->sqlstate, sizeof(j->sqlstate), "57P01");
            snprintf(j->error, sizeof(j->error), "the proxy is shutting down");
        }
    }
    pthread_cond_broadcast(&jobs_cond);
    pthread_mutex_unlock(&jobs_lock);
    for (int i = 0; i < jobs_n_threads; i++)
        pthread_join(jobs_threads[i], NULL);
    jobs_n_threads = 0;

    /* Clients in WAIT JOB wake up now that every job has ended; wait for them to let go. */
    deadline = now_ms() + timeout_ms;
    pthread_mutex_lock(&jobs_lock);
    for (;;) {
        int refs = 0;
        for (struct job *j = jobs_head; j; j = j->next)
            refs += j->refs;
        if (refs == 0 || now_ms() >= deadline)
            break;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 50 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&jobs_cond, &jobs_lock, &until);
    }
    while (jobs_head) {
        struct job *j = jobs_head;
        jobs_head = j->next;
        if (j->refs > 0) {
            log_warning("job %d: a client still waits on it at exit", j->id);
            continue; /* leaked rather than freed under a waiter */
        }
        job_free(j);
    }
    jobs_tail = NULL;
    pthread_mutex_unlock(&jobs_lock);
}

/* ---- console commands ---------------------------------------------------------------------- */

void admin_show_jobs(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r)
{
    (void)ctx;
    if (admin_too_many_words(cmd, 1, r))
        return;
    admin_result_columns(r, "issssTTs", "id", "kind", "database", "state", "progress", "started",
                         "finished", "error");
    pthread_mutex_lock(&jobs_lock);
    for (struct job *j = jobs_head; j; j = j->next) {
        char progress[300];
        if (j->percent >= 0)
            snprintf(progress, sizeof(progress), "%d%% %s", j->percent, j->progress);
        else
            snprintf(progress, sizeof(progress), "%s", j->progress);
        admin_result_row(r, j->id, j->kind, j->database[0] ? j->database : NULL,
                         job_state_names[j->state], progress[0] ? progress : NULL, j->started_ms,
                         j->finished_ms, j->error[0] ? j->error : NULL);
    }
    pthread_mutex_unlock(&jobs_lock);
}

/* "JOB <id>" after the verb: the id, or -1 with the error set in r. */
static int admin_job_id(const struct admin_parse_cmd *cmd, struct admin_result *r)
{
    char *end;
    long id;

    if (cmd->n_words != 2 || strcmp(cmd->words[0], "job") != 0) {
        admin_result_error(r, "42601", "bad arguments: use %s JOB <id>", cmd->verb);
        return -1;
    }
    errno = 0;
    id = strtol(cmd->words[1], &end, 10);
    if (errno || *end || end == cmd->words[1] || id <= 0 || id > 0x7fffffff) {
        admin_result_error(r, "22P02", "invalid job id: \"%s\"", cmd->words[1]);
        return -1;
    }
    return (int)id;
}

void admin_submitted(const struct admin_ctx *ctx, struct admin_result *r, int id)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "job %d queued; WAIT JOB %d to follow it, CANCEL JOB %d to stop it",
             id, id, id);
    admin_result_notice(r, msg, NULL);
    admin_result_columns(r, "i", "job_id");
    admin_result_row(r, id);
    (void)ctx;
}

/* Copy a finished job's result (or error) into r. Under jobs_lock. */
static void admin_job_result(const struct job *job, struct admin_result *r)
{
    size_t n = strlen(job->fmt);

    if (job->state != JOB_SUCCEEDED) {
        admin_result_error(r, job->sqlstate[0] ? job->sqlstate : "XX000", "job %d %s: %s", job->id,
                           job_state_names[job->state], job->error);
        return;
    }
    if (n == 0) {
        admin_result_tag(r, "WAIT");
        return;
    }
    admin_result_columns_v(r, job->fmt, (const char *const *)job->names);
    for (int i = 0; i < job->n_rows; i++)
        admin_result_row_text(r, (const char *const *)job->cells + (size_t)i * n);
}

void admin_wait_job(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                    struct admin_result *r)
{
    int id = admin_job_id(cmd, r), seen = 0;
    struct job *job;

    if (id < 0)
        return;
    pthread_mutex_lock(&jobs_lock);
    job = jobs_find(id);
    if (!job) {
        pthread_mutex_unlock(&jobs_lock);
        admin_result_error(r, "42704", "job %d does not exist", id);
        return;
    }
    job->refs++;
    for (;;) {
        struct timespec until;
        /* Relay the progress lines logged since the last pass, one NOTICE each (its
         * percent, when known, as the DETAIL "progress: N%"); lines the ring no longer
         * holds are skipped. */
        if (seen < job->n_log - JOBS_MAX_LOG)
            seen = job->n_log - JOBS_MAX_LOG;
        while (seen < job->n_log) {
            char line[256], detail[32];
            int pct = job->log_pct[seen % JOBS_MAX_LOG];
            snprintf(line, sizeof(line), "%s", job->log[seen % JOBS_MAX_LOG]);
            snprintf(detail, sizeof(detail), "progress: %d%%", pct);
            seen++;
            pthread_mutex_unlock(&jobs_lock);
            admin_notify(ctx, line, pct >= 0 ? detail : NULL);
            pthread_mutex_lock(&jobs_lock);
        }
        if (job_finished(job))
            break;
        pthread_mutex_unlock(&jobs_lock);
        if (ctx->gone && ctx->gone(ctx->session)) {
            pthread_mutex_lock(&jobs_lock);
            job->refs--;
            pthread_cond_broadcast(&jobs_cond);
            pthread_mutex_unlock(&jobs_lock);
            log_info("WAIT JOB %d: the client left; the job goes on", id);
            admin_result_error(r, "57014", "WAIT JOB %d: the client went away", id);
            return;
        }
        pthread_mutex_lock(&jobs_lock);
        if (job_finished(job) || seen < job->n_log)
            continue;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += JOBS_WAIT_SLICE_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&jobs_cond, &jobs_lock, &until);
    }
    admin_job_result(job, r);
    job->refs--;
    pthread_cond_broadcast(&jobs_cond);
    pthread_mutex_unlock(&jobs_lock);
}

void admin_cancel_job(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r)
{
    int id = admin_job_id(cmd, r);
    struct job *job;
    char msg[128];

    (void)ctx;
    if (id < 0)
        return;
    pthread_mutex_lock(&jobs_lock);
    job = jobs_find(id);
    if (!job) {
        pthread_mutex_unlock(&jobs_lock);
        admin_result_error(r, "42704", "job %d does not exist", id);
        return;
    }
    if (job_finished(job)) {
        snprintf(msg, sizeof(msg), "job %d has already %s", id, job_state_names[job->state]);
    } else if (job->state == JOB_QUEUED) {
        job->cancel = true;
        job->state = JOB_CANCELLED;
        job->finished_ms = jobs_wall_ms();
        snprintf(job->sqlstate, sizeof(job->sqlstate), "57014");
        snprintf(job->error, sizeof(job->error), "canceled by CANCEL JOB before it started");
        pthread_cond_broadcast(&jobs_cond);
        snprintf(msg, sizeof(msg), "job %d cancelled before it started", id);
    } else {
        job->cancel = true;
        pthread_cond_broadcast(&jobs_cond);
        snprintf(msg, sizeof(msg), "job %d asked to stop", id);
    }
    pthread_mutex_unlock(&jobs_lock);
    admin_result_notice(r, msg, NULL);
    admin_result_tag(r, "CANCEL");
}
