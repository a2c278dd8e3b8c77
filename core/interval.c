/* core/interval.c: sorting of UTC intervals without allocation (heap sort). */
#include "core/interval.h"

static int before(const bk_interval_t *a, const bk_interval_t *b)
{
    if (a->start != b->start) return a->start < b->start;
    return a->end < b->end;
}

static void sift_down(bk_interval_t *v, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && before(&v[child], &v[child + 1])) child++;
        if (!before(&v[root], &v[child])) return;
        bk_interval_t tmp = v[root];
        v[root] = v[child];
        v[child] = tmp;
        root = child;
    }
}

void bk_intervals_sort(bk_interval_t *v, size_t n)
{
    if (n < 2) return;
    for (size_t i = n / 2; i-- > 0;) sift_down(v, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        bk_interval_t tmp = v[0];
        v[0] = v[end];
        v[end] = tmp;
        sift_down(v, 0, end);
    }
}

int bk_intervals_sorted(const bk_interval_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i].start < v[i - 1].start) return 0;
    return 1;
}
