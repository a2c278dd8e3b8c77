/* providers/cliniko_decode.h: pure decoders of Cliniko's JSON answers (and the small pure rules of the
 * Cliniko adapter: shard URLs, phone matching, cancel reason codes) into the normalized model. No I/O, so
 * each is unit-tested against the vendor's example payloads and fuzzed.
 *
 * Every decoder treats its input as hostile: wrong types, missing fields, huge numbers, deep nesting. IDs are
 * kept as strings (Cliniko's int64 IDs do not survive a double) and restricted to [A-Za-z0-9_-], so they are
 * safe in URL paths. Strings copied out are capped at PROV_CLINIKO_TEXT_CAP bytes. */
#ifndef FD_PROVIDERS_CLINIKO_DECODE_H
#define FD_PROVIDERS_CLINIKO_DECODE_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "providers/provider.h"

#define PROV_CLINIKO_ID_CAP 64
#define PROV_CLINIKO_URL_CAP 2048
#define PROV_CLINIKO_TEXT_CAP 512
#define PROV_CLINIKO_MAX_PHONES 8

/* ---- documents and pages ------------------------------------------------------------------------------- */

/** Parses a whole body as one JSON object (trailing bytes other than white space are an error; nesting is
 * bounded). Returns 0 with an owned object in *out, or -1. */
int prov_cliniko_parse_object(const char *body, size_t len, json_object **out);

/** One page of a list answer: {"<key>": [...], "total_entries": n, "links": {"self": ..., "next": ...}}. */
typedef struct prov_cliniko_page {
    json_object *root;  /* owned */
    json_object *items; /* borrowed from root: the array under key */
    size_t count;
    char next[PROV_CLINIKO_URL_CAP]; /* links.next as sent ("" on the last page or when too long) */
} prov_cliniko_page_t;

/** Parses a list page whose array is under `key`. Returns 0, or -1 (garbage, no such array). On success the
 * page owns the document: free it with prov_cliniko_page_clear. */
int prov_cliniko_page_parse(const char *body, size_t len, const char *key, prov_cliniko_page_t *page);

/** Frees what a page holds and zeroes it. */
void prov_cliniko_page_clear(prov_cliniko_page_t *page);

/** Resolves a page's links.next against base_url ("https://api.au1.cliniko.com/v1"): an absolute URL must
 * start with base_url followed by '/' or '?' (a link to another host is refused: our credentials must not
 * follow it); a path starting with '/' is appended to base_url. Returns 0 with the URL in out, or -1. */
int prov_cliniko_resolve_next(const char *next, const char *base_url, char *out, size_t cap);

/* ---- IDs ------------------------------------------------------------------------------------------------ */

/** Copies an ID given as a JSON string of [A-Za-z0-9_-]{1,63} or a non-negative JSON integer. Returns 0 or -1. */
int prov_cliniko_id(json_object *value, char *out, size_t cap);

/** The last path segment of a URL ("https://.../practitioners/123?page=1" -> "123"), validated as an ID.
 * Returns 0 or -1. */
int prov_cliniko_id_from_url(const char *url, char *out, size_t cap);

/** The ID of a related record: object[field].links.self's last segment. Returns 0, or -1 when absent/bad. */
int prov_cliniko_link_id(json_object *object, const char *field, char *out, size_t cap);

/* ---- records -------------------------------------------------------------------------------------------- */

/** A business (a location). loc.time_zone is the business's time_zone_identifier (IANA) when it has one. */
typedef struct prov_cliniko_business {
    bk_location_t loc;
    char *tz_label;     /* the Rails-style time_zone label, or NULL */
    bool online;        /* show_in_online_bookings */
    bool archived;      /* archived_at or deleted_at set */
    bool has_type_ids;  /* appointment_type_ids was present */
    bk_strings_t type_ids;
} prov_cliniko_business_t;

/** Decodes one item of GET /businesses. Returns 0, or -1 (no valid id, out of memory). Clear it after. */
int prov_cliniko_business_decode(json_object *item, prov_cliniko_business_t *out);
void prov_cliniko_business_clear(prov_cliniko_business_t *b);

/** A practitioner: staff.id, names, title, disciplines = [designation], ai_enabled = show_in_online_bookings.
 * *active is false for inactive or archived ones. Returns 0 or -1; free with prov_cliniko_staff_clear. */
int prov_cliniko_practitioner_decode(json_object *item, bk_staff_t *staff, bool *active);
void prov_cliniko_staff_clear(bk_staff_t *staff);

/** An appointment type: treatment id, name, duration (minutes, 1..1440); *billable_item_id gets the
 * billable item's ID ("" when none); *online = show_in_online_bookings; *archived when archived_at is set.
 * Returns 0 or -1; free with prov_cliniko_treatment_clear. */
int prov_cliniko_appointment_type_decode(json_object *item, bk_catalog_treatment_t *t, char *billable_item_id,
                                         size_t cap, bool *online, bool *archived);
void prov_cliniko_treatment_clear(bk_catalog_treatment_t *t);

/** A billable item: its ID and price in minor units ("120.50" -> 12050). Returns 0, or -1 without a valid
 * id or price. */
int prov_cliniko_billable_item_decode(json_object *item, char *id, size_t cap, int64_t *price_minor);

/** Parses a decimal price (JSON string "120.5" or number) into minor units (2 decimals). Returns 0 or -1. */
int prov_cliniko_price_minor(json_object *value, int64_t *out);

/** What Frontdesk needs from GET /settings: the account's Rails zone label and ISO country code. */
typedef struct prov_cliniko_settings {
    char tz_label[128]; /* "" when absent */
    char country_code[3]; /* "" when unknown */
} prov_cliniko_settings_t;

/** Decodes a GET /settings (or /settings/public) body. Returns 0, or -1 for garbage. */
int prov_cliniko_settings_decode(const char *body, size_t len, prov_cliniko_settings_t *out);

/** The ISO 4217 currency of an ISO country code ("AU" -> "AUD"); "AUD" when unknown. */
const char *prov_cliniko_currency_of(const char *country_code);

/** One item of available_times: its appointment_start (UTC ms). Returns 0 or -1. */
int prov_cliniko_available_time_decode(json_object *item, int64_t *start);

/** A patient: id, names, email, dob (only when YYYY-MM-DD); phone is NULL (see prov_cliniko_phone_e164).
 * phones receives the raw patient_phone_numbers[].number values (at most PROV_CLINIKO_MAX_PHONES).
 * *archived when archived_at/deleted_at is set. Returns 0 or -1; clear both after. */
int prov_cliniko_patient_decode(json_object *item, bk_patient_t *p, bk_strings_t *phones, bool *archived);

/** An individual appointment: id, starts_at/ends_at, state (cancelled_at -> cancelled, did_not_arrive ->
 * no_show, patient_arrived -> arrived, else booked), and the patient, practitioner, appointment type and
 * business IDs from their links. *deleted when deleted_at or archived_at is set. Returns 0 or -1; clear with
 * bk_appointment_clear. */
int prov_cliniko_appointment_decode(json_object *item, bk_appointment_t *a, bool *deleted);

/** Decodes a whole GET/POST/PATCH /individual_appointments/:id body. Returns 0 or -1. */
int prov_cliniko_appointment_body_decode(const char *body, size_t len, bk_appointment_t *a);

/** Decodes {"conflicts": {"exist": bool}}. Returns 0 or -1. */
int prov_cliniko_conflicts_decode(const char *body, size_t len, bool *exist);

/* ---- adapter rules -------------------------------------------------------------------------------------- */

/** The API base URL of a key: "https://api.<shard>.cliniko.com/v1" where the shard is the key's suffix
 * after its last '-' (two letters and one or two digits, e.g. "au2"); no '-' means "au1". Returns 0, or -1
 * when the suffix is not a shard. */
int prov_cliniko_base_url_for_key(const char *key, char *out, size_t cap);

/** True when a number as stored in Cliniko ("0412 345 678", "61444444444", "+1 (555) 010-2000") is the same
 * phone as an E.164 number ("+61412345678"): same digits, or a national form (leading 0 dropped) whose digits
 * end the E.164 digits after a 1-3 digit country code. */
bool prov_cliniko_phone_matches(const char *stored, const char *e164);

/** Writes a stored number as E.164 when it plainly is one ("+61 444 444 444", "0061444444444"); returns 0,
 * or -1 when it is national or not a phone number. */
int prov_cliniko_phone_e164(const char *stored, char *out, size_t cap);

/** Cliniko's cancellation_reason code for a free-text reason: 10 feeling better, 20 condition worse, 30 sick,
 * 31 COVID-19, 40 away, 60 work, else (and for NULL) 50 other. */
int prov_cliniko_cancel_reason_code(const char *reason);

/** A heap copy of s capped at PROV_CLINIKO_TEXT_CAP bytes without splitting a UTF-8 sequence; NULL for NULL, and
 * NULL with *oom set when out of memory. Shared by the adapters' decoders. */
char *prov_cliniko_dup_text(const char *s, bool *oom);

/** Appends `s` to buf percent-encoded for a query string (RFC 3986 unreserved kept). Returns 0, or -1 when
 * it does not fit (buf then holds a truncated, still NUL-terminated string). */
int prov_cliniko_query_escape(char *buf, size_t cap, const char *s);

#endif
