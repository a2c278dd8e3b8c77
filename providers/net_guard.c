/* providers/net_guard.c: public and non-public addresses (see net_guard.h). */
#include "providers/net_guard.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

static bool v4_public(uint32_t a) /* host byte order */
{
    uint8_t b0 = (uint8_t)(a >> 24), b1 = (uint8_t)(a >> 16);
    if (b0 == 0 || b0 == 10 || b0 == 127 || b0 >= 224) return false;  /* this net, private, loopback, multicast+ */
    if (b0 == 100 && (b1 & 0xc0) == 64) return false;                 /* 100.64/10 carrier-grade NAT */
    if (b0 == 169 && b1 == 254) return false;                         /* link-local */
    if (b0 == 172 && (b1 & 0xf0) == 16) return false;                 /* 172.16/12 */
    if (b0 == 192 && b1 == 168) return false;                         /* 192.168/16 */
    if (b0 == 192 && b1 == 0 && (uint8_t)(a >> 8) == 0) return false; /* 192.0.0/24 protocol assignments */
    if (b0 == 198 && (b1 & 0xfe) == 18) return false;                 /* 198.18/15 benchmarking */
    return true;
}

static bool v6_public(const struct in6_addr *a)
{
    const uint8_t *b = a->s6_addr;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return v4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
    if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a)) return false;
    if (b[0] == 0xff) return false;                          /* multicast */
    if ((b[0] & 0xfe) == 0xfc) return false;                 /* fc00::/7 unique local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false; /* fe80::/10 link-local */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false; /* fec0::/10 site-local (deprecated) */
    return true;
}

bool prov_addr_is_public(const struct sockaddr *sa)
{
    if (sa == NULL) return false;
    if (sa->sa_family == AF_INET)
        return v4_public(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6) return v6_public(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
    return false;
}

int prov_url_host_is_public(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int verdict = -1;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != NULL) {
        size_t n = strlen(host);
        struct sockaddr_in v4 = {.sin_family = AF_INET};
        struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
        char inner[64];
        if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(inner)) { /* [v6] */
            memcpy(inner, host + 1, n - 2);
            inner[n - 2] = '\0';
            if (inet_pton(AF_INET6, inner, &v6.sin6_addr) == 1) verdict = prov_addr_is_public((struct sockaddr *)&v6);
        } else if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
            verdict = prov_addr_is_public((struct sockaddr *)&v4);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return verdict;
}
