/*
 * The work list for finance (issue 14): ageing buckets of overdue policies and of money
 * in suspense, and the date rule of the suspension_soon notice. Pure functions over
 * plain values; the names returned are static strings.
 */
#ifndef RECON_CORE_WORKLIST_H
#define RECON_CORE_WORKLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/policy.h"

#define WORKLIST_AGEING_BUCKETS 5  /* current, 1-30, 31-60, 61-90, 90+ */
#define WORKLIST_SUSPENSE_BUCKETS 4 /* 0-7, 8-30, 31-90, 90+ */
#define WORKLIST_NOTICE_DAYS_DEFAULT 7
#define WORKLIST_NOTICE_DAYS_MAX POLICY_GRACE_DAYS

/* A policy's ageing bucket by days overdue (0 or less: current). */
size_t worklist_ageing(int days_overdue);
/* A suspense receipt's bucket by days since its booking date (negative counts as 0). */
size_t worklist_suspense_age(long long days);
const char *worklist_ageing_name(size_t bucket);
const char *worklist_suspense_age_name(size_t bucket);
/* Index of an ageing bucket by its name; false for any other text. */
bool worklist_ageing_from_name(const char *name, size_t *bucket);

/* suspension_soon: a policy in grace whose oldest unpaid installment was due on due is
 * suspended on policy_suspension_day(due + 31, holidays) unless paid; the notice goes out
 * on the night notice_days before that day, and never for a suspension that cannot happen
 * (its day after end_date, rules.md section 4). *suspends_on gets the day when true. */
bool worklist_suspension_soon(date_t due, date_t end_date, const payment_holiday *holidays,
                              size_t holiday_count, int notice_days, date_t night,
                              date_t *suspends_on);
/* The latest due date whose suspension_soon notice can go out on night: a suspension day
 * is never before due + 31, so a policy due later is not notice_days from it yet. The
 * report fetches only the candidates due by then. */
date_t worklist_suspension_soon_due_by(int notice_days, date_t night);

#endif
