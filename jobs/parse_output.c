#include "jobs/parse_output.h"

#include <errno.h>
#include <string.h>

#include "core/mask.h"

void parse_output_init(parse_output *po, FILE *out, FILE *diag, bool unmasked)
{
    memset(po, 0, sizeof *po);
    po->out = out;
    po->diag = diag;
    po->unmasked = unmasked;
    po->file = "";
}

static recon_status write_or_fail(parse_output *po, const char *s, size_t n, err_t *err)
{
    if (fwrite(s, 1, n, po->out) != n)
        return err_set(err, RECON_EOUTPUT, "cannot write output: %s", strerror(errno));
    return RECON_OK;
}

recon_status parse_output_header(parse_output *po, err_t *err)
{
    if (po->header_done)
        return RECON_OK;
    po->header_done = true;
    return write_or_fail(po, PARSE_OUTPUT_HEADER "\n", sizeof PARSE_OUTPUT_HEADER, err);
}

static bool add(buf_t *b, const char *field, bool last)
{
    return buf_append_csv_field(b, field) && buf_append_char(b, last ? '\n' : ',');
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    parse_output *po = ctx;
    recon_status st = parse_output_header(po, err);
    if (st != RECON_OK)
        return st;
    char booking[DATE_STR_SIZE], value[DATE_STR_SIZE], amount[MONEY_STR_SIZE],
        fee[MONEY_STR_SIZE];
    char payer[RECEIPT_NAME_MAX + 2], account[RECEIPT_ACCOUNT_MAX];
    date_format(r->booking_date, booking);
    date_format(r->value_date, value);
    money_format(r->amount, amount);
    if (r->has_fee)
        money_format(r->fee, fee);
    else
        fee[0] = '\0';
    if (po->unmasked) {
        snprintf(payer, sizeof payer, "%s", r->payer);
        snprintf(account, sizeof account, "%s", r->payer_account);
    } else if (!mask_name(r->payer, payer, sizeof payer) ||
               !mask_account(r->payer_account, account, sizeof account)) {
        return err_set(err, RECON_EINTERNAL, "%s: %s: cannot mask personal data", po->file,
                       r->position);
    }
    buf_t *b = &po->row;
    buf_reset(b);
    bool ok = add(b, po->file, false) && add(b, r->position, false) && add(b, r->source, false) &&
              add(b, r->transaction_key, false) && add(b, booking, false) &&
              add(b, value, false) && add(b, amount, false) && add(b, r->currency, false) &&
              add(b, r->direction == RECEIPT_DEBIT ? "debit" : "credit", false) &&
              add(b, r->reversal ? "true" : "false", false) && add(b, r->reversal_of, false) &&
              add(b, payer, false) && add(b, account, false) && add(b, r->end_to_end_id, false) &&
              add(b, r->creditor_reference, false) && add(b, r->merchant_order_no, false) &&
              add(b, r->provider_txn_id, false) && add(b, r->remittance, false) &&
              add(b, fee, true);
    if (!ok)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if ((st = write_or_fail(po, b->data, b->len, err)) != RECON_OK)
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
    (void)err;
    parse_output *po = ctx;
    char line[1024];
    parse_output_statement_line(po, s, line, sizeof line);
    if (po->diag)
        fprintf(po->diag, "%s\n", line);
    po->credit_count = po->debit_count = 0;
    po->credit_sum = po->debit_sum = 0;
    return RECON_OK;
}

receipt_sink parse_output_sink(parse_output *po, const char *file)
{
    po->file = file;
    po->credit_count = po->debit_count = 0;
    po->credit_sum = po->debit_sum = 0;
    receipt_sink sink = {po, on_receipt, on_statement};
    return sink;
}

recon_status parse_output_finish(parse_output *po, err_t *err)
{
    recon_status st = parse_output_header(po, err);
    if (st != RECON_OK)
        return st;
    if (fflush(po->out) != 0 || ferror(po->out))
        return err_set(err, RECON_EOUTPUT, "cannot write output: %s", strerror(errno));
    return RECON_OK;
}

void parse_output_free(parse_output *po) { buf_free(&po->row); }
