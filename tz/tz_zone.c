/* tz/tz_zone.c: owns zone rules: TZif v1-v4 parsing, the POSIX TZ footer rule, fixed offsets, the process-wide
 * zone cache, and offset lookup / next-transition search used by the conversions. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tz/tz_internal.h"
#include "tz/tz_zone_impl.h"

#define TZIF_MAX_BYTES (1 << 20) /* real files are < 4 KiB; anything bigger is not a zone */
#define TZIF_MAX_TYPES 256
#define TZIF_MAX_CHARS 256
#define TZ_CACHE_BUCKETS 512
#define Y2000_SECONDS 946684800LL

/* ---- process-wide cache ------------------------------------------------------------------------------ */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static tz_zone_t *cache[TZ_CACHE_BUCKETS];

static uint32_t hash_id(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void zone_free(tz_zone_t *z)
{
    if (z == NULL) return;
    free(z->trans);
    free(z->trans_type);
    free(z);
}

/* Returns the cached zone or inserts `fresh` (which is freed if another thread won the race). */
static const tz_zone_t *cache_get_or_put(const char *id, tz_zone_t *fresh)
{
    uint32_t b = hash_id(id) % TZ_CACHE_BUCKETS;
    const tz_zone_t *found = NULL;
    pthread_mutex_lock(&cache_lock);
    for (tz_zone_t *z = cache[b]; z != NULL; z = z->next) {
        if (strcmp(z->id, id) == 0) {
            found = z;
            break;
        }
    }
    if (found == NULL && fresh != NULL) {
        fresh->next = cache[b];
        cache[b] = fresh;
        found = fresh;
        fresh = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
    zone_free(fresh);
    return found;
}

void tz_zone_cache_free(void)
{
    pthread_mutex_lock(&cache_lock);
    for (int b = 0; b < TZ_CACHE_BUCKETS; b++) {
        tz_zone_t *z = cache[b];
        while (z != NULL) {
            tz_zone_t *n = z->next;
            zone_free(z);
            z = n;
        }
        cache[b] = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
}

/* ---- paths ------------------------------------------------------------------------------------------- */

const char *tz_db_dir(void)
{
    const char *d = getenv("FD_ZONEINFO_DIR");
    return (d != NULL && d[0] != '\0') ? d : "/usr/share/zoneinfo";
}

bool tz_id_is_safe(const char *id)
{
    size_t n = strnlen(id, TZ_ID_CAP);
    if (n == 0 || n >= TZ_ID_CAP || id[0] == '/' || id[0] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '+' || c == '/' || c == '.';
        if (!ok) return false;
        if (c == '/' && (id[i + 1] == '/' || id[i + 1] == '\0' || id[i + 1] == '.')) return false;
        if (c == '.' && id[i + 1] == '.') return false;
    }
    return true;
}

/* ---- POSIX TZ footer --------------------------------------------------------------------------------- */

/* Parses an abbreviation: alphabetic (3+) or <quoted> (3+ of alnum, + and -). Copies it to `out`. */
static const char *parse_abbr(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    if (*p == '<') {
        p++;
        while (*p && *p != '>') {
            bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '+' || *p == '-';
            if (!ok || n + 1 >= cap) return NULL;
            out[n++] = *p++;
        }
        if (*p != '>') return NULL;
        p++;
    } else {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
            if (n + 1 >= cap) return NULL;
            out[n++] = *p++;
        }
    }
    if (n < 3) return NULL;
    out[n] = '\0';
    return p;
}

/* Parses [+-]hh[:mm[:ss]] with hh <= max_hours into seconds. */
static const char *parse_hms(const char *p, int max_hours, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-') sign = (*p++ == '-') ? -1 : 1;
    if (*p < '0' || *p > '9') return NULL;
    int h = 0, m = 0, s = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 3) h = h * 10 + (*p++ - '0'), digits++;
    if (h > max_hours) return NULL;
    if (*p == ':') {
        p++;
        if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9') return NULL;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == ':') {
            p++;
            if (p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9') return NULL;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *parse_rule_date(const char *p, tz_rule_date_t *d)
{
    memset(d, 0, sizeof(*d));
    d->time = 7200;
    if (*p == 'J') {
        p++;
        int n = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 3) n = n * 10 + (*p++ - '0'), digits++;
        if (digits == 0 || n < 1 || n > 365) return NULL;
        d->kind = TZ_RULE_JULIAN1;
        d->day = n;
    } else if (*p >= '0' && *p <= '9') {
        int n = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 3) n = n * 10 + (*p++ - '0'), digits++;
        if (n > 365) return NULL;
        d->kind = TZ_RULE_JULIAN0;
        d->day = n;
    } else if (*p == 'M') {
        p++;
        int v[3] = {0, 0, 0};
        for (int i = 0; i < 3; i++) {
            if (i > 0 && *p++ != '.') return NULL;
            int digits = 0;
            while (*p >= '0' && *p <= '9' && digits < 2) v[i] = v[i] * 10 + (*p++ - '0'), digits++;
            if (digits == 0) return NULL;
        }
        if (v[0] < 1 || v[0] > 12 || v[1] < 1 || v[1] > 5 || v[2] > 6) return NULL;
        d->kind = TZ_RULE_MONTH;
        d->month = v[0];
        d->week = v[1];
        d->wday = v[2];
    } else {
        return NULL;
    }
    if (*p == '/') {
        p = parse_hms(p + 1, 167, &d->time);
        if (p == NULL) return NULL;
    }
    return p;
}

/* Parses a TZ string such as "EST5EDT,M3.2.0,M11.1.0" or "<+0545>-5:45". Returns 0 or -1. */
static int parse_posix(const char *s, tz_posix_t *r)
{
    memset(r, 0, sizeof(*r));
    const char *p = parse_abbr(s, r->std_name, sizeof(r->std_name));
    if (p == NULL) return -1;
    int32_t off;
    p = parse_hms(p, 24, &off);
    if (p == NULL) return -1;
    r->std_off = -off; /* POSIX counts west-positive */
    if (*p == '\0') return 0;
    p = parse_abbr(p, r->dst_name, sizeof(r->dst_name));
    if (p == NULL) return -1;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        p = parse_hms(p, 24, &off);
        if (p == NULL) return -1;
        r->dst_off = -off;
    }
    if (*p == '\0') { /* no rule given: the US rule, as tzcode assumes */
        return (parse_rule_date("M3.2.0", &r->start) && parse_rule_date("M11.1.0", &r->end)) ? 0 : -1;
    }
    if (*p++ != ',') return -1;
    p = parse_rule_date(p, &r->start);
    if (p == NULL || *p++ != ',') return -1;
    p = parse_rule_date(p, &r->end);
    if (p == NULL || *p != '\0') return -1;
    return 0;
}

/* Local seconds since the epoch at which rule date `d` falls in `year` (the time read in the offset in force
 * before the change). */
static int64_t rule_local_seconds(const tz_rule_date_t *d, int year)
{
    int64_t jan1 = tz_days_from_civil(year, 1, 1);
    int64_t day;
    bool leap = tz_days_in_month(year, 2) == 29;
    switch (d->kind) {
    case TZ_RULE_JULIAN1:
        day = jan1 + d->day - 1 + ((leap && d->day >= 60) ? 1 : 0);
        break;
    case TZ_RULE_JULIAN0:
        day = jan1 + d->day;
        break;
    default: {
        int64_t first = tz_days_from_civil(year, d->month, 1);
        int wd_first = (int)tz_floormod(first + 4, 7); /* 1970-01-01 was a Thursday (4, Sunday = 0) */
        int mday = 1 + (d->wday - wd_first + 7) % 7 + 7 * (d->week - 1);
        int dim = tz_days_in_month(year, d->month);
        while (mday > dim) mday -= 7;
        day = first + mday - 1;
        break;
    }
    }
    return day * 86400 + d->time;
}

/* The two UTC instants (seconds) at which DST starts and ends in `year`. */
static void posix_year(const tz_posix_t *r, int year, int64_t *start, int64_t *end)
{
    *start = rule_local_seconds(&r->start, year) - r->std_off;
    *end = rule_local_seconds(&r->end, year) - r->dst_off;
}

static int year_of_seconds(int64_t s)
{
    int y, m, d;
    tz_civil_from_days(tz_floordiv(s, 86400), &y, &m, &d);
    return y;
}

/* Offset (and whether DST) by the footer rule at UTC second s. */
static int32_t posix_offset(const tz_posix_t *r, int64_t s, bool *is_dst)
{
    *is_dst = false;
    if (!r->has_dst) return r->std_off;
    int y = year_of_seconds(s + r->std_off);
    int64_t best = INT64_MIN;
    bool best_dst = false;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        int64_t a, b;
        posix_year(r, yy, &a, &b);
        /* On a tie, DST start wins over the previous end: a zone with DST all year stays on DST. */
        if (b <= s && b >= best) best = b, best_dst = false;
        if (a <= s && a >= best) best = a, best_dst = true;
    }
    *is_dst = best_dst;
    return best_dst ? r->dst_off : r->std_off;
}

/* First footer change strictly after UTC second s: its time and the offset after it. false if none. */
static bool posix_next(const tz_posix_t *r, int64_t s, int64_t *when, int32_t *off_after)
{
    if (!r->has_dst) return false;
    int y = year_of_seconds(s + r->std_off);
    int64_t best = INT64_MAX;
    int32_t best_off = 0;
    for (int yy = y - 1; yy <= y + 2; yy++) {
        int64_t a, b;
        posix_year(r, yy, &a, &b);
        if (a > s && a < best) best = a, best_off = r->dst_off;
        if (b > s && b < best) best = b, best_off = r->std_off;
    }
    if (best == INT64_MAX) return false;
    *when = best;
    *off_after = best_off;
    return true;
}

/* ---- TZif -------------------------------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)(((uint64_t)be32(p) << 32) | be32(p + 4));
}

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts_t;

static int read_header(const uint8_t *p, size_t len, tzif_counts_t *c, int *version)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0) return -1;
    *version = p[4] == 0 ? 1 : (p[4] >= '2' && p[4] <= '9' ? p[4] - '0' : -1);
    if (*version < 0) return -1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > TZIF_MAX_TYPES || c->chars > TZIF_MAX_CHARS || c->time > 100000 ||
        c->leap > 10000 || (c->isut != 0 && c->isut != c->type) || (c->isstd != 0 && c->isstd != c->type))
        return -1;
    return 0;
}

static size_t block_size(const tzif_counts_t *c, int time_bytes)
{
    return (size_t)c->time * (size_t)time_bytes + c->time + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (size_t)(time_bytes + 4) + c->isstd + c->isut;
}

/* Builds a zone from the bytes of a TZif file. Returns NULL if malformed. */
static tz_zone_t *parse_tzif(const char *id, const uint8_t *buf, size_t len)
{
    tzif_counts_t c;
    int version;
    tz_zone_t *z = NULL;
    if (read_header(buf, len, &c, &version) != 0) goto fail;
    const uint8_t *p = buf + 44;
    size_t left = len - 44;
    int tb = 4;
    if (version >= 2) { /* skip the 32-bit block, use the 64-bit one */
        size_t skip = block_size(&c, 4);
        if (left < skip) goto fail;
        p += skip;
        left -= skip;
        if (read_header(p, left, &c, &version) != 0) goto fail;
        p += 44;
        left -= 44;
        tb = 8;
    }
    if (left < block_size(&c, tb) || c.leap != 0) goto fail; /* "right/" zones count leap seconds: refuse */
    z = calloc(1, sizeof(*z));
    if (z == NULL) goto fail;
    snprintf(z->id, sizeof(z->id), "%s", id);
    z->ntrans = (int)c.time;
    z->ntypes = (int)c.type;
    if (c.time > 0) {
        z->trans = malloc(sizeof(int64_t) * c.time);
        z->trans_type = malloc(c.time);
        if (z->trans == NULL || z->trans_type == NULL) goto fail;
    }
    for (uint32_t i = 0; i < c.time; i++) {
        z->trans[i] = tb == 8 ? be64(p + (size_t)i * 8) : (int64_t)(int32_t)be32(p + (size_t)i * 4);
        if (i > 0 && z->trans[i] <= z->trans[i - 1]) goto fail;
    }
    p += (size_t)c.time * tb;
    for (uint32_t i = 0; i < c.time; i++) {
        if (p[i] >= c.type) goto fail;
        z->trans_type[i] = p[i];
    }
    p += c.time;
    for (uint32_t i = 0; i < c.type; i++) {
        z->types[i].utoff = (int32_t)be32(p + (size_t)i * 6);
        z->types[i].isdst = p[(size_t)i * 6 + 4] != 0;
        z->types[i].abbr = p[(size_t)i * 6 + 5];
        if (z->types[i].utoff < -89999 || z->types[i].utoff > 93599 || z->types[i].abbr >= c.chars) goto fail;
    }
    p += (size_t)c.type * 6;
    memcpy(z->chars, p, c.chars);
    z->chars[c.chars < TZIF_MAX_CHARS ? c.chars : TZIF_MAX_CHARS - 1] = '\0';
    z->nchars = (int)c.chars;
    p += c.chars + (size_t)c.leap * (tb + 4) + c.isstd + c.isut;
    left = len - (size_t)(p - buf);
    if (version >= 2 && left >= 2 && p[0] == '\n') {
        char footer[128];
        size_t n = 0;
        p++;
        left--;
        while (n < left && p[n] != '\n' && n + 1 < sizeof(footer)) {
            footer[n] = (char)p[n];
            n++;
        }
        if (n >= left || p[n] != '\n') goto fail;
        footer[n] = '\0';
        if (n > 0) {
            if (parse_posix(footer, &z->rule) != 0) goto fail;
            z->has_rule = true;
        }
    }
    return z;
fail:
    zone_free(z);
    return NULL;
}

static tz_zone_t *load_file(const char *id)
{
    char path[512];
    uint8_t *buf = NULL;
    tz_zone_t *z = NULL;
    int fd = -1;
    int n = snprintf(path, sizeof(path), "%s/%s", tz_db_dir(), id);
    if (n < 0 || (size_t)n >= sizeof(path)) goto cleanup;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) goto cleanup;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 44 || st.st_size > TZIF_MAX_BYTES)
        goto cleanup;
    buf = malloc((size_t)st.st_size);
    if (buf == NULL) goto cleanup;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) goto cleanup;
        got += (size_t)r;
    }
    z = parse_tzif(id, buf, got);
cleanup:
    if (fd >= 0) close(fd);
    free(buf);
    return z;
}

/* ---- fixed offsets ----------------------------------------------------------------------------------- */

static void fixed_id(int off, char *out, size_t cap)
{
    int a = off < 0 ? -off : off;
    if (a % 60 != 0)
        snprintf(out, cap, "UTC%c%02d:%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    else
        snprintf(out, cap, "UTC%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* Parses "UTC+hh:mm" (the form fixed_id writes) into seconds. */
static int parse_fixed_id(const char *id, int *off)
{
    if (strncmp(id, "UTC", 3) != 0 || (id[3] != '+' && id[3] != '-')) return -1;
    const char *p = id + 4;
    int v[3] = {0, 0, 0}, parts = 0;
    while (parts < 3) {
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return -1;
        v[parts++] = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == '\0') break;
        if (*p++ != ':') return -1;
    }
    if (*p != '\0' || parts < 2 || v[1] > 59 || v[2] > 59) return -1;
    int s = v[0] * 3600 + v[1] * 60 + v[2];
    if (s > 18 * 3600) return -1;
    *off = id[3] == '-' ? -s : s;
    char canon[TZ_ID_CAP];
    fixed_id(*off, canon, sizeof(canon));
    return strcmp(canon, id) == 0 ? 0 : -1; /* one spelling per offset keeps the cache unique */
}

const tz_zone_t *tz_zone_fixed(int offset_seconds)
{
    if (offset_seconds < -18 * 3600 || offset_seconds > 18 * 3600) return NULL;
    char id[TZ_ID_CAP];
    fixed_id(offset_seconds, id, sizeof(id));
    const tz_zone_t *hit = cache_get_or_put(id, NULL);
    if (hit != NULL) return hit;
    tz_zone_t *z = calloc(1, sizeof(*z));
    if (z == NULL) return NULL;
    snprintf(z->id, sizeof(z->id), "%s", id);
    z->fixed = true;
    z->ntypes = 1;
    z->types[0].utoff = offset_seconds;
    return cache_get_or_put(id, z);
}

/* ---- public zone API --------------------------------------------------------------------------------- */

const tz_zone_t *tz_zone_load(const char *iana_id)
{
    int off;
    if (iana_id == NULL) return NULL;
    if (parse_fixed_id(iana_id, &off) == 0) return tz_zone_fixed(off);
    if (!tz_id_is_safe(iana_id)) return NULL;
    const tz_zone_t *hit = cache_get_or_put(iana_id, NULL);
    if (hit != NULL) return hit;
    tz_zone_t *z = load_file(iana_id);
    if (z == NULL) return NULL;
    return cache_get_or_put(iana_id, z);
}

const char *tz_zone_id(const tz_zone_t *zone)
{
    return zone->id;
}

/* Index of the last transition at or before UTC second s, or -1. */
static int find_trans(const tz_zone_t *z, int64_t s)
{
    int lo = 0, hi = z->ntrans - 1, ans = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= s) ans = mid, lo = mid + 1;
        else hi = mid - 1;
    }
    return ans;
}

/* Offset at UTC second s; *type_out gets the TZif type index, or -1 when the footer rule decided (then
 * *dst_out says which half of the rule). */
static int32_t offset_at(const tz_zone_t *z, int64_t s, int *type_out, bool *dst_out)
{
    *type_out = 0;
    *dst_out = false;
    if (z->fixed) return z->types[0].utoff;
    int i = find_trans(z, s);
    if (z->has_rule && (z->ntrans == 0 || i == z->ntrans - 1)) {
        if (z->ntrans == 0 || s >= z->trans[z->ntrans - 1]) {
            *type_out = -1;
            return posix_offset(&z->rule, s, dst_out);
        }
    }
    int t = i < 0 ? 0 : z->trans_type[i];
    *type_out = t;
    return z->types[t].utoff;
}

int32_t tz_zone_offset_s(const tz_zone_t *z, int64_t s)
{
    int type;
    bool dst;
    return offset_at(z, s, &type, &dst);
}

bool tz_zone_next_change(const tz_zone_t *z, int64_t s, int64_t *when, int32_t *off_after)
{
    if (z->fixed) return false;
    int i = find_trans(z, s);
    if (i + 1 < z->ntrans) {
        *when = z->trans[i + 1];
        *off_after = z->types[z->trans_type[i + 1]].utoff;
        return true;
    }
    if (!z->has_rule) return false;
    int64_t from = s;
    if (z->ntrans > 0 && from < z->trans[z->ntrans - 1]) from = z->trans[z->ntrans - 1];
    return posix_next(&z->rule, from, when, off_after);
}

int tz_offset_seconds(const tz_zone_t *zone, tz_instant_t t)
{
    return tz_zone_offset_s(zone, tz_floordiv(t, TZ_MS_PER_SECOND));
}

void tz_offset_span_init(tz_offset_span_t *span, const tz_zone_t *zone)
{
    *span = (tz_offset_span_t){.zone = zone, .from = 0, .until = 0, .offset_seconds = 0};
}

int tz_offset_cached(tz_offset_span_t *span, tz_instant_t t)
{
    if (t >= span->from && t < span->until) return span->offset_seconds;
    int64_t s = tz_floordiv(t, TZ_MS_PER_SECOND), when;
    int32_t after;
    span->offset_seconds = tz_zone_offset_s(span->zone, s);
    span->from = s * TZ_MS_PER_SECOND; /* the whole second of t: offsets change on whole seconds */
    span->until = INT64_MAX;
    if (tz_zone_next_change(span->zone, s, &when, &after) && when < INT64_MAX / TZ_MS_PER_SECOND)
        span->until = when * TZ_MS_PER_SECOND;
    if (span->until <= span->from) span->until = span->from + 1; /* never trust an empty span */
    return span->offset_seconds;
}

const char *tz_zone_abbrev(const tz_zone_t *zone, tz_instant_t t)
{
    int type;
    bool dst;
    if (zone->fixed) return "";
    offset_at(zone, tz_floordiv(t, TZ_MS_PER_SECOND), &type, &dst);
    if (type < 0) return dst ? zone->rule.dst_name : zone->rule.std_name;
    return zone->chars + zone->types[type].abbr;
}

bool tz_zone_uses_abbrev(const tz_zone_t *zone, const char *abbr)
{
    if (zone->fixed) return false;
    if (zone->has_rule && (strcmp(zone->rule.std_name, abbr) == 0 ||
                           (zone->rule.has_dst && strcmp(zone->rule.dst_name, abbr) == 0)))
        return true;
    for (int i = zone->ntrans - 1; i >= 0 && zone->trans[i] >= Y2000_SECONDS; i--) {
        if (strcmp(zone->chars + zone->types[zone->trans_type[i]].abbr, abbr) == 0) return true;
    }
    if (zone->ntrans > 0 && !zone->has_rule)
        return strcmp(zone->chars + zone->types[zone->trans_type[zone->ntrans - 1]].abbr, abbr) == 0;
    return false;
}

/* ---- database version -------------------------------------------------------------------------------- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char db_version[32] = "unknown";

static void read_version(void)
{
    char path[512], line[128];
    snprintf(path, sizeof(path), "%s/tzdata.zi", tz_db_dir());
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    if (fgets(line, sizeof(line), f) != NULL && strncmp(line, "# version ", 10) == 0) {
        size_t n = strcspn(line + 10, "\r\n");
        if (n > 0 && n < sizeof(db_version)) {
            memcpy(db_version, line + 10, n);
            db_version[n] = '\0';
        }
    }
    fclose(f);
}

const char *tz_db_version(void)
{
    pthread_once(&version_once, read_version);
    return db_version;
}
