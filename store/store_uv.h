/* store/store_uv.h: attaches a hiredis async context to a uv loop (kept apart: the adapter header defines
 * static functions whose names clash with ordinary code). */
#ifndef FD_STORE_UV_H
#define FD_STORE_UV_H

#include <async.h>
#include <uv.h>

/** Attaches `ac` to `loop` with hiredis' libuv adapter. Returns 0, or -1 on failure (caller frees ac). */
int store_uv_attach(redisAsyncContext *ac, uv_loop_t *loop);

#endif
