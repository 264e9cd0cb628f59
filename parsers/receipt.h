/*
 * The normalised receipt every statement parser yields, and the sink parsers
 * push receipts and statement summaries into. A receipt passed to a sink is
 * owned by the parser and valid only during the callback: copy what you keep.
 */
#ifndef RECON_PARSERS_RECEIPT_H
#define RECON_PARSERS_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "core/date.h"
#include "core/money.h"

/* Explicit field limits: a longer value in a statement is an error naming the field. */
#define RECEIPT_POSITION_MAX 128
#define RECEIPT_ID_MAX 140   /* identifiers and references (ISO 20022 Max140Text) */
#define RECEIPT_NAME_MAX 280 /* payer name (UTF-8, up to 140 characters) */
#define RECEIPT_ACCOUNT_MAX 64
#define RECEIPT_TEXT_MAX 1024 /* remittance text, several Ustrd/:86: lines joined */
#define RECEIPT_CCY_MAX 4
#define RECEIPT_NOTE_MAX 512 /* the tolerances applied to one receipt */

typedef enum receipt_direction { RECEIPT_CREDIT = 0, RECEIPT_DEBIT = 1 } receipt_direction;

typedef struct receipt {
    char position[RECEIPT_POSITION_MAX];   /* "line 12" or "Stmt[2]/Ntry[3]/TxDtls[1]" */
    char source[RECEIPT_ID_MAX];           /* account IBAN/number or merchant id */
    char transaction_key[RECEIPT_ID_MAX];  /* unique within source */
    date_t booking_date;                   /* China-local date the money was received */
    date_t value_date;                     /* DATE_NONE when absent */
    fen_t amount;                          /* signed: credits > 0, debits < 0 */
    char currency[RECEIPT_CCY_MAX];        /* ISO 4217, e.g. "CNY" */
    receipt_direction direction;
    bool reversal;                         /* returns, chargebacks, provider refunds */
    char reversal_of[RECEIPT_ID_MAX];      /* transaction key/reference reversed, if known */
    char payer[RECEIPT_NAME_MAX];
    char payer_account[RECEIPT_ACCOUNT_MAX];
    char end_to_end_id[RECEIPT_ID_MAX];
    char creditor_reference[RECEIPT_ID_MAX];
    char merchant_order_no[RECEIPT_ID_MAX];
    char provider_txn_id[RECEIPT_ID_MAX];
    char remittance[RECEIPT_TEXT_MAX];
    fen_t fee;                             /* provider fee, 0 when none */
    bool has_fee;
    /* What was unusual in this receipt and how it was read ("booking date taken
     * from the value date"), clauses joined by "; "; "" when nothing was. */
    char note[RECEIPT_NOTE_MAX];
} receipt_t;

/* One statement (camt Stmt, MT940 :20: block, a bill file) as read from the file. */
typedef struct statement_summary {
    char position[RECEIPT_POSITION_MAX];
    char source[RECEIPT_ID_MAX];
    char statement_id[RECEIPT_ID_MAX];
    char currency[RECEIPT_CCY_MAX];
    date_t statement_date;      /* closing balance date or bill date; DATE_NONE if unknown */
    date_t period_from, period_to;
    bool has_opening, has_closing;
    fen_t opening_balance, closing_balance; /* signed */
    long entry_count;
    fen_t credit_total, debit_total;        /* sums of receipts read (debits positive) */
} statement_summary;

typedef struct receipt_sink {
    void *ctx;
    /* Return RECON_OK to continue; anything else stops the parse with that status. */
    recon_status (*on_receipt)(void *ctx, const receipt_t *r, err_t *err);
    /* Optional (may be NULL): called once per statement after its entries. */
    recon_status (*on_statement)(void *ctx, const statement_summary *s, err_t *err);
    /* Optional (may be NULL): a tolerance the parser applied, where (an element or
     * "line N") and what, as one clause without "; ". parse_stream also calls it
     * with each clause of a receipt's note, before that receipt's on_receipt. */
    recon_status (*on_warning)(void *ctx, const char *position, const char *text, err_t *err);
} receipt_sink;

void receipt_init(receipt_t *r);
void statement_summary_init(statement_summary *s);

/* Adds a clause to r->note (joined with "; "); a note that would overflow ends
 * with "..." instead. A clause says what was unusual and how it was read, in
 * lowercase, without "; " and, where it can, without the row's own values (the
 * position says where), so that a file's warnings tally by kind. */
void receipt_note(receipt_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports a tolerance that touches the file rather than one receipt (a statement's
 * summary line, framing bytes) through sink->on_warning, if the sink has one. */
recon_status receipt_warn(const receipt_sink *sink, const char *position, err_t *err,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets a position to "line N" (line-based statement files). */
void receipt_position_line(char position[RECEIPT_POSITION_MAX], long line);

/* Every amount a parser yields passes here (parse_stream checks each receipt and
 * statement before its sink sees it): RECON_EDATA naming the file and the
 * receipt's position when an amount, fee or balance is beyond MONEY_MAX_FEN. */
recon_status receipt_check_bounds(const char *file, const receipt_t *r, err_t *err);
recon_status statement_check_bounds(const char *file, const statement_summary *s, err_t *err);

/* Copies src (n bytes, not necessarily NUL-terminated) into a fixed field of
 * size cap, trimming ASCII whitespace; false when it does not fit. */
bool receipt_set_field(char *field, size_t cap, const char *src, size_t n);

/* Copies free text (a name, remittance, a reference that is not the transaction key)
 * like receipt_set_field; a longer value is cut at a UTF-8 character boundary and r,
 * when not NULL, is noted "WHAT cut at N bytes". Returns false when it cut. */
bool receipt_set_text(receipt_t *r, char *field, size_t cap, const char *src, size_t n,
                      const char *what);

/* Copies an identifier that must stay unique (transaction key, source, statement id)
 * like receipt_set_field; a longer one keeps its head and ends in "~" and 16 hex digits
 * of a 64-bit FNV-1a hash of the whole trimmed value, so the same value always gives
 * the same key and different values different ones. Returns false when it shortened. */
bool receipt_set_key(char *field, size_t cap, const char *src, size_t n);

/* True when r's free text (payer, remittance, end-to-end id, creditor reference,
 * merchant order number) is all UTF-8. */
bool receipt_text_valid(const receipt_t *r);
/* Replaces each byte of r's free text that is not UTF-8 with U+FFFD (cut at the field's
 * size if need be) and notes it on r; false when nothing needed it. */
bool receipt_scrub_text(receipt_t *r);

#endif
