#include "fuzz/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/date.h"
#include "core/mask.h"
#include "core/money.h"
#include "parsers/charset.h"

static const char *profile_dir;
static const char *known;

void harness_init(void)
{
    /* Warnings per rejected input would flood the fuzzer's output and slow it
     * down; RECON_LOG=debug brings them back when replaying one input. */
    log_set_level(LOG_ERROR);
    log_init_from_env();
    const char *d = getenv("FUZZ_PROFILE_DIR");
    profile_dir = d && *d ? d : NULL;
    known = getenv("FUZZ_KNOWN");
}

_Noreturn void harness_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz: broken promise: %s: %.300s\n", what, detail ? detail : "");
    abort();
}

static bool is_known(const char *check)
{
    size_t n = strlen(check);
    for (const char *p = known; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, check, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

void harness_broken(const char *check, const char *what, const char *detail)
{
    if (is_known(check))
        return;
    fprintf(stderr, "fuzz: broken promise [%s]: %s: %.300s\n", check, what,
            detail ? detail : "");
    abort();
}

parse_options harness_options(stmt_format forced)
{
    parse_options o = {forced, NULL, profile_dir};
    return o;
}

/* A fixed-size field must be NUL-terminated inside its array (receipt.h). */
static void check_text(const char *name, const char *field, size_t cap)
{
    const char *end = memchr(field, '\0', cap);
    if (end == NULL)
        harness_fail("field not terminated", name);
    size_t bad = 0;
    /* The database takes UTF-8 only: invalid bytes here make ingest fail with a
     * database error (exit 70) instead of rejecting the file (65). */
    if (!utf8_valid(field, (size_t)(end - field), &bad))
        harness_broken("utf8", "field not valid UTF-8", name);
}

#define CHECK_TEXT(s, f) check_text(#f, (s)->f, sizeof (s)->f)

static void check_date(const char *name, date_t d, bool optional)
{
    if (d == DATE_NONE) {
        if (!optional)
            harness_broken("date", "date missing", name);
        return;
    }
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    if (!date_valid(y, m, day) || date_from_ymd(y, m, day) != d) {
        harness_broken("date", "date out of range", name);
        return;
    }
    char s[DATE_STR_SIZE];
    date_format(d, s);
    date_t back;
    if (!date_parse(s, strlen(s), &back) || back != d)
        harness_broken("date", "date does not survive formatting", s);
}

static void check_amount(const char *name, fen_t v)
{
    if (v > MONEY_MAX_FEN || v < -MONEY_MAX_FEN)
        harness_broken("amount", "amount out of range", name);
    char s[MONEY_STR_SIZE];
    money_format(v, s);
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    (void)ctx;
    (void)err;
    CHECK_TEXT(r, position);
    CHECK_TEXT(r, source);
    CHECK_TEXT(r, transaction_key);
    CHECK_TEXT(r, currency);
    CHECK_TEXT(r, reversal_of);
    CHECK_TEXT(r, payer);
    CHECK_TEXT(r, payer_account);
    CHECK_TEXT(r, end_to_end_id);
    CHECK_TEXT(r, creditor_reference);
    CHECK_TEXT(r, merchant_order_no);
    CHECK_TEXT(r, provider_txn_id);
    CHECK_TEXT(r, remittance);
    check_date("booking_date", r->booking_date, false);
    check_date("value_date", r->value_date, true);
    check_amount("amount", r->amount);
    check_amount("fee", r->fee);
    /* receipts.direction CHECK in schema/001_base.sql */
    if ((r->direction == RECEIPT_CREDIT && r->amount < 0) ||
        (r->direction == RECEIPT_DEBIT && r->amount > 0) ||
        (r->direction != RECEIPT_CREDIT && r->direction != RECEIPT_DEBIT))
        harness_broken("direction", "direction disagrees with the amount's sign", r->position);
    /* (source, transaction_key) is how a transaction seen twice counts once: an
     * empty key makes unrelated receipts duplicates of each other. */
    if (r->transaction_key[0] == '\0')
        harness_broken("empty-key", "empty transaction key", r->position);
    /* What `recon parse` and the reports do with every receipt. */
    char payer[RECEIPT_NAME_MAX + 2], account[RECEIPT_ACCOUNT_MAX];
    if (!mask_name(r->payer, payer, sizeof payer) ||
        !mask_account(r->payer_account, account, sizeof account))
        harness_broken("mask", "cannot mask personal data", r->position);
    return RECON_OK;
}

static recon_status on_statement(void *ctx, const statement_summary *s, err_t *err)
{
    (void)ctx;
    (void)err;
    CHECK_TEXT(s, position);
    CHECK_TEXT(s, source);
    CHECK_TEXT(s, statement_id);
    CHECK_TEXT(s, currency);
    check_date("statement_date", s->statement_date, true);
    check_date("period_from", s->period_from, true);
    check_date("period_to", s->period_to, true);
    if (s->has_opening)
        check_amount("opening_balance", s->opening_balance);
    if (s->has_closing)
        check_amount("closing_balance", s->closing_balance);
    if (s->entry_count < 0 || s->credit_total < 0 || s->debit_total < 0)
        harness_broken("totals", "negative statement totals", s->position);
    return RECON_OK;
}

receipt_sink harness_sink(void)
{
    receipt_sink sink = {NULL, on_receipt, on_statement, NULL};
    return sink;
}

void harness_check_result(recon_status st, const err_t *err, bool usage_ok)
{
    if (st == RECON_OK)
        return;
    if (memchr(err->msg, '\0', sizeof err->msg) == NULL)
        harness_fail("error message not terminated", "");
    if (st != err->status)
        harness_broken("status", "returned status differs from err->status", err->msg);
    /* interface.md: one line each, naming the file and line or element. */
    if (err->msg[0] == '\0')
        harness_broken("message", "failure without a message", "");
    if (strchr(err->msg, '\n') || strchr(err->msg, '\r'))
        harness_broken("message-lines", "message spans lines", err->msg);
    /* Bad input is 65; 66/70 are for missing files and resource exhaustion. */
    if (st != RECON_EDATA && !(st == RECON_EINTERNAL && strstr(err->msg, "out of memory")) &&
        st != RECON_ENOINPUT && !(usage_ok && st == RECON_EUSAGE))
        harness_broken("status", "bad input not reported as rejected input (65)", err->msg);
}
