/* server/listen_guard.c: one frontdesk per listening address (see listen_guard.h). */
#include "server/listen_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

/* 0 when a socket without SO_REUSEPORT can bind address:port (then nobody listens there), else -1 with errno. */
static int probe(const char *address, int port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int on = 1; /* SO_REUSEADDR as the workers have it: connections of a previous run in TIME_WAIT do not count */
    int rc = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
                     bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0
                 ? 0
                 : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
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
