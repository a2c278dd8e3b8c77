/* tz/tz_zone_impl.h: the layout of tz_zone_t and the rule lookups the conversions in tz/ are built on. */
#ifndef FD_TZ_ZONE_IMPL_H
#define FD_TZ_ZONE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "tz/tz_internal.h"

typedef enum tz_rule_kind { TZ_RULE_MONTH = 0, TZ_RULE_JULIAN1, TZ_RULE_JULIAN0 } tz_rule_kind_t;

/* One date of a POSIX TZ rule: Mm.w.d, Jn (1-365, no Feb 29) or n (0-365); time of day in seconds, which
 * TZif v3 allows to be negative or up to 167 hours. */
typedef struct tz_rule_date {
    tz_rule_kind_t kind;
    int month, week, wday, day;
    int32_t time;
} tz_rule_date_t;

/* The POSIX TZ footer rule of a TZif file, offsets east-positive in seconds. */
typedef struct tz_posix {
    char std_name[16], dst_name[16];
    int32_t std_off, dst_off;
    bool has_dst;
    tz_rule_date_t start, end;
} tz_posix_t;

typedef struct tz_type {
    int32_t utoff;
    bool isdst;
    uint8_t abbr; /* index into chars */
} tz_type_t;

struct tz_zone {
    struct tz_zone *next; /* cache bucket chain */
    char id[TZ_ID_CAP];
    bool fixed;
    int ntrans, ntypes, nchars;
    int64_t *trans;      /* UTC seconds, strictly increasing */
    uint8_t *trans_type; /* type index per transition */
    tz_type_t types[256];
    char chars[256];
    bool has_rule;
    tz_posix_t rule;
};

/* Offset in seconds at UTC second s. */
int32_t tz_zone_offset_s(const tz_zone_t *z, int64_t s);

/* The first offset change strictly after UTC second s: its time and the offset after it. false if none. */
bool tz_zone_next_change(const tz_zone_t *z, int64_t s, int64_t *when, int32_t *off_after);

#endif
