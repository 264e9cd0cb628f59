#include "jobs/parse_output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/mask.h"
#include "reports/csvfield.h"

void parse_output_init(parse_output *po, FILE *out, FILE *diag, bool unmasked)
{
    memset(po, 0, sizeof *po);
    po->out = out;
    po->diag = diag;
    po->unmasked = unmasked;
    po->file = "";
    /* Someone watching a terminal sees each row as it is read, next to the
     * error messages of rejected files; files and pipes get the big chunks. */
    int fd = fileno(out);
    po->chunk = fd >= 0 && isatty(fd) ? 0 : PARSE_OUTPUT_CHUNK;
}

/* Hands everything queued to out. */
static recon_status flush_pending(parse_output *po, err_t *err)
{
    buf_t *b = &po->pending;
    if (b->len == 0)
        return RECON_OK;
    /* Emptied even on failure: the rows are lost either way, and the error stops the run. */
    size_t written = fwrite(b->data, 1, b->len, po->out);
    bool short_write = written != b->len;
    buf_reset(b);
    if (short_write)
        return err_set(err, RECON_EOUTPUT, "cannot write output: %s", strerror(errno));
    return RECON_OK;
}

recon_status parse_output_header(parse_output *po, err_t *err)
{
    if (po->header_done)
        return RECON_OK;
    po->header_done = true;
    if (!buf_append(&po->pending, PARSE_OUTPUT_HEADER "\n", sizeof PARSE_OUTPUT_HEADER))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return po->pending.len >= po->chunk ? flush_pending(po, err) : RECON_OK;
}

/* Fields of a row, and the room csv_put may write past a row's end. */
enum { ROW_FIELDS = 19, ROW_SLACK = 16 };

/* Writes date d into out. The receipts of a statement mostly share a booking
 * date, so the last one formatted is kept rather than converted again; a
 * missing date (most value dates) is "" and must not evict it. */
static void format_date(parse_output *po, date_t d, char out[DATE_STR_SIZE])
{
    if (d == DATE_NONE) {
        out[0] = '\0';
        return;
    }
    if (!po->date_cached || po->date_key != d) {
        date_format(d, po->date_str);
        po->date_key = d;
        po->date_cached = true;
    }
    memcpy(out, po->date_str, DATE_STR_SIZE);
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    parse_output *po = ctx;
    recon_status st = parse_output_header(po, err);
    if (st != RECON_OK)
        return st;
    /* Scanned arrays are zeroed: csv_scan and csv_put read past the terminator. */
    char booking[DATE_STR_SIZE], value[DATE_STR_SIZE];
    char amount[MONEY_STR_SIZE] = {0}, fee[MONEY_STR_SIZE] = {0};
    char payer[RECEIPT_NAME_MAX + 2], account[RECEIPT_ACCOUNT_MAX];
    format_date(po, r->booking_date, booking);
    format_date(po, r->value_date, value);
    money_format(r->amount, amount);
    if (r->has_fee)
        money_format(r->fee, fee);
    /* Unmasked, the receipt's own arrays are written: a copy would only cost time. */
    const char *payer_s = r->payer, *account_s = r->payer_account;
    size_t payer_cap = sizeof r->payer, account_cap = sizeof r->payer_account;
    if (!po->unmasked) {
        memset(payer, 0, sizeof payer);
        memset(account, 0, sizeof account);
        if (!mask_name(r->payer, payer, sizeof payer) ||
            !mask_account(r->payer_account, account, sizeof account))
            return err_set(err, RECON_EINTERNAL, "%s: %s: cannot mask personal data", po->file,
                           r->position);
        payer_s = payer, payer_cap = sizeof payer;
        account_s = account, account_cap = sizeof account;
    }

    /* Measure every field first so the row needs one reservation, then copy. */
    csv_field f[ROW_FIELDS];
    size_t n = 0, width = po->file_width + ROW_FIELDS; /* + 18 commas and the newline */
    f[n++] = (csv_field){po->file, po->file_len, po->file_len + 1, po->file_quoted};
    width += csv_scan(&f[n++], r->position, sizeof r->position);
    width += csv_scan(&f[n++], r->source, sizeof r->source);
    width += csv_scan(&f[n++], r->transaction_key, sizeof r->transaction_key);
    /* Dates are "" or YYYY-MM-DD (date_format): nothing to scan for. */
    f[n++] = (csv_field){booking, booking[0] ? DATE_STR_SIZE - 1 : 0, sizeof booking, false};
    f[n++] = (csv_field){value, value[0] ? DATE_STR_SIZE - 1 : 0, sizeof value, false};
    width += f[n - 2].len + f[n - 1].len;
    width += csv_scan(&f[n++], amount, sizeof amount);
    width += csv_scan(&f[n++], r->currency, sizeof r->currency);
    f[n++] = r->direction == RECEIPT_DEBIT ? (csv_field){"debit", 5, 6, false}
                                           : (csv_field){"credit", 6, 7, false};
    f[n++] = r->reversal ? (csv_field){"true", 4, 5, false} : (csv_field){"false", 5, 6, false};
    width += f[n - 2].len + f[n - 1].len;
    width += csv_scan(&f[n++], r->reversal_of, sizeof r->reversal_of);
    width += csv_scan(&f[n++], payer_s, payer_cap);
    width += csv_scan(&f[n++], account_s, account_cap);
    width += csv_scan(&f[n++], r->end_to_end_id, sizeof r->end_to_end_id);
    width += csv_scan(&f[n++], r->creditor_reference, sizeof r->creditor_reference);
    width += csv_scan(&f[n++], r->merchant_order_no, sizeof r->merchant_order_no);
    width += csv_scan(&f[n++], r->provider_txn_id, sizeof r->provider_txn_id);
    width += csv_scan(&f[n++], r->remittance, sizeof r->remittance);
    width += csv_scan(&f[n++], fee, sizeof fee);

    buf_t *b = &po->pending;
    if (!buf_reserve(b, width + ROW_SLACK))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    char *p = csv_put(b->data + b->len, &f[0]);
    for (size_t i = 1; i < ROW_FIELDS; i++) {
        *p++ = ',';
        p = csv_put(p, &f[i]);
    }
    *p++ = '\n';
    *p = '\0';
    b->len = (size_t)(p - b->data);
    if (b->len >= po->chunk && (st = flush_pending(po, err)) != RECON_OK)
        return st;
    po->rows++;
    if (r->amount < 0) {
        po->debit_count++;
        po->debit_sum -= r->amount;
    } else {
        po->credit_count++;
        po->credit_sum += r->amount;
    }
    return RECON_OK;
}

void parse_output_statement_line(const parse_output *po, const statement_summary *s, char *out,
                                 size_t cap)
{
    char opening[MONEY_STR_SIZE] = "-", closing[MONEY_STR_SIZE] = "-";
    char credits[MONEY_STR_SIZE], debits[MONEY_STR_SIZE], date[DATE_STR_SIZE];
    if (s->has_opening)
        money_format(s->opening_balance, opening);
    if (s->has_closing)
        money_format(s->closing_balance, closing);
    money_format(po->credit_sum, credits);
    money_format(po->debit_sum, debits);
    date_format(s->statement_date, date);
    snprintf(out, cap,
             "recon: statement %s%s%s: date %s opening %s closing %s credits %ld/%s debits "
             "%ld/%s (%s %s)",
             s->source[0] ? s->source : "-", s->statement_id[0] ? " " : "", s->statement_id,
             date[0] ? date : "-", opening, closing, po->credit_count, credits, po->debit_count,
             debits, po->file, s->position);
}

static recon_status on_statement(void *ctx, const statement_summary *s, err_t *err)
{
    parse_output *po = ctx;
    char line[1024];
    parse_output_statement_line(po, s, line, sizeof line);
    if (po->diag) {
        /* The statement's rows go to out before its line goes to diag, as they
         * did when every row was written at once (a terminal shows them in order). */
        recon_status st = flush_pending(po, err);
        if (st != RECON_OK)
            return st;
        fprintf(po->diag, "%s\n", line);
    }
    po->credit_count = po->debit_count = 0;
    po->credit_sum = po->debit_sum = 0;
    return RECON_OK;
}

/* Each kind of tolerance is shown where it was first met and then only counted,
 * so that a quirk on every row of a big bill does not bury everything else. */
#define WARNINGS_SHOWN 3

static recon_status on_warning(void *ctx, const char *position, const char *text, err_t *err)
{
    parse_output *po = ctx;
    if (po->warnings == NULL && (po->warnings = parse_warnings_new()) == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    long seen = parse_warnings_add(po->warnings, position, text);
    if (seen == 0)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (seen > WARNINGS_SHOWN || po->diag == NULL)
        return RECON_OK;
    recon_status st = flush_pending(po, err); /* the row it concerns follows it */
    if (st == RECON_OK)
        fprintf(po->diag, "recon: warning: %s: %s: %s\n", po->file, position, text);
    return st;
}

void parse_output_file_done(parse_output *po)
{
    size_t kinds = parse_warnings_kinds(po->warnings);
    for (size_t i = 0; i < kinds && po->diag; i++) {
        long count = 0;
        const char *text = parse_warnings_get(po->warnings, i, NULL, &count);
        if (count > WARNINGS_SHOWN)
            fprintf(po->diag, "recon: warning: %s: %s: %ld times in all\n", po->file, text,
                    count);
    }
    long other = parse_warnings_other(po->warnings);
    if (other > 0 && po->diag)
        fprintf(po->diag, "recon: warning: %s: %ld more warnings of other kinds\n", po->file,
                other);
    parse_warnings_reset(po->warnings);
}

receipt_sink parse_output_sink(parse_output *po, const char *file)
{
    po->file = file;
    csv_field f;
    po->file_width = csv_scan(&f, file, strlen(file) + 1);
    po->file_len = f.len;
    po->file_quoted = f.quoted;
    po->credit_count = po->debit_count = 0;
    po->credit_sum = po->debit_sum = 0;
    parse_warnings_reset(po->warnings);
    return (receipt_sink){po, on_receipt, on_statement, on_warning};
}

recon_status parse_output_finish(parse_output *po, err_t *err)
{
    recon_status st = parse_output_header(po, err);
    if (st == RECON_OK)
        st = flush_pending(po, err);
    if (st == RECON_OK && (fflush(po->out) != 0 || ferror(po->out)))
        return err_set(err, RECON_EOUTPUT, "cannot write output: %s", strerror(errno));
    return st;
}

void parse_output_free(parse_output *po)
{
    buf_free(&po->pending);
    parse_warnings_free(po->warnings);
    po->warnings = NULL;
}
