/* providers/halaxy_paging.c: one FHIR search read page after page: each answer is a Bundle, its resources go to
 * the operation one by one, and link[relation=next] is followed (only on Halaxy's own base URL: our token never
 * goes to another host) until there is none or the page limit is reached. */
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "providers/halaxy_internal.h"

typedef struct search {
    halaxy_t *h;
    prov_env_t env;
    int page, max_pages;
    hx_each_fn each;
    hx_done_fn done;
    void *state;
} search_t;

static void on_page(prov_status_t st, const prov_http_response_t *r, void *data)
{
    search_t *s = data;
    char next[HX_URL_CAP] = "";
    if (st == PROV_OK) {
        prov_halaxy_bundle_t b;
        if (prov_halaxy_bundle_parse(r->body, r->body_len, &b) != 0) {
            st = PROV_UPSTREAM;
        } else {
            for (size_t i = 0; i < b.count && st == PROV_OK; i++) st = s->each(s->state, b.resources[i]);
            if (st == PROV_OK && b.next[0] != '\0' && s->page < s->max_pages &&
                prov_cliniko_resolve_next(b.next, s->h->base_url, next, sizeof(next)) != 0)
                st = PROV_UPSTREAM; /* a next link off Halaxy's base URL */
            prov_halaxy_bundle_clear(&b);
        }
    }
    if (st == PROV_OK && next[0] != '\0') {
        s->page++;
        if (halaxy_send(s->h, &s->env, "GET", next, NULL, NULL, false, on_page, s) == 0) return;
        st = PROV_UNAVAILABLE;
    }
    s->done(s->state, st);
    free(s);
}

int halaxy_search(halaxy_t *h, prov_env_t *env, const char *url, int max_pages, hx_each_fn each, hx_done_fn done,
                  void *state)
{
    search_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (search_t){.h = h, .env = *env, .page = 1, .max_pages = max_pages, .each = each, .done = done,
                    .state = state};
    if (halaxy_send(h, env, "GET", url, NULL, NULL, false, on_page, s) != 0) {
        free(s);
        return -1;
    }
    return 0;
}
