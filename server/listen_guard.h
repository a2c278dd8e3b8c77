/* server/listen_guard.h: one frontdesk per listening address. The workers share the port through SO_REUSEPORT,
 * which would also let a second frontdesk (or any program of the same user) join silently and take part of the
 * traffic; the guard refuses to start instead. */
#ifndef FD_SERVER_LISTEN_GUARD_H
#define FD_SERVER_LISTEN_GUARD_H

#include <stddef.h>

/** Claims address:port (numeric IPv4) for this process before its workers bind: takes frontdesk's lock for the
 * address (an abstract unix socket, so two frontdesks starting at the same moment cannot both pass; the kernel
 * drops it when the process ends, however it ends), then checks with a plain bind, without SO_REUSEPORT, that
 * nothing listens there. Returns the lock's fd, to keep open while serving, or -1 with a sentence naming the
 * address in why. */
int srv_listen_claim(const char *address, int port, char *why, size_t why_cap);

#endif
