/* providers/cliniko_decode.c: pure decoders of Cliniko JSON into the normalized model, and the adapter's
 * pure rules (shard URL, phone matching, cancel reason codes, query escaping). See cliniko_decode.h. */
#include "providers/cliniko_decode.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/json_get.h"
#include "tz/tz.h"

#define JSON_MAX_DEPTH 48

/* ---- small helpers ------------------------------------------------------------------------------------------ */

static bool get_bool(json_object *o, const char *key, bool dflt)
{
    json_object *v = prov_json_get(o, key);
    if (v == NULL || !json_object_is_type(v, json_type_boolean)) return dflt;
    return json_object_get_boolean(v);
}

/* True when key holds something other than null, "" or false (e.g. a timestamp). */
static bool is_set(json_object *o, const char *key)
{
    json_object *v = prov_json_get(o, key);
    if (v == NULL || json_object_is_type(v, json_type_null)) return false;
    if (json_object_is_type(v, json_type_string)) return json_object_get_string_len(v) > 0;
    if (json_object_is_type(v, json_type_boolean)) return json_object_get_boolean(v);
    return true;
}

char *prov_cliniko_dup_text(const char *s, bool *oom)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s);
    if (n > PROV_CLINIKO_TEXT_CAP) {
        n = PROV_CLINIKO_TEXT_CAP;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    char *c = malloc(n + 1);
    if (c == NULL) {
        *oom = true;
        return NULL;
    }
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

#define dup_text prov_cliniko_dup_text

static bool id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static int copy_id(const char *s, size_t n, char *out, size_t cap)
{
    if (n == 0 || n >= cap || n >= PROV_CLINIKO_ID_CAP) return -1;
    for (size_t i = 0; i < n; i++)
        if (!id_char(s[i])) return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* ---- documents and pages ------------------------------------------------------------------------------------ */

int prov_cliniko_parse_object(const char *body, size_t len, json_object **out)
{
    *out = NULL;
    if (body == NULL || len == 0 || len > (size_t)INT32_MAX) return -1;
    json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    if (tok == NULL) return -1;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, body, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    enum json_tokener_error err = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (root == NULL || err != json_tokener_success) goto bad;
    for (size_t i = end; i < len; i++)
        if (body[i] != ' ' && body[i] != '\n' && body[i] != '\r' && body[i] != '\t') goto bad;
    if (!json_object_is_type(root, json_type_object)) goto bad;
    *out = root;
    return 0;
bad:
    json_object_put(root);
    return -1;
}

int prov_cliniko_page_parse(const char *body, size_t len, const char *key, prov_cliniko_page_t *page)
{
    memset(page, 0, sizeof(*page));
    if (prov_cliniko_parse_object(body, len, &page->root) != 0) return -1;
    json_object *items = prov_json_get(page->root, key);
    if (items == NULL || !json_object_is_type(items, json_type_array)) {
        prov_cliniko_page_clear(page);
        return -1;
    }
    page->items = items;
    page->count = json_object_array_length(items);
    const char *next = prov_json_get_str(prov_json_get(page->root, "links"), "next");
    if (next != NULL && strlen(next) < sizeof(page->next)) memcpy(page->next, next, strlen(next) + 1);
    return 0;
}

void prov_cliniko_page_clear(prov_cliniko_page_t *page)
{
    json_object_put(page->root);
    memset(page, 0, sizeof(*page));
}

int prov_cliniko_resolve_next(const char *next, const char *base, char *out, size_t cap)
{
    size_t bl = strlen(base), nl = strlen(next);
    for (size_t i = 0; i < nl; i++)
        if ((unsigned char)next[i] <= ' ' || next[i] == 0x7f) return -1;
    if (next[0] == '/' && next[1] != '/') {
        if (bl + nl + 1 > cap) return -1;
        memcpy(out, base, bl);
        memcpy(out + bl, next, nl + 1);
        return 0;
    }
    if (nl <= bl || strncmp(next, base, bl) != 0 || (next[bl] != '/' && next[bl] != '?')) return -1;
    if (nl + 1 > cap) return -1;
    memcpy(out, next, nl + 1);
    return 0;
}

/* ---- IDs ---------------------------------------------------------------------------------------------------- */

int prov_cliniko_id(json_object *v, char *out, size_t cap)
{
    if (v == NULL) return -1;
    if (json_object_is_type(v, json_type_string))
        return copy_id(json_object_get_string(v), (size_t)json_object_get_string_len(v), out, cap);
    if (json_object_is_type(v, json_type_int)) {
        /* json-c keeps integers as int64 (or uint64 beyond): exact. Doubles are refused above. */
        char buf[32];
        int n;
        if (json_object_get_int64(v) < 0) return -1;
        if (json_object_get_int64(v) == INT64_MAX) n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)json_object_get_uint64(v));
        else n = snprintf(buf, sizeof(buf), "%lld", (long long)json_object_get_int64(v));
        return n > 0 ? copy_id(buf, (size_t)n, out, cap) : -1;
    }
    return -1;
}

int prov_cliniko_id_from_url(const char *url, char *out, size_t cap)
{
    if (url == NULL) return -1;
    size_t end = strcspn(url, "?#");
    while (end > 0 && url[end - 1] == '/') end--;
    size_t start = end;
    while (start > 0 && url[start - 1] != '/') start--;
    return copy_id(url + start, end - start, out, cap);
}

int prov_cliniko_link_id(json_object *o, const char *field, char *out, size_t cap)
{
    return prov_cliniko_id_from_url(prov_json_get_str(prov_json_get(prov_json_get(o, field), "links"), "self"), out, cap);
}

/* ---- records ------------------------------------------------------------------------------------------------ */

static int strings_from_ids(json_object *arr, bk_strings_t *list)
{
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n && i < 4096; i++) {
        char id[PROV_CLINIKO_ID_CAP];
        if (prov_cliniko_id(json_object_array_get_idx(arr, i), id, sizeof(id)) != 0) continue;
        if (!bk_strings_contains(list, id) && bk_strings_push(list, id) != 0) return -1;
    }
    return 0;
}

static void strings_clear(bk_strings_t *l)
{
    for (size_t i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void prov_cliniko_business_clear(prov_cliniko_business_t *b)
{
    bk_location_t *l = &b->loc;
    free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
    free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
    free(b->tz_label);
    strings_clear(&b->type_ids);
    memset(b, 0, sizeof(*b));
}

/* A plausible IANA ID: "Area/City" characters only (loaded and checked by the adapter). */
static bool iana_like(const char *s)
{
    if (s == NULL || strlen(s) >= 64) return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '/' && *p != '_' && *p != '-' && *p != '+') return false;
    return true;
}

int prov_cliniko_business_decode(json_object *item, prov_cliniko_business_t *b)
{
    memset(b, 0, sizeof(*b));
    char id[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id(prov_json_get(item, "id"), id, sizeof(id)) != 0) return -1;
    bool oom = false;
    const char *name = prov_json_get_str(item, "display_name");
    if (name == NULL) name = prov_json_get_str(item, "business_name");
    if (name == NULL) name = prov_json_get_str(item, "label");
    const char *country = prov_json_get_str(item, "country_code");
    if (country == NULL) country = prov_json_get_str(item, "country");
    const char *zone = prov_json_get_str(item, "time_zone_identifier");
    b->loc.id = dup_text(id, &oom);
    b->loc.name = dup_text(name != NULL ? name : id, &oom);
    b->loc.line1 = dup_text(prov_json_get_str(item, "address_1"), &oom);
    b->loc.city = dup_text(prov_json_get_str(item, "city"), &oom);
    b->loc.region = dup_text(prov_json_get_str(item, "state"), &oom);
    b->loc.postal_code = dup_text(prov_json_get_str(item, "post_code"), &oom);
    b->loc.country = dup_text(country, &oom);
    b->loc.time_zone = iana_like(zone) ? dup_text(zone, &oom) : NULL;
    b->tz_label = dup_text(prov_json_get_str(item, "time_zone"), &oom);
    b->online = get_bool(item, "show_in_online_bookings", true);
    b->archived = is_set(item, "archived_at") || is_set(item, "deleted_at");
    json_object *types = prov_json_get(item, "appointment_type_ids");
    if (types != NULL && json_object_is_type(types, json_type_array)) {
        b->has_type_ids = true;
        if (strings_from_ids(types, &b->type_ids) != 0) oom = true;
    }
    if (oom) {
        prov_cliniko_business_clear(b);
        return -1;
    }
    return 0;
}

void prov_cliniko_staff_clear(bk_staff_t *s)
{
    free(s->id), free(s->first_name), free(s->last_name), free(s->title), free(s->email);
    strings_clear(&s->disciplines);
    strings_clear(&s->treatment_ids);
    strings_clear(&s->location_ids);
    memset(s, 0, sizeof(*s));
}

int prov_cliniko_practitioner_decode(json_object *item, bk_staff_t *s, bool *active)
{
    memset(s, 0, sizeof(*s));
    char id[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id(prov_json_get(item, "id"), id, sizeof(id)) != 0) return -1;
    bool oom = false;
    s->id = dup_text(id, &oom);
    s->first_name = dup_text(prov_json_get_str(item, "first_name"), &oom);
    s->last_name = dup_text(prov_json_get_str(item, "last_name"), &oom);
    s->title = dup_text(prov_json_get_str(item, "title"), &oom);
    const char *designation = prov_json_get_str(item, "designation");
    if (designation != NULL && bk_strings_push(&s->disciplines, designation) != 0) oom = true;
    s->ai_enabled = get_bool(item, "show_in_online_bookings", false);
    *active = get_bool(item, "active", true) && !is_set(item, "archived_at");
    if (s->first_name == NULL && s->last_name == NULL && !oom) {
        const char *label = prov_json_get_str(item, "display_name");
        if (label == NULL) label = prov_json_get_str(item, "label");
        s->last_name = dup_text(label != NULL ? label : id, &oom);
    }
    if (oom) {
        prov_cliniko_staff_clear(s);
        return -1;
    }
    return 0;
}

void prov_cliniko_treatment_clear(bk_catalog_treatment_t *t)
{
    free(t->id), free(t->name);
    strings_clear(&t->staff_ids);
    strings_clear(&t->location_ids);
    memset(t, 0, sizeof(*t));
}

int prov_cliniko_appointment_type_decode(json_object *item, bk_catalog_treatment_t *t, char *billable, size_t cap,
                                         bool *online, bool *archived)
{
    memset(t, 0, sizeof(*t));
    if (cap > 0) billable[0] = '\0';
    char id[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id(prov_json_get(item, "id"), id, sizeof(id)) != 0) return -1;
    json_object *d = prov_json_get(item, "duration_in_minutes");
    if (d == NULL || !json_object_is_type(d, json_type_int)) return -1;
    int64_t minutes = json_object_get_int64(d);
    if (minutes < 1 || minutes > 1440) return -1;
    bool oom = false;
    const char *name = prov_json_get_str(item, "name");
    t->id = dup_text(id, &oom);
    t->name = dup_text(name != NULL ? name : id, &oom);
    t->duration_minutes = (int)minutes;
    if (prov_cliniko_link_id(item, "billable_item", billable, cap) != 0 && cap > 0) billable[0] = '\0';
    *online = get_bool(item, "show_in_online_bookings", false);
    *archived = is_set(item, "archived_at");
    if (oom) {
        prov_cliniko_treatment_clear(t);
        return -1;
    }
    return 0;
}

int prov_cliniko_price_minor(json_object *v, int64_t *out)
{
    if (v == NULL) return -1;
    if (json_object_is_type(v, json_type_int)) {
        int64_t u = json_object_get_int64(v);
        if (u < 0 || u > INT64_MAX / 100) return -1;
        *out = u * 100;
        return 0;
    }
    char buf[48];
    if (json_object_is_type(v, json_type_double)) {
        double d = json_object_get_double(v);
        if (!(d >= 0 && d < 1e15)) return -1;
        snprintf(buf, sizeof(buf), "%.2f", d);
    } else if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) < (int)sizeof(buf)) {
        memcpy(buf, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
    } else {
        return -1;
    }
    const char *p = buf;
    int64_t units = 0, cents = 0;
    int digits = 0, frac = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (units > (INT64_MAX / 100 - 9) / 10) return -1;
        units = units * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, frac++)
            if (frac < 2) cents = cents * 10 + (*p - '0');
        if (frac == 0) return -1;
        if (frac == 1) cents *= 10;
    }
    if (*p != '\0' || digits == 0) return -1;
    *out = units * 100 + cents;
    return 0;
}

int prov_cliniko_billable_item_decode(json_object *item, char *id, size_t cap, int64_t *price)
{
    if (prov_cliniko_id(prov_json_get(item, "id"), id, cap) != 0) return -1;
    return prov_cliniko_price_minor(prov_json_get(item, "price"), price);
}

static const struct {
    const char *name, code[3];
} countries[] = {
    {"australia", "AU"}, {"new zealand", "NZ"}, {"united states", "US"}, {"canada", "CA"},
    {"united kingdom", "GB"}, {"ireland", "IE"}, {"south africa", "ZA"}, {"singapore", "SG"},
};

int prov_cliniko_settings_decode(const char *body, size_t len, prov_cliniko_settings_t *out)
{
    memset(out, 0, sizeof(*out));
    json_object *root;
    if (prov_cliniko_parse_object(body, len, &root) != 0) return -1;
    json_object *account = prov_json_get(root, "account");
    const char *zone = prov_json_get_str(account, "time_zone");
    if (zone != NULL && strlen(zone) < sizeof(out->tz_label)) memcpy(out->tz_label, zone, strlen(zone) + 1);
    const char *cc = prov_json_get_str(account, "country_code");
    if (cc != NULL && strlen(cc) == 2 && isalpha((unsigned char)cc[0]) && isalpha((unsigned char)cc[1])) {
        out->country_code[0] = (char)toupper((unsigned char)cc[0]);
        out->country_code[1] = (char)toupper((unsigned char)cc[1]);
    } else {
        const char *country = prov_json_get_str(account, "country");
        for (size_t i = 0; country != NULL && i < sizeof(countries) / sizeof(countries[0]); i++)
            if (strcasecmp(country, countries[i].name) == 0) memcpy(out->country_code, countries[i].code, 3);
    }
    json_object_put(root);
    return 0;
}

const char *prov_cliniko_currency_of(const char *cc)
{
    static const struct {
        char cc[3], cur[4];
    } map[] = {{"AU", "AUD"}, {"NZ", "NZD"}, {"US", "USD"}, {"CA", "CAD"}, {"GB", "GBP"}, {"IE", "EUR"},
               {"ZA", "ZAR"}, {"SG", "SGD"}, {"DE", "EUR"}, {"FR", "EUR"}, {"NL", "EUR"}, {"ES", "EUR"}};
    for (size_t i = 0; cc != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(cc, map[i].cc) == 0) return map[i].cur;
    return "AUD";
}

static int get_instant(json_object *o, const char *key, int64_t *out)
{
    json_object *v = prov_json_get(o, key);
    if (v == NULL || !json_object_is_type(v, json_type_string)) return -1;
    return tz_parse_iso(json_object_get_string(v), (size_t)json_object_get_string_len(v), NULL, out, NULL, 0);
}

int prov_cliniko_available_time_decode(json_object *item, int64_t *start)
{
    return get_instant(item, "appointment_start", start);
}

static bool valid_date(const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return y >= 1 && d >= 1 && d <= tz_days_in_month(y, m);
}

int prov_cliniko_patient_decode(json_object *item, bk_patient_t *p, bk_strings_t *phones, bool *archived)
{
    memset(p, 0, sizeof(*p));
    memset(phones, 0, sizeof(*phones));
    char id[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id(prov_json_get(item, "id"), id, sizeof(id)) != 0) return -1;
    bool oom = false;
    const char *dob = prov_json_get_str(item, "date_of_birth");
    p->id = dup_text(id, &oom);
    p->first_name = dup_text(prov_json_get_str(item, "first_name"), &oom);
    p->last_name = dup_text(prov_json_get_str(item, "last_name"), &oom);
    p->email = dup_text(prov_json_get_str(item, "email"), &oom);
    p->dob = valid_date(dob) ? dup_text(dob, &oom) : NULL;
    p->city = dup_text(prov_json_get_str(item, "city"), &oom);
    p->state = dup_text(prov_json_get_str(item, "state"), &oom);
    p->country = dup_text(prov_json_get_str(item, "country"), &oom);
    *archived = is_set(item, "archived_at") || is_set(item, "deleted_at");
    json_object *numbers = prov_json_get(item, "patient_phone_numbers");
    size_t n = numbers != NULL && json_object_is_type(numbers, json_type_array) ? json_object_array_length(numbers) : 0;
    for (size_t i = 0; i < n && phones->count < PROV_CLINIKO_MAX_PHONES && !oom; i++) {
        const char *num = prov_json_get_str(json_object_array_get_idx(numbers, i), "number");
        if (num != NULL && strlen(num) < 64 && bk_strings_push(phones, num) != 0) oom = true;
    }
    if (oom) {
        bk_patient_clear(p);
        strings_clear(phones);
        return -1;
    }
    return 0;
}

int prov_cliniko_appointment_decode(json_object *item, bk_appointment_t *a, bool *deleted)
{
    memset(a, 0, sizeof(*a));
    char id[PROV_CLINIKO_ID_CAP], ref[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id(prov_json_get(item, "id"), id, sizeof(id)) != 0) return -1;
    if (get_instant(item, "starts_at", &a->start) != 0) return -1;
    if (get_instant(item, "ends_at", &a->end) != 0 || a->end < a->start) a->end = a->start;
    bool oom = false;
    a->id = dup_text(id, &oom);
    if (prov_cliniko_link_id(item, "patient", ref, sizeof(ref)) == 0) a->patient_id = dup_text(ref, &oom);
    if (prov_cliniko_link_id(item, "practitioner", ref, sizeof(ref)) == 0) a->staff_id = dup_text(ref, &oom);
    if (prov_cliniko_link_id(item, "appointment_type", ref, sizeof(ref)) == 0) a->treatment_id = dup_text(ref, &oom);
    if (prov_cliniko_link_id(item, "business", ref, sizeof(ref)) == 0) a->location_id = dup_text(ref, &oom);
    if (is_set(item, "cancelled_at")) a->state = BK_APPT_CANCELLED;
    else if (get_bool(item, "did_not_arrive", false)) a->state = BK_APPT_NO_SHOW;
    else if (get_bool(item, "patient_arrived", false)) a->state = BK_APPT_ARRIVED;
    else a->state = BK_APPT_BOOKED;
    *deleted = is_set(item, "deleted_at") || is_set(item, "archived_at");
    if (oom) {
        bk_appointment_clear(a);
        return -1;
    }
    return 0;
}

int prov_cliniko_appointment_body_decode(const char *body, size_t len, bk_appointment_t *a)
{
    json_object *root;
    memset(a, 0, sizeof(*a));
    if (prov_cliniko_parse_object(body, len, &root) != 0) return -1;
    bool deleted;
    int rc = prov_cliniko_appointment_decode(root, a, &deleted);
    json_object_put(root);
    return rc;
}

int prov_cliniko_conflicts_decode(const char *body, size_t len, bool *exist)
{
    json_object *root;
    if (prov_cliniko_parse_object(body, len, &root) != 0) return -1;
    json_object *v = prov_json_get(prov_json_get(root, "conflicts"), "exist");
    int rc = -1;
    if (v != NULL && json_object_is_type(v, json_type_boolean)) {
        *exist = json_object_get_boolean(v);
        rc = 0;
    }
    json_object_put(root);
    return rc;
}

/* ---- adapter rules ------------------------------------------------------------------------------------------ */

int prov_cliniko_base_url_for_key(const char *key, char *out, size_t cap)
{
    const char *dash = strrchr(key, '-');
    char shard[8] = "au1";
    if (dash != NULL) {
        const char *s = dash + 1;
        size_t n = strlen(s);
        if (n < 3 || n > 4 || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]) ||
            !isdigit((unsigned char)s[2]) || (n == 4 && !isdigit((unsigned char)s[3])))
            return -1;
        for (size_t i = 0; i <= n; i++) shard[i] = (char)tolower((unsigned char)s[i]);
    }
    int n = snprintf(out, cap, "https://api.%s.cliniko.com/v1", shard);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Digits of a phone number; 0 digits (or too many) gives "". */
static size_t phone_digits(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; s != NULL && *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (n + 1 >= cap) return out[0] = '\0', 0;
            out[n++] = *s;
        } else if (!strchr(" +-().\t/", *s)) {
            break; /* "ext. 12" and the like end the number */
        }
    }
    out[n] = '\0';
    return n;
}

bool prov_cliniko_phone_matches(const char *stored, const char *e164)
{
    char a[32], b[32];
    size_t na = phone_digits(stored, a, sizeof(a)), nb = phone_digits(e164, b, sizeof(b));
    if (na < 6 || nb < 8) return false;
    const char *pa = a;
    if (pa[0] == '0' && pa[1] == '0') pa += 2; /* 00 international prefix */
    else if (pa[0] == '0') pa += 1;            /* national trunk prefix */
    size_t la = strlen(pa);
    if (strcmp(pa, b) == 0) return true;
    if (la >= 7 && la < nb && nb - la <= 3 && strcmp(b + (nb - la), pa) == 0) return true;
    return false;
}

int prov_cliniko_phone_e164(const char *stored, char *out, size_t cap)
{
    char d[32];
    const char *s = stored;
    while (s != NULL && *s == ' ') s++;
    size_t n = phone_digits(s, d, sizeof(d));
    const char *digits = d;
    if (s == NULL || n == 0) return -1;
    if (s[0] == '+') {
        /* already international */
    } else if (d[0] == '0' && d[1] == '0') {
        digits += 2;
    } else {
        return -1;
    }
    size_t len = strlen(digits);
    if (len < 8 || len > 15 || digits[0] == '0' || len + 2 > cap) return -1;
    out[0] = '+';
    memcpy(out + 1, digits, len + 1);
    return 0;
}

static bool has_word(const char *text, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = text; *p; p++)
        if (strncasecmp(p, word, wl) == 0) return true;
    return false;
}

int prov_cliniko_cancel_reason_code(const char *reason)
{
    if (reason == NULL) return 50;
    if (has_word(reason, "covid")) return 31;
    if (has_word(reason, "better") || has_word(reason, "recovered")) return 10;
    if (has_word(reason, "worse")) return 20;
    if (has_word(reason, "sick") || has_word(reason, "unwell") || has_word(reason, "ill ") ||
        strcasecmp(reason, "ill") == 0 || has_word(reason, "flu"))
        return 30;
    if (has_word(reason, "away") || has_word(reason, "travel") || has_word(reason, "holiday") ||
        has_word(reason, "vacation") || has_word(reason, "out of town"))
        return 40;
    if (has_word(reason, "work") || has_word(reason, "job") || has_word(reason, "meeting")) return 60;
    return 50;
}

int prov_cliniko_query_escape(char *buf, size_t cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(buf);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
        size_t need = plain ? 1 : 3;
        if (n + need + 1 > cap) return -1;
        if (plain) {
            buf[n++] = (char)c;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        }
        buf[n] = '\0';
    }
    return 0;
}
