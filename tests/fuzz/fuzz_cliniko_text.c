/* tests/fuzz/fuzz_cliniko_text.c: libFuzzer target for the Cliniko text rules: IDs from link URLs, next-link
 * resolution, shard URLs of keys, phone matching and E.164, cancel reason codes and query escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char id[PROV_CLINIKO_ID_CAP], url[PROV_CLINIKO_URL_CAP], e164[24];
    if (prov_cliniko_id_from_url(s, id, sizeof(id)) == 0 && (id[0] == '\0' || strchr(id, '/') != NULL)) abort();
    if (prov_cliniko_resolve_next(s, "https://api.au1.cliniko.com/v1", url, sizeof(url)) == 0 &&
        strncmp(url, "https://api.au1.cliniko.com/v1", 30) != 0)
        abort();
    if (prov_cliniko_base_url_for_key(s, url, sizeof(url)) == 0 && strncmp(url, "https://api.", 12) != 0) abort();
    (void)prov_cliniko_phone_matches(s, "+61412345678");
    (void)prov_cliniko_phone_matches("0412 345 678", s);
    if (prov_cliniko_phone_e164(s, e164, sizeof(e164)) == 0 && (e164[0] != '+' || strlen(e164) > 16)) abort();
    int code = prov_cliniko_cancel_reason_code(s);
    if (code != 10 && code != 20 && code != 30 && code != 31 && code != 40 && code != 50 && code != 60) abort();
    char q[64] = "";
    (void)prov_cliniko_query_escape(q, sizeof(q), s);
    if (strlen(q) >= sizeof(q)) abort();
    free(s);
    return 0;
}
