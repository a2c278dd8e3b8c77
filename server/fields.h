/* server/fields.h: reading typed fields out of a request's JSON body; a bad field is answered with a 400 that
 * names it, so handlers read fields in one line each. */
#ifndef FD_SERVER_FIELDS_H
#define FD_SERVER_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "providers/provider.h"
#include "server/request.h"
#include "tz/tz.h"

/** Reads an ID (a JSON string, or an integer turned into its decimal string) into out. Absent: out = "" and true
 * unless required (then 400 missing_field). Wrong type or longer than cap: 400 invalid_field. Returns false
 * when it answered the request. */
bool srv_field_id(srv_request_t *r, const char *name, bool required, char *out, size_t cap);

/** Answers 400 missing_field and returns false when the body has no (or a null) `name`. */
bool srv_field_required(srv_request_t *r, const char *name);

/** Reads an optional string field; *out is NULL when absent. Wrong type: 400 invalid_field. */
bool srv_field_string(srv_request_t *r, const char *name, const char **out);

/** Reads an ISO 8601 instant (a time without offset is read in zone). Absent: 400 missing_field when required,
 * else *present = false. Unparsable: 400 invalid_field with the parser's reason. */
bool srv_field_instant(srv_request_t *r, const char *name, bool required, const tz_zone_t *zone, int64_t *out,
                       bool *present);

/** The location the body names (locationId or location_id), or the tenant's default; answers 403
 * location_forbidden (or 400 for a wrong type) and returns NULL when it may not be used. */
const bk_location_t *srv_field_location(srv_request_t *r, const bk_catalog_t *catalog);

/** Starts reading the tenant's catalog for a route (deadline answer: 504 emr_timeout). Returns true when cb will
 * be called exactly once with `call`; false when Redis is down, after answering 503 (cb is never called then, so
 * the caller frees `call`). The callback must begin with srv_request_release. */
bool srv_start_catalog(srv_request_t *r, bk_catalog_cb cb, void *call);

#define SRV_EMR_RETRY_AFTER_DEFAULT 30 /* seconds, when an EMR that limited us did not say how long */

/** Adds Retry-After to an answer about the tenant's EMR limiting our calls: the seconds the EMR said (its 429
 * reset), or SRV_EMR_RETRY_AFTER_DEFAULT. */
void srv_add_emr_retry_after(srv_request_t *r);

/** Answers the error that matches a failed provider or cache call (502/503/504/422/404/409), with Retry-After
 * where it helps. */
void srv_respond_provider_failure(srv_request_t *r, prov_status_t status);

/** The start of a provider or catalog callback: releases r (srv_request_release) and, when the status is not
 * PROV_OK, answers it (srv_respond_provider_failure). True when the caller goes on to answer r from the result;
 * false when the client has gone or the failure is answered (the caller then only frees its call). */
bool srv_provider_answer_usable(srv_request_t *r, prov_status_t status);

#endif
