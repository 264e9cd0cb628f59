#include "core/outcome.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/schedule.h"

#define SCHEDULE_SLOTS 1024

typedef struct schedule_entry {
    bool valid, ok;
    payment_mode mode;
    date_t start, end;
    size_t count;
    date_t due[SCHEDULE_MAX_INSTALLMENTS];
} schedule_entry;

struct outcome_schedules {
    schedule_entry slot[SCHEDULE_SLOTS];
};

outcome_schedules *outcome_schedules_new(void) { return calloc(1, sizeof(outcome_schedules)); }

void outcome_schedules_free(outcome_schedules *c) { free(c); }

static size_t terms_hash(const policy_terms *t)
{
    uint32_t h = 2166136261u; /* FNV-1a over the three values */
    uint32_t parts[] = {(uint32_t)t->mode, (uint32_t)t->start_date, (uint32_t)t->end_date};
    for (size_t i = 0; i < 3; i++)
        for (int b = 0; b < 32; b += 8)
            h = (h ^ ((parts[i] >> b) & 0xffu)) * 16777619u;
    return h % SCHEDULE_SLOTS;
}

date_t outcome_due_date(outcome_schedules *c, const policy_terms *terms, long long n)
{
    schedule_entry *e = &c->slot[terms_hash(terms)];
    if (!e->valid || e->mode != terms->mode || e->start != terms->start_date ||
        e->end != terms->end_date) {
        e->mode = terms->mode;
        e->start = terms->start_date;
        e->end = terms->end_date;
        e->ok = schedule_due_dates(terms, e->due, SCHEDULE_MAX_INSTALLMENTS, &e->count);
        e->valid = true;
    }
    if (e->ok && n >= 1 && (unsigned long long)n <= e->count)
        return e->due[n - 1];
    return DATE_NONE;
}

bool outcome_add(outcome_allocs *a, long long installment, fen_t amount, date_t due,
                 long long paid)
{
    if (installment == 0)
        return money_add(&a->unapplied, amount);
    if (!money_add(&a->allocated, amount))
        return false;
    if (due == DATE_NONE)
        return true;
    if (a->latest_due == DATE_NONE || due > a->latest_due)
        a->latest_due = due;
    if (a->earliest_due == DATE_NONE || due < a->earliest_due)
        a->earliest_due = due;
    if (paid >= 0 && paid < installment)
        a->open_installment = true;
    return true;
}

const char *receipt_outcome(const char *decided, bool excess_refund, const outcome_allocs *a,
                            date_t as_of)
{
    if (*decided)
        return decided; /* duplicate, reversal, or what matching found (unidentified, ...) */
    if (a->unapplied > 0)
        return excess_refund ? "refund_due" : "overpaid";
    if (a->latest_due != DATE_NONE && a->latest_due > as_of)
        return a->earliest_due <= as_of ? "overpaid" : "prepaid";
    return a->open_installment ? "partial" : "matched";
}
