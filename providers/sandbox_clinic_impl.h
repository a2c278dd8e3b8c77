/* providers/sandbox_clinic_impl.h: private layout shared by the sandbox clinic parser and its queries. */
#ifndef FD_SANDBOX_CLINIC_IMPL_H
#define FD_SANDBOX_CLINIC_IMPL_H

#include <stddef.h>

#include "providers/sandbox_clinic.h"

/** One ID of a collection and its position in the file. */
typedef struct sb_id_entry {
    const char *id;
    size_t index;
} sb_id_entry_t;

/** The IDs of one collection sorted by strcmp, without duplicates (the first occurrence wins). */
typedef struct sb_id_index {
    sb_id_entry_t *entries;
    size_t count;
} sb_id_index_t;

typedef struct sb_arena sb_arena_t;

/** The owner of a parsed clinic: the public struct first, then what only this module reads. */
typedef struct sb_clinic_impl {
    sb_clinic_t pub;
    sb_arena_t *arena; /* every string and array of pub */
    sb_id_index_t locations, practitioners, treatments, patients;
} sb_clinic_impl_t;

/** Position of id in the index, or -1. */
long sb_id_index_find(const sb_id_index_t *index, const char *id);

#endif
