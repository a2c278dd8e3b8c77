/* tz/tz_convert.c: owns instant <-> local wall time conversion (DST gap and overlap policy), local-day functions,
 * strict ISO 8601 parsing and formatting, and the service clock; on the calendar of tz_civil.c and the zone
 * rules of tz_zone.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tz/tz_internal.h"
#include "tz/tz_zone_impl.h"

#define TZ_INSTANT_LIMIT (1LL << 53) /* about +-285,000 years: far beyond any booking, no overflow inside */
#define TZ_DAYS_LIMIT 100000000LL

static tz_instant_t clamp_instant(tz_instant_t t)
{
    if (t > TZ_INSTANT_LIMIT) return TZ_INSTANT_LIMIT;
    if (t < -TZ_INSTANT_LIMIT) return -TZ_INSTANT_LIMIT;
    return t;
}

/* ---- conversions ------------------------------------------------------------------------------------- */

void tz_to_local(const tz_zone_t *zone, tz_instant_t t, tz_civil_t *out, int *offset_seconds)
{
    t = clamp_instant(t);
    int off = tz_offset_seconds(zone, t);
    tz_ms_to_civil(t + (int64_t)off * TZ_MS_PER_SECOND, out);
    if (offset_seconds != NULL) *offset_seconds = off;
}

/* Maps local milliseconds (the wall time read as if UTC) to an instant. *gap_start receives the transition
 * instant when the wall time falls in a gap. Walks the offset changes within 30 hours of the wall time: each
 * segment [change, next change) with offset o holds the instant L - o if that instant lies inside it. */
static void from_local_ms(const tz_zone_t *z, int64_t local_ms, tz_overlap_policy_t policy, tz_instant_t *out,
                          tz_local_kind_t *kind, tz_instant_t *gap_start)
{
    int64_t ls = tz_floordiv(local_ms, TZ_MS_PER_SECOND);
    int64_t cur = ls - 30 * 3600;
    int32_t o = tz_zone_offset_s(z, cur);
    tz_instant_t cand[4];
    int ncand = 0;
    bool gap = false;
    tz_instant_t gap_t = 0, gap_trans = 0;
    for (int guard = 0; guard < 64; guard++) {
        int64_t when = 0;
        int32_t o2 = 0;
        bool more = tz_zone_next_change(z, cur, &when, &o2);
        tz_instant_t t = local_ms - (int64_t)o * TZ_MS_PER_SECOND;
        if (t >= cur * TZ_MS_PER_SECOND && (!more || t < when * TZ_MS_PER_SECOND) && ncand < 4) cand[ncand++] = t;
        if (!more || when > ls + 30 * 3600) break;
        int64_t w = when * TZ_MS_PER_SECOND;
        if (!gap && o2 > o && local_ms >= w + (int64_t)o * TZ_MS_PER_SECOND &&
            local_ms < w + (int64_t)o2 * TZ_MS_PER_SECOND) {
            gap = true;
            gap_t = local_ms - (int64_t)o * TZ_MS_PER_SECOND;
            gap_trans = w;
        }
        cur = when;
        o = o2;
    }
    if (ncand == 1) {
        *out = cand[0];
        *kind = TZ_LOCAL_EXACT;
    } else if (ncand > 1) {
        bool second = policy == TZ_OVERLAP_SECOND;
        *out = second ? cand[ncand - 1] : cand[0];
        *kind = second ? TZ_LOCAL_OVERLAP_SECOND : TZ_LOCAL_OVERLAP_FIRST;
    } else if (gap) {
        *out = gap_t;
        *kind = TZ_LOCAL_GAP_SHIFTED;
        if (gap_start != NULL) *gap_start = gap_trans;
    } else { /* unreachable with consistent data; stay total */
        *out = local_ms - (int64_t)tz_zone_offset_s(z, ls) * TZ_MS_PER_SECOND;
        *kind = TZ_LOCAL_EXACT;
    }
}

int tz_from_local(const tz_zone_t *zone, const tz_civil_t *local, tz_overlap_policy_t policy, tz_instant_t *out,
                  tz_local_kind_t *kind)
{
    if (zone == NULL || out == NULL || !tz_civil_valid(local)) return -1;
    tz_local_kind_t k;
    from_local_ms(zone, tz_civil_to_ms(local), policy, out, &k, NULL);
    if (kind != NULL) *kind = k;
    return 0;
}

/* ---- local days -------------------------------------------------------------------------------------- */

static int day_start_days(const tz_zone_t *zone, int64_t days, tz_instant_t *out)
{
    if (days < -TZ_DAYS_LIMIT || days > TZ_DAYS_LIMIT) return -1;
    tz_local_kind_t k;
    tz_instant_t gap_start = 0;
    from_local_ms(zone, days * TZ_MS_PER_DAY, TZ_OVERLAP_FIRST, out, &k, &gap_start);
    if (k == TZ_LOCAL_GAP_SHIFTED) *out = gap_start; /* midnight skipped: the day begins when the gap ends */
    return 0;
}

int tz_day_start(const tz_zone_t *zone, int year, int month, int day, tz_instant_t *out)
{
    tz_civil_t c = {year, month, day, 0, 0, 0, 0};
    if (zone == NULL || out == NULL || !tz_civil_valid(&c)) return -1;
    return day_start_days(zone, tz_days_from_civil(year, month, day), out);
}

int tz_day_end(const tz_zone_t *zone, int year, int month, int day, tz_instant_t *out)
{
    tz_civil_t c = {year, month, day, 0, 0, 0, 0};
    if (zone == NULL || out == NULL || !tz_civil_valid(&c)) return -1;
    return day_start_days(zone, tz_days_from_civil(year, month, day) + 1, out);
}

void tz_local_date(const tz_zone_t *zone, tz_instant_t t, int *year, int *month, int *day)
{
    tz_civil_t c;
    tz_to_local(zone, t, &c, NULL);
    *year = c.year;
    *month = c.month;
    *day = c.day;
}

int tz_local_weekday(const tz_zone_t *zone, tz_instant_t t)
{
    int y, m, d;
    tz_local_date(zone, t, &y, &m, &d);
    return tz_weekday(y, m, d);
}

int tz_add_local_days(const tz_zone_t *zone, tz_instant_t t, int days, tz_overlap_policy_t policy,
                      tz_instant_t *out, tz_local_kind_t *kind)
{
    if (zone == NULL || out == NULL || days < -TZ_DAYS_LIMIT || days > TZ_DAYS_LIMIT) return -1;
    tz_civil_t c;
    tz_to_local(zone, t, &c, NULL);
    int64_t local = tz_civil_to_ms(&c) + (int64_t)days * TZ_MS_PER_DAY;
    tz_local_kind_t k;
    from_local_ms(zone, local, policy, out, &k, NULL);
    if (kind != NULL) *kind = k;
    return 0;
}

int tz_local_days(const tz_zone_t *zone, tz_instant_t t, int count, tz_day_range_t *out)
{
    if (zone == NULL || count < 0 || (count > 0 && out == NULL) || count > 100000) return -1;
    tz_civil_t c;
    tz_to_local(zone, t, &c, NULL);
    int64_t d0 = tz_days_from_civil(c.year, c.month, c.day);
    tz_instant_t start;
    if (day_start_days(zone, d0, &start) != 0) return -1;
    for (int i = 0; i < count; i++) {
        tz_day_range_t *r = &out[i];
        tz_civil_from_days(d0 + i, &r->year, &r->month, &r->day);
        r->weekday = tz_weekday(r->year, r->month, r->day);
        r->start = start;
        if (day_start_days(zone, d0 + i + 1, &r->end) != 0) return -1;
        start = r->end;
    }
    return 0;
}

int tz_fail(char *why, size_t cap, const char *fmt, ...)
{
    if (why != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- ISO 8601 ---------------------------------------------------------------------------------------- */


/* Reads exactly n digits at s[*i]. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    if (*i + (size_t)n > len) return false;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    *out = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c) return false;
    (*i)++;
    return true;
}

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};

/* Whether an instant formats as a 4-digit year in UTC, so what we accept we can also write back. */
static bool in_iso_range(tz_instant_t t)
{
    return t >= -62135596800000LL && t <= 253402300799999LL; /* 0001-01-01T00:00Z .. 9999-12-31T23:59:59.999Z */
}

int tz_parse_iso(const char *s, size_t len, const tz_zone_t *zone_if_local, tz_instant_t *out, char *why,
                 size_t why_cap)
{
    size_t i = 0;
    tz_civil_t c = {0, 0, 0, 0, 0, 0, 0};
    if (why != NULL && why_cap > 0) why[0] = '\0';
    if (s == NULL || out == NULL) return tz_fail(why, why_cap, "no text");
    if (len == 0) return tz_fail(why, why_cap, "empty date-time");
    if (len > 64) return tz_fail(why, why_cap, "too long for a date-time (%zu characters)", len);
    if (!digits(s, len, &i, 4, &c.year)) return tz_fail(why, why_cap, "expected a 4-digit year at position 1");
    if (!expect(s, len, &i, '-')) return tz_fail(why, why_cap, "expected '-' after the year");
    if (!digits(s, len, &i, 2, &c.month)) return tz_fail(why, why_cap, "expected a 2-digit month");
    if (!expect(s, len, &i, '-')) return tz_fail(why, why_cap, "expected '-' after the month");
    if (!digits(s, len, &i, 2, &c.day)) return tz_fail(why, why_cap, "expected a 2-digit day");
    if (c.month < 1 || c.month > 12) return tz_fail(why, why_cap, "month %d is not a month", c.month);
    if (c.year < 1) return tz_fail(why, why_cap, "year 0000 is out of range");
    int dim = tz_days_in_month(c.year, c.month);
    if (c.day < 1 || c.day > dim)
        return tz_fail(why, why_cap, "%04d-%02d-%02d: %s %d has %d days", c.year, c.month, c.day,
                    month_names[c.month - 1], c.year, dim);
    if (i >= len) return tz_fail(why, why_cap, "expected 'T' and a time after the date");
    if (s[i] != 'T' && s[i] != 't') {
        if (s[i] == ' ') return tz_fail(why, why_cap, "expected 'T' between date and time, not a space");
        return tz_fail(why, why_cap, "expected 'T' after the date");
    }
    i++;
    if (!digits(s, len, &i, 2, &c.hour)) return tz_fail(why, why_cap, "expected a 2-digit hour");
    if (!expect(s, len, &i, ':')) return tz_fail(why, why_cap, "expected ':' after the hour");
    if (!digits(s, len, &i, 2, &c.minute)) return tz_fail(why, why_cap, "expected 2-digit minutes");
    if (i < len && s[i] == ':') {
        i++;
        if (!digits(s, len, &i, 2, &c.second)) return tz_fail(why, why_cap, "expected 2-digit seconds");
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            int n = 0, ms = 0;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (n < 3) ms = ms * 10 + (s[i] - '0');
                n++;
                i++;
            }
            if (n == 0) return tz_fail(why, why_cap, "expected digits after the decimal point");
            if (n > 9) return tz_fail(why, why_cap, "more than 9 fractional digits");
            for (int k = n; k < 3; k++) ms *= 10;
            c.millisecond = ms; /* digits beyond milliseconds are dropped (truncated) */
        }
    }
    if (c.hour > 23) return tz_fail(why, why_cap, "hour %02d:%02d does not exist (hours run 00-23)", c.hour, c.minute);
    if (c.minute > 59) return tz_fail(why, why_cap, "minute %d is not a minute", c.minute);
    if (c.second == 60) return tz_fail(why, why_cap, "leap second :60 is not supported");
    if (c.second > 59) return tz_fail(why, why_cap, "second %d is not a second", c.second);

    int64_t local = tz_civil_to_ms(&c);
    if (i == len) {
        if (zone_if_local == NULL) return tz_fail(why, why_cap, "no offset: add 'Z' or an offset like +10:00");
        tz_local_kind_t k;
        from_local_ms(zone_if_local, local, TZ_OVERLAP_FIRST, out, &k, NULL);
        return in_iso_range(*out) ? 0 : tz_fail(why, why_cap, "instant outside years 0001-9999 in UTC");
    }
    int off = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1, oh, om;
        i++;
        if (!digits(s, len, &i, 2, &oh)) return tz_fail(why, why_cap, "expected a 2-digit offset hour");
        if (!expect(s, len, &i, ':')) return tz_fail(why, why_cap, "expected an offset like +hh:mm");
        if (!digits(s, len, &i, 2, &om)) return tz_fail(why, why_cap, "expected 2-digit offset minutes");
        if (oh > 23 || om > 59) return tz_fail(why, why_cap, "offset %02d:%02d is out of range", oh, om);
        off = sign * (oh * 3600 + om * 60);
    } else {
        return tz_fail(why, why_cap, "unexpected '%c' after the time (expected Z or an offset)",
                    (s[i] >= 32 && s[i] < 127) ? s[i] : '?');
    }
    if (i != len) return tz_fail(why, why_cap, "trailing characters after the offset");
    *out = local - (int64_t)off * TZ_MS_PER_SECOND;
    return in_iso_range(*out) ? 0 : tz_fail(why, why_cap, "instant outside years 0001-9999 in UTC");
}

/* Writes v as exactly `width` digits. */
static void put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
}

static size_t write_civil(const tz_civil_t *c, bool ms, char *buf)
{
    if (c->year >= 0 && c->year <= 9999) { /* by hand: answers format a few of these per slot */
        put_digits(buf, c->year, 4), buf[4] = '-', put_digits(buf + 5, c->month, 2), buf[7] = '-';
        put_digits(buf + 8, c->day, 2), buf[10] = 'T', put_digits(buf + 11, c->hour, 2), buf[13] = ':';
        put_digits(buf + 14, c->minute, 2), buf[16] = ':', put_digits(buf + 17, c->second, 2);
        if (!ms) {
            buf[19] = '\0';
            return 19;
        }
        buf[19] = '.', put_digits(buf + 20, c->millisecond, 3), buf[23] = '\0';
        return 23;
    }
    int n;
    if (ms)
        n = snprintf(buf, TZ_ISO_CAP, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", c->year, c->month, c->day, c->hour,
                     c->minute, c->second, c->millisecond);
    else
        n = snprintf(buf, TZ_ISO_CAP, "%04d-%02d-%02dT%02d:%02d:%02d", c->year, c->month, c->day, c->hour,
                     c->minute, c->second);
    return n < 0 ? 0 : ((size_t)n >= TZ_ISO_CAP ? TZ_ISO_CAP - 1 : (size_t)n);
}

size_t tz_format_utc(tz_instant_t t, char *buf)
{
    tz_civil_t c;
    tz_ms_to_civil(clamp_instant(t), &c);
    size_t n = write_civil(&c, true, buf);
    if (n + 2 <= TZ_ISO_CAP) {
        buf[n++] = 'Z';
        buf[n] = '\0';
    }
    return n;
}

size_t tz_format_local(const tz_zone_t *zone, tz_instant_t t, char *buf)
{
    tz_civil_t c;
    int off;
    tz_to_local(zone, t, &c, &off);
    size_t n = write_civil(&c, c.millisecond != 0, buf);
    int a = off < 0 ? -off : off;
    int m;
    if (a % 60 != 0) /* only local mean time before ~1900 has offset seconds */
        m = snprintf(buf + n, TZ_ISO_CAP - n, "%c%02d:%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60,
                     a % 60);
    else if (a / 3600 < 100 && n + 7 <= TZ_ISO_CAP) { /* by hand, as write_civil: once per slot */
        buf[n] = off < 0 ? '-' : '+', put_digits(buf + n + 1, a / 3600, 2), buf[n + 3] = ':';
        put_digits(buf + n + 4, a / 60 % 60, 2), buf[n + 6] = '\0';
        m = 6;
    } else
        m = snprintf(buf + n, TZ_ISO_CAP - n, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    if (m > 0) n += (size_t)m;
    return n < TZ_ISO_CAP ? n : TZ_ISO_CAP - 1;
}

/* Set once at start, before any thread reads it (tz_clock_set_offset's contract). */
static int64_t clock_offset_ms;

tz_instant_t tz_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (tz_instant_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
}

void tz_clock_set_offset(int64_t offset_ms)
{
    clock_offset_ms = offset_ms;
}

int64_t tz_clock_offset(void)
{
    return clock_offset_ms;
}
