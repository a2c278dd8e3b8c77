/* providers/sandbox_clinic.c: the diagnostics list of a clinic file's parse (errors refuse the file, warnings
 * do not). The lowest piece of the sandbox clinic: the parser toolkit (sandbox_clinic_parse.c) adds to it, the
 * reader (sandbox_clinic_read.c) and the queries (sandbox_clinic_query.c) sit above. */
#include "providers/sandbox_clinic.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics ------------------------------------------------------------------------------------------- */

typedef struct entry {
    char *msg, *path;
} entry_t;

struct sb_diag {
    entry_t errors[SB_DIAG_MAX_ERRORS];
    entry_t warnings[SB_DIAG_MAX_WARNINGS];
    size_t kept_errors, total_errors, kept_warnings, total_warnings;
};

sb_diag_t *sb_diag_new(void)
{
    return calloc(1, sizeof(sb_diag_t));
}

void sb_diag_clear(sb_diag_t *diag)
{
    if (diag == NULL) return;
    for (size_t i = 0; i < diag->kept_errors; i++) {
        free(diag->errors[i].msg);
        free(diag->errors[i].path);
    }
    for (size_t i = 0; i < diag->kept_warnings; i++) {
        free(diag->warnings[i].msg);
        free(diag->warnings[i].path);
    }
    memset(diag, 0, sizeof(*diag));
}

void sb_diag_free(sb_diag_t *diag)
{
    sb_diag_clear(diag);
    free(diag);
}

size_t sb_diag_count(const sb_diag_t *diag)
{
    return diag != NULL ? diag->kept_errors + diag->kept_warnings : 0;
}

size_t sb_diag_error_count(const sb_diag_t *diag)
{
    return diag != NULL ? diag->total_errors : 0;
}

size_t sb_diag_warning_count(const sb_diag_t *diag)
{
    return diag != NULL ? diag->total_warnings : 0;
}

static const entry_t *entry_at(const sb_diag_t *diag, size_t i)
{
    if (diag == NULL) return NULL;
    if (i < diag->kept_errors) return &diag->errors[i];
    i -= diag->kept_errors;
    return i < diag->kept_warnings ? &diag->warnings[i] : NULL;
}

const char *sb_diag_message(const sb_diag_t *diag, size_t i)
{
    const entry_t *e = entry_at(diag, i);
    return e != NULL ? e->msg : NULL;
}

const char *sb_diag_path(const sb_diag_t *diag, size_t i)
{
    const entry_t *e = entry_at(diag, i);
    return e != NULL ? e->path : NULL;
}

sb_severity_t sb_diag_severity(const sb_diag_t *diag, size_t i)
{
    return diag != NULL && i >= diag->kept_errors && i < sb_diag_count(diag) ? SB_WARNING : SB_ERROR;
}

/* Appends text to buf (cap) at *at, counting the full length even past the end. */
static void put(char *buf, size_t cap, size_t *at, const char *text)
{
    size_t n = strlen(text);
    if (*at < cap) {
        size_t room = cap - *at - 1;
        memcpy(buf + *at, text, n < room ? n : room);
        buf[*at + (n < room ? n : room)] = '\0';
    }
    *at += n;
}

size_t sb_diag_render(const sb_diag_t *diag, char *buf, size_t cap)
{
    size_t at = 0;
    if (cap > 0) buf[0] = '\0';
    if (diag == NULL) return 0;
    for (size_t i = 0; i < sb_diag_count(diag); i++) {
        if (i > 0) put(buf, cap, &at, "\n");
        put(buf, cap, &at, i < diag->kept_errors ? "error: " : "warning: ");
        put(buf, cap, &at, sb_diag_message(diag, i));
    }
    size_t more_e = diag->total_errors - diag->kept_errors, more_w = diag->total_warnings - diag->kept_warnings;
    if (more_e > 0 || more_w > 0) {
        char line[96];
        snprintf(line, sizeof(line), "%s... and %zu more errors, %zu more warnings", at > 0 ? "\n" : "", more_e,
                 more_w);
        put(buf, cap, &at, line);
    }
    return at;
}

void sb_diag_addv(sb_diag_t *d, sb_severity_t sev, const char *path, const char *fmt, va_list ap)
{
    if (d == NULL) return;
    size_t *kept = sev == SB_ERROR ? &d->kept_errors : &d->kept_warnings;
    size_t cap = sev == SB_ERROR ? SB_DIAG_MAX_ERRORS : SB_DIAG_MAX_WARNINGS;
    entry_t *list = sev == SB_ERROR ? d->errors : d->warnings;
    if (sev == SB_ERROR)
        d->total_errors++;
    else
        d->total_warnings++;
    if (*kept >= cap) return;
    char text[SB_PATH_CAP + 384];
    if (path[0] == '\0') path = "$";
    int n = snprintf(text, sizeof(text), "%s: ", path);
    if (n < 0 || (size_t)n >= sizeof(text)) return;
    vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
    char *msg = strdup(text), *copy = strdup(path);
    if (msg == NULL || copy == NULL) {
        free(msg);
        free(copy);
        return;
    }
    list[*kept] = (entry_t){.msg = msg, .path = copy};
    (*kept)++;
}
