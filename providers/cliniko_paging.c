/* providers/cliniko_paging.c: the paged-job engine of the Cliniko adapter: a bounded work list of GETs sent
 * JOB_PARALLEL at a time on the calling worker's loop, each answer handed to the operation's on_page, and
 * on_drained called once the list is done (it may add more work, or end the job). */
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_internal.h"

#define JOB_PARALLEL 4    /* the fan-out of a catalog or a month of availability stays under the rate budget */
#define MAX_PAGES    50   /* per list: 5,000 records at per_page=100 */
#define MAX_TASKS    4096 /* per job */

typedef struct task_ctx {
    job_t *job;
    size_t task;
} task_ctx_t;

int cliniko_job_add(job_t *j, int kind, size_t index, int page, const char *url)
{
    if (j->tasks_total >= MAX_TASKS || page > MAX_PAGES) return -1;
    if (j->task_count == j->task_cap) {
        size_t cap = j->task_cap ? j->task_cap * 2 : 16;
        task_t *grown = realloc(j->tasks, cap * sizeof(*grown));
        if (grown == NULL) return -1;
        j->tasks = grown;
        j->task_cap = cap;
    }
    char *u = strdup(url);
    if (u == NULL) return -1;
    j->tasks[j->task_count++] = (task_t){kind, index, page, u};
    j->tasks_total++;
    return 0;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t') return false;
    return true;
}

static void on_task_answer(const prov_http_response_t *r, void *data)
{
    task_ctx_t *ctx = data;
    job_t *j = ctx->job;
    size_t ti = ctx->task;
    task_t t = j->tasks[ti]; /* a copy: on_page may add tasks, which moves the array */
    free(ctx);
    j->in_flight--;
    if (j->status == PROV_OK) {
        prov_status_t st = cliniko_status(j->c, r, j->record_404);
        if (j->empty_404_rejected && r->status == PROV_HTTP_OK && r->code == 404 && blank(r->body, r->body_len))
            st = PROV_REJECTED;
        if (st == PROV_OK) st = j->on_page(j, &t, r);
        if (st != PROV_OK) j->status = st;
    }
    free(j->tasks[ti].url);
    j->tasks[ti].url = NULL;
    cliniko_job_pump(j);
}

void cliniko_job_pump(job_t *j)
{
    while (j->status == PROV_OK && j->in_flight < JOB_PARALLEL && j->next_task < j->task_count) {
        size_t i = j->next_task++;
        task_ctx_t *ctx = malloc(sizeof(*ctx));
        if (ctx == NULL) {
            j->status = PROV_UNAVAILABLE;
            break;
        }
        *ctx = (task_ctx_t){j, i};
        if (cliniko_send(j->c, &j->env, "GET", j->tasks[i].url, NULL, true, on_task_answer, ctx) != 0) {
            free(ctx);
            j->status = PROV_UNAVAILABLE;
            break;
        }
        j->in_flight++;
    }
    if (j->in_flight == 0 && (j->next_task == j->task_count || j->status != PROV_OK)) j->on_drained(j);
}

void cliniko_job_free(job_t *j)
{
    for (size_t i = 0; i < j->task_count; i++) free(j->tasks[i].url);
    free(j->tasks);
    free(j);
}

job_t *cliniko_job_new(cliniko_t *c, prov_env_t *env, job_page_fn on_page, job_drained_fn on_drained, void *state)
{
    job_t *j = calloc(1, sizeof(*j));
    if (j == NULL) return NULL;
    j->c = c;
    j->env = *env;
    j->on_page = on_page;
    j->on_drained = on_drained;
    j->state = state;
    return j;
}

/* Sends the first tasks of a job: 0 when at least one request is out (the job then ends through on_drained),
 * or -1 when none could be sent (no callback; the caller frees the job and its state). */
int cliniko_job_start(job_t *j)
{
    j->in_flight++; /* hold the job open while the first requests go out */
    cliniko_job_pump(j);
    j->in_flight--;
    return j->in_flight > 0 ? 0 : -1;
}

/* Queues the next page of a list when the answer has links.next. */
prov_status_t cliniko_follow_next(job_t *j, const task_t *t, const prov_cliniko_page_t *page)
{
    if (page->next[0] == '\0') return PROV_OK;
    char url[URL_CAP];
    if (prov_cliniko_resolve_next(page->next, j->c->base_url, url, sizeof(url)) != 0) return PROV_UPSTREAM;
    if (cliniko_job_add(j, t->kind, t->index, t->page + 1, url) != 0) return PROV_UPSTREAM; /* too many pages */
    return PROV_OK;
}
