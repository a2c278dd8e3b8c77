/* store/store_uv.c: the only file that includes hiredis' libuv adapter. */
#include "store/store_uv.h"

#include <adapters/libuv.h>

int store_uv_attach(redisAsyncContext *ac, uv_loop_t *loop)
{
    return redisLibuvAttach(ac, loop) == REDIS_OK ? 0 : -1;
}
