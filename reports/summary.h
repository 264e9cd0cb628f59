/*
 * summary.txt.gz's text: figures tallied from the report rows as they stream
 * past (instead of by queries of their own: at a million receipts, running the
 * receipts query again for the summary cost as much as the report itself), and
 * the small lists store/report reads. Pure: rows in, text out; the text is the
 * caller's buffer.
 */
#ifndef RECON_REPORTS_SUMMARY_H
#define RECON_REPORTS_SUMMARY_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "core/currency.h"
#include "core/money.h"
#include "core/worklist.h"
#include "store/report.h"

/* Distinct statuses, outcomes, kinds or reasons (each list is fixed), each split by the other
 * currencies its rows were in. */
#define SUMMARY_GROUPS 64
#define SUMMARY_TOP 10

/* A group of rows in one currency: money of the book's currency (CURRENCY_BOOK) is keyed by
 * the plain name ("decision"), money in another by the name and the code ("decision USD"):
 * no total ever adds two currencies. */
typedef struct summary_group {
    char key[32];
    char currency[4]; /* "" for the book's currency, else the ISO 4217 code */
    unsigned order;   /* in a list of other currencies' lines: the line's place in its list */
    long long count;
    fen_t fen;
} summary_group;

typedef struct summary_tally {
    size_t n;
    summary_group g[SUMMARY_GROUPS];
} summary_tally;

typedef struct summary_top {
    char label[128]; /* "kind id", as the summary prints it */
    fen_t amount;
    unsigned long long magnitude;
} summary_top;

typedef struct summary_figures {
    summary_tally statuses; /* policies: count and arrears by status */
    summary_tally outcomes; /* the day's receipts: count and amount by outcome */
    summary_tally suspense; /* unidentified, ambiguous, other currency: count and amount */
    summary_tally refunds;  /* refunds due: count and amount by reason */
    /* policies and their arrears by ageing bucket (core/worklist), every bucket shown */
    long long ageing_count[WORKLIST_AGEING_BUCKETS];
    fen_t ageing_arrears[WORKLIST_AGEING_BUCKETS];
    /* money in suspense by days since booking (core/worklist), in the book's currency */
    long long suspense_age_count[WORKLIST_SUSPENSE_BUCKETS];
    fen_t suspense_age_fen[WORKLIST_SUSPENSE_BUCKETS];
    summary_tally suspense_age_other; /* the same in other currencies: "8-30 USD" */
    fen_t money_in, allocated, unapplied; /* the book's currency */
    summary_tally day_other; /* the same in other currencies: "money in USD", ... */
    summary_top top[SUMMARY_TOP]; /* largest first */
    size_t top_n;
} summary_figures;

/* Rows of the report files, their raw fields f (before formatting and masking)
 * and, for money columns, their value in fen at the same index. A sum beyond 64
 * bits is RECON_EDATA (recon process refuses such a day; only data changed
 * since gets here). */
/* receipts.csv.gz: amount 4, currency 5, direction 6, outcome 9, allocated 10, unapplied 11. */
recon_status summary_receipt(summary_figures *s, char *const *f, const fen_t *fen, err_t *err);
/* policies.csv.gz: status 1, arrears 6, ageing 10. */
recon_status summary_policy(summary_figures *s, char *const *f, const fen_t *fen, err_t *err);
/* exceptions.csv.gz: kind 0, receipt_id 1, policy_no 2, amount 3, age_days 6, and the
 * amount's currency 7 (a field of the stream the file does not show), in the file's order
 * (kind, receipt_id, policy_no), which breaks ties among the largest amounts: the earlier row
 * wins. */
recon_status summary_exception(summary_figures *s, char *const *f, const fen_t *fen, err_t *err);
/* refunds.csv.gz: reason 1, amount 2, currency 4. */
recon_status summary_refund(summary_figures *s, char *const *f, const fen_t *fen, err_t *err);

/* The lists of the summary that are not tallied from rows. */
typedef struct summary_lists {
    const store_report_lines *files;       /* label, format, text */
    const store_report_lines *balances;    /* label, verdict, fen */
    const store_report_lines *settlements; /* label, verdict, fen */
} summary_lists;

/* Appends the whole summary of day to text (groups sorted in place: the tallies by name,
 * suspense_age_other and day_other by currency, then in their lists' order). RECON_EDATA
 * for an amount in a list beyond 64 bits. */
recon_status summary_text(summary_figures *s, const char *day, const summary_lists *lists,
                          buf_t *text, err_t *err);

#endif
