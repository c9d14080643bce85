/*
 * Plumbing shared by the in-process backends (the embedded SQLite backend, the admin
 * console): each session is a detached thread on one end of a socketpair, doing blocking I/O,
 * counted so that shutdown can wait for the last one.
 */
#ifndef MYRMEX_UTIL_SESSION_H
#define MYRMEX_UTIL_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* sv[0] for the proxy (non-blocking), sv[1] for the session; both close-on-exec. */
bool session_socketpair(int sv[2], char *err, size_t errlen);
/* Run fn(arg) on a new detached thread. */
bool session_thread_start(void *(*fn)(void *), void *arg);
/* Send all n bytes (blocking); false when the peer is gone. */
bool session_send_all(int fd, const void *p, size_t n);
/* Wait, holding mu, up to timeout_ms for *count to drop to 0 (cv is broadcast when it
 * drops); logs how many of what are still running when it does not. */
void session_wait_all_gone(pthread_mutex_t *mu, pthread_cond_t *cv, const int *count,
                           int timeout_ms, const char *what);

#endif
