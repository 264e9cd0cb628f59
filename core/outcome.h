/*
 * A receipt's outcome as of a day (rules.md: matched, partial, prepaid,
 * overpaid, refund_due, or what matching decided), from what its allocations
 * paid. The due dates come from core/schedule, computed per policy terms and
 * kept in an outcome_schedules the caller owns (outcome_schedules_free).
 * Pure: no I/O.
 */
#ifndef RECON_CORE_OUTCOME_H
#define RECON_CORE_OUTCOME_H

#include <stdbool.h>

#include "core/date.h"
#include "core/money.h"
#include "core/policy.h"

/* What a receipt's allocations say: sums of the amounts to installments and to
 * 0 (unapplied), the latest and earliest due date among the installments paid
 * that the schedule has, and whether one of those is beyond the policy's paid
 * installments (still open). */
typedef struct outcome_allocs {
    fen_t allocated, unapplied;
    date_t latest_due, earliest_due; /* DATE_NONE: no installment */
    bool open_installment;
} outcome_allocs;

#define OUTCOME_ALLOCS_INIT {0, 0, DATE_NONE, DATE_NONE, false}

/* Schedules by policy terms. Policies share terms (a start date, its default
 * end, a mode: a few hundred combinations a year), so a small table keyed by
 * them spares recomputing a schedule for nearly every receipt. */
typedef struct outcome_schedules outcome_schedules;

outcome_schedules *outcome_schedules_new(void); /* NULL: out of memory */
void outcome_schedules_free(outcome_schedules *c);

/* The due date of installment n (from 1) under the terms (only mode, start and
 * end matter), or DATE_NONE when the schedule has no such installment. */
date_t outcome_due_date(outcome_schedules *c, const policy_terms *terms, long long n);

/* Adds one allocation of amount to installment (0: unapplied), due on due
 * (DATE_NONE: unknown), of a policy with paid installments paid (negative:
 * unknown). False when a sum would overflow. */
bool outcome_add(outcome_allocs *a, long long installment, fen_t amount, date_t due,
                 long long paid);

/* The outcome as of as_of: decided when matching decided it (non-empty:
 * duplicate, reversal, unidentified, ...); else refund_due (when the policy has
 * an excess refund) or overpaid when some is unapplied; prepaid when all of it
 * went to installments not yet due; overpaid when it paid what was due and the
 * rest is credit for later installments; partial when an installment it paid is
 * still short; matched otherwise. */
const char *receipt_outcome(const char *decided, bool excess_refund, const outcome_allocs *a,
                            date_t as_of);

#endif
