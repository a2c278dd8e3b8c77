/* server/listen_guard.c: one frontdesk per listening address (see listen_guard.h). */
#include "server/listen_guard.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/worker.h"

/* Binds the abstract unix socket named after the address; its fd, or -1 with errno (EADDRINUSE: taken). */
static int take_lock(const char *address, int port)
{
    struct sockaddr_un un;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    /* sun_path[0] stays '\0': an abstract name, nothing on disk to clean up after a crash */
    int len = snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "frontdesk-listen:%s:%d", address, port);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&un, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* 0 when a socket without SO_REUSEPORT can bind address:port (then nobody listens there), else -1 with errno.
 * It has SO_REUSEADDR as the workers do: connections of a previous run in TIME_WAIT do not count. */
static int probe(const char *address, int port)
{
    int fd = srv_worker_bind(address, port, false);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

int srv_listen_claim(const char *address, int port, char *why, size_t why_cap)
{
    int lock = take_lock(address, port);
    if (lock < 0) {
        if (errno == EADDRINUSE)
            snprintf(why, why_cap, "cannot listen on %s:%d: another frontdesk is serving that address", address, port);
        else
            snprintf(why, why_cap, "cannot listen on %s:%d: %s", address, port, strerror(errno));
        return -1;
    }
    if (probe(address, port) != 0) {
        if (errno == EADDRINUSE)
            snprintf(why, why_cap, "cannot listen on %s:%d: another process is listening there", address, port);
        else
            snprintf(why, why_cap, "cannot listen on %s:%d: %s", address, port, strerror(errno));
        close(lock);
        return -1;
    }
    return lock;
}
