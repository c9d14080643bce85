/*
 * Jobs: long console actions (CHECK DATABASES, and later migrations and backups) run on a
 * small pool of executor threads, never on an event loop or a console session thread. A
 * command submits a job and answers with its id at once; SHOW JOBS lists them, WAIT JOB
 * relays a job's progress and returns its result, CANCEL JOB asks it to stop.
 */
#ifndef MYRMEX_ADMIN_JOBS_H
#define MYRMEX_ADMIN_JOBS_H

#include <stdbool.h>
#include <stddef.h>

enum job_state { JOB_QUEUED = 0, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED };

struct job;

/*
 * The body of a job, run on an executor thread. It reports progress with job_progress(),
 * checks job_cancelled() between steps, fills its result with job_columns()/job_row(), and
 * returns true when it finished its work. Returning false means failed (with the error set by
 * job_fail(), or "job failed"), or cancelled when job_cancelled() is true and no error was set.
 */
typedef bool (*job_run_fn)(struct job *job, void *arg);

/*
 * Queue a job of kind (e.g. "check databases") on database (or NULL for all). arg belongs to
 * the job from now on and is released with arg_free (may be NULL) once the job ends, or at
 * once when the job cannot be queued. Returns the job's id, or -1 with the reason in err
 * (the proxy is stopping).
 */
int jobs_submit(const char *kind, const char *database, job_run_fn run, void *arg,
                void (*arg_free)(void *), char *err, size_t errlen);

/* Progress: percent 0..100, or -1 when unknown; the text is what a waiting client sees. */
void job_progress(struct job *job, int percent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether CANCEL JOB asked this job to stop (or the proxy is stopping). */
bool job_cancelled(const struct job *job);
/* Record the job's error (a SQLSTATE and a message); the job then ends as failed. */
void job_fail(struct job *job, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The result set: types as the console's ('s' text, 'i' int4, 'q' int8), then the names. */
void job_columns(struct job *job, const char *fmt, ...);
/* One row: every value as text (NULL is a NULL), one per column. */
void job_row(struct job *job, ...);
/* The same with the names and values in arrays (one per letter of fmt). */
void job_columns_v(struct job *job, const char *fmt, const char *const *names);
void job_row_v(struct job *job, const char *const *values);

/* Cancel every job, wait for the executors and the clients waiting on jobs, free them. */
void jobs_stop(int timeout_ms);

#endif
