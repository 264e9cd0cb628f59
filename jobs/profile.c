/*
 * `recon profile check [--profile NAME|PATH] [--rows N] FILE`: how a bank CSV profile
 * reads a file, column by column and row by row, through the very reader `recon parse`
 * uses (parsers/bankcsv.h). Unlike parse it goes on after a refused row, so that every
 * problem shows at once; exit 65 when any row is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "jobs/jobs.h"
#include "parsers/bankcsv.h"

#define CHECK_DEFAULT_ROWS 20

typedef struct check {
    FILE *out;
    const char *file;
    bankcsv_t *reader;
    bool unmasked;
    long limit;                 /* data rows shown in full; 0: all */
    long shown, read, refused, credits, debits;
    long titles, blanks, zeros, trailers;
    bool hidden_said;
} check;

static const char *const date_formats[] = {"yyyymmdd", "yyyy-mm-dd", "yyyy/mm/dd"};

static bool is_payer_key(const char *key) { return strcmp(key, "payer_column") == 0; }
static bool is_account_key(const char *key) { return strcmp(key, "payer_account_column") == 0; }

/* Personal data shown as `recon parse` shows it: masked unless --unmasked. */
static const char *shown_text(const check *k, const char *key, const char *s, size_t n,
                              char *buf, size_t cap)
{
    char raw[RECEIPT_NAME_MAX];
    snprintf(buf, cap, "%.*s", (int)n, s);
    if (k->unmasked || (!is_payer_key(key) && !is_account_key(key)))
        return buf;
    snprintf(raw, sizeof raw, "%.*s", (int)n, s);
    bool ok = is_payer_key(key) ? mask_name(raw, buf, cap) : mask_account(raw, buf, cap);
    return ok ? buf : "(masked)";
}

static void print_profile(const check *k)
{
    const bankprofile_t *p = bankcsv_profile(k->reader);
    fprintf(k->out, "profile %s (%s): encoding %s, %d title line%s before the header, dates "
                    "%s, default currency %s\n",
            p->name, p->path, p->encoding, p->skip_lines, p->skip_lines == 1 ? "" : "s",
            date_formats[p->date_format], p->default_currency);
}

static void print_mapping(const check *k, const bankcsv_row *row)
{
    const bankcsv_column *cols;
    size_t n = bankcsv_columns(k->reader, &cols);
    fprintf(k->out, "line %ld: header: %.*s\n", row->line, (int)row->text_len, row->text);
    for (size_t i = 0; i < n; i++) {
        if (cols[i].index >= 0)
            fprintf(k->out, "  %s = %s -> column %d\n", cols[i].key, cols[i].name,
                    cols[i].index + 1);
        else
            fprintf(k->out, "  %s = %s -> not in the header (%s)\n", cols[i].key, cols[i].name,
                    cols[i].required ? "the money cannot be read" : "read as empty");
    }
    const char *const *warnings;
    size_t w = bankcsv_warnings(k->reader, &warnings);
    for (size_t i = 0; i < w; i++)
        fprintf(k->out, "  warning: %s\n", warnings[i]);
}

/* Each mapped column's cell as the file has it. */
static void print_cells(const check *k)
{
    const bankcsv_column *cols;
    size_t n = bankcsv_columns(k->reader, &cols);
    for (size_t i = 0; i < n; i++) {
        if (cols[i].index < 0)
            continue;
        size_t len;
        const char *s = bankcsv_cell(k->reader, cols[i].index, &len);
        char buf[RECEIPT_TEXT_MAX];
        fprintf(k->out, "  %s [%s, column %d]: '%s'\n", cols[i].name, cols[i].key,
                cols[i].index + 1, shown_text(k, cols[i].key, s, len, buf, sizeof buf));
    }
}

static void print_receipt(const check *k, const receipt_t *r)
{
    char date[DATE_STR_SIZE], amount[MONEY_STR_SIZE], payer[RECEIPT_NAME_MAX],
        account[RECEIPT_ACCOUNT_MAX * 2];
    date_format(r->booking_date, date);
    money_format(r->amount, amount);
    fprintf(k->out,
            "  read: date %s, amount %s %s (%s), reference '%s', payer '%s', payer account "
            "'%s', remittance '%s', key %s\n",
            date, amount, r->currency, r->direction == RECEIPT_CREDIT ? "credit" : "debit",
            r->provider_txn_id,
            shown_text(k, "payer_column", r->payer, strlen(r->payer), payer, sizeof payer),
            shown_text(k, "payer_account_column", r->payer_account, strlen(r->payer_account),
                       account, sizeof account),
            r->remittance, r->transaction_key);
    if (r->note[0] != '\0')
        fprintf(k->out, "  note: %s\n", r->note);
}

/* Data rows beyond --rows are counted, not shown; refused rows are always shown. */
static bool show_row(check *k, long line)
{
    if (k->limit == 0 || k->shown < k->limit) {
        k->shown++;
        return true;
    }
    if (!k->hidden_said) {
        fprintf(k->out, "line %ld: rows read from here on are not shown (--rows %ld; --rows 0 "
                        "shows all); refused rows still are\n",
                line, k->limit);
        k->hidden_said = true;
    }
    return false;
}

static void print_row(check *k, const bankcsv_row *row)
{
    switch (row->kind) {
    case BANKCSV_TITLE:
        k->titles++;
        fprintf(k->out, "line %ld: skipped: title line%s%.*s\n", row->line,
                row->text_len ? ": " : " (empty)", (int)row->text_len, row->text);
        break;
    case BANKCSV_HEADER:
        print_mapping(k, row);
        break;
    case BANKCSV_BLANK:
        k->blanks++;
        if (show_row(k, row->line))
            fprintf(k->out, "line %ld: skipped: blank row\n", row->line);
        break;
    case BANKCSV_ZERO:
        k->zeros++;
        if (show_row(k, row->line))
            fprintf(k->out, "line %ld: skipped: amount 0.00 moves no money\n", row->line);
        break;
    case BANKCSV_TRAILER:
        k->trailers++;
        fprintf(k->out, "line %ld: trailer: the data ends here, what follows is not read: "
                        "%.*s\n",
                row->line, (int)row->text_len, row->text);
        break;
    case BANKCSV_RECEIPT:
        k->read++;
        if (row->receipt.amount > 0)
            k->credits++;
        else
            k->debits++;
        if (show_row(k, row->line)) {
            fprintf(k->out, "line %ld: read\n", row->line);
            print_cells(k);
            print_receipt(k, &row->receipt);
        }
        break;
    case BANKCSV_REFUSED: {
        const bankcsv_column *cols;
        k->refused++;
        if (row->fatal && bankcsv_columns(k->reader, &cols) > 0)
            print_mapping(k, row); /* which columns were found and which were not */
        fprintf(k->out, "line %ld: refused: %s\n", row->line, row->why);
        if (row->fatal)
            fprintf(k->out, "line %ld: nothing after this line can be read\n", row->line);
        break;
    }
    case BANKCSV_END:
        break;
    }
}

static void print_summary(const check *k)
{
    const statement_summary *s = bankcsv_summary(k->reader);
    char credits[MONEY_STR_SIZE], debits[MONEY_STR_SIZE];
    money_format(s->credit_total, credits);
    money_format(s->debit_total, debits);
    fprintf(k->out,
            "summary: %ld row%s read (%s credits %ld/%s, debits %ld/%s), %ld refused, %ld "
            "skipped (%ld title, %ld blank, %ld zero amount, %ld trailer)\n",
            k->read, k->read == 1 ? "" : "s", s->currency[0] ? s->currency : "-",
            k->credits, credits, k->debits, debits,
            k->refused, k->titles + k->blanks + k->zeros + k->trailers, k->titles, k->blanks,
            k->zeros, k->trailers);
}

static recon_status check_rows(check *k, err_t *err)
{
    bankcsv_row *row = malloc(sizeof *row);
    if (row == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    recon_status st;
    for (;;) {
        if ((st = bankcsv_next_row(k->reader, row, err)) != RECON_OK)
            break;
        if (row->kind == BANKCSV_END)
            break;
        if (row->kind == BANKCSV_RECEIPT &&
            receipt_check_bounds(k->file, &row->receipt, err) !=
                RECON_OK) {
            row->kind = BANKCSV_REFUSED;
            snprintf(row->why, sizeof row->why, "%s", err->msg);
        }
        print_row(k, row);
    }
    free(row);
    return st;
}

recon_status cmd_profile_check(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon profile check [--profile NAME|PATH] [--rows N] FILE");
    parse_options popts;
    recon_status st = job_parse_options(o, &popts, err);
    if (st != RECON_OK)
        return st;
    check k = {.out = o->out, .file = o->args[0], .unmasked = o->unmasked,
               .limit = o->rows >= 0 ? o->rows : CHECK_DEFAULT_ROWS};
    instream_t *in = NULL;
    if ((st = instream_open(o->args[0], &in, err)) != RECON_OK)
        return st;
    instream_set_limit(in, popts.max_input ? popts.max_input : INSTREAM_DEFAULT_LIMIT);
    if ((st = bankcsv_open(in, &popts, &k.reader, err)) != RECON_OK)
        goto out;
    print_profile(&k);
    st = check_rows(&k, err);
    if (st == RECON_EDATA) {
        /* the file as a whole is refused (no header, no trailer): said like a row */
        fprintf(k.out, "refused: %s\n", err->msg);
        k.refused++;
    } else if (st != RECON_OK) {
        goto out;
    }
    print_summary(&k);
    st = RECON_OK;
    if (k.refused > 0)
        st = err_set(err, RECON_EDATA, "%s: %ld row%s refused by bank profile %s", o->args[0],
                     k.refused, k.refused == 1 ? "" : "s", bankcsv_profile(k.reader)->name);
out:
    bankcsv_close(k.reader);
    instream_close(in);
    return st;
}
