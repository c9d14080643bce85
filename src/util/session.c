/* Session threads of the in-process backends (include/util/session.h). */
#include "util/session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

bool session_socketpair(int sv[2], char *err, size_t errlen)
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        snprintf(err, errlen, "could not create a socketpair: %s", strerror(errno));
        return false;
    }
    if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL, 0) | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "could not set up a socketpair: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    return true;
}

bool session_thread_start(void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_t tid;
    bool ok;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&tid, &attr, fn, arg) == 0;
    pthread_attr_destroy(&attr);
    return ok;
}

bool session_send_all(int fd, const void *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t k = send(fd, (const char *)p + off, n - off, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        off += (size_t)k;
    }
    return true;
}

void session_wait_all_gone(pthread_mutex_t *mu, pthread_cond_t *cv, const int *count,
                           int timeout_ms, const char *what)
{
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(mu);
    while (*count > 0)
        if (pthread_cond_timedwait(cv, mu, &deadline) == ETIMEDOUT)
            break;
    if (*count > 0)
        log_warning("%d %s still running at exit", *count, what);
    pthread_mutex_unlock(mu);
}
