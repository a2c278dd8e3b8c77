/* providers/nookal_paging.c: reading a whole Nookal list: page=1, 2, ... with page_length, one page at a time
 * (the next page is asked only once settings.nextPage says there is one), each page handed to the operation,
 * bounded by NOOKAL_MAX_PAGES. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/nookal_internal.h"

#define MAX_PARAMS 12

typedef struct list {
    nookal_t *n;
    prov_env_t env;
    char method[48];
    nookal_param_t params[MAX_PARAMS + 2];
    char *owned[MAX_PARAMS * 2];
    size_t count;
    bool record;
    int page;
    char page_text[12], length_text[12];
    nookal_page_fn on_page;
    nookal_list_done_fn done;
    void *data;
} list_t;

static void list_free(list_t *l)
{
    for (size_t i = 0; i < l->count * 2; i++) free(l->owned[i]);
    free(l);
}

static int list_send(list_t *l);

static void list_end(list_t *l, prov_status_t st)
{
    nookal_list_done_fn done = l->done;
    void *data = l->data;
    list_free(l);
    done(st, data);
}

static void on_page(prov_status_t st, const prov_nookal_reply_t *reply, void *data)
{
    list_t *l = data;
    if (st == PROV_OK) st = l->on_page(reply, l->data);
    if (st != PROV_OK || reply->next_page == 0) {
        list_end(l, st);
        return;
    }
    /* nextPage must move forward: a server that repeats a page would otherwise loop to the bound. */
    if (reply->next_page <= l->page || reply->next_page > NOOKAL_MAX_PAGES) {
        list_end(l, PROV_UPSTREAM);
        return;
    }
    l->page = reply->next_page;
    if (list_send(l) != 0) list_end(l, PROV_UNAVAILABLE);
}

static int list_send(list_t *l)
{
    snprintf(l->page_text, sizeof(l->page_text), "%d", l->page);
    l->params[l->count] = (nookal_param_t){"page", l->page_text};
    l->params[l->count + 1] = (nookal_param_t){"page_length", l->length_text};
    return nookal_call(l->n, &l->env, l->method, l->params, l->count + 2, l->record, true, on_page, l);
}

int nookal_list(nookal_t *n, prov_env_t *env, const char *method, const nookal_param_t *params, size_t count,
                bool record, nookal_page_fn page_fn, nookal_list_done_fn done, void *data)
{
    if (count > MAX_PARAMS || strlen(method) >= sizeof(((list_t *)0)->method)) return -1;
    list_t *l = calloc(1, sizeof(*l));
    if (l == NULL) return -1;
    *l = (list_t){.n = n, .env = *env, .record = record, .page = 1, .on_page = page_fn, .done = done, .data = data};
    snprintf(l->method, sizeof(l->method), "%s", method);
    snprintf(l->length_text, sizeof(l->length_text), "%d", n->page_length);
    for (size_t i = 0; i < count; i++) {
        if (params[i].value == NULL) continue;
        char *name = strdup(params[i].name), *value = strdup(params[i].value);
        l->owned[l->count * 2] = name;
        l->owned[l->count * 2 + 1] = value;
        l->params[l->count++] = (nookal_param_t){name, value};
        if (name == NULL || value == NULL) {
            list_free(l);
            return -1;
        }
    }
    if (list_send(l) != 0) {
        list_free(l);
        return -1;
    }
    return 0;
}
