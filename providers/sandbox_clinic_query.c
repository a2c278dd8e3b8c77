/* providers/sandbox_clinic_query.c: questions asked of a parsed clinic: IDs to indices, a practitioner's hours on
 * a local date (weekly rules, closures, overrides), and the deterministic synthetic busy intervals of that day. */
#include <string.h>

#include "providers/sandbox_clinic.h"
#include "providers/sandbox_clinic_impl.h"

long sb_id_index_find(const sb_id_index_t *index, const char *id)
{
    if (index == NULL || id == NULL) return -1;
    size_t lo = 0, hi = index->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(index->entries[mid].id, id);
        if (c == 0) return (long)index->entries[mid].index;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const sb_clinic_impl_t *impl_of(const sb_clinic_t *clinic)
{
    return (const sb_clinic_impl_t *)clinic;
}

long sb_clinic_find_location(const sb_clinic_t *clinic, const char *id)
{
    return clinic != NULL ? sb_id_index_find(&impl_of(clinic)->locations, id) : -1;
}

long sb_clinic_find_practitioner(const sb_clinic_t *clinic, const char *id)
{
    return clinic != NULL ? sb_id_index_find(&impl_of(clinic)->practitioners, id) : -1;
}

long sb_clinic_find_treatment(const sb_clinic_t *clinic, const char *id)
{
    return clinic != NULL ? sb_id_index_find(&impl_of(clinic)->treatments, id) : -1;
}

long sb_clinic_find_patient(const sb_clinic_t *clinic, const char *id)
{
    return clinic != NULL ? sb_id_index_find(&impl_of(clinic)->patients, id) : -1;
}

const sb_clinic_t *sb_clinic_empty(void)
{
    static const sb_clinic_impl_t empty; /* the whole owner, so its indices are there (and empty) too */
    return &empty.pub;
}

long sb_clinic_schedule_of(const sb_clinic_t *clinic, size_t practitioner, size_t location)
{
    if (clinic == NULL || practitioner >= clinic->practitioner_count) return -1;
    const sb_practitioner_t *p = &clinic->practitioners[practitioner];
    for (size_t k = 0; k < p->schedule_count; k++)
        if (p->schedules[k].location == location) return (long)k;
    return -1;
}

static int date_cmp(int y1, int m1, int d1, int y2, int m2, int d2)
{
    if (y1 != y2) return y1 < y2 ? -1 : 1;
    if (m1 != m2) return m1 < m2 ? -1 : 1;
    return d1 < d2 ? -1 : d1 > d2;
}

static int copy_out(const sb_interval_t *src, size_t n, sb_interval_t *out, size_t cap)
{
    if (n > cap) return -1;
    if (n > 0) memcpy(out, src, n * sizeof(*src));
    return (int)n;
}

int sb_clinic_day_hours(const sb_clinic_t *clinic, size_t practitioner, size_t location, int year, int month, int day,
                        sb_interval_t *out, size_t cap)
{
    if (clinic == NULL || practitioner >= clinic->practitioner_count || location >= clinic->location_count ||
        (out == NULL && cap > 0) || month < 1 || month > 12 || day < 1 || day > tz_days_in_month(year, month))
        return -1;
    const sb_location_t *l = &clinic->locations[location];
    size_t lo = 0, hi = l->closure_count; /* closures are sorted by date */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = date_cmp(l->closures[mid].year, l->closures[mid].month, l->closures[mid].day, year, month, day);
        if (c == 0) return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const sb_practitioner_t *p = &clinic->practitioners[practitioner];
    /* Overrides are sorted by date, then location (-1, "everywhere", first): find the first of this date. */
    lo = 0;
    hi = p->override_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sb_override_t *o = &p->overrides[mid];
        if (date_cmp(o->year, o->month, o->day, year, month, day) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < p->override_count; k++) {
        const sb_override_t *o = &p->overrides[k];
        if (date_cmp(o->year, o->month, o->day, year, month, day) != 0) break;
        if (o->location == -1 && o->closed) return 0;
        if (o->location == (long)location) return o->closed ? 0 : copy_out(o->intervals, o->interval_count, out, cap);
    }
    long s = sb_clinic_schedule_of(clinic, practitioner, location);
    if (s < 0) return 0;
    const sb_day_t *d = &p->schedules[s].days[tz_weekday(year, month, day) - 1];
    return copy_out(d->intervals, d->count, out, cap);
}

/* ---- generated bookings ------------------------------------------------------------------------------------ */

/* FNV-1a over bytes, then splitmix64 as the generator: the same numbers on every platform. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int sb_clinic_generated_busy(const sb_clinic_t *clinic, size_t practitioner, size_t location, int year, int month,
                             int day, sb_interval_t *out, size_t cap)
{
    sb_interval_t hours[SB_DAY_MAX_INTERVALS];
    int nh = sb_clinic_day_hours(clinic, practitioner, location, year, month, day, hours, SB_DAY_MAX_INTERVALS);
    if (nh < 0 || (out == NULL && cap > 0)) return -1;
    if (!clinic->generated.enabled || clinic->generated.fill_ratio <= 0 || nh == 0) return 0;
    /* Booking lengths: the practitioner's treatments offered at this location (else all of theirs). */
    const sb_practitioner_t *p = &clinic->practitioners[practitioner];
    int durations[64];
    size_t nd = 0;
    for (int pass = 0; pass < 2 && nd == 0; pass++) {
        for (size_t k = 0; k < p->treatment_count && nd < 64; k++) {
            const sb_treatment_t *t = &clinic->treatments[p->treatments[k]];
            int here = pass == 1;
            for (size_t j = 0; j < t->location_count && !here; j++) here = t->locations[j] == location;
            if (here) durations[nd++] = t->duration_minutes;
        }
    }
    if (nd == 0) return 0;
    double mean = 0;
    for (size_t k = 0; k < nd; k++) mean += durations[k];
    mean /= (double)nd;
    /* Walk each interval on the slot grid; at each free step start a booking with probability q, chosen so
     * that booked time / working time comes out near fill_ratio: q*L / (q*L + (1-q)*step) = f. */
    int step = clinic->policy.slot_step_minutes > 0 ? clinic->policy.slot_step_minutes : 15;
    double f = clinic->generated.fill_ratio;
    double q = f * step / (mean * (1 - f) + f * step);
    uint64_t threshold = q >= 1 ? UINT64_MAX : (uint64_t)(q * 18446744073709551616.0);
    unsigned char seed[8], date[4];
    uint64_t sv = (uint64_t)clinic->generated.seed;
    for (int i = 0; i < 8; i++) seed[i] = (unsigned char)(sv >> (8 * i));
    date[0] = (unsigned char)(year >> 8);
    date[1] = (unsigned char)year;
    date[2] = (unsigned char)month;
    date[3] = (unsigned char)day;
    uint64_t state = 0xcbf29ce484222325ULL;
    state = fnv(state, seed, sizeof(seed));
    state = fnv(state, p->id, strlen(p->id) + 1);
    state = fnv(state, clinic->locations[location].id, strlen(clinic->locations[location].id) + 1);
    state = fnv(state, date, sizeof(date));
    size_t n = 0;
    for (int i = 0; i < nh; i++) {
        int cur = hours[i].start;
        while (cur < hours[i].end) {
            uint64_t r = next_random(&state);
            int len = durations[next_random(&state) % nd];
            if (r < threshold && cur + len <= hours[i].end) {
                if (n == cap) return -1;
                out[n++] = (sb_interval_t){cur, cur + len};
                cur += len;
                int off = (cur - hours[i].start) % step;
                if (off != 0) cur += step - off;
            } else {
                cur += step;
            }
        }
    }
    return (int)n;
}
