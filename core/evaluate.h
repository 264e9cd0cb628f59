/*
 * Evaluation of one policy as of a date (rules.md sections 3-8): the status
 * history with reasons, the installments' paid state, allocation of receipts,
 * arrears, credit and refunds due. A pure function of its inputs; the result
 * owns its arrays (reused across calls) until eval_result_free.
 */
#ifndef RECON_CORE_EVALUATE_H
#define RECON_CORE_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/policy.h"
#include "core/schedule.h"

#define EVAL_REASON_MAX 200

typedef struct eval_receipt {
    date_t date;   /* booking date: the day the insurer received the money */
    fen_t amount;  /* signed; reversed receipts are left out by the caller */
    int64_t id;    /* stable receipt id: ties on one date are ordered by it */
    bool write_off; /* a person forgave up to amount of what was owed on date (id: the
                     * decision's): it counts only up to what is due and unpaid that day, is
                     * never refunded and allocates nothing to a receipt */
} eval_receipt;

typedef struct eval_config {
    fen_t tolerance;            /* shortfall in fen still counted as paid (default 0) */
    int first_payment_window;   /* days after start to pay installment 1 (default 0) */
    bool payment_is_agreement;  /* full back premium alone reinstates (default false) */
} eval_config;

typedef struct eval_input {
    policy_terms terms;
    const eval_receipt *receipts;
    size_t receipt_count;
    const date_t *agreements;   /* reinstatement agreement dates */
    size_t agreement_count;
    date_t cancellation;        /* cancellation request date or DATE_NONE */
    date_t as_of;
    const payment_holiday *holidays; /* grace extensions: no suspension takes effect inside */
    size_t holiday_count;
} eval_input;

typedef struct eval_event {
    date_t date;
    policy_status from, to;
    char reason[EVAL_REASON_MAX];
} eval_event;

typedef enum installment_state {
    INSTALLMENT_PAID = 0,
    INSTALLMENT_UNPAID,   /* due on or before as-of, owed, not paid in full */
    INSTALLMENT_FUTURE,   /* due after as-of */
    INSTALLMENT_VOID,     /* not owed: the policy ended without it */
} installment_state;

typedef struct eval_installment {
    int number;           /* 1-based */
    date_t due_date, period_end;
    fen_t amount, paid;
    date_t paid_date;     /* day it was paid in full, DATE_NONE if not */
    int64_t paid_by;      /* receipt that completed it, -1 if none */
    installment_state state;
} eval_installment;

typedef struct eval_allocation {
    int64_t receipt_id;
    int installment;      /* 1-based; 0 = unapplied (credit or refund) */
    fen_t amount;
} eval_allocation;

typedef enum refund_reason {
    REFUND_CANCELLATION = 0, /* unearned premium, 释义10 */
    REFUND_EXCESS,           /* money the policy cannot take */
} refund_reason;

typedef struct eval_refund {
    refund_reason reason;
    fen_t amount;
    date_t due_by;
    char detail[EVAL_REASON_MAX];
} eval_refund;

typedef struct eval_result {
    policy_status status;
    date_t status_since;         /* DATE_NONE while pending */
    eval_event *events;
    size_t event_count, event_cap;
    eval_installment installments[SCHEDULE_MAX_INSTALLMENTS];
    size_t installment_count;
    eval_allocation *allocations;
    size_t allocation_count, allocation_cap;
    eval_refund refunds[2];
    size_t refund_count;
    fen_t received;              /* sum of receipts up to as-of */
    fen_t arrears, credit;
    date_t next_due_date, oldest_unpaid_due_date;
    int days_overdue;
    int paid_installments;
    /* the first date after as_of on which the evaluation can differ without new input
     * (beyond days_overdue, which grows by one a day): DATE_NONE if none */
    date_t next_change;
    /* scratch space reused between calls */
    eval_receipt *sorted;
    fen_t *prefix;
    date_t *points;
    size_t scratch_cap, points_cap;
} eval_result;

void eval_config_default(eval_config *cfg);
void eval_result_init(eval_result *r);
void eval_result_free(eval_result *r);

/* Evaluates one policy. Fails (RECON_EDATA) on invalid terms, a premium or
 * tolerance beyond MONEY_MAX_FEN, or receipts whose amounts add up beyond
 * MONEY_MAX_SUM_FEN in absolute value (the message names the largest receipt
 * ids): such a policy is never evaluated with a wrapped total. Otherwise fails
 * only on memory exhaustion. */
recon_status eval_policy(const eval_input *in, const eval_config *cfg, eval_result *out,
                         err_t *err);

const char *installment_state_name(installment_state s);
const char *refund_reason_name(refund_reason r);

#endif
