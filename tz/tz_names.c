/* tz/tz_names.c: owns zone-name resolution: the index of the system tz database's names (tzdata.zi, zone.tab),
 * Windows IDs through ICU, our own Rails, abbreviation and spoken-form tables, fixed offsets, and the cache. */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

#include "tz/tz_internal.h"
#include "tz/tz_names.h"

/* ---- frozen tables ----------------------------------------------------------------------------------- */

typedef struct name_map {
    const char *name, *zone;
} name_map_t;

/* Rails / ActiveSupport::TimeZone names (the names Cliniko and other Rails apps store) -> IANA. Written from
 * the names Rails shows in its zone picker; targets are canonicalised through tzdata.zi afterwards. */
static const name_map_t rails_names[] = {
    {"International Date Line West", "Etc/GMT+12"}, {"Midway Island", "Pacific/Midway"},
    {"American Samoa", "Pacific/Pago_Pago"}, {"Hawaii", "Pacific/Honolulu"}, {"Alaska", "America/Juneau"},
    {"Pacific Time (US & Canada)", "America/Los_Angeles"}, {"Tijuana", "America/Tijuana"},
    {"Mountain Time (US & Canada)", "America/Denver"}, {"Arizona", "America/Phoenix"},
    {"Chihuahua", "America/Chihuahua"}, {"Mazatlan", "America/Mazatlan"},
    {"Central Time (US & Canada)", "America/Chicago"}, {"Saskatchewan", "America/Regina"},
    {"Guadalajara", "America/Mexico_City"}, {"Mexico City", "America/Mexico_City"},
    {"Monterrey", "America/Monterrey"}, {"Central America", "America/Guatemala"},
    {"Eastern Time (US & Canada)", "America/New_York"}, {"Indiana (East)", "America/Indiana/Indianapolis"},
    {"Bogota", "America/Bogota"}, {"Lima", "America/Lima"}, {"Quito", "America/Lima"},
    {"Atlantic Time (Canada)", "America/Halifax"}, {"Caracas", "America/Caracas"}, {"La Paz", "America/La_Paz"},
    {"Santiago", "America/Santiago"}, {"Newfoundland", "America/St_Johns"}, {"Brasilia", "America/Sao_Paulo"},
    {"Buenos Aires", "America/Argentina/Buenos_Aires"}, {"Montevideo", "America/Montevideo"},
    {"Georgetown", "America/Guyana"}, {"Puerto Rico", "America/Puerto_Rico"}, {"Greenland", "America/Nuuk"},
    {"Mid-Atlantic", "Atlantic/South_Georgia"}, {"Azores", "Atlantic/Azores"},
    {"Cape Verde Is.", "Atlantic/Cape_Verde"}, {"Dublin", "Europe/Dublin"}, {"Edinburgh", "Europe/London"},
    {"Lisbon", "Europe/Lisbon"}, {"London", "Europe/London"}, {"Casablanca", "Africa/Casablanca"},
    {"Monrovia", "Africa/Monrovia"}, {"UTC", "Etc/UTC"}, {"Belgrade", "Europe/Belgrade"},
    {"Bratislava", "Europe/Bratislava"}, {"Budapest", "Europe/Budapest"}, {"Ljubljana", "Europe/Ljubljana"},
    {"Prague", "Europe/Prague"}, {"Sarajevo", "Europe/Sarajevo"}, {"Skopje", "Europe/Skopje"},
    {"Warsaw", "Europe/Warsaw"}, {"Zagreb", "Europe/Zagreb"}, {"Brussels", "Europe/Brussels"},
    {"Copenhagen", "Europe/Copenhagen"}, {"Madrid", "Europe/Madrid"}, {"Paris", "Europe/Paris"},
    {"Amsterdam", "Europe/Amsterdam"}, {"Berlin", "Europe/Berlin"}, {"Bern", "Europe/Zurich"},
    {"Zurich", "Europe/Zurich"}, {"Rome", "Europe/Rome"}, {"Stockholm", "Europe/Stockholm"},
    {"Vienna", "Europe/Vienna"}, {"West Central Africa", "Africa/Algiers"}, {"Bucharest", "Europe/Bucharest"},
    {"Cairo", "Africa/Cairo"}, {"Helsinki", "Europe/Helsinki"}, {"Kyiv", "Europe/Kyiv"}, {"Kiev", "Europe/Kyiv"},
    {"Riga", "Europe/Riga"}, {"Sofia", "Europe/Sofia"}, {"Tallinn", "Europe/Tallinn"},
    {"Vilnius", "Europe/Vilnius"}, {"Athens", "Europe/Athens"}, {"Istanbul", "Europe/Istanbul"},
    {"Minsk", "Europe/Minsk"}, {"Jerusalem", "Asia/Jerusalem"}, {"Harare", "Africa/Harare"},
    {"Pretoria", "Africa/Johannesburg"}, {"Kaliningrad", "Europe/Kaliningrad"}, {"Moscow", "Europe/Moscow"},
    {"St. Petersburg", "Europe/Moscow"}, {"Volgograd", "Europe/Volgograd"}, {"Samara", "Europe/Samara"},
    {"Kuwait", "Asia/Kuwait"}, {"Riyadh", "Asia/Riyadh"}, {"Nairobi", "Africa/Nairobi"},
    {"Baghdad", "Asia/Baghdad"}, {"Tehran", "Asia/Tehran"}, {"Abu Dhabi", "Asia/Muscat"},
    {"Muscat", "Asia/Muscat"}, {"Baku", "Asia/Baku"}, {"Tbilisi", "Asia/Tbilisi"}, {"Yerevan", "Asia/Yerevan"},
    {"Kabul", "Asia/Kabul"}, {"Ekaterinburg", "Asia/Yekaterinburg"}, {"Islamabad", "Asia/Karachi"},
    {"Karachi", "Asia/Karachi"}, {"Tashkent", "Asia/Tashkent"}, {"Chennai", "Asia/Kolkata"},
    {"Kolkata", "Asia/Kolkata"}, {"Mumbai", "Asia/Kolkata"}, {"New Delhi", "Asia/Kolkata"},
    {"Kathmandu", "Asia/Kathmandu"}, {"Astana", "Asia/Almaty"}, {"Dhaka", "Asia/Dhaka"},
    {"Sri Jayawardenepura", "Asia/Colombo"}, {"Almaty", "Asia/Almaty"}, {"Novosibirsk", "Asia/Novosibirsk"},
    {"Rangoon", "Asia/Yangon"}, {"Bangkok", "Asia/Bangkok"}, {"Hanoi", "Asia/Bangkok"},
    {"Jakarta", "Asia/Jakarta"}, {"Krasnoyarsk", "Asia/Krasnoyarsk"}, {"Beijing", "Asia/Shanghai"},
    {"Chongqing", "Asia/Shanghai"}, {"Hong Kong", "Asia/Hong_Kong"}, {"Urumqi", "Asia/Urumqi"},
    {"Kuala Lumpur", "Asia/Kuala_Lumpur"}, {"Singapore", "Asia/Singapore"}, {"Taipei", "Asia/Taipei"},
    {"Perth", "Australia/Perth"}, {"Irkutsk", "Asia/Irkutsk"}, {"Ulaanbaatar", "Asia/Ulaanbaatar"},
    {"Seoul", "Asia/Seoul"}, {"Osaka", "Asia/Tokyo"}, {"Sapporo", "Asia/Tokyo"}, {"Tokyo", "Asia/Tokyo"},
    {"Yakutsk", "Asia/Yakutsk"}, {"Darwin", "Australia/Darwin"}, {"Adelaide", "Australia/Adelaide"},
    {"Canberra", "Australia/Sydney"}, {"Melbourne", "Australia/Melbourne"}, {"Sydney", "Australia/Sydney"},
    {"Brisbane", "Australia/Brisbane"}, {"Hobart", "Australia/Hobart"}, {"Vladivostok", "Asia/Vladivostok"},
    {"Guam", "Pacific/Guam"}, {"Port Moresby", "Pacific/Port_Moresby"}, {"Magadan", "Asia/Magadan"},
    {"Srednekolymsk", "Asia/Srednekolymsk"}, {"Solomon Is.", "Pacific/Guadalcanal"},
    {"New Caledonia", "Pacific/Noumea"}, {"Fiji", "Pacific/Fiji"}, {"Kamchatka", "Asia/Kamchatka"},
    {"Marshall Is.", "Pacific/Majuro"}, {"Auckland", "Pacific/Auckland"}, {"Wellington", "Pacific/Auckland"},
    {"Nuku'alofa", "Pacific/Tongatapu"}, {"Tokelau Is.", "Pacific/Fakaofo"}, {"Chatham Is.", "Pacific/Chatham"},
    {"Samoa", "Pacific/Apia"},
};

/* An abbreviation: its default zone, per-country choices ("CC=Zone,CC=Zone"), and whether it is ambiguous
 * across countries. Without an explicit choice for the hint country we take the hint country's first zone
 * (zone.tab order) that uses this abbreviation since 2000. */
typedef struct abbrev {
    const char *abbr, *zone, *by_country;
    bool ambiguous;
} abbrev_t;

static const abbrev_t abbrevs[] = {
    {"UTC", "Etc/UTC", "", false}, {"UCT", "Etc/UTC", "", false}, {"UT", "Etc/UTC", "", false},
    {"GMT", "Etc/UTC", "", false}, {"Z", "Etc/UTC", "", false}, {"ZULU", "Etc/UTC", "", false},
    {"EST", "America/New_York", "CA=America/Toronto,AU=Australia/Sydney,PA=America/Panama,JM=America/Jamaica", false},
    {"EDT", "America/New_York", "CA=America/Toronto", false},
    {"ET", "America/New_York", "CA=America/Toronto,AU=Australia/Sydney", false},
    {"CST", "America/Chicago",
     "CA=America/Winnipeg,MX=America/Mexico_City,CN=Asia/Shanghai,TW=Asia/Taipei,CU=America/Havana,"
     "AU=Australia/Adelaide",
     true},
    {"CDT", "America/Chicago", "CA=America/Winnipeg,CU=America/Havana", false},
    {"CT", "America/Chicago", "CA=America/Winnipeg,MX=America/Mexico_City,AU=Australia/Adelaide", false},
    {"MST", "America/Denver", "CA=America/Edmonton,MX=America/Mazatlan", false},
    {"MDT", "America/Denver", "CA=America/Edmonton", false},
    {"MT", "America/Denver", "CA=America/Edmonton,MX=America/Mazatlan", false},
    {"PST", "America/Los_Angeles", "CA=America/Vancouver,MX=America/Tijuana,PH=Asia/Manila", true},
    {"PDT", "America/Los_Angeles", "CA=America/Vancouver,MX=America/Tijuana", false},
    {"PT", "America/Los_Angeles", "CA=America/Vancouver,MX=America/Tijuana", false},
    {"AKST", "America/Anchorage", "", false}, {"AKDT", "America/Anchorage", "", false},
    {"AKT", "America/Anchorage", "", false}, {"HST", "Pacific/Honolulu", "", false},
    {"HDT", "America/Adak", "", false}, {"HAST", "Pacific/Honolulu", "", false},
    {"AST", "America/Halifax",
     "SA=Asia/Riyadh,KW=Asia/Kuwait,IQ=Asia/Baghdad,QA=Asia/Qatar,BH=Asia/Bahrain,YE=Asia/Aden,"
     "PR=America/Puerto_Rico",
     true},
    {"ADT", "America/Halifax", "", false}, {"AT", "America/Halifax", "PR=America/Puerto_Rico", false},
    {"NST", "America/St_Johns", "", false}, {"NDT", "America/St_Johns", "", false},
    {"AEST", "Australia/Sydney", "", false}, {"AEDT", "Australia/Sydney", "", false},
    {"AET", "Australia/Sydney", "", false}, {"ACST", "Australia/Adelaide", "", false},
    {"ACDT", "Australia/Adelaide", "", false}, {"AWST", "Australia/Perth", "", false},
    {"ACWST", "Australia/Eucla", "", false}, {"LHST", "Australia/Lord_Howe", "", false},
    {"LHDT", "Australia/Lord_Howe", "", false}, {"NZST", "Pacific/Auckland", "", false},
    {"NZDT", "Pacific/Auckland", "", false}, {"NZT", "Pacific/Auckland", "", false},
    {"CHAST", "Pacific/Chatham", "", false}, {"CHADT", "Pacific/Chatham", "", false},
    {"BST", "Europe/London", "BD=Asia/Dhaka", true},
    {"IST", "Asia/Kolkata", "IE=Europe/Dublin,IL=Asia/Jerusalem", true},
    {"IDT", "Asia/Jerusalem", "", false}, {"WET", "Europe/Lisbon", "", false},
    {"WEST", "Europe/Lisbon", "", false}, {"CET", "Europe/Berlin", "", false},
    {"CEST", "Europe/Berlin", "", false}, {"MET", "Europe/Berlin", "", false},
    {"EET", "Europe/Athens", "", false}, {"EEST", "Europe/Athens", "", false},
    {"MSK", "Europe/Moscow", "", false}, {"SAST", "Africa/Johannesburg", "", false},
    {"CAT", "Africa/Maputo", "", false}, {"EAT", "Africa/Nairobi", "", false},
    {"WAT", "Africa/Lagos", "", false}, {"PKT", "Asia/Karachi", "", false},
    {"NPT", "Asia/Kathmandu", "", false}, {"ICT", "Asia/Bangkok", "", false},
    {"WIB", "Asia/Jakarta", "", false}, {"SGT", "Asia/Singapore", "", false},
    {"HKT", "Asia/Hong_Kong", "", false}, {"JST", "Asia/Tokyo", "", false},
    {"KST", "Asia/Seoul", "", false}, {"PHT", "Asia/Manila", "", false},
    {"PHST", "Asia/Manila", "", false}, {"SST", "Pacific/Pago_Pago", "SG=Asia/Singapore", true},
    {"CHST", "Pacific/Guam", "", false}, {"BRT", "America/Sao_Paulo", "", false},
    {"ART", "America/Argentina/Buenos_Aires", "", false}, {"GST", "Asia/Dubai", "", false},
};

/* Spoken forms, after lower-casing, dropping punctuation and the words "time", "zone", "standard", "daylight",
 * "summer", "saving(s)": a phrase names an abbreviation ("=ET", with its country choices) or a zone. */
static const name_map_t spoken[] = {
    {"eastern", "=ET"}, {"central", "=CT"}, {"mountain", "=MT"}, {"pacific", "=PT"},
    {"alaska", "=AKST"}, {"alaskan", "=AKST"}, {"hawaii", "=HST"}, {"hawaiian", "=HST"},
    {"hawaii aleutian", "=HST"}, {"atlantic", "=AT"}, {"newfoundland", "=NST"},
    {"arizona", "America/Phoenix"}, {"australian eastern", "=AEST"}, {"australia eastern", "=AEST"},
    {"aus eastern", "=AEST"}, {"australian central", "=ACST"}, {"australia central", "=ACST"},
    {"australian western", "=AWST"}, {"australia western", "=AWST"}, {"western australia", "=AWST"},
    {"queensland", "Australia/Brisbane"}, {"lord howe", "=LHST"}, {"new zealand", "=NZST"},
    {"nz", "=NZST"}, {"chatham", "=CHAST"}, {"chatham islands", "=CHAST"}, {"india", "=IST"},
    {"indian", "=IST"}, {"british", "=BST"}, {"uk", "Europe/London"}, {"united kingdom", "Europe/London"},
    {"irish", "Europe/Dublin"}, {"ireland", "Europe/Dublin"}, {"israel", "=IDT"}, {"israeli", "=IDT"},
    {"china", "Asia/Shanghai"}, {"chinese", "Asia/Shanghai"}, {"japan", "=JST"}, {"japanese", "=JST"},
    {"korea", "=KST"}, {"korean", "=KST"}, {"philippine", "=PHT"}, {"philippines", "=PHT"},
    {"central european", "=CET"}, {"eastern european", "=EET"}, {"western european", "=WET"},
    {"greenwich mean", "=GMT"}, {"greenwich", "=GMT"}, {"universal", "=UTC"}, {"coordinated universal", "=UTC"},
    {"universal coordinated", "=UTC"}, {"zulu", "=UTC"}, {"moscow", "=MSK"}, {"south africa", "=SAST"},
    {"south african", "=SAST"}, {"gulf", "=GST"}, {"arabia", "Asia/Riyadh"}, {"arabian", "Asia/Riyadh"},
};

static const char *const drop_words[] = {"time", "zone", "timezone", "standard", "daylight", "summer", "saving",
                                         "savings", "the", "local"};

/* ---- the tz database index (built once) -------------------------------------------------------------- */

typedef struct db_name {
    char name[TZ_ID_CAP];
    char canon[TZ_ID_CAP]; /* filled after links are followed */
    char link[TZ_ID_CAP];  /* target for "L" lines, "" otherwise */
    bool primary;          /* a Zone line or a zone.tab entry: its own canonical ID */
} db_name_t;

typedef struct city {
    char key[TZ_ID_CAP]; /* "new york" */
    const char *canon;
} city_t;

typedef struct country_zone {
    char cc[3];
    char zone[TZ_ID_CAP];
} country_zone_t;

typedef struct win_id {
    char id[TZ_ID_CAP];
} win_id_t;

typedef struct name_db {
    db_name_t *names;
    size_t nnames, names_cap;
    city_t *cities;
    size_t ncities;
    country_zone_t *countries;
    size_t ncountries, countries_cap;
    win_id_t *wins;
    size_t nwins, wins_cap;
} name_db_t;

static pthread_once_t db_once = PTHREAD_ONCE_INIT;
static name_db_t db; /* written once under db_once, read-only afterwards */

static int cmp_name(const void *a, const void *b)
{
    return strcasecmp(((const db_name_t *)a)->name, ((const db_name_t *)b)->name);
}

static int cmp_city(const void *a, const void *b)
{
    return strcmp(((const city_t *)a)->key, ((const city_t *)b)->key);
}

static int cmp_win(const void *a, const void *b)
{
    return strcasecmp(((const win_id_t *)a)->id, ((const win_id_t *)b)->id);
}

static db_name_t *find_name(const char *name)
{
    if (db.nnames == 0) return NULL;
    db_name_t key;
    size_t n = strlen(name);
    if (n >= sizeof(key.name)) return NULL;
    memcpy(key.name, name, n + 1);
    return bsearch(&key, db.names, db.nnames, sizeof(db_name_t), cmp_name);
}

static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return true;
    size_t nc = *cap ? *cap * 2 : 256;
    void *p = realloc(*arr, nc * elem);
    if (p == NULL) return false;
    *arr = p;
    *cap = nc;
    return true;
}

static void add_name(const char *name, const char *link, bool primary)
{
    if (!tz_id_is_safe(name) || (link != NULL && !tz_id_is_safe(link))) return;
    if (!grow((void **)&db.names, &db.names_cap, db.nnames, sizeof(db_name_t))) return;
    db_name_t *e = &db.names[db.nnames++];
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", name);
    if (link != NULL) snprintf(e->link, sizeof(e->link), "%s", link);
    e->primary = primary;
}

static void read_tzdata_zi(void)
{
    char path[512], line[512];
    snprintf(path, sizeof(path), "%s/tzdata.zi", tz_db_dir());
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    while (fgets(line, sizeof(line), f) != NULL) {
        char a[TZ_ID_CAP], b[TZ_ID_CAP];
        if (line[0] == 'Z' && line[1] == ' ' && sscanf(line + 2, "%63s", a) == 1) add_name(a, NULL, true);
        else if (line[0] == 'L' && line[1] == ' ' && sscanf(line + 2, "%63s %63s", a, b) == 2) add_name(b, a, false);
    }
    fclose(f);
}

static void read_zone_tab(void)
{
    char path[512], line[512];
    snprintf(path, sizeof(path), "%s/zone.tab", tz_db_dir());
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    while (fgets(line, sizeof(line), f) != NULL) {
        char cc[8], coord[32], zone[TZ_ID_CAP];
        if (line[0] == '#' || sscanf(line, "%7s %31s %63s", cc, coord, zone) != 3 || strlen(cc) != 2) continue;
        if (!grow((void **)&db.countries, &db.countries_cap, db.ncountries, sizeof(country_zone_t))) break;
        country_zone_t *c = &db.countries[db.ncountries++];
        memcpy(c->cc, cc, 3);
        snprintf(c->zone, sizeof(c->zone), "%s", zone);
    }
    fclose(f);
}

static void build_cities(void)
{
    static const char *const regions[] = {"Africa/",   "America/", "Antarctica/", "Arctic/", "Asia/",
                                          "Atlantic/", "Australia/", "Europe/",   "Indian/", "Pacific/"};
    db.cities = calloc(db.nnames ? db.nnames : 1, sizeof(city_t));
    if (db.cities == NULL) return;
    for (int pass = 0; pass < 2; pass++) { /* canonical names first, then links (Calcutta, Kiev, Saigon) */
        for (size_t i = 0; i < db.nnames; i++) {
            const db_name_t *e = &db.names[i];
            if ((pass == 0) != e->primary || e->canon[0] == '\0') continue;
            bool geo = false;
            for (size_t r = 0; r < sizeof(regions) / sizeof(regions[0]); r++)
                if (strncmp(e->name, regions[r], strlen(regions[r])) == 0) geo = true;
            if (!geo || (pass == 1 && strncmp(e->name, "Australia/", 10) == 0)) continue;
            const char *last = strrchr(e->name, '/') + 1;
            city_t *c = &db.cities[db.ncities];
            size_t k = 0;
            for (; last[k] && k + 1 < sizeof(c->key); k++)
                c->key[k] = last[k] == '_' ? ' ' : (char)tolower((unsigned char)last[k]);
            c->key[k] = '\0';
            c->canon = e->canon;
            bool dup = false;
            for (size_t j = 0; j < db.ncities && !dup; j++) dup = strcmp(db.cities[j].key, c->key) == 0;
            if (!dup) db.ncities++;
        }
    }
    qsort(db.cities, db.ncities, sizeof(city_t), cmp_city);
}

static void build_windows(void)
{
    UErrorCode st = U_ZERO_ERROR;
    UEnumeration *en = ucal_openTimeZones(&st);
    if (U_FAILURE(st) || en == NULL) return;
    const UChar *zid;
    int32_t len;
    while ((zid = uenum_unext(en, &len, &st)) != NULL && U_SUCCESS(st)) {
        UChar win[TZ_ID_CAP];
        UErrorCode st2 = U_ZERO_ERROR;
        int32_t n = ucal_getWindowsTimeZoneID(zid, len, win, TZ_ID_CAP, &st2);
        if (U_FAILURE(st2) || n <= 0 || n >= TZ_ID_CAP) continue;
        char utf8[TZ_ID_CAP];
        u_austrncpy(utf8, win, TZ_ID_CAP - 1);
        utf8[n] = '\0';
        bool dup = false;
        for (size_t j = 0; j < db.nwins && !dup; j++) dup = strcmp(db.wins[j].id, utf8) == 0;
        if (dup || !grow((void **)&db.wins, &db.wins_cap, db.nwins, sizeof(win_id_t))) continue;
        snprintf(db.wins[db.nwins++].id, TZ_ID_CAP, "%s", utf8);
    }
    uenum_close(en);
    if (db.nwins > 0) qsort(db.wins, db.nwins, sizeof(win_id_t), cmp_win);
}

static void build_db(void)
{
    read_tzdata_zi();
    read_zone_tab();
    if (db.nnames > 0) qsort(db.names, db.nnames, sizeof(db_name_t), cmp_name);
    for (size_t i = 0; i < db.ncountries; i++) {
        db_name_t *e = find_name(db.countries[i].zone);
        if (e != NULL) e->primary = true; /* zone.tab names stay themselves (Europe/Oslo, Asia/Kuwait) */
    }
    for (size_t i = 0; i < db.nnames; i++) {
        const db_name_t *e = &db.names[i];
        for (int hop = 0; hop < 8 && e != NULL && !e->primary; hop++) e = find_name(e->link);
        if (e != NULL && e->primary) snprintf(db.names[i].canon, TZ_ID_CAP, "%s", e->name);
    }
    build_cities();
    build_windows();
}

/* The IANA-canonical spelling of a zone ID we know, or NULL. */
static const char *canonical(const char *id)
{
    const db_name_t *e = find_name(id);
    return (e != NULL && e->canon[0] != '\0') ? e->canon : NULL;
}

/* ---- resolution -------------------------------------------------------------------------------------- */


/* A printable, bounded copy of a name for failure reasons: other bytes become '?', long names end in "...". */
static const char *quoted(const char *s, char *out, size_t cap)
{
    size_t n = 0, max = cap > 4 ? cap - 4 : 0;
    for (; s[n] && n < max; n++) out[n] = ((unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f) ? s[n] : '?';
    if (s[n] != '\0' && cap >= 4) memcpy(out + n, "...", 3), n += 3;
    out[n < cap ? n : cap - 1] = '\0';
    return out;
}

/* Fills *out for zone ID `id` (canonicalised). Returns 0, or -1 if the zone does not load or is a placeholder:
 * the tz database spells "local time unknown" as the abbreviation -00, and a zone that says so today (Factory,
 * which tzcode uses for machines not yet told where they are) has no clinic's clock in it. */
static int finish(const char *id, tz_name_kind_t kind, tz_resolution_t *out)
{
    const char *canon = canonical(id);
    if (canon == NULL) canon = id; /* no tzdata.zi: trust the loader */
    const tz_zone_t *z = tz_zone_load(canon);
    if (z == NULL || strcmp(tz_zone_abbrev(z, tz_now()), "-00") == 0) return -1;
    snprintf(out->id, sizeof(out->id), "%s", canon);
    out->zone = z;
    out->kind = kind;
    return 0;
}

/* "UTC+10", "GMT-5", "UTC+05:30", "+05:30", "-0330", "UTC +9" -> seconds east. Returns 0 or -1. */
static int parse_offset_name(const char *s, int *off)
{
    size_t i = 0;
    if (strncasecmp(s, "UTC", 3) == 0 || strncasecmp(s, "GMT", 3) == 0) i = 3;
    else if (strncasecmp(s, "UT", 2) == 0) i = 2;
    bool prefixed = i > 0;
    while (s[i] == ' ') i++;
    int sign;
    if (s[i] == '+') sign = 1;
    else if (s[i] == '-') sign = -1;
    else if ((unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x88 && (unsigned char)s[i + 2] == 0x92)
        sign = -1, i += 2; /* U+2212 MINUS SIGN */
    else return -1;
    i++;
    int d[4], n = 0;
    bool colon = false;
    size_t colon_at = 0;
    for (; s[i]; i++) {
        if (s[i] >= '0' && s[i] <= '9' && n < 4) d[n++] = s[i] - '0';
        else if (s[i] == ':' && !colon && (n == 1 || n == 2)) colon = true, colon_at = (size_t)n;
        else return -1;
    }
    int h, m = 0;
    if (colon) {
        if (n - (int)colon_at != 2) return -1;
        h = colon_at == 1 ? d[0] : d[0] * 10 + d[1];
        m = d[colon_at] * 10 + d[colon_at + 1];
    } else if (n == 1 || n == 2) {
        h = n == 1 ? d[0] : d[0] * 10 + d[1];
    } else if (n == 4) {
        h = d[0] * 10 + d[1];
        m = d[2] * 10 + d[3];
    } else if (n == 3 && prefixed) { /* "GMT+530" */
        h = d[0];
        m = d[1] * 10 + d[2];
    } else {
        return -1;
    }
    if (h > 14 || m > 59 || (h == 14 && m > 0)) return -1;
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

/* The zone chosen by "CC=Zone,CC=Zone" for country cc, copied to out. */
static bool by_country(const char *list, const char *cc, char *out, size_t cap)
{
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 3 && strncasecmp(p, cc, 2) == 0 && p[2] == '=' && n - 3 < cap) {
            memcpy(out, p + 3, n - 3);
            out[n - 3] = '\0';
            return true;
        }
        p += n + (end ? 1 : 0);
    }
    return false;
}

static const char *zone_country(const char *zone)
{
    for (size_t i = 0; i < db.ncountries; i++)
        if (strcmp(db.countries[i].zone, zone) == 0) return db.countries[i].cc;
    return NULL;
}

static int resolve_abbrev(const abbrev_t *a, const char *cc, tz_name_kind_t kind, tz_resolution_t *out)
{
    char zone[TZ_ID_CAP];
    out->ambiguous = a->ambiguous;
    if (cc != NULL && by_country(a->by_country, cc, zone, sizeof(zone))) {
        out->hint_used = 1;
        return finish(zone, kind, out);
    }
    const char *home = zone_country(a->zone);
    if (cc != NULL && home != NULL && strcasecmp(home, cc) != 0 && strcmp(a->zone, "Etc/UTC") != 0) {
        for (size_t i = 0; i < db.ncountries; i++) { /* the hint country's own zone with this abbreviation */
            if (strcasecmp(db.countries[i].cc, cc) != 0) continue;
            const tz_zone_t *z = tz_zone_load(db.countries[i].zone);
            if (z != NULL && tz_zone_uses_abbrev(z, a->abbr)) {
                out->hint_used = 1;
                return finish(db.countries[i].zone, kind, out);
            }
        }
    }
    return finish(a->zone, kind, out);
}

static const abbrev_t *find_abbrev(const char *s)
{
    for (size_t i = 0; i < sizeof(abbrevs) / sizeof(abbrevs[0]); i++)
        if (strcasecmp(abbrevs[i].abbr, s) == 0) return &abbrevs[i];
    return NULL;
}

/* Lower-cases, turns punctuation into spaces (dropping '.' and apostrophes inside words), drops filler words,
 * collapses spaces: "Pacific Standard Time" -> "pacific", "St. John's time" -> "st johns". */
static void normalize_spoken(const char *s, char *out, size_t cap)
{
    char tmp[TZ_NAME_MAX_LEN + 1];
    size_t n = 0;
    for (size_t i = 0; s[i] && n + 1 < sizeof(tmp); i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == '\'') continue;
        if (c == 0xE2 && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x99) { /* U+2019 */
            i += 2;
            continue;
        }
        tmp[n++] = isalnum(c) ? (char)tolower(c) : (c >= 0x80 ? (char)c : ' ');
    }
    tmp[n] = '\0';
    size_t o = 0;
    size_t i = 0;
    while (tmp[i]) {
        while (tmp[i] == ' ') i++;
        size_t start = i;
        while (tmp[i] && tmp[i] != ' ') i++;
        size_t wl = i - start;
        if (wl == 0) break;
        bool drop = false;
        for (size_t k = 0; k < sizeof(drop_words) / sizeof(drop_words[0]) && !drop; k++)
            drop = strlen(drop_words[k]) == wl && strncmp(drop_words[k], tmp + start, wl) == 0;
        if (drop) continue;
        if (o > 0 && o + 1 < cap) out[o++] = ' ';
        for (size_t k = 0; k < wl && o + 1 < cap; k++) out[o++] = tmp[start + k];
    }
    out[o < cap ? o : cap - 1] = '\0';
}

static int resolve_spoken(const char *s, const char *cc, tz_resolution_t *out)
{
    char norm[TZ_NAME_MAX_LEN + 1];
    normalize_spoken(s, norm, sizeof(norm));
    if (norm[0] == '\0') return -1;
    const abbrev_t *a = find_abbrev(norm); /* "E.S.T.", "pst time" */
    if (a != NULL) return resolve_abbrev(a, cc, TZ_NAME_ABBREVIATION, out);
    for (size_t i = 0; i < sizeof(spoken) / sizeof(spoken[0]); i++) {
        if (strcmp(spoken[i].name, norm) != 0) continue;
        if (spoken[i].zone[0] == '=') {
            a = find_abbrev(spoken[i].zone + 1);
            if (a != NULL) return resolve_abbrev(a, cc, TZ_NAME_SPOKEN, out);
        }
        return finish(spoken[i].zone, TZ_NAME_SPOKEN, out);
    }
    for (size_t i = 0; i < sizeof(rails_names) / sizeof(rails_names[0]); i++) { /* "Beijing time" */
        char rn[TZ_NAME_MAX_LEN + 1];
        normalize_spoken(rails_names[i].name, rn, sizeof(rn));
        if (strcmp(rn, norm) == 0) return finish(rails_names[i].zone, TZ_NAME_CITY, out);
    }
    city_t key;
    size_t nl = strlen(norm);
    if (nl >= sizeof(key.key)) return -1;
    memcpy(key.key, norm, nl + 1);
    const city_t *c = db.ncities ? bsearch(&key, db.cities, db.ncities, sizeof(city_t), cmp_city) : NULL;
    if (c != NULL) return finish(c->canon, TZ_NAME_CITY, out);
    return -1;
}

static int resolve_windows(const char *s, const char *cc, tz_resolution_t *out)
{
    win_id_t key;
    size_t sl = strlen(s);
    if (sl >= sizeof(key.id)) return -1;
    memcpy(key.id, s, sl + 1);
    const win_id_t *w = db.nwins ? bsearch(&key, db.wins, db.nwins, sizeof(win_id_t), cmp_win) : NULL;
    if (w == NULL) return -1;
    UChar uwin[TZ_ID_CAP], uzone[TZ_ID_CAP];
    u_uastrncpy(uwin, w->id, TZ_ID_CAP);
    UErrorCode st = U_ZERO_ERROR;
    char region[3] = {0, 0, 0};
    if (cc != NULL) region[0] = (char)toupper((unsigned char)cc[0]), region[1] = (char)toupper((unsigned char)cc[1]);
    int32_t n = ucal_getTimeZoneIDForWindowsID(uwin, -1, cc ? region : NULL, uzone, TZ_ID_CAP, &st);
    if (U_SUCCESS(st) && n > 0) out->hint_used = cc != NULL;
    if (U_FAILURE(st) || n <= 0) { /* the region has no zone of this Windows ID: take the default */
        st = U_ZERO_ERROR;
        n = ucal_getTimeZoneIDForWindowsID(uwin, -1, NULL, uzone, TZ_ID_CAP, &st);
        out->hint_used = 0;
    }
    if (U_FAILURE(st) || n <= 0 || n >= TZ_ID_CAP) return -1;
    char zone[TZ_ID_CAP];
    u_austrncpy(zone, uzone, TZ_ID_CAP - 1);
    zone[n] = '\0';
    return finish(zone, TZ_NAME_WINDOWS, out);
}

int tz_resolve_uncached(const char *name, size_t len, const char *country_hint, tz_resolution_t *out, char *why,
                        size_t why_cap)
{
    char s[TZ_NAME_MAX_LEN + 1], q[52];
    if (why != NULL && why_cap > 0) why[0] = '\0';
    if (out == NULL) return tz_fail(why, why_cap, "no output");
    memset(out, 0, sizeof(*out));
    if (name == NULL) return tz_fail(why, why_cap, "no zone name");
    pthread_once(&db_once, build_db);
    while (len > 0 && isspace((unsigned char)name[0])) name++, len--;
    while (len > 0 && isspace((unsigned char)name[len - 1])) len--;
    if (len == 0) return tz_fail(why, why_cap, "empty zone name");
    if (len > TZ_NAME_MAX_LEN) return tz_fail(why, why_cap, "zone name longer than %d characters", TZ_NAME_MAX_LEN);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f) return tz_fail(why, why_cap, "zone name contains a control character");
    }
    memcpy(s, name, len);
    s[len] = '\0';
    const char *cc = NULL;
    if (country_hint != NULL && isalpha((unsigned char)country_hint[0]) && isalpha((unsigned char)country_hint[1]) &&
        country_hint[2] == '\0')
        cc = country_hint;

    int off;
    if (parse_offset_name(s, &off) == 0) {
        if (off == 0) return finish("Etc/UTC", TZ_NAME_OFFSET, out) == 0 ? 0 : tz_fail(why, why_cap, "no Etc/UTC");
        const tz_zone_t *z = tz_zone_fixed(off);
        if (z == NULL) return tz_fail(why, why_cap, "offset out of range");
        snprintf(out->id, sizeof(out->id), "%s", tz_zone_id(z));
        out->zone = z;
        out->kind = TZ_NAME_OFFSET;
        return 0;
    }
    bool has_slash = strchr(s, '/') != NULL;
    if (!has_slash) {
        const abbrev_t *a = find_abbrev(s);
        if (a != NULL) {
            if (resolve_abbrev(a, cc, TZ_NAME_ABBREVIATION, out) == 0) return 0;
            return tz_fail(why, why_cap, "zone of '%s' missing from the tz database", quoted(s, q, sizeof(q)));
        }
    }
    const db_name_t *e = tz_id_is_safe(s) ? find_name(s) : NULL;
    if (e != NULL && e->canon[0] != '\0') {
        tz_name_kind_t kind = strcmp(e->canon, e->name) == 0 ? TZ_NAME_IANA : TZ_NAME_ALIAS;
        if (finish(e->canon, kind, out) == 0) return 0;
    }
    if (db.nnames == 0 && tz_id_is_safe(s) && finish(s, TZ_NAME_IANA, out) == 0) return 0; /* no index */
    if (has_slash) return tz_fail(why, why_cap, "unknown IANA time zone '%s'", quoted(s, q, sizeof(q)));
    if (resolve_windows(s, cc, out) == 0) return 0;
    for (size_t i = 0; i < sizeof(rails_names) / sizeof(rails_names[0]); i++)
        if (strcasecmp(rails_names[i].name, s) == 0 && finish(rails_names[i].zone, TZ_NAME_RAILS, out) == 0)
            return 0;
    if (resolve_spoken(s, cc, out) == 0) return 0;
    memset(out, 0, sizeof(*out));
    return tz_fail(why, why_cap, "unknown time zone name '%s'", quoted(s, q, sizeof(q)));
}

/* ---- cache ------------------------------------------------------------------------------------------- */

#define NAME_CACHE_SLOTS 4096 /* open addressing; inserts stop at 3/4 full, so memory stays bounded */

typedef struct cache_slot {
    char key[TZ_NAME_MAX_LEN + 8]; /* trimmed name as given, '\x1f', hint */
    int rc;
    tz_resolution_t res;
    char why[128];
} cache_slot_t;

static pthread_mutex_t name_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_slot_t *name_cache;
static size_t name_cache_used;

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

int tz_resolve(const char *name, size_t len, const char *country_hint, tz_resolution_t *out, char *why,
               size_t why_cap)
{
    char key[TZ_NAME_MAX_LEN + 8];
    if (name == NULL || out == NULL || len > TZ_NAME_MAX_LEN + 64)
        return tz_resolve_uncached(name, len, country_hint, out, why, why_cap);
    const char *p = name;
    size_t n = len;
    while (n > 0 && isspace((unsigned char)p[0])) p++, n--;
    while (n > 0 && isspace((unsigned char)p[n - 1])) n--;
    if (n == 0 || n > TZ_NAME_MAX_LEN || memchr(p, '\0', n) != NULL)
        return tz_resolve_uncached(name, len, country_hint, out, why, why_cap);
    size_t k = 0;
    for (; k < n; k++) key[k] = p[k]; /* exact spelling: failure reasons quote it */
    key[k++] = '\x1f';
    if (country_hint != NULL) {
        for (size_t j = 0; country_hint[j] && j < 3; j++) key[k++] = (char)toupper((unsigned char)country_hint[j]);
    }
    key[k] = '\0';
    uint64_t h = hash_key(key);
    pthread_mutex_lock(&name_cache_lock);
    if (name_cache != NULL) {
        for (size_t i = 0; i < NAME_CACHE_SLOTS; i++) {
            const cache_slot_t *c = &name_cache[(h + i) % NAME_CACHE_SLOTS];
            if (c->key[0] == '\0') break;
            if (strcmp(c->key, key) == 0) {
                int rc = c->rc;
                *out = c->res;
                if (rc != 0 && why != NULL && why_cap > 0) snprintf(why, why_cap, "%s", c->why);
                pthread_mutex_unlock(&name_cache_lock);
                return rc;
            }
        }
    }
    pthread_mutex_unlock(&name_cache_lock);

    char reason[128] = "";
    int rc = tz_resolve_uncached(name, len, country_hint, out, reason, sizeof(reason));
    if (why != NULL && why_cap > 0) snprintf(why, why_cap, "%s", reason);

    pthread_mutex_lock(&name_cache_lock);
    if (name_cache == NULL) name_cache = calloc(NAME_CACHE_SLOTS, sizeof(cache_slot_t));
    if (name_cache != NULL && name_cache_used < NAME_CACHE_SLOTS * 3 / 4) {
        for (size_t i = 0; i < NAME_CACHE_SLOTS; i++) {
            cache_slot_t *c = &name_cache[(h + i) % NAME_CACHE_SLOTS];
            if (c->key[0] != '\0' && strcmp(c->key, key) == 0) break; /* another thread stored it */
            if (c->key[0] == '\0') {
                snprintf(c->key, sizeof(c->key), "%s", key);
                c->rc = rc;
                c->res = *out;
                snprintf(c->why, sizeof(c->why), "%s", reason);
                name_cache_used++;
                break;
            }
        }
    }
    pthread_mutex_unlock(&name_cache_lock);
    return rc;
}

/* tz_shutdown lives here, at the top of tz/, so that calls run one way down: the name cache holds zone
 * pointers, so it goes first, then the zones themselves (tz_zone.c). */
void tz_shutdown(void)
{
    pthread_mutex_lock(&name_cache_lock);
    free(name_cache);
    name_cache = NULL;
    name_cache_used = 0;
    pthread_mutex_unlock(&name_cache_lock);
    tz_zone_cache_free();
}

const char *tz_name_kind_str(tz_name_kind_t kind)
{
    switch (kind) {
    case TZ_NAME_IANA: return "iana";
    case TZ_NAME_ALIAS: return "alias";
    case TZ_NAME_WINDOWS: return "windows";
    case TZ_NAME_RAILS: return "rails";
    case TZ_NAME_ABBREVIATION: return "abbreviation";
    case TZ_NAME_SPOKEN: return "spoken";
    case TZ_NAME_CITY: return "city";
    case TZ_NAME_OFFSET: return "offset";
    }
    return "unknown";
}
