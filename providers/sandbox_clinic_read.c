/* providers/sandbox_clinic_read.c: sb_clinic_load_file and sb_clinic_parse: the sections of a clinic file read
 * into the clinic struct, the references between them resolved, schedules checked for overlaps, and the
 * warnings. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sandbox_clinic.h"
#include "providers/sandbox_clinic_impl.h"
#include "providers/sandbox_clinic_parse.h"

static const char *const WEEKDAYS[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* The state of sb_clinic_parse beyond the parser: sections and their raw links. */
typedef struct reader {
    parser_t p;
    sb_clinic_t *c;
    sb_location_t *locations;
    sb_practitioner_t *practitioners;
    sb_treatment_t *treatments;
    sb_patient_t *patients;
    sb_booking_t *bookings;
    unsigned *mark; /* duplicate detection in ID lists: mark[index] == mark_gen means seen */
    unsigned mark_gen;
    size_t mark_cap;
    size_t (*links)[2]; /* (practitioner, treatment) pairs from both directions */
    size_t link_count, link_cap;
    const size_t **given_locations; /* per treatment: location_ids as written, or NULL */
    size_t *given_location_counts;
} reader_t;

/* ---- small helpers ----------------------------------------------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
    const sb_id_entry_t *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c != 0) return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Collects the valid IDs of a collection (an array of objects with "id") into a sorted index, reporting
 * duplicates at the later one. Invalid IDs are left for the section reader to report. */
static void index_ids(parser_t *p, json_object *arr, const char *name, sb_id_index_t *out)
{
    size_t n = arr != NULL ? json_object_array_length(arr) : 0;
    out->count = 0;
    if ((out->entries = sb_arena_array(p->arena, n, sizeof(sb_id_entry_t))) == NULL) {
        sb_oom(p);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        json_object *id = json_object_is_type(o, json_type_object) ? sb_member(o, "id") : NULL;
        if (!json_object_is_type(id, json_type_string)) continue;
        size_t len = (size_t)json_object_get_string_len(id);
        char why[96];
        const char *s = json_object_get_string(id);
        if (len == 0 || len > SB_ID_MAX || sb_check_id(s, len, why, sizeof(why)) != 0) continue;
        if ((out->entries[out->count].id = sb_arena_strndup(p->arena, s, len)) == NULL) {
            sb_oom(p);
            return;
        }
        out->entries[out->count++].index = i;
    }
    if (out->count > 1) qsort(out->entries, out->count, sizeof(sb_id_entry_t), cmp_entry);
    size_t w = 0;
    for (size_t k = 0; k < out->count; k++) {
        if (w > 0 && strcmp(out->entries[k].id, out->entries[w - 1].id) == 0) {
            char path[SB_PATH_CAP + 96];
            snprintf(path, sizeof(path), "%s[%zu].id", name, out->entries[k].index);
            sb_err_at(p, path, "%s is also the ID of %s[%zu]", out->entries[k].id, name, out->entries[w - 1].index);
            continue;
        }
        out->entries[w++] = out->entries[k];
    }
    out->count = w;
}

static const char *text_field(parser_t *p, json_object *o, const char *key, int required)
{
    return sb_string_field(p, o, key, required, SB_TEXT_MAX, sb_check_text, 1);
}

/* A reference field: the index of the ID in ix, or -1 (absent, bad or unknown; errors recorded). */
static long ref_field(parser_t *p, json_object *o, const char *key, int required, const sb_id_index_t *ix,
                      const char *what)
{
    const char *id = sb_string_field(p, o, key, required, SB_ID_MAX, sb_check_id, 1);
    if (id == NULL) return -1;
    long k = sb_id_index_find(ix, id);
    if (k < 0) {
        size_t old = sb_push_key(p, key);
        sb_err(p, "no %s has the ID %s", what, id);
        sb_pop(p, old);
    }
    return k;
}

/* An array of references: their indices (arena) and count; duplicates and unknown IDs are errors. */
static size_t ref_array(reader_t *r, json_object *o, const char *key, size_t max, const sb_id_index_t *ix,
                        const char *what, const size_t **out)
{
    parser_t *p = &r->p;
    *out = NULL;
    json_object *arr = sb_array_field(p, o, key, 0, 0, max);
    if (arr == NULL) return 0;
    size_t n = json_object_array_length(arr), got = 0;
    size_t *idx = sb_arena_array(p->arena, n, sizeof(size_t));
    if (idx == NULL) {
        sb_oom(p);
        return 0;
    }
    r->mark_gen++;
    size_t old = sb_push_key(p, key);
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        size_t oi = sb_push_index(p, i);
        char shown[SB_SHOW_CAP], why[96];
        if (!json_object_is_type(v, json_type_string)) {
            sb_err(p, "must be an ID string");
        } else {
            const char *s = json_object_get_string(v);
            size_t len = (size_t)json_object_get_string_len(v);
            long k;
            if (len == 0 || len > SB_ID_MAX || sb_check_id(s, len, why, sizeof(why)) != 0) {
                sb_err(p, "%s is not an ID (1-%d of A-Z a-z 0-9 . _ -)", sb_show(s, len, shown), SB_ID_MAX);
            } else if ((k = sb_id_index_find(ix, s)) < 0) {
                sb_err(p, "no %s has the ID %s", what, s);
            } else if ((size_t)k < r->mark_cap && r->mark[k] == r->mark_gen) {
                sb_err(p, "%s is listed twice", s);
            } else {
                if ((size_t)k < r->mark_cap) r->mark[k] = r->mark_gen;
                idx[got++] = (size_t)k;
            }
        }
        sb_pop(p, oi);
    }
    sb_pop(p, old);
    *out = idx;
    return got;
}

/* An "HH:MM" member: minutes (0..1440), or -1 (error recorded). */
static int time_field(parser_t *p, json_object *o, const char *key)
{
    json_object *v = sb_member(o, key);
    size_t old = sb_push_key(p, key);
    int t = -1;
    char shown[SB_SHOW_CAP];
    if (v == NULL) {
        sb_err(p, "is required");
    } else if (!json_object_is_type(v, json_type_string)) {
        sb_err(p, "must be a time string \"HH:MM\"");
    } else {
        const char *s = json_object_get_string(v);
        size_t len = (size_t)json_object_get_string_len(v);
        if ((t = sb_parse_time(s, len)) < 0)
            sb_err(p, "%s is not a time (HH:MM, 00:00 to 24:00)", sb_show(s, len, shown));
    }
    sb_pop(p, old);
    return t;
}

static const char *const INTERVAL_KEYS[] = {"start", "end", NULL};

/* One {"start","end"} interval at the current path: 0 and *out, or -1 (errors recorded). */
static int read_interval(parser_t *p, json_object *o, sb_interval_t *out)
{
    if (!sb_expect_object(p, o)) return -1;
    sb_check_keys(p, o, INTERVAL_KEYS);
    int start = time_field(p, o, "start"), end = time_field(p, o, "end");
    if (start == 24 * 60) {
        size_t old = sb_push_key(p, "start");
        sb_err(p, "24:00 is only valid as an end");
        sb_pop(p, old);
        return -1;
    }
    if (start < 0 || end < 0) return -1;
    if (end <= start) {
        size_t old = sb_push_key(p, "end");
        sb_err(p, "%02d:%02d is not after start %02d:%02d", end / 60, end % 60, start / 60, start % 60);
        sb_pop(p, old);
        return -1;
    }
    *out = (sb_interval_t){start, end};
    return 0;
}

static int cmp_interval(const void *a, const void *b)
{
    const sb_interval_t *x = a, *y = b;
    return x->start != y->start ? (x->start < y->start ? -1 : 1) : (x->end < y->end ? -1 : x->end > y->end);
}

static int64_t day_key(int y, int m, int d)
{
    return tz_days_from_civil(y, m, d);
}

/* ---- clinic, policy, generated_bookings -------------------------------------------------------------------- */

static const char *const CLINIC_KEYS[] = {"name", "country", "locale", NULL};

static void read_clinic(reader_t *r, json_object *root)
{
    parser_t *p = &r->p;
    json_object *o = sb_member(root, "clinic");
    size_t old = sb_push_key(p, "clinic");
    if (o == NULL) {
        sb_err(p, "is required");
    } else if (sb_expect_object(p, o)) {
        sb_check_keys(p, o, CLINIC_KEYS);
        r->c->name = text_field(p, o, "name", 1);
        r->c->country = sb_string_field(p, o, "country", 1, 16, sb_check_country, 1);
        r->c->locale = sb_string_field(p, o, "locale", 0, 35, sb_check_locale, 1);
    }
    sb_pop(p, old);
}

static const char *const POLICY_KEYS[] = {
    "min_notice_minutes",    "max_days_ahead",       "slot_step_minutes", "start_rule",
    "buffer_before_minutes", "buffer_after_minutes", "hold_seconds",      NULL};

static void read_policy(reader_t *r, json_object *root)
{
    parser_t *p = &r->p;
    sb_policy_t *pol = &r->c->policy;
    *pol = (sb_policy_t){.min_notice_minutes = 120,
                         .max_days_ahead = 30,
                         .slot_step_minutes = 15,
                         .start_rule = SB_START_EVERY_STEP,
                         .hold_seconds = 300};
    json_object *o = sb_member(root, "policy");
    if (o == NULL) return;
    size_t old = sb_push_key(p, "policy");
    if (!sb_expect_object(p, o)) goto done;
    sb_check_keys(p, o, POLICY_KEYS);
    int64_t v;
    if (sb_int_field(p, o, "min_notice_minutes", 0, 0, 525600, &v) > 0) pol->min_notice_minutes = (int)v;
    if (sb_int_field(p, o, "max_days_ahead", 0, 1, 730, &v) > 0) pol->max_days_ahead = (int)v;
    if (sb_int_field(p, o, "slot_step_minutes", 0, 5, 240, &v) > 0) pol->slot_step_minutes = (int)v;
    if (sb_int_field(p, o, "buffer_before_minutes", 0, 0, 240, &v) > 0) pol->buffer_before_minutes = (int)v;
    if (sb_int_field(p, o, "buffer_after_minutes", 0, 0, 240, &v) > 0) pol->buffer_after_minutes = (int)v;
    if (sb_int_field(p, o, "hold_seconds", 0, 30, 3600, &v) > 0) pol->hold_seconds = (int)v;
    json_object *rule = sb_member(o, "start_rule");
    if (rule != NULL) {
        size_t ok = sb_push_key(p, "start_rule");
        const char *s = json_object_is_type(rule, json_type_string) ? json_object_get_string(rule) : NULL;
        if (s != NULL && strcmp(s, "every_step") == 0)
            pol->start_rule = SB_START_EVERY_STEP;
        else if (s != NULL && strcmp(s, "back_to_back") == 0)
            pol->start_rule = SB_START_BACK_TO_BACK;
        else
            sb_err(p, "must be \"every_step\" or \"back_to_back\"");
        sb_pop(p, ok);
    }
done:
    sb_pop(p, old);
}

static const char *const GENERATED_KEYS[] = {"fill_ratio", "seed", NULL};

static void read_generated(reader_t *r, json_object *root)
{
    parser_t *p = &r->p;
    json_object *o = sb_member(root, "generated_bookings");
    if (o == NULL) return;
    size_t old = sb_push_key(p, "generated_bookings");
    if (sb_expect_object(p, o)) {
        sb_check_keys(p, o, GENERATED_KEYS);
        int64_t seed = 1;
        double fill = 0;
        int ok = sb_number_field(p, o, "fill_ratio", 1, 0.0, 0.9, &fill) > 0;
        if (sb_int_field(p, o, "seed", 0, INT64_MIN, INT64_MAX, &seed) >= 0 && ok)
            r->c->generated = (sb_generated_t){.enabled = 1, .fill_ratio = fill, .seed = seed};
    }
    sb_pop(p, old);
}

/* ---- locations --------------------------------------------------------------------------------------------- */

static const char *const LOCATION_KEYS[] = {"id",        "name",        "address",  "phone",
                                            "time_zone", "booking_url", "closures", NULL};
static const char *const ADDRESS_KEYS[] = {"line1", "line2", "city", "region", "postal_code", "country", NULL};
static const char *const CLOSURE_KEYS[] = {"date", "reason", NULL};

typedef struct dated {
    int64_t key;
    long location;
    size_t orig;
} dated_t;

static int cmp_dated(const void *a, const void *b)
{
    const dated_t *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->location != y->location) return x->location < y->location ? -1 : 1;
    return x->orig < y->orig ? -1 : x->orig > y->orig;
}

static void read_closures(parser_t *p, json_object *o, sb_location_t *l)
{
    json_object *arr = sb_array_field(p, o, "closures", 0, 0, SB_MAX_OVERRIDES);
    if (arr == NULL) return;
    size_t n = json_object_array_length(arr), got = 0;
    sb_closure_t *tmp = sb_arena_array(p->arena, n, sizeof(*tmp)), *out = sb_arena_array(p->arena, n, sizeof(*out));
    dated_t *order = malloc((n ? n : 1) * sizeof(*order));
    size_t *slot = malloc((n ? n : 1) * sizeof(*slot)); /* array position -> tmp index */
    if (tmp == NULL || out == NULL || order == NULL || slot == NULL) {
        sb_oom(p);
        goto cleanup;
    }
    size_t old = sb_push_key(p, "closures");
    for (size_t i = 0; i < n; i++) {
        size_t oi = sb_push_index(p, i);
        json_object *e = json_object_array_get_idx(arr, i);
        if (sb_expect_object(p, e)) {
            sb_check_keys(p, e, CLOSURE_KEYS);
            const char *date = sb_string_field(p, e, "date", 1, 32, sb_check_date, 1);
            const char *reason = text_field(p, e, "reason", 0);
            sb_closure_t c = {.reason = reason};
            if (date != NULL && sb_parse_date(date, strlen(date), &c.year, &c.month, &c.day) == 0) {
                slot[i] = got;
                tmp[got] = c;
                order[got] = (dated_t){day_key(c.year, c.month, c.day), 0, i};
                got++;
            }
        }
        sb_pop(p, oi);
    }
    if (got > 1) qsort(order, got, sizeof(*order), cmp_dated);
    size_t w = 0;
    for (size_t k = 0; k < got; k++) {
        if (k > 0 && order[k].key == order[k - 1].key) {
            char path[SB_PATH_CAP + 96];
            snprintf(path, sizeof(path), "%s[%zu].date", p->path, order[k].orig);
            sb_err_at(p, path, "the date is already closed by closures[%zu]", order[k - 1].orig);
            continue;
        }
        out[w++] = tmp[slot[order[k].orig]];
    }
    sb_pop(p, old);
    l->closures = out;
    l->closure_count = w;
cleanup:
    free(order);
    free(slot);
}

static void read_location(parser_t *p, json_object *o, sb_location_t *l)
{
    if (!sb_expect_object(p, o)) return;
    sb_check_keys(p, o, LOCATION_KEYS);
    l->id = sb_string_field(p, o, "id", 1, SB_ID_MAX, sb_check_id, 1);
    l->name = text_field(p, o, "name", 1);
    json_object *a = sb_member(o, "address");
    size_t old = sb_push_key(p, "address");
    if (a == NULL) {
        sb_err(p, "is required");
    } else if (sb_expect_object(p, a)) {
        sb_check_keys(p, a, ADDRESS_KEYS);
        l->address.line1 = text_field(p, a, "line1", 1);
        l->address.line2 = text_field(p, a, "line2", 0);
        l->address.city = text_field(p, a, "city", 1);
        l->address.region = text_field(p, a, "region", 0);
        l->address.postal_code = sb_string_field(p, a, "postal_code", 0, 20, sb_check_text, 1);
        l->address.country = sb_string_field(p, a, "country", 1, 16, sb_check_country, 1);
    }
    sb_pop(p, old);
    l->phone = sb_string_field(p, o, "phone", 0, 16, sb_check_phone, 1);
    l->time_zone = sb_string_field(p, o, "time_zone", 1, 64, sb_check_text, 1);
    if (l->time_zone != NULL && (l->zone = tz_zone_load(l->time_zone)) == NULL) {
        old = sb_push_key(p, "time_zone");
        char shown[SB_SHOW_CAP];
        sb_err(p, "%s is not a time zone (use an IANA ID such as Australia/Sydney)",
               sb_show(l->time_zone, strlen(l->time_zone), shown));
        sb_pop(p, old);
    }
    l->booking_url = sb_string_field(p, o, "booking_url", 0, 500, sb_check_url, 1);
    read_closures(p, o, l);
}

/* ---- practitioners ----------------------------------------------------------------------------------------- */

static const char *const PRACTITIONER_KEYS[] = {"id",        "first_name",  "last_name",  "title",
                                                "email",     "disciplines", "ai_enabled", "treatment_ids",
                                                "schedules", "overrides",   NULL};
static const char *const SCHEDULE_KEYS[] = {"location_id", "weekly", NULL};
static const char *const WEEKLY_KEYS[] = {"days", "intervals", NULL};
static const char *const OVERRIDE_KEYS[] = {"date", "location_id", "closed", "intervals", "reason", NULL};

/* One weekly interval with where it came from, for the overlap check across a practitioner's schedules. */
typedef struct rec {
    int weekday, start, end;
    size_t schedule; /* index among the schedules kept */
    size_t k, j, i;  /* schedules[k].weekly[j].intervals[i] */
} rec_t;

static int cmp_rec(const void *a, const void *b)
{
    const rec_t *x = a, *y = b;
    if (x->weekday != y->weekday) return x->weekday < y->weekday ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    if (x->k != y->k) return x->k < y->k ? -1 : 1;
    if (x->j != y->j) return x->j < y->j ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int rec_before(const rec_t *x, const rec_t *y)
{
    if (x->k != y->k) return x->k < y->k;
    if (x->j != y->j) return x->j < y->j;
    return x->i < y->i;
}

static void rec_path(const parser_t *p, const rec_t *x, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s.schedules[%zu].weekly[%zu].intervals[%zu]", p->path, x->k, x->j, x->i);
}

/* Reads days[] of a weekly rule into a bit mask (bit 0 = Monday); 0 when bad. */
static unsigned read_days(parser_t *p, json_object *w)
{
    json_object *days = sb_array_field(p, w, "days", 1, 1, 7);
    if (days == NULL) return 0;
    unsigned mask = 0;
    int bad = 0;
    size_t old = sb_push_key(p, "days");
    for (size_t d = 0; d < json_object_array_length(days); d++) {
        size_t od = sb_push_index(p, d);
        json_object *v = json_object_array_get_idx(days, d);
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        int wd = -1;
        for (int k = 0; s != NULL && k < 7; k++)
            if (strcmp(s, WEEKDAYS[k]) == 0) wd = k;
        char shown[SB_SHOW_CAP];
        if (wd < 0) {
            if (s != NULL)
                sb_err(p, "%s is not a weekday (mon, tue, wed, thu, fri, sat, sun)", sb_show(s, strlen(s), shown));
            else
                sb_err(p, "must be a weekday string (mon ... sun)");
            bad = 1;
        } else if (mask & (1u << wd)) {
            sb_err(p, "%s is listed twice", s);
            bad = 1;
        } else {
            mask |= 1u << wd;
        }
        sb_pop(p, od);
    }
    sb_pop(p, old);
    return bad ? 0 : mask;
}

static int push_rec(parser_t *p, rec_t **recs, size_t *n, size_t *cap, rec_t x)
{
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 32;
        rec_t *bigger = realloc(*recs, grown * sizeof(rec_t));
        if (bigger == NULL) {
            sb_oom(p);
            return -1;
        }
        *recs = bigger;
        *cap = grown;
    }
    (*recs)[(*n)++] = x;
    return 0;
}

/* schedules[]: weekly rules per location, with overlaps checked across all of them (wall clock, per weekday). */
static void read_schedules(reader_t *r, json_object *o, sb_practitioner_t *pr)
{
    parser_t *p = &r->p;
    json_object *arr = sb_array_field(p, o, "schedules", 0, 0, SB_MAX_LOCATIONS);
    size_t n = arr != NULL ? json_object_array_length(arr) : 0, kept = 0, nrec = 0, caprec = 0;
    rec_t *recs = NULL;
    size_t *orig = NULL;
    sb_schedule_t *sch = sb_arena_array(p->arena, n, sizeof(*sch));
    if (sch == NULL || (orig = malloc((n ? n : 1) * sizeof(size_t))) == NULL) {
        sb_oom(p);
        goto cleanup;
    }
    size_t old = sb_push_key(p, "schedules");
    for (size_t k = 0; k < n; k++) {
        size_t ok = sb_push_index(p, k);
        json_object *s = json_object_array_get_idx(arr, k);
        if (!sb_expect_object(p, s)) goto next_schedule;
        sb_check_keys(p, s, SCHEDULE_KEYS);
        long loc = ref_field(p, s, "location_id", 1, &r->p.impl->locations, "location");
        for (size_t kk = 0; loc >= 0 && kk < kept; kk++) {
            if ((long)sch[kk].location == loc) {
                size_t ol = sb_push_key(p, "location_id");
                sb_err(p, "%s already has a schedule at schedules[%zu]", r->locations[loc].id, orig[kk]);
                sb_pop(p, ol);
                loc = -1;
            }
        }
        json_object *weekly = sb_array_field(p, s, "weekly", 1, 0, 14);
        size_t ow = sb_push_key(p, "weekly");
        for (size_t j = 0; weekly != NULL && j < json_object_array_length(weekly); j++) {
            size_t oj = sb_push_index(p, j);
            json_object *w = json_object_array_get_idx(weekly, j);
            if (sb_expect_object(p, w)) {
                sb_check_keys(p, w, WEEKLY_KEYS);
                unsigned mask = read_days(p, w);
                json_object *ivs = sb_array_field(p, w, "intervals", 1, 1, SB_DAY_MAX_INTERVALS);
                size_t oi = sb_push_key(p, "intervals");
                for (size_t i = 0; ivs != NULL && i < json_object_array_length(ivs); i++) {
                    size_t oii = sb_push_index(p, i);
                    sb_interval_t iv;
                    if (read_interval(p, json_object_array_get_idx(ivs, i), &iv) == 0 && loc >= 0) {
                        for (int wd = 0; wd < 7; wd++)
                            if ((mask & (1u << wd)) &&
                                push_rec(p, &recs, &nrec, &caprec, (rec_t){wd, iv.start, iv.end, kept, k, j, i}) != 0)
                                break;
                    }
                    sb_pop(p, oii);
                }
                sb_pop(p, oi);
            }
            sb_pop(p, oj);
        }
        sb_pop(p, ow);
        if (loc >= 0) {
            sch[kept].location = (size_t)loc;
            orig[kept++] = k;
        }
    next_schedule:
        sb_pop(p, ok);
    }
    sb_pop(p, old);
    if (nrec > 1) qsort(recs, nrec, sizeof(rec_t), cmp_rec);
    /* Overlaps: within one weekday, an interval starting before the latest end seen so far. */
    size_t per_day[7] = {0};
    for (size_t a = 0, latest = 0; a < nrec; a++) {
        per_day[recs[a].weekday]++;
        if (a == 0 || recs[a].weekday != recs[a - 1].weekday) {
            latest = a;
            continue;
        }
        if (recs[a].start < recs[latest].end) {
            const rec_t *later = rec_before(&recs[a], &recs[latest]) ? &recs[latest] : &recs[a];
            const rec_t *earlier = later == &recs[a] ? &recs[latest] : &recs[a];
            char lp[SB_PATH_CAP + 96], ep[SB_PATH_CAP + 96];
            rec_path(p, later, lp, sizeof(lp));
            rec_path(p, earlier, ep, sizeof(ep));
            sb_err_at(p, lp, "%02d:%02d-%02d:%02d on %s overlaps %02d:%02d-%02d:%02d at %s%s", later->start / 60,
                      later->start % 60, later->end / 60, later->end % 60, WEEKDAYS[later->weekday],
                      earlier->start / 60, earlier->start % 60, earlier->end / 60, earlier->end % 60, ep,
                      later->schedule != earlier->schedule ? " (another location: one person, one place)" : "");
        }
        if (recs[a].end > recs[latest].end) latest = a;
    }
    for (int wd = 0; wd < 7; wd++) {
        if (per_day[wd] > SB_DAY_MAX_INTERVALS) {
            old = sb_push_key(p, "schedules");
            sb_err(p, "more than %d intervals on %s", SB_DAY_MAX_INTERVALS, WEEKDAYS[wd]);
            sb_pop(p, old);
        }
    }
    /* Per schedule and weekday, the intervals in order (recs are sorted by weekday, then start). */
    for (size_t a = 0; a < nrec; a++) sch[recs[a].schedule].days[recs[a].weekday].count++;
    for (size_t k = 0; k < kept; k++) {
        for (int wd = 0; wd < 7; wd++) {
            sb_interval_t *ivs = sb_arena_array(p->arena, sch[k].days[wd].count, sizeof(sb_interval_t));
            if (ivs == NULL) {
                sb_oom(p);
                goto cleanup;
            }
            sch[k].days[wd].intervals = ivs;
            sch[k].days[wd].count = 0;
        }
    }
    for (size_t a = 0; a < nrec; a++) {
        sb_day_t *day = &sch[recs[a].schedule].days[recs[a].weekday];
        ((sb_interval_t *)day->intervals)[day->count++] = (sb_interval_t){recs[a].start, recs[a].end};
    }
    pr->schedules = sch;
    pr->schedule_count = kept;
cleanup:
    free(recs);
    free(orig);
}

/* overrides[]: closed dates or other hours on a date, at one location or (closed only) all of them. */
static void read_overrides(reader_t *r, json_object *o, sb_practitioner_t *pr)
{
    parser_t *p = &r->p;
    json_object *arr = sb_array_field(p, o, "overrides", 0, 0, SB_MAX_OVERRIDES);
    if (arr == NULL) return;
    size_t n = json_object_array_length(arr), got = 0;
    sb_override_t *tmp = sb_arena_array(p->arena, n, sizeof(*tmp)), *out = sb_arena_array(p->arena, n, sizeof(*out));
    dated_t *order = malloc((n ? n : 1) * sizeof(*order));
    size_t *slot = malloc((n ? n : 1) * sizeof(*slot)); /* array position -> tmp index */
    if (tmp == NULL || out == NULL || order == NULL || slot == NULL) {
        sb_oom(p);
        goto cleanup;
    }
    size_t old = sb_push_key(p, "overrides");
    for (size_t i = 0; i < n; i++) {
        size_t oi = sb_push_index(p, i);
        json_object *e = json_object_array_get_idx(arr, i);
        sb_override_t ov = {.location = -1};
        int ok = 1;
        if (!sb_expect_object(p, e)) goto next;
        sb_check_keys(p, e, OVERRIDE_KEYS);
        const char *date = sb_string_field(p, e, "date", 1, 32, sb_check_date, 1);
        ok = date != NULL && sb_parse_date(date, strlen(date), &ov.year, &ov.month, &ov.day) == 0;
        (void)text_field(p, e, "reason", 0);
        int has_loc = sb_member(e, "location_id") != NULL;
        long loc = ref_field(p, e, "location_id", 0, &r->p.impl->locations, "location");
        if (has_loc && loc < 0) ok = 0;
        if (loc >= 0) {
            int works = 0;
            for (size_t k = 0; k < pr->schedule_count; k++) works |= (long)pr->schedules[k].location == loc;
            if (!works) {
                size_t ol = sb_push_key(p, "location_id");
                sb_err(p, "the practitioner has no schedule at %s (add one; its weekly may be empty)",
                       r->locations[loc].id);
                sb_pop(p, ol);
                ok = 0;
            }
        }
        json_object *closed = sb_member(e, "closed");
        ov.closed = sb_bool_field(p, e, "closed", 0);
        if (closed != NULL && json_object_is_type(closed, json_type_boolean) && !ov.closed) {
            size_t oc = sb_push_key(p, "closed");
            sb_err(p, "must be true (leave it out and give intervals for other hours)");
            sb_pop(p, oc);
            ok = 0;
        }
        json_object *ivs = sb_array_field(p, e, "intervals", 0, 1, SB_DAY_MAX_INTERVALS);
        if (ov.closed && sb_member(e, "intervals") != NULL) {
            sb_err(p, "give either closed: true or intervals, not both");
            ok = 0;
        } else if (!ov.closed && closed == NULL && sb_member(e, "intervals") == NULL) {
            sb_err(p, "needs closed: true or intervals");
            ok = 0;
        }
        if (ivs != NULL && !ov.closed) {
            size_t ni = json_object_array_length(ivs);
            sb_interval_t *list = sb_arena_array(p->arena, ni, sizeof(*list));
            if (list == NULL) {
                sb_oom(p);
                ok = 0;
                goto next;
            }
            size_t ok_ivs = 0;
            size_t oiv = sb_push_key(p, "intervals");
            for (size_t k = 0; k < ni; k++) {
                size_t ok2 = sb_push_index(p, k);
                if (read_interval(p, json_object_array_get_idx(ivs, k), &list[ok_ivs]) == 0)
                    ok_ivs++;
                else
                    ok = 0;
                sb_pop(p, ok2);
            }
            if (ok_ivs > 1) qsort(list, ok_ivs, sizeof(*list), cmp_interval);
            for (size_t k = 1; k < ok_ivs; k++) {
                if (list[k].start < list[k - 1].end) {
                    sb_err(p, "%02d:%02d-%02d:%02d overlaps %02d:%02d-%02d:%02d", list[k].start / 60,
                           list[k].start % 60, list[k].end / 60, list[k].end % 60, list[k - 1].start / 60,
                           list[k - 1].start % 60, list[k - 1].end / 60, list[k - 1].end % 60);
                    ok = 0;
                    break;
                }
            }
            sb_pop(p, oiv);
            ov.intervals = list;
            ov.interval_count = ok_ivs;
            if (!has_loc) {
                if (pr->schedule_count == 1) {
                    loc = (long)pr->schedules[0].location;
                } else {
                    size_t ol = sb_push_key(p, "location_id");
                    sb_err(p, "is required for other hours when the practitioner has %s",
                           pr->schedule_count == 0 ? "no schedule" : "schedules at more than one location");
                    sb_pop(p, ol);
                    ok = 0;
                }
            }
        }
        ov.location = loc;
        if (ok) {
            slot[i] = got;
            tmp[got] = ov;
            order[got] = (dated_t){day_key(ov.year, ov.month, ov.day), ov.location, i};
            got++;
        }
    next:
        sb_pop(p, oi);
    }
    if (got > 1) qsort(order, got, sizeof(*order), cmp_dated);
    size_t w = 0;
    for (size_t k = 0, first = 0; k < got; k++) {
        /* Sorted by date then location (-1 first): a conflict is the same location, or "all" with any other. */
        if (k == 0 || order[k].key != order[k - 1].key) first = k;
        if (k > first && (order[first].location == -1 || order[k].location == order[k - 1].location)) {
            size_t other = order[k].location == order[k - 1].location ? order[k - 1].orig : order[first].orig;
            size_t later = order[k].orig > other ? order[k].orig : other,
                   earlier = later == other ? order[k].orig : other;
            char path[SB_PATH_CAP + 96];
            snprintf(path, sizeof(path), "%s[%zu]", p->path, later);
            sb_err_at(p, path, "conflicts with overrides[%zu] (same date and location)", earlier);
            continue;
        }
        out[w++] = tmp[slot[order[k].orig]];
    }
    sb_pop(p, old);
    pr->overrides = out;
    pr->override_count = w;
cleanup:
    free(order);
    free(slot);
}

static int add_link(reader_t *r, size_t practitioner, size_t treatment)
{
    if (r->link_count == r->link_cap) {
        size_t grown = r->link_cap ? r->link_cap * 2 : 64;
        size_t(*bigger)[2] = realloc(r->links, grown * sizeof(*bigger));
        if (bigger == NULL) {
            sb_oom(&r->p);
            return -1;
        }
        r->links = bigger;
        r->link_cap = grown;
    }
    r->links[r->link_count][0] = practitioner;
    r->links[r->link_count][1] = treatment;
    r->link_count++;
    return 0;
}

static void read_practitioner(reader_t *r, json_object *o, size_t pi, sb_practitioner_t *pr)
{
    parser_t *p = &r->p;
    if (!sb_expect_object(p, o)) return;
    sb_check_keys(p, o, PRACTITIONER_KEYS);
    pr->id = sb_string_field(p, o, "id", 1, SB_ID_MAX, sb_check_id, 1);
    pr->first_name = text_field(p, o, "first_name", 1);
    pr->last_name = text_field(p, o, "last_name", 1);
    pr->title = sb_string_field(p, o, "title", 0, 40, sb_check_text, 1);
    pr->email = sb_string_field(p, o, "email", 0, 254, sb_check_email, 1);
    pr->ai_enabled = sb_bool_field(p, o, "ai_enabled", 1);
    json_object *disc = sb_array_field(p, o, "disciplines", 0, 0, 20);
    size_t nd = disc != NULL ? json_object_array_length(disc) : 0;
    const char **list = sb_arena_array(p->arena, nd, sizeof(char *));
    if (list == NULL) {
        sb_oom(p);
        return;
    }
    size_t old = sb_push_key(p, "disciplines");
    for (size_t i = 0; i < nd; i++) {
        size_t oi = sb_push_index(p, i);
        json_object *v = json_object_array_get_idx(disc, i);
        char why[96] = "", shown[SB_SHOW_CAP];
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        size_t len = s != NULL ? (size_t)json_object_get_string_len(v) : 0;
        if (s == NULL)
            sb_err(p, "must be a string");
        else if (len == 0 || len > 100 || memchr(s, '\0', len) != NULL)
            sb_err(p, "must be 1-100 bytes of text");
        else if (sb_check_text(s, len, why, sizeof(why)) != 0)
            sb_err(p, "%s %s", sb_show(s, len, shown), why);
        else if ((list[pr->discipline_count++] = sb_arena_strndup(p->arena, s, len)) == NULL)
            sb_oom(p);
        sb_pop(p, oi);
    }
    sb_pop(p, old);
    pr->disciplines = list;
    const size_t *tx;
    size_t nt = ref_array(r, o, "treatment_ids", SB_MAX_TREATMENTS, &r->p.impl->treatments, "treatment", &tx);
    for (size_t i = 0; i < nt; i++)
        if (add_link(r, pi, tx[i]) != 0) return;
    read_schedules(r, o, pr);
    read_overrides(r, o, pr);
}

/* ---- treatments -------------------------------------------------------------------------------------------- */

static const char *const TREATMENT_KEYS[] = {
    "id", "name", "description", "duration_minutes", "price", "practitioner_ids", "location_ids", NULL};
static const char *const PRICE_KEYS[] = {"amount", "currency", NULL};

/* Decimal places of a currency's minor unit (ISO 4217): 0, 3, or the usual 2. */
static int currency_exponent(const char *cur)
{
    static const char zero[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
    static const char three[] = "BHD IQD JOD KWD LYD OMR TND";
    if (strstr(zero, cur) != NULL) return 0;
    if (strstr(three, cur) != NULL) return 3;
    return 2;
}

static void read_treatment(reader_t *r, json_object *o, size_t ti, sb_treatment_t *t)
{
    parser_t *p = &r->p;
    if (!sb_expect_object(p, o)) return;
    sb_check_keys(p, o, TREATMENT_KEYS);
    t->id = sb_string_field(p, o, "id", 1, SB_ID_MAX, sb_check_id, 1);
    t->name = text_field(p, o, "name", 1);
    t->description = sb_string_field(p, o, "description", 0, 2000, sb_check_text, 0);
    int64_t dur = 0;
    if (sb_int_field(p, o, "duration_minutes", 1, 5, 480, &dur) > 0) t->duration_minutes = (int)dur;
    json_object *price = sb_member(o, "price");
    size_t old = sb_push_key(p, "price");
    if (price == NULL) {
        sb_err(p, "is required");
    } else if (sb_expect_object(p, price)) {
        sb_check_keys(p, price, PRICE_KEYS);
        double amount = 0;
        int has_amount = sb_number_field(p, price, "amount", 1, 0.0, 1e9, &amount) > 0;
        const char *cur = sb_string_field(p, price, "currency", 1, 16, sb_check_currency, 1);
        if (cur != NULL) memcpy(t->currency, cur, 4);
        if (has_amount && cur != NULL) {
            int e = currency_exponent(cur);
            double scaled = amount * pow(10.0, e);
            double minor = llround(scaled);
            if (fabs(scaled - minor) > 1e-6 * (scaled > 1 ? scaled : 1)) {
                size_t oa = sb_push_key(p, "amount");
                sb_err(p, "%g has more than %d decimal%s for %s", amount, e, e == 1 ? "" : "s", cur);
                sb_pop(p, oa);
            }
            t->price_amount = amount;
            t->price_minor = (int64_t)minor;
        }
    }
    sb_pop(p, old);
    const size_t *px;
    size_t np =
        ref_array(r, o, "practitioner_ids", SB_MAX_PRACTITIONERS, &r->p.impl->practitioners, "practitioner", &px);
    for (size_t i = 0; i < np; i++)
        if (add_link(r, px[i], ti) != 0) return;
    if (sb_member(o, "location_ids") != NULL) {
        const size_t *lx;
        size_t nl = ref_array(r, o, "location_ids", SB_MAX_LOCATIONS, &r->p.impl->locations, "location", &lx);
        r->given_locations[ti] = lx;
        r->given_location_counts[ti] = nl;
    }
}

static int cmp_link_pt(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int cmp_link_tp(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    if (x[1] != y[1]) return x[1] < y[1] ? -1 : 1;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Both directions of "who offers what" from the union of the links; treatment locations by default. */
static void resolve_links(reader_t *r)
{
    parser_t *p = &r->p;
    sb_clinic_t *c = r->c;
    if (r->link_count > 1) qsort(r->links, r->link_count, sizeof(*r->links), cmp_link_pt);
    size_t w = 0;
    for (size_t k = 0; k < r->link_count; k++)
        if (w == 0 || cmp_link_pt(r->links[k], r->links[w - 1]) != 0) {
            r->links[w][0] = r->links[k][0];
            r->links[w][1] = r->links[k][1];
            w++;
        }
    r->link_count = w;
    for (size_t k = 0; k < w; k++) r->practitioners[r->links[k][0]].treatment_count++;
    for (size_t k = 0; k < w; k++) r->treatments[r->links[k][1]].practitioner_count++;
    for (size_t i = 0; i < c->practitioner_count; i++) {
        sb_practitioner_t *pr = &r->practitioners[i];
        pr->treatment_ids = sb_arena_array(p->arena, pr->treatment_count, sizeof(char *));
        pr->treatments = sb_arena_array(p->arena, pr->treatment_count, sizeof(size_t));
        if (pr->treatment_ids == NULL || pr->treatments == NULL) goto oom;
        pr->treatment_count = 0;
    }
    for (size_t i = 0; i < c->treatment_count; i++) {
        sb_treatment_t *t = &r->treatments[i];
        t->practitioner_ids = sb_arena_array(p->arena, t->practitioner_count, sizeof(char *));
        t->practitioners = sb_arena_array(p->arena, t->practitioner_count, sizeof(size_t));
        if (t->practitioner_ids == NULL || t->practitioners == NULL) goto oom;
        t->practitioner_count = 0;
    }
    for (size_t k = 0; k < w; k++) { /* sorted by practitioner, then treatment */
        sb_practitioner_t *pr = &r->practitioners[r->links[k][0]];
        ((const char **)pr->treatment_ids)[pr->treatment_count] = r->treatments[r->links[k][1]].id;
        ((size_t *)pr->treatments)[pr->treatment_count++] = r->links[k][1];
    }
    if (w > 1) qsort(r->links, w, sizeof(*r->links), cmp_link_tp);
    for (size_t k = 0; k < w; k++) {
        sb_treatment_t *t = &r->treatments[r->links[k][1]];
        ((const char **)t->practitioner_ids)[t->practitioner_count] = r->practitioners[r->links[k][0]].id;
        ((size_t *)t->practitioners)[t->practitioner_count++] = r->links[k][0];
    }
    /* Locations: as written, else wherever one of its practitioners has a schedule. */
    unsigned char *at = calloc(c->location_count ? c->location_count : 1, 1);
    if (at == NULL) goto oom;
    for (size_t i = 0; i < c->treatment_count; i++) {
        sb_treatment_t *t = &r->treatments[i];
        memset(at, 0, c->location_count);
        for (size_t k = 0; k < t->practitioner_count; k++) {
            const sb_practitioner_t *pr = &r->practitioners[t->practitioners[k]];
            for (size_t s = 0; s < pr->schedule_count; s++) at[pr->schedules[s].location] = 1;
        }
        if (r->given_locations[i] != NULL) {
            t->locations = r->given_locations[i];
            t->location_count = r->given_location_counts[i];
        } else {
            size_t n = 0;
            for (size_t l = 0; l < c->location_count; l++) n += at[l];
            size_t *list = sb_arena_array(p->arena, n, sizeof(size_t));
            if (list == NULL) {
                free(at);
                goto oom;
            }
            t->location_count = 0;
            for (size_t l = 0; l < c->location_count; l++)
                if (at[l]) list[t->location_count++] = l;
            t->locations = list;
        }
        const char **ids = sb_arena_array(p->arena, t->location_count, sizeof(char *));
        if (ids == NULL) {
            free(at);
            goto oom;
        }
        for (size_t k = 0; k < t->location_count; k++) {
            ids[k] = r->locations[t->locations[k]].id;
            if (r->given_locations[i] != NULL && !at[t->locations[k]] && t->practitioner_count > 0) {
                char path[SB_PATH_CAP + 96];
                snprintf(path, sizeof(path), "treatments[%zu].location_ids", i);
                sb_warn_at(p, path, "none of its practitioners works at %s", ids[k]);
            }
        }
        t->location_ids = ids;
    }
    free(at);
    return;
oom:
    sb_oom(p);
}

/* ---- patients and bookings --------------------------------------------------------------------------------- */

static const char *const PATIENT_KEYS[] = {"id", "first_name", "last_name", "phone", "email", "dob", NULL};

static void read_patient(parser_t *p, json_object *o, sb_patient_t *pt)
{
    if (!sb_expect_object(p, o)) return;
    sb_check_keys(p, o, PATIENT_KEYS);
    /* Patient details are PHI even when invented: messages never echo them. */
    pt->id = sb_string_field(p, o, "id", 1, SB_ID_MAX, sb_check_id, 1);
    pt->first_name = sb_string_field(p, o, "first_name", 1, SB_TEXT_MAX, sb_check_text, 0);
    pt->last_name = sb_string_field(p, o, "last_name", 1, SB_TEXT_MAX, sb_check_text, 0);
    pt->phone = sb_string_field(p, o, "phone", 0, 16, sb_check_phone, 0);
    pt->email = sb_string_field(p, o, "email", 0, 254, sb_check_email, 0);
    pt->dob = sb_string_field(p, o, "dob", 0, 32, sb_check_date, 0);
}

static const char *const BOOKING_KEYS[] = {
    "id", "practitioner_id", "treatment_id", "location_id", "start", "end", "patient_id", NULL};

/* An ISO instant member with Z or an offset: 1 and *out, 0 when absent (error if required), -1 when bad. */
static int instant_field(parser_t *p, json_object *o, const char *key, int required, tz_instant_t *out)
{
    const char *s = sb_string_field(p, o, key, required, 64, NULL, 1);
    if (s == NULL) return sb_member(o, key) == NULL && !required ? 0 : -1;
    char why[128], shown[SB_SHOW_CAP];
    if (tz_parse_iso(s, strlen(s), NULL, out, why, sizeof(why)) != 0) {
        size_t old = sb_push_key(p, key);
        sb_err(p, "%s is not an instant (%s)", sb_show(s, strlen(s), shown), why);
        sb_pop(p, old);
        return -1;
    }
    return 1;
}

static void read_booking(reader_t *r, json_object *o, size_t bi, sb_booking_t *b, int *usable)
{
    parser_t *p = &r->p;
    *usable = 0;
    if (!sb_expect_object(p, o)) return;
    sb_check_keys(p, o, BOOKING_KEYS);
    b->id = sb_string_field(p, o, "id", 0, SB_ID_MAX, sb_check_id, 1);
    if (b->id == NULL && sb_member(o, "id") == NULL) {
        char id[32];
        int n = snprintf(id, sizeof(id), "booking-%zu", bi + 1);
        if ((b->id = sb_arena_strndup(p->arena, id, (size_t)n)) == NULL) sb_oom(p);
    }
    long pr = ref_field(p, o, "practitioner_id", 1, &p->impl->practitioners, "practitioner");
    long tr = ref_field(p, o, "treatment_id", 1, &p->impl->treatments, "treatment");
    long lo = ref_field(p, o, "location_id", 1, &p->impl->locations, "location");
    b->patient = -1;
    if (sb_member(o, "patient_id") != NULL)
        b->patient = ref_field(p, o, "patient_id", 0, &p->impl->patients, "patient");
    int has_start = instant_field(p, o, "start", 1, &b->start) > 0;
    int has_end = instant_field(p, o, "end", 0, &b->end);
    if (has_end == 0 && tr >= 0 && r->treatments[tr].duration_minutes > 0) {
        b->end = b->start + r->treatments[tr].duration_minutes * TZ_MS_PER_MINUTE;
        has_end = 1;
    }
    if (has_start && has_end > 0) {
        size_t old = sb_push_key(p, "end");
        if (b->end <= b->start)
            sb_err(p, "must be after start");
        else if (b->end - b->start > TZ_MS_PER_DAY)
            sb_err(p, "the booking lasts more than 24 hours");
        sb_pop(p, old);
    }
    if (pr < 0 || tr < 0 || lo < 0 || !has_start || has_end <= 0) return;
    b->practitioner = (size_t)pr;
    b->treatment = (size_t)tr;
    b->location = (size_t)lo;
    *usable = b->end > b->start;
}

/* ---- warnings (only for a file without errors) -------------------------------------------------------------- */

typedef struct booking_key {
    size_t practitioner, index;
    tz_instant_t start, end;
} booking_key_t;

static int cmp_booking(const void *a, const void *b)
{
    const booking_key_t *x = a, *y = b;
    if (x->practitioner != y->practitioner) return x->practitioner < y->practitioner ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void booking_hours_warning(reader_t *r, size_t i)
{
    const sb_booking_t *b = &r->bookings[i];
    const sb_location_t *l = &r->locations[b->location];
    tz_civil_t s, e;
    tz_to_local(l->zone, b->start, &s, NULL);
    tz_to_local(l->zone, b->end, &e, NULL);
    int start = s.hour * 60 + s.minute;
    int end = e.hour * 60 + e.minute + (e.second > 0 || e.millisecond > 0);
    int64_t sd = day_key(s.year, s.month, s.day), ed = day_key(e.year, e.month, e.day);
    if (ed == sd + 1 && end == 0)
        end = 24 * 60;
    else if (ed != sd)
        end = -1;
    sb_interval_t hours[SB_DAY_MAX_INTERVALS];
    int n =
        sb_clinic_day_hours(r->c, b->practitioner, b->location, s.year, s.month, s.day, hours, SB_DAY_MAX_INTERVALS);
    for (int k = 0; k < n; k++)
        if (start >= hours[k].start && end > start && end <= hours[k].end) return;
    char path[SB_PATH_CAP + 96];
    snprintf(path, sizeof(path), "bookings[%zu]", i);
    sb_warn_at(&r->p, path, "%04d-%02d-%02d %02d:%02d in %s is outside the working hours of %s at %s", s.year, s.month,
               s.day, s.hour, s.minute, l->time_zone, r->practitioners[b->practitioner].id, l->id);
}

static void warnings(reader_t *r, const unsigned char *usable)
{
    parser_t *p = &r->p;
    sb_clinic_t *c = r->c;
    char path[SB_PATH_CAP + 96];
    for (size_t i = 0; i < c->practitioner_count; i++) {
        if (r->practitioners[i].schedule_count > 0) continue;
        snprintf(path, sizeof(path), "practitioners[%zu]", i);
        sb_warn_at(p, path, "%s has no schedule, so is never available", r->practitioners[i].id);
    }
    for (size_t i = 0; i < c->treatment_count; i++) {
        snprintf(path, sizeof(path), "treatments[%zu]", i);
        if (r->treatments[i].practitioner_count == 0)
            sb_warn_at(p, path, "no practitioner offers %s", r->treatments[i].id);
        else if (r->treatments[i].location_count == 0)
            sb_warn_at(p, path, "%s is offered at no location", r->treatments[i].id);
    }
    booking_key_t *keys = malloc((c->booking_count ? c->booking_count : 1) * sizeof(*keys));
    if (keys == NULL) {
        sb_oom(p);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < c->booking_count; i++) {
        if (!usable[i]) continue;
        const sb_booking_t *b = &r->bookings[i];
        keys[n++] = (booking_key_t){b->practitioner, i, b->start, b->end};
        const sb_practitioner_t *pr = &r->practitioners[b->practitioner];
        int offers = 0;
        for (size_t k = 0; k < pr->treatment_count; k++) offers |= pr->treatments[k] == b->treatment;
        if (!offers) {
            snprintf(path, sizeof(path), "bookings[%zu].treatment_id", i);
            sb_warn_at(p, path, "%s does not offer %s", pr->id, r->treatments[b->treatment].id);
        }
        booking_hours_warning(r, i);
    }
    if (n > 1) qsort(keys, n, sizeof(*keys), cmp_booking);
    for (size_t k = 1, latest = 0; k < n; k++) {
        if (keys[k].practitioner != keys[latest].practitioner) {
            latest = k;
            continue;
        }
        if (keys[k].start < keys[latest].end) {
            size_t hi = keys[k].index > keys[latest].index ? keys[k].index : keys[latest].index;
            size_t lo = hi == keys[k].index ? keys[latest].index : keys[k].index;
            snprintf(path, sizeof(path), "bookings[%zu]", hi);
            sb_warn_at(p, path, "overlaps bookings[%zu] (same practitioner, %s)", lo,
                       r->practitioners[keys[k].practitioner].id);
        }
        if (keys[k].end > keys[latest].end) latest = k;
    }
    free(keys);
}

/* ---- the whole file ---------------------------------------------------------------------------------------- */

static const char *const TOP_KEYS[] = {"$schema",  "clinic",   "locations", "practitioners",      "treatments",
                                       "bookings", "patients", "policy",    "generated_bookings", NULL};

/* Reads arr (already checked) element by element into out[] with the path name[i]. */
#define EACH(r, arr, name, body)                                                                                       \
    do {                                                                                                               \
        size_t old_ = sb_push_key(&(r)->p, name);                                                                      \
        for (size_t i = 0; (arr) != NULL && i < json_object_array_length(arr); i++) {                                  \
            size_t oi_ = sb_push_index(&(r)->p, i);                                                                    \
            json_object *e = json_object_array_get_idx(arr, i);                                                        \
            body;                                                                                                      \
            sb_pop(&(r)->p, oi_);                                                                                      \
        }                                                                                                              \
        sb_pop(&(r)->p, old_);                                                                                         \
    } while (0)

static size_t len_of(json_object *arr)
{
    return arr != NULL ? json_object_array_length(arr) : 0;
}

sb_clinic_t *sb_clinic_parse(const char *json, size_t len, sb_diag_t *diag)
{
    reader_t r = {.p = {.diag = diag}};
    parser_t *p = &r.p;
    json_object *root = NULL;
    unsigned char *usable = NULL;
    sb_clinic_impl_t *impl = calloc(1, sizeof(*impl));
    if (impl == NULL || (impl->arena = sb_arena_new()) == NULL) {
        sb_oom(p);
        goto fail;
    }
    p->arena = impl->arena;
    p->impl = impl;
    r.c = &impl->pub;
    if (json == NULL) {
        sb_err_at(p, "$", "no file contents");
        goto fail;
    }
    if ((root = sb_parse_json(p, json, len)) == NULL) goto fail;
    sb_check_keys(p, root, TOP_KEYS);
    json_object *locations = sb_array_field(p, root, "locations", 1, 1, SB_MAX_LOCATIONS);
    json_object *practitioners = sb_array_field(p, root, "practitioners", 1, 1, SB_MAX_PRACTITIONERS);
    json_object *treatments = sb_array_field(p, root, "treatments", 1, 1, SB_MAX_TREATMENTS);
    json_object *patients = sb_array_field(p, root, "patients", 0, 0, SB_MAX_PATIENTS);
    json_object *bookings = sb_array_field(p, root, "bookings", 0, 0, SB_MAX_BOOKINGS);
    if (sb_member(root, "$schema") != NULL && !json_object_is_type(sb_member(root, "$schema"), json_type_string))
        sb_err_at(p, "$schema", "must be a string");
    index_ids(p, locations, "locations", &impl->locations);
    index_ids(p, practitioners, "practitioners", &impl->practitioners);
    index_ids(p, treatments, "treatments", &impl->treatments);
    index_ids(p, patients, "patients", &impl->patients);
    sb_clinic_t *c = r.c;
    c->location_count = len_of(locations);
    c->practitioner_count = len_of(practitioners);
    c->treatment_count = len_of(treatments);
    c->patient_count = len_of(patients);
    c->booking_count = len_of(bookings);
    r.locations = sb_arena_array(p->arena, c->location_count, sizeof(sb_location_t));
    r.practitioners = sb_arena_array(p->arena, c->practitioner_count, sizeof(sb_practitioner_t));
    r.treatments = sb_arena_array(p->arena, c->treatment_count, sizeof(sb_treatment_t));
    r.patients = sb_arena_array(p->arena, c->patient_count, sizeof(sb_patient_t));
    r.bookings = sb_arena_array(p->arena, c->booking_count, sizeof(sb_booking_t));
    r.given_locations = sb_arena_array(p->arena, c->treatment_count, sizeof(size_t *));
    r.given_location_counts = sb_arena_array(p->arena, c->treatment_count, sizeof(size_t));
    r.mark_cap = SB_MAX_PRACTITIONERS > SB_MAX_TREATMENTS ? SB_MAX_PRACTITIONERS : SB_MAX_TREATMENTS;
    r.mark = calloc(r.mark_cap, sizeof(unsigned));
    usable = calloc(c->booking_count ? c->booking_count : 1, 1);
    if (r.locations == NULL || r.practitioners == NULL || r.treatments == NULL || r.patients == NULL ||
        r.bookings == NULL || r.given_locations == NULL || r.given_location_counts == NULL || r.mark == NULL ||
        usable == NULL || p->oom) {
        sb_oom(p);
        goto fail;
    }
    c->locations = r.locations;
    c->practitioners = r.practitioners;
    c->treatments = r.treatments;
    c->patients = r.patients;
    c->bookings = r.bookings;

    read_clinic(&r, root);
    EACH(&r, locations, "locations", read_location(p, e, &r.locations[i]));
    EACH(&r, treatments, "treatments", read_treatment(&r, e, i, &r.treatments[i]));
    EACH(&r, practitioners, "practitioners", read_practitioner(&r, e, i, &r.practitioners[i]));
    if (p->errors == 0) resolve_links(&r);
    EACH(&r, patients, "patients", read_patient(p, e, &r.patients[i]));
    read_policy(&r, root);
    read_generated(&r, root);
    {
        int ok = 0;
        EACH(&r, bookings, "bookings", (read_booking(&r, e, i, &r.bookings[i], &ok), usable[i] = (unsigned char)ok));
    }
    if (p->errors == 0) {
        /* Booking IDs (written or generated) must be unique too. */
        sb_id_index_t ids = {0};
        ids.entries = sb_arena_array(p->arena, c->booking_count, sizeof(sb_id_entry_t));
        if (ids.entries == NULL) {
            sb_oom(p);
            goto fail;
        }
        for (size_t i = 0; i < c->booking_count; i++) ids.entries[ids.count++] = (sb_id_entry_t){r.bookings[i].id, i};
        if (ids.count > 1) qsort(ids.entries, ids.count, sizeof(sb_id_entry_t), cmp_entry);
        for (size_t k = 1; k < ids.count; k++)
            if (strcmp(ids.entries[k].id, ids.entries[k - 1].id) == 0) {
                char path[SB_PATH_CAP + 96];
                snprintf(path, sizeof(path), "bookings[%zu].id", ids.entries[k].index);
                sb_err_at(p, path, "%s is also the ID of bookings[%zu] (a booking without an id is booking-<n>)",
                          ids.entries[k].id, ids.entries[k - 1].index);
            }
    }
    if (p->errors == 0) warnings(&r, usable);
    if (p->errors > 0) goto fail;
    json_object_put(root);
    free(r.mark);
    free(r.links);
    free(usable);
    return &impl->pub;

fail:
    json_object_put(root);
    free(r.mark);
    free(r.links);
    free(usable);
    if (impl != NULL) {
        sb_arena_free(impl->arena);
        free(impl);
    }
    return NULL;
}

void sb_clinic_free(sb_clinic_t *clinic)
{
    if (clinic == NULL) return;
    sb_clinic_impl_t *impl = (sb_clinic_impl_t *)clinic;
    sb_arena_free(impl->arena);
    free(impl);
}

/* ---- reading a file ---------------------------------------------------------------------------------------- */

sb_clinic_t *sb_clinic_load_file(const char *path, sb_diag_t *diag)
{
    parser_t p = {.diag = diag};
    char *buf = NULL;
    size_t len = 0, cap = 0;
    sb_clinic_t *clinic = NULL;
    FILE *f = path != NULL ? fopen(path, "rb") : NULL;
    if (f == NULL) {
        sb_err_at(&p, "$", "cannot open %s: %s", path != NULL ? path : "(no path)", strerror(errno));
        goto cleanup;
    }
    /* Grow the buffer as the file is read, up to one byte past the limit (which proves it is too big). */
    for (;;) {
        if (len == cap) {
            size_t grown = cap == 0 ? 64u << 10 : cap * 2;
            if (grown > (size_t)SB_FILE_MAX_BYTES + 1) grown = (size_t)SB_FILE_MAX_BYTES + 1;
            if (grown == cap) break;
            char *bigger = realloc(buf, grown);
            if (bigger == NULL) {
                sb_oom(&p);
                goto cleanup;
            }
            buf = bigger;
            cap = grown;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) {
        sb_err_at(&p, "$", "cannot read %s", path);
        goto cleanup;
    }
    if (len > SB_FILE_MAX_BYTES) {
        sb_err_at(&p, "$", "the file is larger than %u MiB", SB_FILE_MAX_BYTES >> 20);
        goto cleanup;
    }
    clinic = sb_clinic_parse(buf != NULL ? buf : "", len, diag);
cleanup:
    if (f != NULL) fclose(f);
    free(buf);
    return clinic;
}
