/* providers/adapter_util.c: see adapter_util.h. */
#include "providers/adapter_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool prov_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return false;
    return true;
}

int prov_setting_int(json_object *v, const char *name, long lo, long hi, int *out, char *why, size_t cap)
{
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < lo || json_object_get_int64(v) > hi) {
        snprintf(why, cap, "provider_settings.%s: must be an integer from %ld to %ld", name, lo, hi);
        return -1;
    }
    *out = (int)json_object_get_int64(v);
    return 0;
}

int prov_setting_base_url(json_object *v, const char *example, char *out, size_t out_cap, char *why, size_t cap)
{
    const char *base = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    size_t bl = strlen(base);
    if ((strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0) || bl >= 400 || bl >= out_cap ||
        !prov_printable(base) || strchr(base, ' ') != NULL || strchr(base, '?') != NULL || strchr(base, '#') != NULL) {
        if (example != NULL)
            snprintf(why, cap, "provider_settings.base_url: must be an http(s):// URL without a query, like \"%s\"",
                     example);
        else
            snprintf(why, cap, "provider_settings.base_url: must be an http(s):// URL without a query");
        return -1;
    }
    while (bl > 0 && base[bl - 1] == '/') bl--;
    memcpy(out, base, bl);
    out[bl] = '\0';
    return 0;
}

int prov_setting_currency(json_object *v, const char *example, char out[4], char *why, size_t cap)
{
    const char *c = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    bool ok = strlen(c) == 3;
    for (size_t i = 0; ok && i < 3; i++) ok = c[i] >= 'A' && c[i] <= 'Z';
    if (!ok) {
        snprintf(why, cap, "provider_settings.currency: must be an ISO 4217 code like \"%s\"", example);
        return -1;
    }
    memcpy(out, c, 4);
    return 0;
}

int prov_setting_key(const char *name, json_object *v, char **key, char *why, size_t cap)
{
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
        snprintf(why, cap, "provider_settings.%s: must be a non-empty string", name);
        return -1;
    }
    size_t nl = strlen(name);
    bool from_env = nl > 4 && strcmp(name + nl - 4, "_env") == 0;
    int base = (int)(from_env ? nl - 4 : nl); /* "api_key" of "api_key_env" */
    if (*key != NULL) {
        snprintf(why, cap, "provider_settings.%s: give %.*s or %.*s_env, not both", name, base, name, base, name);
        return -1;
    }
    const char *val = json_object_get_string(v);
    if (from_env) {
        val = getenv(val);
        if (val == NULL || val[0] == '\0') {
            snprintf(why, cap, "provider_settings.%s: the environment variable %.64s is not set", name,
                     json_object_get_string(v));
            return -1;
        }
    }
    if ((*key = strdup(val)) == NULL) {
        snprintf(why, cap, "provider_settings: out of memory");
        return -1;
    }
    return 0;
}

char *prov_dup_opt(const char *s, bool *oom)
{
    if (s == NULL || s[0] == '\0') return NULL;
    char *c = strdup(s);
    if (c == NULL) *oom = true;
    return c;
}

bool prov_patient_copy_asked(bk_patient_t *out, const bk_patient_t *in)
{
    bool oom = false;
    out->first_name = prov_dup_opt(in->first_name, &oom);
    out->last_name = prov_dup_opt(in->last_name, &oom);
    out->email = prov_dup_opt(in->email, &oom);
    out->phone = prov_dup_opt(in->phone, &oom);
    out->dob = prov_dup_opt(in->dob, &oom);
    return !oom;
}

static int cmp_opening(const void *a, const void *b)
{
    const prov_opening_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

size_t prov_openings_sort_unique(prov_opening_t *v, size_t n)
{
    if (n == 0) return 0;
    qsort(v, n, sizeof(*v), cmp_opening);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || v[i].start != v[kept - 1].start) v[kept++] = v[i];
    return kept;
}

bool prov_id_usable(const char *id, size_t cap)
{
    if (id == NULL || id[0] == '\0' || strlen(id) >= cap) return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              *p == '-'))
            return false;
    return true;
}

int prov_grow(void **arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 16;
    void *grown = realloc(*arr, c * size);
    if (grown == NULL) return -1;
    *arr = grown;
    *cap = c;
    return 0;
}

prov_status_t prov_transport_status(const prov_http_response_t *r, bool read)
{
    switch (r->status) {
    case PROV_HTTP_OK:
        return PROV_OK;
    case PROV_HTTP_TIMEOUT:
        return PROV_TIMEOUT;
    case PROV_HTTP_UNAVAILABLE:
    case PROV_HTTP_CANCELLED:
    case PROV_HTTP_ERROR:
        return !read && r->attempts > 0 ? PROV_TIMEOUT
                                        : (r->status == PROV_HTTP_ERROR ? PROV_UPSTREAM : PROV_UNAVAILABLE);
    case PROV_HTTP_RATE_LIMITED:
        return PROV_RATE_LIMITED;
    case PROV_HTTP_TOO_LARGE:
        return PROV_UPSTREAM;
    }
    return PROV_UPSTREAM;
}

void prov_secret_free(char *s)
{
    if (s == NULL) return;
    explicit_bzero(s, strlen(s));
    free(s);
}

int prov_key_usable(const char *key, const char *name, size_t max_len, char *why, size_t cap)
{
    if (strlen(key) > max_len || !prov_printable(key) || strchr(key, ' ') != NULL) {
        snprintf(why, cap, "provider_settings.%s: the key has characters an API key cannot have", name);
        return -1;
    }
    return 0;
}

bool prov_url_vformat(char *out, size_t cap, const char *base, const char *fmt, va_list ap)
{
    size_t bl = strlen(base);
    if (bl >= cap) return false;
    memcpy(out, base, bl + 1);
    int n = vsnprintf(out + bl, cap - bl, fmt, ap);
    return n >= 0 && (size_t)n < cap - bl;
}

uint64_t prov_credential_id(const char *vendor, const char *first, const char *second, char *out, size_t cap)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = first; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = second; p != NULL && *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    snprintf(out, cap, "%s:%016llx", vendor, (unsigned long long)h);
    return h;
}
