/* server/routes_widget.c: GET /widget/v1/frontdesk-widget.js and GET /widget/demo (README "Booking widget"). The
 * files are widget/frontdesk-widget.js and widget/demo.html, compiled in by widget/widget.cmake. */
#include "server/routes.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/widget_key.h"
#include "server/worker.h"

extern const unsigned char srv_widget_script[];
extern const size_t srv_widget_script_len;
extern const unsigned char srv_widget_demo_page[];
extern const size_t srv_widget_demo_page_len;

#define SRI_CAP 80 /* "sha384-" + 64 base64 characters + NUL */

static char script_integrity[SRI_CAP];
static pthread_once_t integrity_once = PTHREAD_ONCE_INIT;

static void compute_integrity(void)
{
    unsigned char digest[48];
    unsigned int len = sizeof(digest);
    EVP_Digest(srv_widget_script, srv_widget_script_len, digest, &len, EVP_sha384(), NULL);
    memcpy(script_integrity, "sha384-", 7);
    EVP_EncodeBlock((unsigned char *)script_integrity + 7, digest, (int)len);
}

void srv_route_widget_script(srv_request_t *r)
{
    /* Any page may load the script; the widget key decides what it may do. CORS lets the page check the
     * integrity hash (<script crossorigin>). A version path never changes, so browsers keep it for a year. */
    srv_add_header(r, "access-control-allow-origin", "*");
    srv_add_header(r, "cross-origin-resource-policy", "cross-origin");
    srv_add_header(r, "x-content-type-options", "nosniff");
    srv_respond_bytes(r, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable",
                      (const char *)srv_widget_script, srv_widget_script_len);
}

/* Appends text[0..len) to out (cap bytes, *used so far), as far as it fits. */
static void append(char *out, size_t cap, size_t *used, const char *text, size_t len)
{
    if (*used + len > cap) len = cap - *used;
    memcpy(out + *used, text, len);
    *used += len;
}

void srv_route_widget_demo(srv_request_t *r)
{
    const srv_config_t *config = r->view->config;
    const srv_widget_key_t *key = NULL;
    for (size_t i = 0; i < config->widget_key_count && key == NULL; i++)
        if (config->widget_keys[i].demo_page) key = &config->widget_keys[i];
    if (key == NULL) {
        srv_respond_error(r, API_ERR_NOT_FOUND, "No widget key of this server has demo_page set.", NULL);
        return;
    }
    pthread_once(&integrity_once, compute_integrity);
    const char *locale =
        key->tenant->locale != NULL && srv_widget_token_ok(key->tenant->locale) ? key->tenant->locale : "en-US";
    /* The page's placeholders; none of the values holds a character HTML would need escaped (the key's alphabet
     * is checked at start, the locale here). */
    const char *const names[] = {"{{integrity}}", "{{key}}", "{{locale}}"};
    const char *const values[] = {script_integrity, key->key, locale};
    size_t cap = srv_widget_demo_page_len + 1024, used = 0;
    char *page = malloc(cap);
    if (page == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    const char *at = (const char *)srv_widget_demo_page, *end = at + srv_widget_demo_page_len;
    while (at < end) {
        const char *open = strstr(at, "{{");
        if (open == NULL) open = end;
        append(page, cap, &used, at, (size_t)(open - at));
        if (open == end) break;
        size_t i = 0;
        while (i < 3 && strncmp(open, names[i], strlen(names[i])) != 0) i++;
        if (i < 3)
            append(page, cap, &used, values[i], strlen(values[i]));
        else
            append(page, cap, &used, "{{", 2);
        at = open + (i < 3 ? strlen(names[i]) : 2);
    }
    srv_add_header(r, "x-content-type-options", "nosniff");
    srv_add_header(r, "content-security-policy",
                   "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; "
                   "img-src 'self' data:; frame-ancestors 'none'");
    srv_respond_bytes(r, 200, "text/html; charset=utf-8", "no-store", page, used);
    free(page);
}
