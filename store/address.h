/* store/address.h: the address of one Redis: "host:port" or a unix socket path. */
#ifndef FD_STORE_ADDRESS_H
#define FD_STORE_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

/** Parses address[0..len) as "host:port" (a numeric or simple host name, port 1-65535) into *host (a copy) and
 * *port, or as "/path.sock" or "unix:/path.sock" into *path (a copy); the other output is NULL. Returns false
 * (nothing allocated) when malformed or out of memory. */
bool store_address_parse(const char *address, size_t len, char **host, int *port, char **path);

#endif
