/*
 * What keeps runs apart and stoppable: the lock file of an SQLite database that migration
 * runs and backups of it take (mig_sqlite_lock), and the watcher that turns CANCEL JOB into
 * an interrupt of the statement a run is blocked in (mig_watch_*).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "migrate/migrate.h"
#include "migrate_int.h"
#include "util/util.h"

#define MIG_LOCK_POLL_MS 100

static void lock_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int mig_sqlite_lock(const char *sqlite_path, const char *database, const char *holder_name,
                    int64_t wait_ms, const struct mig_hooks *h, char *sqlstate, char *err,
                    size_t errlen)
{
    int64_t deadline = now_ms() + wait_ms;
    char *path = xmalloc(strlen(sqlite_path) + sizeof(".migrate-lock"));
    bool told = false;
    char holder[256];
    int fd;

    sprintf(path, "%s.migrate-lock", sqlite_path);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        snprintf(sqlstate, 6, "58030");
        snprintf(err, errlen, "cannot open the lock file %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    for (;;) {
        ssize_t n;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            char text[256];
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            n = snprintf(text, sizeof(text), "%s, since ", holder_name ? holder_name : "?");
            n += (ssize_t)strftime(text + n, sizeof(text) - (size_t)n, "%Y-%m-%d %H:%M:%S\n", &tm);
            if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) < 0)
                (void)0; /* the holder's name is a courtesy */
            free(path);
            return fd;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(sqlstate, 6, "58030");
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
            break;
        }
        n = pread(fd, holder, sizeof(holder) - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        if (!holder[0])
            snprintf(holder, sizeof(holder), "another process");
        if (now_ms() >= deadline) {
            snprintf(sqlstate, 6, "55P03");
            snprintf(err, errlen,
                     "database %s: another migration runner holds the lock (%s): %s; waited "
                     "%lld ms (migrations_lock_wait)",
                     database, path, holder, (long long)wait_ms);
            break;
        }
        if (!told && h && h->progress) {
            char line[400];
            snprintf(line, sizeof(line), "database %s: waiting for the migration lock held by %s",
                     database, holder);
            h->progress(h->arg, -1, line);
            told = true;
        }
        if (h && h->cancelled && h->cancelled(h->arg)) {
            snprintf(sqlstate, 6, "57014");
            snprintf(err, errlen, "cancelled while waiting for the migration lock");
            break;
        }
        lock_sleep_ms(MIG_LOCK_POLL_MS);
    }
    close(fd);
    free(path);
    return -1;
}

/*
 * CANCEL JOB (or a shutdown) while a statement runs: a watcher polls the cancelled hook and
 * interrupts the statement once (PQcancel / sqlite3_interrupt); the run then rolls back,
 * records the failure (57014) and stops.
 */

static void *mig_watch_main(void *arg)
{
    struct mig_watch *w = arg;
    bool fired = false;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
        if (!w->stop && !fired && w->h->cancelled(w->h->arg)) {
            mig_interrupt(w->conn);
            fired = true;
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void mig_watch_start(struct mig_watch *w, struct mig_conn *conn, const struct mig_hooks *h)
{
    memset(w, 0, sizeof(*w));
    if (!h || !h->cancelled)
        return;
    w->conn = conn;
    w->h = h;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->started = pthread_create(&w->thread, NULL, mig_watch_main, w) == 0;
    if (!w->started) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
    }
}

void mig_watch_stop(struct mig_watch *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->started = false;
}
