/*
 * The premium schedule (rules.md section 2, 释义7): due dates and installment
 * periods. Output arrays belong to the caller.
 */
#ifndef RECON_CORE_SCHEDULE_H
#define RECON_CORE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/policy.h"

/* Ten years of monthly installments; longer periods are refused at load. */
#define SCHEDULE_MAX_INSTALLMENTS 120

/* Due dates on or before end_date: the start date, then the same day of each
 * following month, or the 1st of the next month when a month lacks that day.
 * Single premium: one due date, the start. Returns false when more than cap. */
bool schedule_due_dates(const policy_terms *terms, date_t *due, size_t cap, size_t *count);

/* Installment k's period: due[k] .. due[k+1]-1, the last one to end_date. */
date_t schedule_period_end(const policy_terms *terms, const date_t *due, size_t count, size_t k);

#endif
