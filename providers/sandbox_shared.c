/* providers/sandbox_shared.c: sandbox clinic parses shared between tenants (see sandbox_shared.h). */
#include "providers/sandbox_shared.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char prov_sandbox_demo_clinic[];
extern const size_t prov_sandbox_demo_clinic_len;

typedef struct entry {
    sb_shared_t pub;
    char *owned_json; /* NULL for the built-in demo, whose bytes are static */
    sb_clinic_t *clinic;
    sb_busy_list_t *booked;
    sb_diag_t *diag;
    size_t refs;
    struct entry *next;
} entry_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry_t *files; /* clinic files held by at least one tenant */
static entry_t *demo;  /* the built-in clinic, never freed */

static void digest_hex(const char *data, size_t len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char d[32];
    unsigned int n = 32;
    EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

static void entry_free(entry_t *e)
{
    if (e == NULL) return;
    if (e->booked != NULL)
        for (size_t i = 0; i < e->clinic->practitioner_count; i++) free(e->booked[i].v);
    free(e->booked);
    sb_clinic_free(e->clinic);
    sb_diag_free(e->diag);
    free(e->owned_json);
    free(e);
}

/* One sorted interval list per practitioner, from the file's bookings. */
static int index_bookings(entry_t *e)
{
    const sb_clinic_t *c = e->clinic;
    e->booked = calloc(c->practitioner_count + 1, sizeof(*e->booked));
    if (e->booked == NULL) return -1;
    for (size_t i = 0; i < c->booking_count; i++) e->booked[c->bookings[i].practitioner].n++;
    for (size_t p = 0; p < c->practitioner_count; p++) {
        e->booked[p].v = calloc(e->booked[p].n + 1, sizeof(bk_interval_t));
        if (e->booked[p].v == NULL) return -1;
        e->booked[p].n = 0;
    }
    for (size_t i = 0; i < c->booking_count; i++) {
        sb_busy_list_t *b = &e->booked[c->bookings[i].practitioner];
        b->v[b->n++] = (bk_interval_t){c->bookings[i].start, c->bookings[i].end};
    }
    for (size_t p = 0; p < c->practitioner_count; p++) bk_intervals_sort(e->booked[p].v, e->booked[p].n);
    return 0;
}

/* Parses json into a new entry with one reference; digest is its SHA-256. owned (may be NULL) passes to it. */
static entry_t *entry_parse(const char *json, size_t len, char *owned, const char digest[65], char *why,
                            size_t why_cap)
{
    entry_t *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->diag = sb_diag_new()) == NULL) {
        if (e == NULL) free(owned);
        entry_free(e);
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    e->owned_json = owned;
    e->clinic = sb_clinic_parse(json, len, e->diag);
    if (e->clinic == NULL) {
        char lines[1024];
        sb_diag_render(e->diag, lines, sizeof(lines));
        snprintf(why, why_cap, "clinic_file: %s", lines);
        entry_free(e);
        return NULL;
    }
    if (index_bookings(e) != 0) {
        snprintf(why, why_cap, "out of memory");
        entry_free(e);
        return NULL;
    }
    e->refs = 1;
    e->pub = (sb_shared_t){.json = json, .json_len = len, .clinic = e->clinic, .booked = e->booked,
                           .diag = e->diag};
    memcpy(e->pub.digest, digest, 65);
    return e;
}

const sb_shared_t *sb_shared_demo(char *why, size_t why_cap)
{
    pthread_mutex_lock(&lock);
    if (demo == NULL) {
        const char *json = (const char *)prov_sandbox_demo_clinic;
        char digest[65];
        digest_hex(json, prov_sandbox_demo_clinic_len, digest);
        demo = entry_parse(json, prov_sandbox_demo_clinic_len, NULL, digest, why, why_cap);
    }
    if (demo != NULL) demo->refs++; /* the first reference is the process's own: it never reaches 0 */
    pthread_mutex_unlock(&lock);
    return demo != NULL ? &demo->pub : NULL;
}

const sb_shared_t *sb_shared_acquire(char *json, size_t len, char *why, size_t why_cap)
{
    char digest[65];
    digest_hex(json, len, digest);
    pthread_mutex_lock(&lock);
    entry_t *e = files;
    while (e != NULL && (e->pub.json_len != len || memcmp(e->pub.digest, digest, 65) != 0)) e = e->next;
    if (e != NULL) {
        e->refs++;
        free(json);
    } else if ((e = entry_parse(json, len, json, digest, why, why_cap)) != NULL) {
        e->next = files;
        files = e;
    }
    pthread_mutex_unlock(&lock);
    return e != NULL ? &e->pub : NULL;
}

void sb_shared_release(const sb_shared_t *shared)
{
    if (shared == NULL) return;
    entry_t *e = (entry_t *)((char *)shared - offsetof(entry_t, pub));
    pthread_mutex_lock(&lock);
    bool last = --e->refs == 0;
    if (last) {
        entry_t **at = &files;
        while (*at != NULL && *at != e) at = &(*at)->next;
        if (*at == e) *at = e->next;
    }
    pthread_mutex_unlock(&lock);
    if (last) entry_free(e);
}
