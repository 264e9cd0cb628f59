/*
 * A policy's contract terms and statuses (rules.md sections 1, 2 and 7).
 * Plain values; nothing here allocates.
 */
#ifndef RECON_CORE_POLICY_H
#define RECON_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/money.h"

typedef enum payment_mode { PAYMENT_MONTHLY = 0, PAYMENT_SINGLE = 1 } payment_mode;

typedef struct policy_terms {
    date_t start_date;
    date_t end_date;    /* inclusive */
    payment_mode mode;
    fen_t premium;      /* one installment (monthly) or the whole premium (single) */
    fen_t net_premium;  /* same basis as premium; used for refunds (释义10) */
} policy_terms;

typedef enum policy_status {
    STATUS_PENDING = 0,
    STATUS_IN_FORCE,
    STATUS_GRACE,
    STATUS_SUSPENDED,
    STATUS_TERMINATED,
    STATUS_EXPIRED,
    STATUS_NOT_EFFECTIVE,
    STATUS_CANCELLED,
} policy_status;

#define POLICY_STATUS_COUNT 8

const char *policy_status_name(policy_status s);
bool policy_status_from_name(const char *name, policy_status *out);
/* Terminal statuses never change again. */
bool policy_status_is_final(policy_status s);
const char *payment_mode_name(payment_mode m);
bool payment_mode_from_name(const char *name, payment_mode *out);

/* 第十八条 paragraph 5: unpaid D+1 .. D+30 is grace; suspension starts at 00:00 of D+31. */
#define POLICY_GRACE_DAYS 30

/* A payment holiday granted by the insurer (rules.md section 11): no suspension takes
 * effect on a day in [from, until]. */
typedef struct payment_holiday {
    date_t from, until;
} payment_holiday;

/* The first day on or after earliest that lies in none of the holidays: the day a
 * suspension due on earliest takes effect (until + 1 of the holiday that covers it, or
 * of the next one that adjoins it). */
date_t policy_suspension_day(date_t earliest, const payment_holiday *holidays, size_t count);

/* Reads one "FROM:UNTIL" item of a list joined by ',' (as the store spells a policy's
 * holidays) and moves *s past it and its comma; false when the text is not that. */
bool policy_holiday_next(const char **s, payment_holiday *out);

/* 第十条: one year, start + 1 year - 1 day (2024-02-29 -> 2025-02-28). */
date_t policy_default_end(date_t start);

#endif
