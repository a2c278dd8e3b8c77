/* server/framing.c: refusing ambiguous HTTP/1.1 framing (see framing.h). */
#include "server/framing.h"

#include <string.h>
#include <strings.h>

/* True when the header line line[0..len) is named `name` (case-insensitive, up to its colon). */
static bool line_names(const char *line, size_t len, const char *name, size_t name_len)
{
    return len > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0;
}

bool srv_framing_has_both_lengths(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->entity.base == NULL || req->conn->callbacks->get_socket == NULL) return false;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->input == NULL) return false;
    const char *p = sock->input->bytes, *end = p + sock->input->size;
    size_t mlen = req->input.method.len;
    if ((size_t)(end - p) <= mlen || memcmp(p, req->input.method.base, mlen) != 0 || p[mlen] != ' ') return false;
    bool length = false, chunked = false;
    const char *line = memchr(p, '\n', (size_t)(end - p));
    while (line != NULL && ++line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t len = (size_t)((eol != NULL ? eol : end) - line);
        if (len > 0 && line[len - 1] == '\r') len--;
        if (len == 0) break; /* the blank line ends the head */
        length |= line_names(line, len, "content-length", 14);
        chunked |= line_names(line, len, "transfer-encoding", 17);
        line = eol;
    }
    return length && chunked;
}
