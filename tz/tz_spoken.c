/* tz/tz_spoken.c: owns spoken formatting: a per-thread cache of ICU formatters by locale, and the text of a local
 * time (computed by our rules, formatted by ICU as if in GMT so ICU's 2022e zone data never decides offsets). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udatpg.h>
#include <unicode/ureldatefmt.h>
#include <unicode/ustring.h>

#include "tz/tz_internal.h"
#include "tz/tz_spoken.h"

#define SPEAK_LOCALES    8 /* per speaker; least recently used is replaced */
#define SPEAK_LOCALE_CAP 32
#define SPEAK_UCAP       256
/* Texts already spoken, per speaker: a slot list speaks the same few times for every caller. */
#define SPEAK_MEMO      512
#define SPEAK_MEMO_TEXT 120
/* Parts already formatted, per speaker: a date's words per local day, a clock time's per minute of the day, so
 * a month of slots asks ICU about once per day and once per distinct time, not once per slot. */
#define SPEAK_PARTS     128
#define SPEAK_PART_CAP  96              /* UTF-8 bytes of a remembered part */
#define SPEAK_TEXT8_CAP (3 * SPEAK_UCAP) /* UTF-8 bytes of SPEAK_UCAP UTF-16 units at most */
#define GLUE_DATE '\x01'                 /* where the date goes in a locale's glue template (ICU's text has no C0) */
#define GLUE_TIME '\x02'

/* A piece of spoken text as UTF-8 (no-break and thin spaces made plain) and the UTF-16 units it came from. */
typedef struct speak_text {
    char text[SPEAK_TEXT8_CAP];
    int len, units;
} speak_text_t;

typedef struct speak_locale {
    char locale[SPEAK_LOCALE_CAP]; /* "" = free slot */
    UDateFormat *date, *date_year, *time;
    UChar glue[64]; /* "{1} 'at' {0}" */
    UChar today[32], tomorrow[32];
    /* The glue expanded once into UTF-8 with GLUE_DATE and GLUE_TIME where the parts go (" at " between them). */
    char glue8[3 * 64 + 8];
    int glue8_len, glue_units, glue_dates, glue_times; /* glue_units: its literal text's UTF-16 units */
    bool glue8_ok;
    char today8[SPEAK_PART_CAP], tomorrow8[SPEAK_PART_CAP];
    int today8_len, today_units, tomorrow8_len, tomorrow_units;
    uint64_t used;
    uint64_t opened; /* the tick this locale was opened at: memo entries of an earlier tenant of the slot die */
} speak_locale_t;

/* One text: for the locale opened at `opened`, the local wall time `shifted`, today/tomorrow/other and flags. */
typedef struct speak_memo {
    uint64_t opened;
    int64_t shifted;
    int rel, flags;
    int len;
    char text[SPEAK_MEMO_TEXT];
} speak_memo_t;

/* One formatted part: for the locale opened at `opened`, the formatter's text for `key` (see format_part). */
typedef struct speak_part {
    uint64_t opened;
    int64_t key;
    int len, units;
    char text[SPEAK_PART_CAP];
} speak_part_t;

struct tz_speaker {
    speak_locale_t slots[SPEAK_LOCALES];
    uint64_t tick;
    speak_memo_t memo[SPEAK_MEMO];
    speak_part_t dates[SPEAK_PARTS], times[SPEAK_PARTS];
};

tz_speaker_t *tz_speaker_create(void)
{
    return calloc(1, sizeof(tz_speaker_t));
}

static void slot_close(speak_locale_t *s)
{
    if (s->date != NULL) udat_close(s->date);
    if (s->date_year != NULL) udat_close(s->date_year);
    if (s->time != NULL) udat_close(s->time);
    memset(s, 0, sizeof(*s));
}

void tz_speaker_destroy(tz_speaker_t *sp)
{
    if (sp == NULL) return;
    for (int i = 0; i < SPEAK_LOCALES; i++) slot_close(&sp->slots[i]);
    free(sp);
}

static bool locale_text_ok(const char *locale)
{
    size_t n = strnlen(locale, SPEAK_LOCALE_CAP);
    if (n == 0 || n >= SPEAK_LOCALE_CAP) return false;
    for (size_t i = 0; i < n; i++) {
        char c = locale[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  c == '@' || c == '=' || c == ';';
        if (!ok) return false;
    }
    return true;
}

static UDateFormat *open_skeleton(UDateTimePatternGenerator *g, const char *locale, const char *skeleton)
{
    static const UChar gmt[] = {'G', 'M', 'T', 0};
    UChar skel[32], pat[128];
    UErrorCode st = U_ZERO_ERROR;
    u_uastrncpy(skel, skeleton, 32);
    int32_t n = udatpg_getBestPattern(g, skel, -1, pat, 128, &st);
    if (U_FAILURE(st) || n <= 0 || n >= 128) return NULL;
    UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, locale, gmt, -1, pat, n, &st);
    if (U_FAILURE(st)) return NULL;
    return f;
}

static int slot_open(speak_locale_t *s, const char *locale)
{
    UErrorCode st = U_ZERO_ERROR;
    UDateTimePatternGenerator *g = NULL;
    URelativeDateTimeFormatter *rel = NULL;
    int rc = -1;
    memset(s, 0, sizeof(*s));
    g = udatpg_open(locale, &st);
    if (U_FAILURE(st)) goto cleanup;
    s->date = open_skeleton(g, locale, "EEEEMMMMd");
    s->date_year = open_skeleton(g, locale, "EEEEMMMMdy");
    s->time = open_skeleton(g, locale, "jmm");
    if (s->date == NULL || s->date_year == NULL || s->time == NULL) goto cleanup;
    int32_t n = 0;
    const UChar *glue = udatpg_getDateTimeFormatForStyle(g, UDAT_FULL, &n, &st);
    if (U_FAILURE(st) || glue == NULL || n <= 0 || n >= 64) goto cleanup;
    u_strncpy(s->glue, glue, n);
    s->glue[n] = 0;
    rel = ureldatefmt_open(locale, NULL, UDAT_STYLE_LONG, UDISPCTX_CAPITALIZATION_NONE, &st);
    if (U_FAILURE(st)) goto cleanup;
    ureldatefmt_format(rel, 0.0, UDAT_REL_UNIT_DAY, s->today, 32, &st);
    ureldatefmt_format(rel, 1.0, UDAT_REL_UNIT_DAY, s->tomorrow, 32, &st);
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING) goto cleanup;
    snprintf(s->locale, sizeof(s->locale), "%s", locale);
    rc = 0;
cleanup:
    if (rel != NULL) ureldatefmt_close(rel);
    if (g != NULL) udatpg_close(g);
    if (rc != 0) slot_close(s);
    return rc;
}

static void prepare_texts8(speak_locale_t *s);

static speak_locale_t *slot_for(tz_speaker_t *sp, const char *locale)
{
    speak_locale_t *victim = &sp->slots[0];
    sp->tick++;
    for (int i = 0; i < SPEAK_LOCALES; i++) {
        speak_locale_t *s = &sp->slots[i];
        if (s->locale[0] != '\0' && strcmp(s->locale, locale) == 0) {
            s->used = sp->tick;
            return s;
        }
        if (s->used < victim->used) victim = s;
    }
    slot_close(victim);
    if (slot_open(victim, locale) != 0) return NULL;
    prepare_texts8(victim);
    victim->used = victim->opened = sp->tick;
    return victim;
}

/* Appends src (n units, or NUL-terminated when n < 0) to dst at *len. */
static bool uappend(UChar *dst, int32_t *len, const UChar *src, int32_t n)
{
    if (n < 0) n = u_strlen(src);
    if (*len + n >= SPEAK_UCAP) return false;
    memcpy(dst + *len, src, (size_t)n * sizeof(UChar));
    *len += n;
    dst[*len] = 0;
    return true;
}

/* Expands an ICU date-time glue pattern: {1} = date, {0} = time, 'quoted' literal text, '' = apostrophe. */
static bool join(const UChar *glue, const UChar *date, const UChar *time, UChar *out, int32_t *len)
{
    bool quoted = false;
    for (const UChar *p = glue; *p; p++) {
        if (*p == '\'') {
            if (p[1] == '\'') {
                if (!uappend(out, len, p, 1)) return false;
                p++;
            } else {
                quoted = !quoted;
            }
        } else if (!quoted && *p == '{' && (p[1] == '0' || p[1] == '1') && p[2] == '}') {
            if (!uappend(out, len, p[1] == '1' ? date : time, -1)) return false;
            p += 2;
        } else if (!uappend(out, len, p, 1)) {
            return false;
        }
    }
    return true;
}

static bool format_with(UDateFormat *f, UDate when, UChar *out)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = udat_format(f, when, out, SPEAK_UCAP, NULL, &st);
    return U_SUCCESS(st) && n > 0 && n < SPEAK_UCAP;
}

/* n UTF-16 units as spoken UTF-8 into out (cap bytes with the NUL): narrow, no-break and thin spaces, which read
 * badly in logs and some TTS engines, become plain spaces. Returns the length, or -1 when it does not fit. */
static int spoken_utf8(const UChar *u, int32_t n, char *out, size_t cap)
{
    UChar plain[SPEAK_UCAP];
    if (n < 0 || n >= SPEAK_UCAP || cap > INT32_MAX) return -1;
    for (int32_t i = 0; i < n; i++) plain[i] = u[i] == 0x202F || u[i] == 0x00A0 || u[i] == 0x2009 ? ' ' : u[i];
    UErrorCode st = U_ZERO_ERROR;
    int32_t len = 0;
    u_strToUTF8(out, (int32_t)cap, &len, plain, n, &st);
    if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || (size_t)len >= cap) return -1;
    return len;
}

/* The locale's glue, today and tomorrow in UTF-8, once per opening: spoken texts are then put together from
 * UTF-8 pieces without ICU. A glue that does not expand leaves glue8_ok false (tz_speak then fails as join
 * did). */
static void prepare_texts8(speak_locale_t *s)
{
    static const UChar date_mark[] = {0xE000, 0}, time_mark[] = {0xE001, 0}; /* private use: never in a glue */
    UChar expanded[SPEAK_UCAP];
    int32_t len = 0;
    s->today8_len = spoken_utf8(s->today, u_strlen(s->today), s->today8, sizeof(s->today8));
    s->tomorrow8_len = spoken_utf8(s->tomorrow, u_strlen(s->tomorrow), s->tomorrow8, sizeof(s->tomorrow8));
    s->today_units = u_strlen(s->today), s->tomorrow_units = u_strlen(s->tomorrow);
    s->glue8_ok = false;
    s->glue8_len = s->glue_units = s->glue_dates = s->glue_times = 0;
    if (!join(s->glue, date_mark, time_mark, expanded, &len)) return;
    for (int32_t i = 0, run = 0; i <= len; i++) {
        bool mark = i < len && (expanded[i] == 0xE000 || expanded[i] == 0xE001);
        if (!mark && i < len) continue;
        int n = spoken_utf8(expanded + run, i - run, s->glue8 + s->glue8_len, sizeof(s->glue8) - (size_t)s->glue8_len);
        if (n < 0 || (size_t)(s->glue8_len + n + 1) >= sizeof(s->glue8)) return;
        s->glue8_len += n, s->glue_units += i - run, run = i + 1;
        if (mark) {
            bool date = expanded[i] == 0xE000;
            s->glue8[s->glue8_len++] = date ? GLUE_DATE : GLUE_TIME;
            s->glue_dates += date, s->glue_times += !date;
        }
    }
    s->glue8[s->glue8_len] = '\0';
    s->glue8_ok = s->today8_len >= 0 && s->tomorrow8_len >= 0;
}

/* f's text of the local wall time `shifted` as spoken UTF-8, through `cache` when the text depends only on `key`
 * there (the local day and which date formatter, or the minute of the day for the clock time). */
static bool format_part(speak_part_t *cache, uint64_t opened, int64_t key, UDateFormat *f, UDate shifted,
                        speak_text_t *out)
{
    speak_part_t *e = &cache[((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 57]; /* 7 bits: SPEAK_PARTS */
    if (e->opened == opened && e->key == key) {
        memcpy(out->text, e->text, (size_t)e->len + 1);
        out->len = e->len, out->units = e->units;
        return true;
    }
    UChar u[SPEAK_UCAP];
    if (!format_with(f, shifted, u)) return false;
    out->units = u_strlen(u);
    out->len = spoken_utf8(u, out->units, out->text, sizeof(out->text));
    if (out->len < 0) return false;
    if ((size_t)out->len < sizeof(e->text)) {
        e->opened = opened, e->key = key, e->len = out->len, e->units = out->units;
        memcpy(e->text, out->text, (size_t)out->len + 1);
    }
    return true;
}

/* No zone moves its clocks by more than this, so a change further than this from t cannot repeat t's wall time. */
#define SPEAK_CHANGE_REACH_MS (3 * 3600000LL)
/* Instants this far from 1970 are never clamped by tz_to_local (which clamps beyond 2^53 ms). */
#define SPEAK_PLAIN_LIMIT_MS (1LL << 50)

/* Whether local wall time c (instant t) happens twice because the clocks go back: 0 no, 1 the first time, 2 the
 * second. A backward change within 3 hours of t (no zone moves by more) is checked for before anything else. */
static int repeated_hour(const tz_zone_t *zone, tz_instant_t t, const tz_civil_t *c)
{
    if (tz_offset_seconds(zone, t - SPEAK_CHANGE_REACH_MS) <= tz_offset_seconds(zone, t + SPEAK_CHANGE_REACH_MS))
        return 0;
    tz_instant_t first;
    tz_local_kind_t kind;
    if (tz_from_local(zone, c, TZ_OVERLAP_FIRST, &first, &kind) != 0 || kind != TZ_LOCAL_OVERLAP_FIRST) return 0;
    return t == first ? 1 : 2;
}

static const char *const repeated_words[] = {"", ", before the clocks go back", ", after the clocks go back"};

/* What a text depends on besides the locale and flags. */
typedef struct speak_when {
    int64_t shifted; /* the local wall time read as UTC ms */
    int rel_class;   /* 0 today, 1 tomorrow, 2 another day (or no relative words) */
    int repeat;      /* repeated_hour's answer */
} speak_when_t;

static bool wants_relative(int flags)
{
    return !(flags & TZ_SPEAK_TIME_ONLY) && !(flags & TZ_SPEAK_NO_RELATIVE);
}

/* Where t falls for someone in zone: its wall time, its day against `today` (now's local day number, read only
 * when wants_relative) and whether its hour repeats. */
static void locate(const tz_zone_t *zone, tz_instant_t t, int64_t today, int flags, speak_when_t *w)
{
    tz_civil_t c;
    int off;
    tz_to_local(zone, t, &c, &off);
    w->shifted = tz_civil_to_ms(&c);
    int64_t rel = wants_relative(flags) ? tz_days_from_civil(c.year, c.month, c.day) - today : 2;
    w->rel_class = rel == 0 || rel == 1 ? (int)rel : 2;
    w->repeat = !(flags & TZ_SPEAK_DATE_ONLY) ? repeated_hour(zone, t, &c) : 0;
}

/* The text of `when` in locale slot s, from the speaker's memo or formatted afresh (and memoized). */
static int speak_when(tz_speaker_t *sp, speak_locale_t *s, int flags, const speak_when_t *when, char *buf,
                      size_t cap)
{
    speak_text_t date, time;
    date.len = time.len = date.units = time.units = 0; /* set below for the parts asked for */
    UDate shifted = (UDate)when->shifted; /* the local wall time, handed to ICU as a GMT instant: ICU only spells it */
    bool want_date = !(flags & TZ_SPEAK_TIME_ONLY), want_time = !(flags & TZ_SPEAK_DATE_ONLY);
    int rel_class = when->rel_class, repeat = when->repeat;
    int memo_flags = flags | repeat << 8; /* both times of a repeated hour share `shifted` */
    uint64_t h = ((uint64_t)shifted / 60000u) * 0x9E3779B97F4A7C15ull ^ (s->opened << 7) ^
                 (uint64_t)(rel_class * 31 + memo_flags);
    speak_memo_t *memo = &sp->memo[(h >> 20) % SPEAK_MEMO];
    if (memo->opened == s->opened && memo->shifted == (int64_t)shifted && memo->rel == rel_class &&
        memo->flags == memo_flags && (size_t)memo->len < cap) {
        memcpy(buf, memo->text, (size_t)memo->len + 1);
        return memo->len;
    }
    int64_t date_key = tz_floordiv((int64_t)shifted, TZ_MS_PER_DAY) * 2 + ((flags & TZ_SPEAK_WITH_YEAR) != 0);
    int64_t minute_of_day = tz_floormod(tz_floordiv((int64_t)shifted, TZ_MS_PER_MINUTE), 1440);
    if (want_date) {
        if (rel_class == 0 || rel_class == 1) {
            memcpy(date.text, rel_class == 0 ? s->today8 : s->tomorrow8, SPEAK_PART_CAP);
            date.len = rel_class == 0 ? s->today8_len : s->tomorrow8_len;
            date.units = rel_class == 0 ? s->today_units : s->tomorrow_units;
            if (date.len < 0) return -1;
        } else if (!format_part(sp->dates, s->opened, date_key,
                                (flags & TZ_SPEAK_WITH_YEAR) ? s->date_year : s->date, shifted, &date)) {
            return -1;
        }
    }
    if (want_time && !format_part(sp->times, s->opened, minute_of_day, s->time, shifted, &time)) return -1;
    /* The glue with the parts in their places, or the one part: what joining the UTF-16 texts and converting the
     * whole gave, with the same limits (SPEAK_UCAP units, cap bytes). */
    size_t out_len = 0;
    if (want_date && want_time) {
        if (!s->glue8_ok ||
            s->glue_units + s->glue_dates * date.units + s->glue_times * time.units >= SPEAK_UCAP)
            return -1;
        for (const char *g = s->glue8; *g; g++) {
            const speak_text_t *part = *g == GLUE_DATE ? &date : *g == GLUE_TIME ? &time : NULL;
            size_t n = part != NULL ? (size_t)part->len : 1;
            if (out_len + n >= cap) {
                buf[0] = '\0';
                return -1;
            }
            memcpy(buf + out_len, part != NULL ? part->text : g, n);
            out_len += n;
        }
    } else {
        const speak_text_t *part = want_date ? &date : &time;
        if ((size_t)part->len >= cap) return -1;
        memcpy(buf, part->text, (size_t)part->len);
        out_len = (size_t)part->len;
    }
    buf[out_len] = '\0';
    if (repeat != 0) {
        int more = snprintf(buf + out_len, cap - out_len, "%s", repeated_words[repeat]);
        if (more < 0 || out_len + (size_t)more >= cap) {
            buf[0] = '\0';
            return -1;
        }
        out_len += (size_t)more;
    }
    if (out_len < SPEAK_MEMO_TEXT) {
        *memo = (speak_memo_t){.opened = s->opened, .shifted = (int64_t)shifted, .rel = rel_class,
                               .flags = memo_flags, .len = (int)out_len};
        memcpy(memo->text, buf, out_len + 1);
    }
    return (int)out_len;
}

void tz_speak_plan_init(tz_speak_plan_t *p, tz_speaker_t *sp, const char *locale, const tz_zone_t *zone,
                        tz_instant_t now, int flags)
{
    *p = (tz_speak_plan_t){.sp = sp, .locale = locale, .zone = zone, .flags = flags};
    p->ok = sp != NULL && locale != NULL && zone != NULL && locale_text_ok(locale) &&
            (flags & (TZ_SPEAK_TIME_ONLY | TZ_SPEAK_DATE_ONLY)) != (TZ_SPEAK_TIME_ONLY | TZ_SPEAK_DATE_ONLY);
    if (p->ok && wants_relative(flags)) {
        int y, m, d;
        tz_local_date(zone, now, &y, &m, &d);
        p->today = tz_days_from_civil(y, m, d);
    }
    tz_offset_span_init(&p->offsets, zone);
}

int tz_speak_planned(tz_speak_plan_t *p, tz_instant_t t, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0 || cap > INT32_MAX) return -1;
    buf[0] = '\0';
    if (!p->ok) return -1;
    speak_locale_t *s = slot_for(p->sp, p->locale);
    if (s == NULL) return -1;
    speak_when_t when;
    /* Most instants lie more than 3 hours from any change: one offset holds from 3 hours before to 3 hours after
     * (so the hour does not repeat), and the span remembered for the instants before tells it without a lookup. */
    bool quiet = false;
    if (t > -SPEAK_PLAIN_LIMIT_MS && t < SPEAK_PLAIN_LIMIT_MS) {
        int off = tz_offset_cached(&p->offsets, t - SPEAK_CHANGE_REACH_MS);
        if (t + SPEAK_CHANGE_REACH_MS < p->offsets.until) {
            when.shifted = t + (int64_t)off * 1000;
            int64_t rel = wants_relative(p->flags) ? tz_floordiv(when.shifted, TZ_MS_PER_DAY) - p->today : 2;
            when.rel_class = rel == 0 || rel == 1 ? (int)rel : 2;
            when.repeat = 0;
            quiet = true;
        }
    }
    if (!quiet) locate(p->zone, t, p->today, p->flags, &when);
    return speak_when(p->sp, s, p->flags, &when, buf, cap);
}

int tz_speak(tz_speaker_t *sp, const char *locale, const tz_zone_t *zone, tz_instant_t t, tz_instant_t now, int flags,
             char *buf, size_t cap)
{
    tz_speak_plan_t p;
    if (buf == NULL || cap == 0 || cap > INT32_MAX) return -1;
    buf[0] = '\0';
    tz_speak_plan_init(&p, sp, locale, zone, now, flags);
    if (!p.ok) return -1;
    speak_locale_t *s = slot_for(sp, locale);
    if (s == NULL) return -1;
    speak_when_t when;
    locate(zone, t, p.today, flags, &when);
    return speak_when(sp, s, flags, &when, buf, cap);
}

static pthread_once_t icu_version_once = PTHREAD_ONCE_INIT;
static char icu_version[16] = "unknown";

static void read_icu_version(void)
{
    UErrorCode st = U_ZERO_ERROR;
    const char *v = ucal_getTZDataVersion(&st);
    if (U_SUCCESS(st) && v != NULL) snprintf(icu_version, sizeof(icu_version), "%s", v);
}

const char *tz_icu_tzdata_version(void)
{
    pthread_once(&icu_version_once, read_icu_version);
    return icu_version;
}
