/* tests/fuzz/fuzz_sb_clinic.c: libFuzzer target for the sandbox clinic file parser: no crash or leak on any input;
 * a refused file always says why; a loaded clinic answers its day queries within their documented bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sandbox_clinic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sb_diag_t *diag = sb_diag_new();
    if (diag == NULL) return 0;
    sb_clinic_t *c = sb_clinic_parse((const char *)data, size, diag);
    char text[2048];
    size_t need = sb_diag_render(diag, text, sizeof(text));
    if (strlen(text) != (need < sizeof(text) ? need : sizeof(text) - 1)) abort();
    if (c == NULL) {
        if (sb_diag_error_count(diag) == 0 || sb_diag_count(diag) == 0) abort(); /* every refusal says why */
    } else {
        if (sb_diag_error_count(diag) != 0) abort();
        for (size_t p = 0; p < c->practitioner_count && p < 8; p++) {
            for (size_t l = 0; l < c->location_count && l < 4; l++) {
                for (int d = 1; d <= 7; d++) {
                    sb_interval_t hours[SB_DAY_MAX_INTERVALS], busy[SB_DAY_MAX_BUSY];
                    int nh = sb_clinic_day_hours(c, p, l, 2026, 3, d, hours, SB_DAY_MAX_INTERVALS);
                    int nb = sb_clinic_generated_busy(c, p, l, 2026, 3, d, busy, SB_DAY_MAX_BUSY);
                    if (nh < 0 || nb < 0) abort();
                    for (int i = 0; i < nh; i++)
                        if (hours[i].start < 0 || hours[i].end > 1440 || hours[i].start >= hours[i].end) abort();
                    for (int i = 1; i < nb; i++)
                        if (busy[i].start < busy[i - 1].end) abort();
                }
            }
            if (sb_clinic_find_practitioner(c, c->practitioners[p].id) != (long)p) abort();
        }
    }
    sb_clinic_free(c);
    sb_diag_free(diag);
    return 0;
}
