/*
 * Growing arrays: one rule for every list read into memory (double the room, never overflow
 * the size). The array stays the caller's, to free.
 */
#ifndef RECON_COMMON_GROW_H
#define RECON_COMMON_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for at least need items of size bytes in the array at *(T **)items whose room
 * is *cap items (at least doubling, from 8). False when out of memory or when the size would
 * overflow; the array and *cap are then unchanged. */
bool grow_array(void *items, size_t *cap, size_t need, size_t size);

/* GROW(p, cap, need) for a T *p: grow_array(&p, &cap, need, sizeof *p). */
#define GROW(p, cap, need) grow_array(&(p), &(cap), (need), sizeof *(p))

#endif
