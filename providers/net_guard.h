/* providers/net_guard.h: which network addresses an outbound call chosen by a tenant (a webhook URL) may reach.
 * Loopback, private (RFC 1918, unique-local), carrier-grade NAT, link-local (cloud metadata lives there),
 * unspecified, multicast and reserved addresses are not public: a tenant's URL must not reach our own network. */
#ifndef FD_PROVIDERS_NET_GUARD_H
#define FD_PROVIDERS_NET_GUARD_H

#include <stdbool.h>
#include <sys/socket.h>

/** True when the IPv4 or IPv6 address is public; IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4
 * address they carry. Any other family is not public. */
bool prov_addr_is_public(const struct sockaddr *address);

/** For a URL whose host is a numeric IPv4 or IPv6 address: 1 when it is public, 0 when it is not; -1 when the host
 * is a name ("localhost" too: only its resolved addresses can tell) or the URL cannot be read. */
int prov_url_host_is_public(const char *url);

#endif
