#include "jobs/ingest_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/interrupt.h"
#include "common/progress.h"
#include "common/strbuild.h"
#include "parsers/charset.h"
#include "store/files.h"
#include "store/receipts.h"

/* A file with more statements than this is not a bank statement we understand;
 * the bound keeps the in-memory summary list small. */
#define MAX_STATEMENTS 10000

static bool valid_currency(const char *c)
{
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return false;
    return c[3] == '\0';
}

/* Every text field must be UTF-8 before it reaches the database, whose own
 * complaint would not say where in the file the bytes were. */
static recon_status check_text(const ingest_scan *f, const receipt_t *r, err_t *err)
{
    const struct {
        const char *name, *value;
    } fields[] = {
        {"source", r->source},
        {"transaction key", r->transaction_key},
        {"reversal reference", r->reversal_of},
        {"payer", r->payer},
        {"payer account", r->payer_account},
        {"end-to-end id", r->end_to_end_id},
        {"creditor reference", r->creditor_reference},
        {"merchant order number", r->merchant_order_no},
        {"provider transaction id", r->provider_txn_id},
        {"remittance text", r->remittance},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        size_t bad = 0;
        if (!utf8_valid(fields[i].value, strlen(fields[i].value), &bad))
            return err_set(err, RECON_EDATA,
                           "%s: %s: invalid UTF-8 in the %s at byte %zu; hint: GBK text in a "
                           "UTF-8 file?",
                           f->path, r->position, fields[i].name, bad + 1);
    }
    return RECON_OK;
}

/* Checks, tallies, matches and spools one receipt. */
static recon_status store_scanned(ingest_scan *f, const receipt_t *r, err_t *err)
{
    recon_status st = check_text(f, r, err);
    if (st != RECON_OK)
        return st;
    if (r->booking_date == DATE_NONE)
        return err_set(err, RECON_EDATA, "%s: %s: transaction without a booking date", f->path,
                       r->position);
    if (!valid_currency(r->currency))
        return err_set(err, RECON_EDATA, "%s: %s: currency '%s' is not an ISO 4217 code",
                       f->path, r->position, r->currency);
    if (r->transaction_key[0] == '\0' || r->source[0] == '\0')
        return err_set(err, RECON_EDATA, "%s: %s: transaction without source or key", f->path,
                       r->position);
    /* The table's CHECK ties direction to the sign; a parser's reversal may carry the
     * sign of the money actually moved, so the sign decides. A zero amount keeps it. */
    receipt_direction dir = r->direction;
    if (r->amount > 0)
        dir = RECEIPT_CREDIT;
    else if (r->amount < 0)
        dir = RECEIPT_DEBIT;
    if (!money_add(dir == RECEIPT_CREDIT ? &f->credit_total : &f->debit_total,
                   dir == RECEIPT_CREDIT ? r->amount : -r->amount))
        return err_set(err, RECON_EDATA, "%s: %s: file totals exceed the supported range",
                       f->path, r->position);
    if (f->first_booking == DATE_NONE || r->booking_date < f->first_booking)
        f->first_booking = r->booking_date;
    if (f->last_booking == DATE_NONE || r->booking_date > f->last_booking)
        f->last_booking = r->booking_date;
    f->receipts++;
    if (f->progress)
        progress_update(f->receipts, "rows");
    /* Matched by its own references now, while its fields are at hand, so
     * that no later pass has to rewrite every stored receipt. */
    match_fields mf = {r->currency,          r->reversal,         r->creditor_reference,
                       r->end_to_end_id,     r->merchant_order_no, r->remittance,
                       r->payer_account};
    match_decision md;
    match_decide(f->rules, &mf, &md);
    if (!store_receipt_row(&f->row, r, dir, md.policy_no[0] ? md.policy_no : NULL, md.result,
                           md.note))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (fwrite(f->row.data, 1, f->row.len, f->spool) != f->row.len)
        return err_set(err, RECON_EOUTPUT, "cannot write temporary file: %s", strerror(errno));
    return store_receipt_key(&f->keys, f->receipts, r->source, r->transaction_key)
               ? RECON_OK
               : err_set(err, RECON_EINTERNAL, "out of memory");
}

/* A note or warning may quote bytes of the file; they are only read past, so a
 * byte that is not UTF-8 becomes '?' instead of refusing the file. */
static void scrub_utf8(char *s)
{
    size_t len = strlen(s), bad = 0, off = 0;
    while (!utf8_valid(s + off, len - off, &bad)) {
        s[off + bad] = '?';
        off += bad + 1;
    }
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    ingest_scan *f = ctx;
    recon_status st = interrupt_check(err);
    if (st == RECON_OK && f->cancel != NULL && atomic_load(f->cancel))
        st = err_set(err, RECON_EINTERNAL, "%s: parse abandoned", f->path);
    if (st != RECON_OK)
        return st;
    receipt_t *scrubbed = NULL;
    if (!utf8_valid(r->note, strlen(r->note), NULL)) {
        if ((scrubbed = malloc(sizeof *scrubbed)) == NULL)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        *scrubbed = *r;
        scrub_utf8(scrubbed->note);
        r = scrubbed;
    }
    st = store_scanned(f, r, err);
    free(scrubbed);
    return st;
}

static recon_status on_statement(void *ctx, const statement_summary *s, err_t *err)
{
    ingest_scan *f = ctx;
    if (f->stmt_count == f->stmt_cap) {
        if (f->stmt_cap >= MAX_STATEMENTS)
            return err_set(err, RECON_EDATA, "%s: %s: more than %d statements in one file",
                           f->path, s->position, MAX_STATEMENTS);
        size_t cap = f->stmt_cap ? f->stmt_cap * 2 : 4;
        statement_summary *grown = realloc(f->stmts, cap * sizeof *grown);
        if (grown)
            f->stmts = grown;
        long *ends = grown ? realloc(f->stmt_ends, cap * sizeof *ends) : NULL;
        if (!ends)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        f->stmt_ends = ends;
        f->stmt_cap = cap;
    }
    /* A parser reports a statement after its entries, so the receipts read
     * since the previous one are this statement's. */
    f->stmt_ends[f->stmt_count] = f->receipts;
    f->stmts[f->stmt_count++] = *s;
    return RECON_OK;
}

static recon_status on_warning(void *ctx, const char *position, const char *text, err_t *err)
{
    ingest_scan *f = ctx;
    if (parse_warnings_add(f->warnings, position, text) == 0)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return RECON_OK;
}

recon_status ingest_scan_init(ingest_scan *f, const char *path, const match_rules *rules,
                              bool progress, const atomic_bool *cancel, err_t *err)
{
    *f = (ingest_scan){path,     rules, progress, cancel, tmpfile(), BUF_INIT, BUF_INIT, 0,
                       DATE_NONE, DATE_NONE, 0, 0, NULL, NULL, 0, 0, parse_warnings_new()};
    if (f->spool == NULL)
        return err_set(err, RECON_EOUTPUT, "cannot create a temporary file: %s",
                       strerror(errno));
    if (f->warnings == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return RECON_OK;
}

void ingest_scan_free(ingest_scan *f)
{
    if (f->spool)
        fclose(f->spool);
    f->spool = NULL;
    buf_free(&f->row);
    buf_free(&f->keys);
    free(f->stmts);
    f->stmts = NULL;
    free(f->stmt_ends);
    f->stmt_ends = NULL;
    parse_warnings_free(f->warnings);
    f->warnings = NULL;
}

receipt_sink ingest_scan_sink(ingest_scan *f)
{
    return (receipt_sink){f, on_receipt, on_statement, on_warning};
}

/* A statement that does not add up was cut or corrupted somewhere, and storing
 * part of it would misstate what was received, so the whole file is refused. */
recon_status ingest_scan_balances(const ingest_scan *f, stmt_format format, err_t *err)
{
    if (format != FORMAT_CAMT053 && format != FORMAT_MT940)
        return RECON_OK;
    for (size_t i = 0; i < f->stmt_count; i++) {
        const statement_summary *s = &f->stmts[i];
        if (!s->has_opening || !s->has_closing)
            continue;
        fen_t expected = s->opening_balance;
        if (!money_add(&expected, s->credit_total) || !money_add(&expected, -s->debit_total))
            return err_set(err, RECON_EDATA, "%s: %s: balances exceed the supported range",
                           f->path, s->position);
        if (expected == s->closing_balance)
            continue;
        char open[MONEY_STR_SIZE], cr[MONEY_STR_SIZE], dr[MONEY_STR_SIZE], want[MONEY_STR_SIZE],
            close[MONEY_STR_SIZE];
        money_format(s->opening_balance, open);
        money_format(s->credit_total, cr);
        money_format(s->debit_total, dr);
        money_format(expected, want);
        money_format(s->closing_balance, close);
        return err_set(err, RECON_EDATA,
                       "%s: %s: statement %s does not balance: opening %s + credits %s - debits "
                       "%s = %s, but the closing balance is %s",
                       f->path, s->position, s->statement_id[0] ? s->statement_id : "(no id)",
                       open, cr, dr, want, close);
    }
    return RECON_OK;
}

/* Files without statement dates (some bills) fall back to their last booking date. */
date_t ingest_scan_date(const ingest_scan *f)
{
    date_t d = DATE_NONE;
    for (size_t i = 0; i < f->stmt_count; i++)
        if (f->stmts[i].statement_date != DATE_NONE &&
            (d == DATE_NONE || f->stmts[i].statement_date > d))
            d = f->stmts[i].statement_date;
    return d == DATE_NONE ? f->last_booking : d;
}

recon_status ingest_scan_store(db_t *db, const ingest_scan *f, const char *sha,
                               ingest_result *res, err_t *err)
{
    char warnings[STORE_FILE_WARNINGS_MAX + 1];
    parse_warnings_summary(f->warnings, warnings, sizeof warnings);
    scrub_utf8(warnings);
    store_sightings seen = {NULL, 0};
    recon_status st = store_receipts_sightings(db, &seen, err);
    if (st != RECON_OK)
        goto out;
    store_file_row row = {sha,           job_base_name(f->path), format_name(res->format),
                          res->statement_date, f->first_booking, f->last_booking,
                          f->receipts,   f->credit_total,        f->debit_total,
                          warnings,      seen.count};
    long long file_id = 0, base = 0;
    if ((st = store_file_record(db, &row, &file_id, &base, err)) != RECON_OK)
        goto out;
    if (file_id == 0) {
        res->outcome = INGEST_SKIPPED;
        goto out;
    }
    res->file_id = file_id;
    res->receipts = f->receipts;
    res->duplicates = seen.count;
    if ((st = store_receipts_copy(db, f->spool, f->receipts, file_id, base, &seen, err)) !=
        RECON_OK)
        goto out;
    if ((st = store_statements_copy(db, file_id, f->stmts, f->stmt_ends, f->stmt_count, base,
                                    err)) != RECON_OK)
        goto out;
    res->outcome = INGEST_STORED;
out:
    store_sightings_free(&seen);
    return st;
}

void ingest_restate(err_t *e, const char *from, const char *to)
{
    if (*from == '\0' || strcmp(from, to) == 0)
        return;
    char buf[ERR_MSG_MAX];
    strbuild b = strbuild_start(buf, sizeof buf);
    strbuild_replacing(&b, e->msg, from, to);
    memcpy(e->msg, buf, b.len + 1);
}
