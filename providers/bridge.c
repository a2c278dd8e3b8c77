/* providers/bridge.c: the `bridge` EMR: any system that implements our own HTTP contract, the EMR bridge
 * (openapi/emr-bridge.yaml, docs/bridge.md), behind the provider interface, over the worker's shared HTTP client
 * (providers/http_client.h). Integrators (an unofficial-API vendor, a robot driving the EMR's screens, an
 * agency's own code) implement the contract for EMRs that offer no booking API we can call.
 *
 * One instance per tenant, shared by every worker: settings immutable after create, capabilities atomic. Every
 * call is a POST of a JSON object signed with the tenant's shared secret (bridge_sign.h); every answer is
 * checked against the contract's shapes before it is used (an answer outside it is a 502 and an operator line).
 *
 * What the bridge does natively is what it says in its capabilities (bridge_capabilities.c), learnt once per
 * instance: a conflict probe (booking checks each new booking), a native reschedule (else booking moves an
 * appointment by create + cancel), phone search (else booking searches by name and compares phones), and
 * whether it can write appointments at all (PROV_CAP_NO_WRITE: writes answer PROV_REJECTED without being sent).
 * With native_hold the bridge also holds time itself (bridge_holds.c): booking holds there after its own Redis
 * hold, and books with the bridge's hold id; without it Frontdesk's holds are all there is.
 * A read-only bridge cannot create patients either: a new caller becomes Frontdesk's own patient record
 * (bridge_own_patients.c), as for Jane.
 *
 * The adapter, one concern per file (bridge_internal.h is what they share):
 *   bridge.c               this ops table, and the answers given from the instance alone
 *   bridge_settings.c      create/destroy: provider_settings checked and turned into an instance
 *   bridge_sign.c          the request signature (HMAC-SHA256 over timestamp "." body)
 *   bridge_request.c       one signed call: body, headers, deadlines, status mapping, the operator's lines
 *   bridge_capabilities.c  the capabilities, asked once and cached
 *   bridge_catalog.c       fetch_catalog, fetch_availability
 *   bridge_patients.c      find_patients, create_patient through the bridge
 *   bridge_own_patients.c  whose patients: the bridge's, or Frontdesk's own records for a read-only bridge
 *   bridge_appointments.c  list, probe conflicts, and the writes (create, cancel, reschedule, delete)
 *   bridge_holds.c         the bridge's own holds: hold_time, release_hold
 *   bridge_decode.c        the pure checks and decoders of the contract's shapes */
#include "providers/bridge_internal.h"

static int bridge_knows_location(void *instance, const char *location_id)
{
    (void)instance;
    (void)location_id;
    return -1; /* the bridge must be asked */
}

static void bridge_on_store_connected(void *instance, prov_env_t *env)
{
    bridge_learn_capabilities(instance, env);
}

const prov_ops_t prov_bridge_ops = {
    .name = "bridge",
    .capabilities = 0, /* until the bridge said what it can do: see live_capabilities */
    .live_capabilities = bridge_live_capabilities,
    .create = bridge_create,
    .destroy = bridge_destroy,
    .knows_location = bridge_knows_location,
    .retry_after_seconds = NULL,
    .policy_defaults = NULL,
    .on_store_connected = bridge_on_store_connected,
    .fetch_catalog = bridge_fetch_catalog,
    .fetch_availability = bridge_fetch_availability,
    .find_patients = bridge_own_find_patients,
    .create_patient = bridge_own_create_patient,
    .list_appointments = bridge_own_list_appointments,
    .create_appointment = bridge_create_appointment,
    .cancel_appointment = bridge_cancel_appointment,
    .reschedule_appointment = bridge_reschedule_appointment,
    .probe_conflicts = bridge_probe_conflicts,
    .delete_appointment = bridge_delete_appointment,
    .hold_time = bridge_hold_time,
    .release_hold = bridge_release_hold,
    .create_held_appointment = bridge_create_held_appointment,
};
