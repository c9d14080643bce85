/*
 * Socket mechanics behind one narrow interface: events assigned to a worker's base, reads
 * into the input evbuffer, writes from the output evbuffer with a write event armed only
 * while data is pending. Protocol code never calls read() or write() itself.
 */
#include "core/io.h"

#include <errno.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One read(2) into buffer space of this size; up to IO_READ_MAX per readiness event. */
#define IO_READ_CHUNK 16384
#define IO_READ_MAX   65536

bool io_init(struct io *io, int fd)
{
    memset(io, 0, sizeof(*io));
    io->fd = fd;
    io->in = evbuffer_new();
    io->out = evbuffer_new();
    if (!io->in || !io->out) {
        if (io->in)
            evbuffer_free(io->in);
        if (io->out)
            evbuffer_free(io->out);
        io->in = io->out = NULL;
        return false;
    }
    return true;
}

void io_assign(struct io *io, struct event_base *base, event_callback_fn on_read,
               event_callback_fn on_write, void *arg)
{
    event_assign(&io->rev, base, io->fd, EV_READ | EV_PERSIST, on_read, arg);
    event_assign(&io->wev, base, io->fd, EV_WRITE | EV_PERSIST, on_write, arg);
    io->assigned = true;
    io->reading = false;
    io->writing = false;
}

void io_unassign(struct io *io)
{
    if (!io->assigned)
        return;
    event_del(&io->rev);
    event_del(&io->wev);
    io->assigned = false;
    io->reading = false;
    io->writing = false;
}

void io_start_read(struct io *io)
{
    if (io->assigned && !io->reading) {
        event_add(&io->rev, NULL);
        io->reading = true;
    }
}

void io_stop_read(struct io *io)
{
    if (io->assigned && io->reading) {
        event_del(&io->rev);
        io->reading = false;
    }
}

/* One read(2) into reserved space at the end of io->in. */
static ssize_t io_read_once(struct io *io)
{
    struct evbuffer_iovec v;
    ssize_t n;

    if (evbuffer_reserve_space(io->in, IO_READ_CHUNK, &v, 1) != 1) {
        errno = ENOMEM;
        return -1;
    }
    do
        n = read(io->fd, v.iov_base, v.iov_len < IO_READ_CHUNK ? v.iov_len : IO_READ_CHUNK);
    while (n < 0 && errno == EINTR);
    v.iov_len = n > 0 ? (size_t)n : 0;
    evbuffer_commit_space(io->in, &v, 1);
    return n;
}

/*
 * Plain read(2) into reserved evbuffer space: evbuffer_read() would first ask the kernel how
 * much is pending (an ioctl per read), which costs more than the read on a small message.
 */
int io_read(struct io *io)
{
    size_t total = 0;
    ssize_t n;

    for (;;) {
        n = io_read_once(io);
        if (n <= 0)
            break;
        total += (size_t)n;
        if ((size_t)n < IO_READ_CHUNK || total >= IO_READ_MAX)
            return (int)total;
    }
    if (total > 0)
        return (int)total;
    if (n == 0)
        return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return -2;
    return -1;
}

bool io_flush(struct io *io)
{
    while (evbuffer_get_length(io->out) > 0) {
        int n = evbuffer_write(io->out, io->fd);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return false;
        }
        if (n == 0)
            break;
    }
    if (evbuffer_get_length(io->out) > 0) {
        if (io->assigned && !io->writing) {
            event_add(&io->wev, NULL);
            io->writing = true;
        }
    } else if (io->writing) {
        event_del(&io->wev);
        io->writing = false;
    }
    return true;
}

size_t io_pending_out(const struct io *io)
{
    return io->out ? evbuffer_get_length(io->out) : 0;
}

void io_fini(struct io *io)
{
    io_unassign(io);
    if (io->fd >= 0)
        close(io->fd);
    io->fd = -1;
    if (io->in)
        evbuffer_free(io->in);
    if (io->out)
        evbuffer_free(io->out);
    io->in = io->out = NULL;
}

bool io_prepare_socket(int fd, bool tcp, bool keepalive)
{
    int flags = fcntl(fd, F_GETFL, 0), one = 1;
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return false;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return false;
    if (tcp) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (keepalive)
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    }
    return true;
}
