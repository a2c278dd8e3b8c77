/* tests/unit/fake_cliniko_client.h: starting tests/fakes/fake_cliniko.py from a C test and talking to its control
 * endpoints (blocking calls: test set-up only, never on the loop under test). */
#ifndef FD_TESTS_FAKE_CLINIKO_CLIENT_H
#define FD_TESTS_FAKE_CLINIKO_CLIENT_H

#include <json.h>
#include <stdbool.h>

/** Starts the fake on a free port with this API key (python from $FD_PYTHON, script under $FD_SOURCE_DIR) and
 * waits for its "ready <port>" line. Returns 0, or -1. */
int fake_cliniko_start(const char *api_key);

/** Stops the fake started by fake_cliniko_start. */
void fake_cliniko_stop(void);

/** "http://127.0.0.1:<port>" of the running fake. */
const char *fake_cliniko_base(void);

/** One blocking request to the fake; returns its parsed JSON body (caller owns; NULL when not JSON). */
json_object *fake_cliniko_call(const char *method, const char *path, const char *body);

/** POST /__control with a JSON object (delay_ms, fail_status, garbage, reset, ...). */
void fake_cliniko_control(const char *json);

/** Requests the fake received, from GET /__stats: those whose "METHOD /path" key equals `key` (exact) or
 * contains it. */
int fake_cliniko_hits(const char *key, bool exact);

#endif
