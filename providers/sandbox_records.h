/* providers/sandbox_records.h: the sandbox EMR's patients and appointments: those of the clinic file (read-only,
 * in memory) plus those created through the API, kept in Redis under fd:{t}:sandbox:
 *   patients      hash  id -> patient JSON                  ("pt-api-<14 base-36>")
 *   index         hash  "p:<phone>" / "e:<email>" / "n:<first>|<last>|<dob>" / "a:<patient>" -> "id,id,..."
 *   appointments  hash  id -> appointment JSON              ("sb-appt-<14 base-36>")
 *   busy          zset  appointment id scored by its start  (booked ones only; kept for older versions)
 *   busy:<staff>  zset  "<end ms>:<id>" scored by start       (one practitioner's booked ones: what a check reads)
 *   seq           the id counter of older versions (no longer written)
 * Ids are time-ordered and random (providers/record_id.h), never a counter, so none is handed out twice even after
 * Redis lost its data: an id from before such a loss is PROV_NOT_FOUND, never another patient's record.
 * Each write is one Lua script, so two bookings of one practitioner can never overlap (the sandbox, like most
 * EMRs, refuses a double booking: PROV_CONFLICT). */
#ifndef FD_PROVIDERS_SANDBOX_RECORDS_H
#define FD_PROVIDERS_SANDBOX_RECORDS_H

#include "providers/provider.h"
#include "providers/sandbox_clinic.h"

#define SB_RECORD_KEYS 5
#define SB_RECORD_KEY_CAP 160
#define SB_APPT_MAX_MS (24LL * 3600 * 1000) /* longest appointment the sandbox takes */

/** Writes the tenant's record keys (patients, index, appointments, busy, seq) into keys. */
void sb_records_keys(const char *tenant_id, char keys[SB_RECORD_KEYS][SB_RECORD_KEY_CAP]);

/** Lua: member(end, id), the member of a practitioner's busy set ("<end ms>:<id>"). */
#define SB_RECORDS_MEMBER_LUA \
    "local function member(stop, id) return string.format('%.0f', tonumber(stop)) .. ':' .. id end "

/** Lua (a chunk of the sandbox seed script) that appends to `out` the start, end pairs of practitioner
 * ARGV[3]'s booked API appointments overlapping [ARGV[4], ARGV[5]), KEYS[7] being the busy set (the
 * practitioner's own is KEYS[7] .. ':' .. ARGV[3]). Decodes no JSON: the end is in the member. */
#define SB_RECORDS_BUSY_LUA                                                                                    \
    "local busy = redis.call('ZRANGEBYSCORE', KEYS[7] .. ':' .. ARGV[3], tonumber(ARGV[4]) - 86400000, "     \
    "  '(' .. ARGV[5], 'WITHSCORES') "                                                                        \
    "for i = 1, #busy, 2 do local stop = string.match(busy[i], '^(-?%d+):') "                                 \
    "  if tonumber(stop) > tonumber(ARGV[4]) then out[#out + 1] = busy[i + 1] out[#out + 1] = stop end "      \
    "end "

/** Lua (a chunk of the sandbox seed script) that indexes the booked API appointments of the one busy set KEYS[7]
 * (written by versions before the per-practitioner sets) into those sets. */
#define SB_RECORDS_INDEX_LUA                                                                                   \
    SB_RECORDS_MEMBER_LUA                                                                                      \
    "for _, id in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do local raw = redis.call('HGET', KEYS[6], id) " \
    "  if raw then local a = cjson.decode(raw) if a.state ~= 'cancelled' then "                                \
    "    redis.call('ZADD', KEYS[7] .. ':' .. a.staff, tonumber(a.start), member(a['end'], id)) end end "      \
    "end "

/** The prov_ops operations over one tenant's records; clinic is the tenant's parsed file. Each returns 0 and
 * calls back exactly once later, or -1 and never calls back. */
int sb_records_find_patients(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                             const prov_patient_query_t *query, prov_patients_cb cb, void *data);
/** Creates a patient (see sb_records_find_patients for the contract). */
int sb_records_create_patient(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                              const bk_patient_t *patient, prov_patient_cb cb, void *data);
/** A patient's appointments from `from` on, the file's and the API's, cancelled ones included; PROV_NOT_FOUND
 * when the patient is neither the file's nor the API's. */
int sb_records_list_appointments(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                                 const char *patient_id, int64_t from, prov_appointments_cb cb, void *data);
/** Books an appointment; PROV_CONFLICT when it overlaps a booking of that practitioner, PROV_NOT_FOUND when
 * there is no such patient. */
int sb_records_create_appointment(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env,
                                  const bk_appointment_t *appointment, prov_appointment_cb cb, void *data);
/** Cancels an API appointment; PROV_CONFLICT when it is cancelled already, PROV_REJECTED for the file's. */
int sb_records_cancel(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env, const char *id,
                      const char *reason, prov_appointment_cb cb, void *data);
/** Moves an API appointment; PROV_CONFLICT when the new time overlaps another booking or it is cancelled. */
int sb_records_reschedule(const char *tenant_id, const sb_clinic_t *clinic, prov_env_t *env, const char *id,
                          int64_t start, int64_t end, const char *staff_id, prov_appointment_cb cb, void *data);

#endif
