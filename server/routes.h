/* server/routes.h: the handlers behind the route table (one file per group of routes). */
#ifndef FD_SERVER_ROUTES_H
#define FD_SERVER_ROUTES_H

#include "providers/provider.h"
#include "server/request.h"
#include "tz/tz.h"

/** GET /widget/v1/frontdesk-widget.js: the booking widget's script (server/routes_widget.c). */
void srv_route_widget_script(srv_request_t *r);
/** GET /widget/demo: a page with the widget on the config's demo_page widget key (404 when none). */
void srv_route_widget_demo(srv_request_t *r);

/** GET /healthz: the process is up. */
void srv_route_healthz(srv_request_t *r);
/** GET /readyz: Redis answers a PING (503 otherwise). */
void srv_route_readyz(srv_request_t *r);

/** POST /ai_brain/fetchAllStaff: staff working at the request's location. */
void srv_route_fetch_all_staff(srv_request_t *r);
/** POST /ai_brain/fetchAllTreatments: treatments offered at the request's location. */
void srv_route_fetch_all_treatments(srv_request_t *r);
/** POST /ai_brain/fetchAllLocations: the tenant's bookable locations. */
void srv_route_fetch_all_locations(srv_request_t *r);

/** POST /ai_brain/fetchAvailabilityForRange: slots of one practitioner and treatment in a window (<= 31 days). */
void srv_route_fetch_availability_for_range(srv_request_t *r);
/** POST /ai_brain/fetchAvailabilityNext7Days: slots of the 7 local days from now. */
void srv_route_fetch_availability_next_7_days(srv_request_t *r);

/** GET /voice/clinic-info: AI-bookable staff, treatments and locations, the source, and a sentence to say. */
void srv_route_voice_clinic_info(srv_request_t *r);

/** GET /voice/bestSlot: the best slot for what a caller said, up to two alternatives, or why there is none. */
void srv_route_voice_best_slot(srv_request_t *r);

/** GET /voice/patientAppointments: a caller's upcoming appointments by phone, or first and last name. */
void srv_route_voice_patient_appointments(srv_request_t *r);

/** GET /voice/book: resolves names or a slot_id, finds or creates the patient, holds and books in one call;
 * retry-safe for 10 minutes without an Idempotency-Key; a slot gone since offered is 409 with alternatives. */
void srv_route_voice_book(srv_request_t *r);
/** GET /voice/cancel: cancels an appointment by id, or the caller's only upcoming one found by phone (+ names);
 * several: 409 which_appointment listing them. */
void srv_route_voice_cancel(srv_request_t *r);
/** GET /voice/reschedule: moves an appointment (by id, or the caller's only upcoming one) to a new free time,
 * keeping the original when the new time cannot be booked. */
void srv_route_voice_reschedule(srv_request_t *r);

/** POST /agents/vapi: Vapi's server URL: a tool-calls message's calls answered together (server/agents_vapi.c). */
void srv_route_agents_vapi(srv_request_t *r);
/** POST /agents/retell[/{tool}]: a Retell custom function, signed when the tenant has a Retell key. */
void srv_route_agents_retell(srv_request_t *r);
/** POST /agents/ghl/{tool}: a GoHighLevel Voice AI custom action's POST form (JSON body of parameters). */
void srv_route_agents_ghl(srv_request_t *r);

/** GET /ai_brain/events?state=dead: the tenant's events that could not be delivered to its webhooks. */
void srv_route_events(srv_request_t *r);
/** POST /ai_brain/events/{id}/replay: queues a dead event again for the endpoints where it is dead (202). */
void srv_route_event_replay(srv_request_t *r);

/** POST /ai_brain/createAppt: checks a slot against fresh availability and holds it (201, provisional). */
void srv_route_create_appt(srv_request_t *r);
/** POST /ai_brain/bookAppt: turns a live hold into a booking in the EMR. */
void srv_route_book_appt(srv_request_t *r);
/** POST /ai_brain/cancelAppt: cancels a booked appointment, or releases a provisional one. */
void srv_route_cancel_appt(srv_request_t *r);
/** POST /ai_brain/rescheduleAppt: moves an appointment, keeping the original when the new time fails. */
void srv_route_reschedule_appt(srv_request_t *r);
/** POST /ai_brain/lookup-create-patient: finds the patient by phone, e-mail, name + dob, or creates one. */
void srv_route_lookup_create_patient(srv_request_t *r);
/** POST /ai_brain/fetchPatientsAppointments: a patient's upcoming appointments, then the last 5 past. */
void srv_route_fetch_patients_appointments(srv_request_t *r);

/** POST /api-book-appointment (and /api/nookal/book_appt, /ghl/{token}/bookAppt): a ClinicSync-style booking in
 * one call (server/routes_compat_book.c). */
void srv_route_compat_book(srv_request_t *r);
/** POST /api-update-appointment (and /api/nookal/update_appt, /ghl/{token}/update_appt): moves an appointment. */
void srv_route_compat_update(srv_request_t *r);
/** POST /api-cancel-appointment (and /api/nookal/cancel_appt, /ghl/{token}/cancel_appt): cancels an appointment. */
void srv_route_compat_cancel(srv_request_t *r);

#endif
