/*
 * A non-blocking socket with its two evbuffers and its read/write events. All reads and
 * writes of client and server sockets go through here; the protocol code above only moves
 * bytes between evbuffers.
 */
#ifndef MYRMEX_CORE_IO_H
#define MYRMEX_CORE_IO_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdbool.h>
#include <stddef.h>

struct evbuffer;

/* Output past this many bytes stops reading from the peer that feeds it. */
#define IO_HIGH_WATERMARK (256 * 1024)
#define IO_LOW_WATERMARK  (64 * 1024)

struct io {
    int fd;
    struct event rev;
    struct event wev;
    struct evbuffer *in;
    struct evbuffer *out;
    bool assigned; /* rev/wev belong to a base */
    bool reading;  /* rev is added */
    bool writing;  /* wev is added */
};

/* Take ownership of fd (already non-blocking). false when buffers cannot be allocated. */
bool io_init(struct io *io, int fd);
/* Bind the events to base; they start disabled. */
void io_assign(struct io *io, struct event_base *base, event_callback_fn on_read,
               event_callback_fn on_write, void *arg);
/* Remove both events from their base (safe from another thread). */
void io_unassign(struct io *io);
void io_start_read(struct io *io);
void io_stop_read(struct io *io);
/* Read what is available: >0 bytes read, 0 end of file, -1 error, -2 nothing now. */
int io_read(struct io *io);
/* Write what the output buffer holds; waits for writability when needed. false on error. */
bool io_flush(struct io *io);
/* Unassign, close the socket and free the buffers. */
void io_fini(struct io *io);
size_t io_pending_out(const struct io *io);

/* Set O_NONBLOCK, FD_CLOEXEC, and TCP_NODELAY/keepalive for TCP sockets. */
bool io_prepare_socket(int fd, bool tcp, bool keepalive);

#endif
