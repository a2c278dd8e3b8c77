/* providers/credential_log.h: the operator's line when an EMR refuses a tenant's credential (revoked, rotated,
 * mistyped). The caller gets a 502 with a sentence; the operator needs to know which tenant and EMR to fix, and a
 * failing credential fails every request, so the line is written at most once a minute per credential. */
#ifndef FD_PROVIDERS_CREDENTIAL_LOG_H
#define FD_PROVIDERS_CREDENTIAL_LOG_H

#include <stdatomic.h>
#include <stdint.h>

/** When a credential's refusal was last logged (UTC ms); zero-initialise one per provider instance. */
typedef _Atomic int64_t prov_credential_log_t;

/** Writes one JSON warn line on stderr, {"ts","level":"warn","msg":"EMR refused the clinic's credential",
 * "tenant","provider","status","action"}, unless this credential's refusal was logged less than a minute ago.
 * Safe from every worker thread. Never logs the credential itself. */
void prov_credential_refused(prov_credential_log_t *last, const char *tenant_id, const char *provider,
                             long http_status);

#endif
