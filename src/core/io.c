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

/* One read(2) of up to this size; up to IO_READ_MAX per readiness event. */
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

/*
 * read(2) into a stack buffer, then append: evbuffer_read() asks the kernel how much is
 * pending first (an ioctl per read), and reading straight into reserved evbuffer space would
 * give every small message its own large chain, which moves whole into the peer's output.
 */
int io_read(struct io *io)
{
    char buf[IO_READ_CHUNK];
    size_t total = 0;
    ssize_t n;

    for (;;) {
        do
            n = read(io->fd, buf, sizeof(buf));
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            break;
        if (evbuffer_add(io->in, buf, (size_t)n) < 0) {
            errno = ENOMEM;
            n = -1;
            break;
        }
        total += (size_t)n;
        if ((size_t)n < sizeof(buf) || total >= IO_READ_MAX)
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
