/* booking/api_error.h: every error the API can answer, in one table: code, the HTTP status server/ renders it
 * with, name and default message. Below server/ and voice/ so that both speak the same errors (voice/ never looks
 * at the status column). */
#ifndef FD_BOOKING_API_ERROR_H
#define FD_BOOKING_API_ERROR_H

#include <stddef.h>

#include "providers/provider.h"

/* X(enum suffix, HTTP status, snake_case code, default message) */
#define API_ERRORS(X)                                                                                               \
    X(BAD_REQUEST, 400, "bad_request", "The request is not well-formed HTTP.")                                     \
    X(INVALID_JSON, 400, "invalid_json", "The request body is not a valid JSON object.")                           \
    X(INVALID_FIELD, 400, "invalid_field", "A field has the wrong type or format.")                                \
    X(MISSING_FIELD, 400, "missing_field", "A required field is missing.")                                         \
    X(INVALID_TIME_ZONE, 400, "invalid_time_zone", "The time zone is not one we know.")                            \
    X(INVALID_SLOT_ID, 400, "invalid_slot_id", "The slot_id is not one this service offered.")                     \
    X(UNAUTHORIZED, 401, "unauthorized", "Send a valid API key in the x-api-key header.")                          \
    X(BOOKING_NOT_ENABLED, 403, "booking_not_enabled", "This location is not enabled for booking")                 \
    X(LOCATION_FORBIDDEN, 403, "location_forbidden", "This API key may not use that location.")                    \
    X(ORIGIN_FORBIDDEN, 403, "origin_forbidden", "This website may not use this widget key.")                      \
    X(WIDGET_ROUTE_FORBIDDEN, 403, "widget_route_forbidden", "A widget key may not use this route.")               \
    X(NOT_FOUND, 404, "not_found", "There is no such route.")                                                      \
    X(UNKNOWN_TOOL, 404, "unknown_tool", "There is no tool by that name.")                                        \
    X(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "This route does not accept that method.")                    \
    X(BODY_TOO_LARGE, 413, "body_too_large", "The request body is larger than 64 KiB.")                            \
    X(URI_TOO_LONG, 414, "uri_too_long", "The query string is longer than 8 KiB.")                                 \
    X(UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).") \
    X(EXPECTATION_FAILED, 417, "expectation_failed", "Only Expect: 100-continue is supported.")                    \
    X(UNKNOWN_STAFF, 422, "unknown_staff", "There is no such practitioner at this clinic.")                       \
    X(UNKNOWN_LOCATION, 422, "unknown_location", "There is no such location at this clinic.")                     \
    X(UNKNOWN_TREATMENT, 422, "unknown_treatment", "There is no such treatment at this clinic.")                   \
    X(AMBIGUOUS_NAME, 422, "ambiguous_name", "Several names fit what the caller said; ask which one.")           \
    X(NOT_OFFERED, 422, "not_offered", "That practitioner does not offer that treatment at that location.")         \
    X(SLOT_TAKEN, 409, "slot_taken", "Another caller is holding or has just booked that time. Please choose another slot.") \
    X(SLOT_UNAVAILABLE, 409, "slot_unavailable", "That time is no longer free. Please choose another slot.")       \
    X(HOLD_EXPIRED, 409, "hold_expired", "This hold has expired or is not yours. Please create a new one.")        \
    X(ALREADY_CANCELLED, 409, "already_cancelled", "That appointment is already cancelled.")                       \
    X(WHICH_APPOINTMENT, 409, "which_appointment", "The caller has several upcoming appointments; ask which one.") \
    X(AMBIGUOUS_PATIENT, 409, "ambiguous_patient", "More than one patient matches equally; ask for more details.") \
    X(IDEMPOTENCY_IN_PROGRESS, 409, "idempotency_in_progress", "A request with this Idempotency-Key is still running; retry shortly.") \
    X(IDEMPOTENCY_KEY_REUSED, 422, "idempotency_key_reused", "This Idempotency-Key was used with a different request.") \
    X(TIME_UNAVAILABLE, 422, "time_unavailable", "That time cannot be booked: it is taken or not offered. Please choose another time.") \
    X(APPOINTMENT_CANCELLED, 422, "appointment_cancelled", "That appointment is already cancelled.")               \
    X(INVALID_RANGE, 422, "invalid_range", "The time range is not one that can be searched.")                      \
    X(NOT_BOOKABLE_ONLINE, 422, "not_bookable_online", "The clinic does not take online bookings for that choice.") \
    X(RATE_LIMITED, 429, "rate_limited", "Too many requests for this API key; retry after the given seconds.")     \
    X(EMR_ERROR, 502, "emr_error", "The clinic's system answered with an error. Please try again shortly.")        \
    X(REDIS_UNAVAILABLE, 503, "redis_unavailable", "The booking service is briefly unavailable. Please try again in a moment.") \
    X(SERVICE_UNAVAILABLE, 503, "service_unavailable", "The clinic's system is unavailable right now. Please try again in a moment.") \
    X(EMR_RATE_LIMITED, 503, "emr_rate_limited", "The clinic's system is busy right now. Please try again in a minute.") \
    X(EMR_TIMEOUT, 504, "emr_timeout", "The clinic's system did not answer in time. Please try again.")

typedef enum api_error {
#define X(name, status, code, message) API_ERR_##name,
    API_ERRORS(X)
#undef X
        API_ERR__COUNT
} api_error_t;

/** HTTP status of an error. */
int api_error_status(api_error_t err);

/** snake_case code of an error, e.g. "location_forbidden". */
const char *api_error_code(api_error_t err);

/** Default sentence of an error. */
const char *api_error_message(api_error_t err);

/** Writes {"error":{"code","message","field"}} into buf (message NULL = the default; field NULL = JSON null).
 * Returns the length written, truncated to fit cap (cap >= 64 keeps it valid JSON for the default messages). */
size_t api_error_render(api_error_t err, const char *message, const char *field, char *buf, size_t cap);

/** The error of a failed provider call, for reads and writes alike: timeout 504 emr_timeout, upstream 502
 * emr_error, rejected 422 not_bookable_online, rate limited emr_rate_limited, not found 404; PROV_CONFLICT is 409
 * slot_taken (providers/provider.h, and openapi/openapi.yaml's Conflict answer of every write); anything else 503
 * service_unavailable. */
api_error_t api_error_of_provider(prov_status_t status);

#endif
