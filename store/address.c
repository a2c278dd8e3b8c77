/* store/address.c: parsing one Redis address (see address.h). */
#include "store/address.h"

#include <stdlib.h>
#include <string.h>

bool store_address_parse(const char *address, size_t len, char **host, int *port, char **path)
{
    *host = NULL;
    *path = NULL;
    if (len >= 5 && strncmp(address, "unix:", 5) == 0) address += 5, len -= 5;
    if (len > 0 && address[0] == '/') {
        if (len >= 100 || memchr(address, '\0', len) != NULL) return false; /* sun_path limit */
        *path = strndup(address, len);
        return *path != NULL;
    }
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (address[i] == ':') colon = address + i;
    if (colon == NULL || colon == address) return false;
    long p = 0;
    size_t digits = (size_t)(address + len - (colon + 1));
    if (digits == 0 || digits > 5) return false;
    for (const char *d = colon + 1; d < address + len; d++) {
        if (*d < '0' || *d > '9') return false;
        p = p * 10 + (*d - '0');
    }
    if (p < 1 || p > 65535) return false;
    size_t hlen = (size_t)(colon - address);
    for (size_t i = 0; i < hlen; i++) {
        char c = address[i];
        /* Numeric IPv4 or a simple host name; hiredis resolves names with a blocking call, so the caller
         * should prefer numeric addresses (documented in the README). */
        if (!((c >= '0' && c <= '9') || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
            return false;
    }
    *host = strndup(address, hlen);
    *port = (int)p;
    return *host != NULL;
}
