/* providers/practicebetter_paging.c: reading a Practice Better list: limit=<page_limit>, then before_id=<the last
 * item's id> while the answer says hasMore (lists come newest first), one page at a time, bounded by max_pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/practicebetter_internal.h"

typedef struct list {
    pb_t *p;
    prov_env_t env;
    char *path, *alt_key;
    int page, max_pages;
    char before[PROV_PB_ID_CAP];
    pb_page_fn on_page;
    pb_list_done_fn done;
    void *data;
} list_t;

static void list_end(list_t *l, prov_status_t st)
{
    pb_list_done_fn done = l->done;
    void *data = l->data;
    free(l->path);
    free(l->alt_key);
    free(l);
    done(st, data);
}

static int list_send(list_t *l);

static void on_page(prov_status_t st, json_object *answer, const char *body, size_t len, void *data)
{
    (void)answer;
    list_t *l = data;
    prov_pb_page_t page;
    if (st == PROV_OK && prov_pb_page_parse(body, len, l->alt_key, &page) != 0) st = PROV_UPSTREAM;
    if (st != PROV_OK) {
        list_end(l, st);
        return;
    }
    st = l->on_page(page.items, l->data);
    bool more = page.has_more && page.last_id[0] != '\0' && strcmp(page.last_id, l->before) != 0;
    snprintf(l->before, sizeof(l->before), "%s", page.last_id);
    prov_pb_page_clear(&page);
    if (st != PROV_OK || !more || ++l->page >= l->max_pages) { /* the bound ends a list as its last page would */
        list_end(l, st);
        return;
    }
    if (list_send(l) != 0) list_end(l, PROV_UNAVAILABLE);
}

static int list_send(list_t *l)
{
    char path[PB_URL_CAP];
    int n = snprintf(path, sizeof(path), "%s%climit=%d%s%s", l->path, strchr(l->path, '?') ? '&' : '?',
                     l->p->page_limit, l->before[0] ? "&before_id=" : "", l->before);
    if (n < 0 || (size_t)n >= sizeof(path)) return -1;
    return pb_call(l->p, &l->env, "GET", path, NULL, PB_READ, on_page, l);
}

int pb_list(pb_t *p, prov_env_t *env, const char *path, const char *alt_key, int max_pages, pb_page_fn page_fn,
            pb_list_done_fn done, void *data)
{
    list_t *l = calloc(1, sizeof(*l));
    if (l == NULL) return -1;
    *l = (list_t){.p = p, .env = *env, .max_pages = max_pages, .on_page = page_fn, .done = done, .data = data};
    l->path = strdup(path);
    l->alt_key = alt_key != NULL ? strdup(alt_key) : NULL;
    if (l->path == NULL || (alt_key != NULL && l->alt_key == NULL) || list_send(l) != 0) {
        free(l->path);
        free(l->alt_key);
        free(l);
        return -1;
    }
    return 0;
}
