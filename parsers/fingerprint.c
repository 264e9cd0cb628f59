#include "parsers/fingerprint.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fingerprint_table {
    uint64_t *keys; /* 0 = empty slot; a real hash of 0 is remapped to 1 */
    uint32_t *counts;
    size_t cap, used;
};

fingerprint_table *fingerprint_table_new(void) { return calloc(1, sizeof(fingerprint_table)); }

void fingerprint_table_free(fingerprint_table *t)
{
    if (t == NULL)
        return;
    free(t->keys);
    free(t->counts);
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

static bool grow(fingerprint_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint32_t *counts = calloc(cap, sizeof *counts);
    if (keys == NULL || counts == NULL) {
        free(keys);
        free(counts);
        return false;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->keys[i] == 0)
            continue;
        size_t j = (size_t)(t->keys[i] & (cap - 1));
        while (keys[j] != 0)
            j = (j + 1) & (cap - 1);
        keys[j] = t->keys[i];
        counts[j] = t->counts[i];
    }
    free(t->keys);
    free(t->counts);
    t->keys = keys;
    t->counts = counts;
    t->cap = cap;
    return true;
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
    if ((t->used + 1) * 2 > t->cap && !grow(t))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    size_t j = (size_t)(h & (t->cap - 1));
    while (t->keys[j] != 0 && t->keys[j] != h)
        j = (j + 1) & (t->cap - 1);
    if (t->keys[j] == 0) {
        t->keys[j] = h;
        t->used++;
    }
    uint32_t occurrence = ++t->counts[j];
    snprintf(r->transaction_key, sizeof r->transaction_key, "fp-%016llx-%u",
             (unsigned long long)h, occurrence);
    return RECON_OK;
}
