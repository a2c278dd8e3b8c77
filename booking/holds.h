/* booking/holds.h: short holds on a practitioner's time, shared by every frontdesk process through Redis.
 *
 * fd:{t}:holds:<staff> is a sorted set of hold ids scored by start (and "~span", scored by the longest hold
 * placed, so a check reads back only that far); fd:{t}:holds:<staff>~v hashes each of its ids to "start end
 * expires" (availability reads every live hold in one HGETALL); fd:{t}:hold:<id> is the hold's hash
 * {token, staff, treatment, location, patient, start, end, expires, state, appt, emr_hold}; emr_hold is the id of
 * the EMR's own hold of the same time when the EMR holds natively (booking/emr_holds.h), released with ours. One Lua script drops the
 * expired holds it meets, checks overlap against the live ones ([start, end) intervals, so a 10:00-11:00 hold
 * blocks 10:30-11:00 whatever the grid) and adds the new hold, all at once, on Redis' clock. A hold's state is
 * "held", "booking" (a bookAppt is writing to the EMR), "unknown" (that write's outcome is not known) or
 * "booked" (kept until it expires, so a booking that the availability cache has not seen yet stays blocked) or
 * "requested" (a booking request keeps it until the request's deadline: booking/requests.h).
 * The public id of a hold, and of the provisional appointment, is "hold_<24 hex id>.<32 hex token>". */
#ifndef FD_BOOKING_HOLDS_H
#define FD_BOOKING_HOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "core/model.h"

#define BK_HOLD_ID_LEN 24
#define BK_HOLD_TOKEN_LEN 32
#define BK_HOLD_PUBLIC_CAP (5 + BK_HOLD_ID_LEN + 1 + BK_HOLD_TOKEN_LEN + 1) /* "hold_" id "." token NUL */
/* The suffix of a staff set's companion hash (see above). */
#define BK_HOLDS_SPANS_SUFFIX "~v"
#define BK_HOLD_MAX_MS (24LL * 3600 * 1000)                                  /* longest appointment held */
#define BK_HOLD_FIELD_CAP 160

typedef struct bk_hold {
    char id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
    char staff_id[BK_HOLD_FIELD_CAP], treatment_id[BK_HOLD_FIELD_CAP], location_id[BK_HOLD_FIELD_CAP];
    char patient_id[BK_HOLD_FIELD_CAP];
    char appointment_id[BK_HOLD_FIELD_CAP]; /* the EMR's id once booked */
    char emr_hold_id[BK_HOLD_FIELD_CAP];    /* the EMR's own hold of this time (booking/emr_holds.h), or "" */
    char time_zone[64];                     /* the location's IANA zone */
    int64_t start, end, expires;            /* UTC ms */
} bk_hold_t;

/** Writes "hold_<id>.<token>" into out (BK_HOLD_PUBLIC_CAP). */
void bk_hold_public_id(const bk_hold_t *hold, char out[BK_HOLD_PUBLIC_CAP]);

/** Reads a public hold id into id and token. Returns false for anything that is not "hold_" + 24 lower-case hex
 * + "." + 32 lower-case hex. */
bool bk_hold_parse_public_id(const char *s, char id[BK_HOLD_ID_LEN + 1], char token[BK_HOLD_TOKEN_LEN + 1]);

/** True when s looks like a hold id at all (starts with "hold_"), well-formed or not. */
bool bk_hold_is_hold_id(const char *s);

/** True when [a0, a1) and [b0, b1) overlap. */
bool bk_intervals_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1);

typedef enum bk_hold_result {
    BK_HOLD_OK = 0,   /* placed (place) / claimed, it was "held" (claim) */
    BK_HOLD_TAKEN,    /* place: a live hold of that practitioner overlaps */
    BK_HOLD_RECOVER,  /* claim: claimed, but an earlier EMR write of it ended unknown: look in the EMR first */
    BK_HOLD_BOOKED,   /* claim: booked already (hold->appointment_id) */
    BK_HOLD_REQUESTED, /* claim: recorded as a booking request already (hold->appointment_id: its id) */
    BK_HOLD_BUSY,     /* claim: another request is booking it right now */
    BK_HOLD_GONE,     /* claim: expired, never existed, or the token is wrong */
    BK_HOLD_FAILED,   /* Redis failed */
} bk_hold_result_t;

/** Receives the hold (borrowed during the callback; NULL unless OK/RECOVER/BOOKED/REQUESTED). */
typedef void (*bk_hold_cb)(bk_hold_result_t result, const bk_hold_t *hold, void *data);

/** Places a hold of spec's practitioner, treatment, location, patient and [start, end) for the tenant's
 * hold_seconds, with a new random id and token. Returns 0 and calls cb exactly once later, or -1 (Redis not
 * connected, no randomness, end <= start or longer than BK_HOLD_MAX_MS) and never calls it. */
int bk_hold_place(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *spec, bk_hold_cb cb, void *data);

/** Claims a live hold for booking (state "booking" for at least lease_ms) when the token matches. Same
 * contract as bk_hold_place. */
int bk_hold_claim(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token, int lease_ms,
                  bk_hold_cb cb, void *data);

typedef enum bk_hold_outcome {
    BK_HOLD_SETTLE_BOOKED,  /* booked as appointment_id: kept as "booked" for hold_seconds, then gone */
    BK_HOLD_SETTLE_HELD,    /* nothing was written: back to "held" */
    BK_HOLD_SETTLE_UNKNOWN, /* the EMR write may have happened: "unknown" for hold_seconds */
    BK_HOLD_SETTLE_RELEASE, /* removed now */
} bk_hold_outcome_t;

/** Ends a claim (or releases a hold). appointment_id only for BOOKED. Fire and forget; a release also releases
 * the EMR's own hold of the time when there is one (best effort: booking/emr_holds.h). */
void bk_hold_settle(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_hold_outcome_t outcome,
                    const char *appointment_id);

/** A hash written in the same script as a hold's placing or settle (bk_hold_place_with, bk_hold_settle_with):
 * fields (name, value, name, value, ..., 2 * n strings) HSET into key, then PEXPIREAT expire_at when it is > 0.
 * only_if_live: only when key exists already (a record whose owner gave it up is not brought back); if_field (or
 * NULL): only when key's if_field is if_value. key must share the tenant's hash tag. */
typedef struct bk_hold_record {
    const char *key;
    const char *const *fields;
    size_t n;
    int64_t expire_at; /* UTC ms, or 0 */
    bool only_if_live;
    const char *if_field, *if_value;
} bk_hold_record_t;

#define BK_HOLD_RECORDS_MAX 4

/** A record's field value (the pointer itself) that bk_hold_place_with replaces by the new hold's public id. */
extern const char bk_hold_public_id_value[];

/** bk_hold_place that also writes record (may be NULL) in the same script once the hold is placed (not when
 * TAKEN), so the record names the hold from the moment it exists. Same contract as bk_hold_place. */
int bk_hold_place_with(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *spec,
                       const bk_hold_record_t *record, bk_hold_cb cb, void *data);

/** bk_hold_settle that also writes records[0..n) (n <= BK_HOLD_RECORDS_MAX), all in one script: the records are
 * written whether or not the hold still exists, so whatever the settle records about a booking is there together
 * or not at all. */
void bk_hold_settle_with(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_hold_outcome_t outcome,
                         const char *appointment_id, const bk_hold_record_t *records, size_t n);

/** Records the EMR's own hold of hold `id`'s time (while the hold exists). Fire and forget. */
void bk_hold_set_emr_hold(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *emr_hold_id);

/** Receives the live holds of a practitioner as [start, end) pairs (borrowed), or ok false when Redis failed. */
typedef void (*bk_holds_busy_cb)(bool ok, const int64_t (*intervals)[2], size_t count, void *data);

/** Reads the live holds of one practitioner overlapping [from, to). Same contract as bk_hold_place. */
int bk_holds_busy(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, int64_t from, int64_t to,
                  bk_holds_busy_cb cb, void *data);

/** bk_holds_busy asked of Redis itself, reading only the holds that can overlap [from, to) (not every live hold
 * of the practitioner through the read cache): for a caller that reads one window right after those holds
 * changed, when many such callers at once would each miss the cache and read them all. Same contract. */
int bk_holds_busy_window(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, int64_t from, int64_t to,
                         bk_holds_busy_cb cb, void *data);

#endif
