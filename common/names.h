/*
 * Names of enum values kept as designated-initializer tables (one line per value, checked by
 * the compiler against the enum) instead of switches. The strings are static.
 */
#ifndef RECON_COMMON_NAMES_H
#define RECON_COMMON_NAMES_H

#include <stddef.h>

/* table[i] when i is within the table and has a name, else fallback. */
static inline const char *name_at(const char *const *table, size_t n, long long i,
                                  const char *fallback)
{
    return i >= 0 && (size_t)i < n && table[i] != NULL ? table[i] : fallback;
}

#define NAME_OF(table, i, fallback) \
    name_at((table), sizeof(table) / sizeof((table)[0]), (long long)(i), (fallback))

#endif
