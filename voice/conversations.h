/* voice/conversations.h: the conversations a voice agent has with the clinic, one per tool (clinic_info, best_slot,
 * patient_appointments, book, cancel, reschedule), whatever surface carries the call: the GET /voice routes and the
 * voice platforms' tool calls (server/). Each reads what the caller said through the call's host (vc_param: the
 * query string, or a tool call's named arguments) and answers exactly once through it (voice/host.h), with the
 * sentence to say in "message"; the host renders that answer (HTTP status and JSON). The call's host must be valid
 * when one is called; asynchronous steps hold it. */
#ifndef FD_VOICE_CONVERSATIONS_H
#define FD_VOICE_CONVERSATIONS_H

#include <stdbool.h>

#include "voice/host.h"

/** The clinic as an agent needs it: the AI-bookable practitioners, the treatments they offer, the locations the key
 * may book, where the answer came from, and one sentence. */
void vc_clinic_info(const vc_call_t *v);

/** The one slot a caller most wants (plus up to two different alternatives), from what they said: treatment_name,
 * time_zone, staff_member_name?, clinic_location_name?, requested_time_utc?, part_of_day?; or why there is none.
 * A complete answer is marked keep (vc_answer_t) for the host's answer cache. */
void vc_best_slot(const vc_call_t *v);

/** A caller's upcoming appointments, found by phone or by first_name and last_name, read out in one sentence. */
void vc_patient_appointments(const vc_call_t *v);

/** Books what the caller said (slot_id, or names and start_at) for the caller (first_name, last_name, phone and/or
 * email): finds or creates the patient, holds and books, retry-safe for 10 minutes without a claim; a slot gone
 * since offered is answered with the nearest free alternatives. claim: the host's retry claim (an
 * Idempotency-Key's) or NULL; always ended. */
void vc_book(const vc_call_t *v, void *claim);

/** Cancels the appointment (appointment_id, or the caller's only upcoming one by phone and names; several: asks which
 * one). recovering: an earlier run under the same claim ended with an unknown outcome. */
void vc_cancel(const vc_call_t *v, void *claim, bool recovering);

/** Moves the appointment (found as for vc_cancel) to new_start_at (new_end_at?, staff_member_id?,
 * clinic_location_id?, time_zone?), keeping it, with free times near the one asked for, when that time is not free. */
void vc_reschedule(const vc_call_t *v, void *claim, bool recovering);

#endif
