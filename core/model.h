/* core/model.h: the normalized clinic model every provider speaks and every route renders: locations,
 * staff, treatments (the catalog), and the tenant record. IDs are opaque strings whatever the EMR uses. */
#ifndef FD_BOOKING_MODEL_H
#define FD_BOOKING_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bk_strings {
    char **items;
    size_t count;
} bk_strings_t;

typedef struct bk_location {
    char *id, *name;
    char *line1, *city, *region, *postal_code, *country;
    char *phone, *time_zone, *booking_url;
} bk_location_t;

typedef struct bk_staff {
    char *id, *first_name, *last_name, *title, *email;
    bk_strings_t disciplines, treatment_ids, location_ids;
    bool ai_enabled;
} bk_staff_t;

typedef struct bk_catalog_treatment {
    char *id, *name;
    int duration_minutes;
    int64_t price_minor; /* price in minor units (cents) */
    char currency[4];
    bk_strings_t staff_ids, location_ids;
} bk_catalog_treatment_t;

/** A clinic's catalog. One owner; created by a provider or bk_catalog_from_json, freed by bk_catalog_free. */
typedef struct bk_catalog {
    bk_location_t *locations;
    size_t location_count;
    bk_staff_t *staff;
    size_t staff_count;
    bk_catalog_treatment_t *treatments;
    size_t treatment_count;
} bk_catalog_t;

/** Frees a catalog and everything it holds. NULL is fine. */
void bk_catalog_free(bk_catalog_t *catalog);

/** True when `id` is in the list. */
bool bk_strings_contains(const bk_strings_t *list, const char *id);

/** Appends a copy of `s` to the list. Returns 0, or -1 when out of memory. */
int bk_strings_push(bk_strings_t *list, const char *s);

/** Index of the location with this id, or -1. */
long bk_catalog_find_location(const bk_catalog_t *catalog, const char *id);

/** Index of the staff member with this id, or -1. */
long bk_catalog_find_staff(const bk_catalog_t *catalog, const char *id);

/** Index of the staff member whose e-mail is `email` (compared without regard to case), or -1 (also for NULL or
 * an empty email: staff without an e-mail never match). */
long bk_catalog_find_staff_by_email(const bk_catalog_t *catalog, const char *email);

/** Index of the treatment with this id, or -1. */
long bk_catalog_find_treatment(const bk_catalog_t *catalog, const char *id);

/** Writes "Dr Sarah Lee" style display names into buf (title, first and last name; no title when absent). */
void bk_staff_display_name(const bk_staff_t *staff, char *buf, size_t cap);

/** A patient as every EMR is asked and answers. phone is E.164 ("+61412345678"), dob "YYYY-MM-DD"; any
 * field but id may be NULL. city, state (or province) and country are the patient's address as given when the
 * patient was created (free text, e.g. from a GoHighLevel contact); EMRs without them leave them NULL. */
typedef struct bk_patient {
    char *id, *first_name, *last_name, *phone, *email, *dob;
    char *city, *state, *country;
} bk_patient_t;

typedef enum bk_appt_state {
    BK_APPT_PROVISIONAL = 0,
    BK_APPT_BOOKED,
    BK_APPT_ARRIVED,
    BK_APPT_NO_SHOW,
    BK_APPT_CANCELLED,
    BK_APPT_REQUESTED, /* a booking request the clinic has not confirmed yet (booking/requests.h) */
} bk_appt_state_t;

/** An appointment. Instants are UTC milliseconds since the epoch. */
typedef struct bk_appointment {
    char *id;
    bk_appt_state_t state;
    int64_t start, end;
    char *patient_id, *staff_id, *treatment_id, *location_id;
} bk_appointment_t;

/** "provisional", "booked", "arrived", "no_show", "cancelled" or "requested". */
const char *bk_appt_state_name(bk_appt_state_t state);

/** Frees the strings of a patient (not the struct itself) and zeroes it. */
void bk_patient_clear(bk_patient_t *patient);

/** Frees the strings of an appointment (not the struct itself) and zeroes it. */
void bk_appointment_clear(bk_appointment_t *appointment);

/** Clears the n patients of v and frees v (a list the callee owns); NULL is a no-op. */
void bk_patients_free(bk_patient_t *v, size_t n);

/** Clears the n appointments of v and frees v (a list the callee owns); NULL is a no-op. */
void bk_appointments_free(bk_appointment_t *v, size_t n);

/** Writes into dst an owned deep copy of src (a NULL string becomes ""; dst's old contents are not freed).
 * Returns false when out of memory, dst then zeroed with nothing to free. */
bool bk_appointment_copy(bk_appointment_t *dst, const bk_appointment_t *src);

/** Booking policy of a tenant (API.md, DESIGN.md). Durations in minutes or seconds as named. */
typedef struct bk_tenant_policy {
    int min_notice_minutes;
    int max_days_ahead;
    int hold_seconds;
    int slot_step_minutes;
    int buffer_minutes;
    int catalog_ttl_seconds;
    int availability_ttl_seconds;
    int voice_deadline_ms; /* API.md "Voice deadline": the voice routes answer within this */
    int request_ttl_minutes; /* API.md "Booking requests": an unanswered request expires after this */
} bk_tenant_policy_t;

struct prov_ops;
struct prov_instance;

/* A tenant's GoHighLevel webhook tokens valid at once (the secret segment of /ghl/<token>/...): two, rotated
 * like the API keys. */
#define BK_TENANT_MAX_GHL_TOKENS 2

/* A tenant's API keys valid at once: two, so a key is rotated (new one added, clients moved, old one removed)
 * with no failed call. */
#define BK_TENANT_MAX_KEYS 2

/** What keeps a tenant record (and the config that holds it) alive after a reload replaced it: a count of its
 * users, shared by every tenant of one config and changed from any thread. The release that drops it to zero
 * calls on_unused(data) on the releasing thread. */
typedef struct bk_keeper {
    _Atomic long users;
    void (*on_unused)(void *data);
    void *data;
} bk_keeper_t;

/** One tenant: one clinic connection. Built from a config (at start or by a reload) and immutable afterwards;
 * work that outlives the request it began for (a shared EMR fetch, event delivery) holds the tenant with
 * bk_tenant_retain until it ends. */
typedef struct bk_tenant {
    char *id;
    unsigned char key_digests[BK_TENANT_MAX_KEYS][32]; /* SHA-256 of each API key, [0 .. key_count) */
    size_t key_count;
    unsigned char ghl_token_digests[BK_TENANT_MAX_GHL_TOKENS][32]; /* SHA-256 of each GHL webhook token */
    size_t ghl_token_count;                                       /* 0: the tenant has no /ghl/ webhook URLs */
    const struct prov_ops *provider;
    struct prov_instance *provider_instance;
    bk_strings_t locations; /* locations it may book; empty = all of the clinic's */
    char *default_location; /* NULL = the first allowed */
    char *time_zone, *locale, *country;
    bool ai_booking;
    bk_tenant_policy_t policy;
    double rate_per_second;
    int rate_burst;
    struct bk_webhooks *webhooks; /* its webhook endpoints (booking/events.h); NULL when none */
    bk_keeper_t *keeper;          /* its config's keeper; NULL = lives as long as the process */
} bk_tenant_t;

/** Counts one more user of the tenant's record (NULL or keeper-less: nothing). Thread-safe. */
void bk_tenant_retain(const bk_tenant_t *tenant);

/** Ends one use counted by bk_tenant_retain; the last one may free the record (through its keeper), so the tenant
 * must not be touched afterwards. Thread-safe. */
void bk_tenant_release(const bk_tenant_t *tenant);

/** True when the tenant may book into location `id` of `catalog` (an unknown id is never allowed). */
bool bk_tenant_allows_location(const bk_tenant_t *tenant, const bk_catalog_t *catalog, const char *id);

/** The tenant's default location among the catalog's: the configured one, else the first allowed. NULL when
 * the catalog has none the tenant may book. */
const bk_location_t *bk_tenant_default_location(const bk_tenant_t *tenant, const bk_catalog_t *catalog);

#endif
