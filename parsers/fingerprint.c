#include "parsers/fingerprint.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Memory is the one thing here that grows with the file: a statement of millions of
 * entries without transaction ids keeps one hash per distinct entry. So a slot is the
 * 8-byte hash alone (counts live in a side table that only repeated payments, which
 * are rare, ever enter), and the table is split by the hash's top byte into segments
 * that grow one at a time: growing never holds two copies of the whole table.
 */
#define FP_SEGMENTS 256
#define FP_SEGMENT_MIN 16

typedef struct fp_segment {
    uint64_t *keys; /* 0 = empty slot; a real hash of 0 is remapped to 1 */
    size_t cap, used;
} fp_segment;

struct fingerprint_table {
    fp_segment seg[FP_SEGMENTS];
    /* hashes seen more than once and how often: counts[i] belongs to rep_keys[i] */
    uint64_t *rep_keys;
    uint32_t *rep_counts;
    size_t rep_cap, rep_used;
};

fingerprint_table *fingerprint_table_new(void) { return calloc(1, sizeof(fingerprint_table)); }

void fingerprint_table_free(fingerprint_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < FP_SEGMENTS; i++)
        free(t->seg[i].keys);
    free(t->rep_keys);
    free(t->rep_counts);
    free(t);
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Linear probing; the low bits pick the slot (the top byte already picked the segment). */
static size_t probe(const uint64_t *keys, size_t cap, uint64_t h)
{
    size_t j = (size_t)(h & (cap - 1));
    while (keys[j] != 0 && keys[j] != h)
        j = (j + 1) & (cap - 1);
    return j;
}

/* Doubles a segment once it would pass 3/4 full. */
static bool segment_reserve(fp_segment *s)
{
    if (s->cap != 0 && (s->used + 1) * 4 <= s->cap * 3)
        return true;
    size_t cap = s->cap ? s->cap * 2 : FP_SEGMENT_MIN;
    uint64_t *keys = calloc(cap, sizeof *keys);
    if (keys == NULL)
        return false;
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[i] != 0)
            keys[probe(keys, cap, s->keys[i])] = s->keys[i];
    free(s->keys);
    s->keys = keys;
    s->cap = cap;
    return true;
}

/* Count of a hash already seen once or more: 2 on its first repeat. */
static bool repeat_count(fingerprint_table *t, uint64_t h, uint32_t *count)
{
    if ((t->rep_used + 1) * 2 > t->rep_cap) {
        size_t cap = t->rep_cap ? t->rep_cap * 2 : FP_SEGMENT_MIN;
        uint64_t *keys = calloc(cap, sizeof *keys);
        uint32_t *counts = calloc(cap, sizeof *counts);
        if (keys == NULL || counts == NULL) {
            free(keys);
            free(counts);
            return false;
        }
        for (size_t i = 0; i < t->rep_cap; i++) {
            if (t->rep_keys[i] == 0)
                continue;
            size_t j = probe(keys, cap, t->rep_keys[i]);
            keys[j] = t->rep_keys[i];
            counts[j] = t->rep_counts[i];
        }
        free(t->rep_keys);
        free(t->rep_counts);
        t->rep_keys = keys;
        t->rep_counts = counts;
        t->rep_cap = cap;
    }
    size_t j = probe(t->rep_keys, t->rep_cap, h);
    if (t->rep_keys[j] == 0) {
        t->rep_keys[j] = h;
        t->rep_counts[j] = 1; /* the first sighting, in the segment table */
        t->rep_used++;
    }
    *count = ++t->rep_counts[j];
    return true;
}

/* "fp-<16 hex digits>-<occurrence>", written by hand: it is done for every row of a
 * statement without ids, where snprintf showed in profiles. */
static void format_key(uint64_t h, uint32_t occurrence, char out[RECEIPT_ID_MAX])
{
    static const char hex[] = "0123456789abcdef";
    char digits[10];
    size_t o = 0, nd = 0;
    out[o++] = 'f';
    out[o++] = 'p';
    out[o++] = '-';
    for (int shift = 60; shift >= 0; shift -= 4)
        out[o++] = hex[(h >> shift) & 0xF];
    out[o++] = '-';
    do {
        digits[nd++] = (char)('0' + occurrence % 10);
        occurrence /= 10;
    } while (occurrence > 0);
    while (nd > 0)
        out[o++] = digits[--nd];
    out[o] = '\0';
}

recon_status fingerprint_assign(fingerprint_table *t, receipt_t *r, const char *reference,
                                err_t *err)
{
    char date[DATE_STR_SIZE], amount[MONEY_STR_SIZE];
    date_format(r->booking_date, date);
    money_format(r->amount, amount);
    uint64_t h = 14695981039346656037ULL;
    const char *parts[] = {r->source, date, amount, reference ? reference : ""};
    for (size_t i = 0; i < 4; i++) {
        h = fnv1a(h, parts[i], strlen(parts[i]));
        h = fnv1a(h, "|", 1);
    }
    if (h == 0)
        h = 1;
    fp_segment *s = &t->seg[h >> 56];
    if (!segment_reserve(s))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    size_t j = probe(s->keys, s->cap, h);
    uint32_t occurrence = 1;
    if (s->keys[j] == 0) {
        s->keys[j] = h;
        s->used++;
    } else if (!repeat_count(t, h, &occurrence)) {
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    format_key(h, occurrence, r->transaction_key);
    return RECON_OK;
}
