/*
 * Chinese bank account exports as CSV. The column layout comes from a profile
 * (parsers/bankprofile.h); this file streams the rows line by line (a quoted field
 * may not span lines: no bank export in scope does that) and maps them to receipts.
 */
#include "parsers/bankcsv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/vargs.h"
#include "core/currency.h"
#include "parsers/bankprofile.h"
#include "parsers/bill.h"
#include "parsers/charset.h"
#include "parsers/fingerprint.h"

#define BANKCSV_MAX_LINE 65536
#define BANKCSV_MAX_FIELDS 64
#define BANKCSV_FIELD_MAX 8192 /* a long memo is cut into its field, not refused */

/* ---- one CSV line split into cells (the bill tokeniser, bounded) ---- */

typedef struct csvrow {
    bill_csv *t;
    bill_field f[BANKCSV_MAX_FIELDS];
    size_t count;
    bool trimmed; /* empty columns beyond the last one allowed were dropped */
} csvrow;

static bool csvrow_init(csvrow *r)
{
    memset(r, 0, sizeof *r);
    r->t = bill_csv_new(BANKCSV_FIELD_MAX);
    return r->t != NULL;
}

static void csvrow_free(csvrow *r)
{
    bill_csv_free(r->t);
    r->t = NULL;
}

/* Splits one line; false with *why set on malformed CSV or exceeded limits. Spreadsheet
 * exports pad rows with empty columns: past the limit those carry nothing and are dropped. */
static bool csvrow_split(csvrow *r, const char *line, size_t n, const char **why)
{
    bill_csv_result res = bill_csv_split(r->t, line, n, r->f, BANKCSV_MAX_FIELDS, &r->count);
    r->trimmed = false;
    if (res == BILL_CSV_TOO_MANY) {
        size_t m = n;
        while (m > 0 && (line[m - 1] == ',' || line[m - 1] == ' ' || line[m - 1] == '\t' ||
                         line[m - 1] == '\r'))
            m--;
        if (m < n) {
            res = bill_csv_split(r->t, line, m, r->f, BANKCSV_MAX_FIELDS, &r->count);
            r->trimmed = res == BILL_CSV_OK;
        }
    }
    switch (res) {
    case BILL_CSV_OK:
        return true;
    case BILL_CSV_OPEN_QUOTE:
    case BILL_CSV_BAD_QUOTE:
        *why = "malformed CSV (stray or unclosed quote)";
        return false;
    case BILL_CSV_TOO_MANY:
        *why = "more than 64 columns";
        return false;
    case BILL_CSV_TOO_LONG:
        *why = "a cell longer than 8192 bytes";
        return false;
    case BILL_CSV_NOMEM:
        break;
    }
    *why = "CSV reader out of memory";
    return false;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Cell i trimmed of ASCII whitespace (exports pad with spaces and a TAB); "" when the
 * row is short. */
static const char *csvrow_cell(const csvrow *r, int i, size_t *n)
{
    if (i < 0 || (size_t)i >= r->count) {
        *n = 0;
        return "";
    }
    const char *s = r->f[i].s;
    size_t len = r->f[i].len;
    while (len > 0 && is_ws(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_ws(s[len - 1]))
        len--;
    *n = len;
    return s;
}

static int find_column(const csvrow *header, const char *name)
{
    char tmp[BANKCSV_FIELD_MAX + 1];
    for (size_t i = 0; i < header->count; i++) {
        size_t n;
        const char *s = csvrow_cell(header, (int)i, &n);
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (bankprofile_column_eq(tmp, name))
            return (int)i;
    }
    return -1;
}

/* The first signature column missing from the header row, or NULL when it matches. */
static const char *header_mismatch(const bankprofile_t *p, const csvrow *header)
{
    for (size_t i = 0; i < p->header.count; i++)
        if (find_column(header, p->header.item[i]) < 0)
            return p->header.item[i];
    return NULL;
}

/* True when the header line (after skip_lines) in the head bytes matches the profile. */
static bool profile_matches_head(const bankprofile_t *p, const unsigned char *head, size_t len,
                                 csvrow *row, charset_t *gb)
{
    const char *s = (const char *)head, *end = s + len;
    for (int i = 0; i < p->skip_lines; i++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (nl == NULL)
            return false;
        s = nl + 1;
    }
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (nl == NULL)
        return false;
    size_t n = (size_t)(nl - s);
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n > BANKCSV_MAX_LINE)
        return false;
    bool ok = false;
    const char *why = NULL;
    buf_t utf8 = BUF_INIT;
    if (strcmp(p->encoding, "UTF-8") != 0) {
        err_t ignored;
        if (gb == NULL || charset_convert(gb, s, n, &utf8, "", 0, &ignored) != RECON_OK)
            goto out;
        s = utf8.data ? utf8.data : "";
        n = utf8.len;
    } else if (!utf8_valid(s, n, NULL)) {
        goto out;
    }
    size_t bom = bill_bom_len(s, n);
    s += bom;
    n -= bom;
    ok = csvrow_split(row, s, n, &why) && header_mismatch(p, row) == NULL;
out:
    buf_free(&utf8);
    return ok;
}

/* The first profile (in file-name order) whose header matches, or -1. */
static int pick_profile(bankprofile_t **all, size_t count, const unsigned char *head, size_t len)
{
    csvrow row;
    charset_t *gb = NULL;
    err_t ignored;
    int found = -1;
    if (!csvrow_init(&row))
        return -1;
    if (charset_open("GB18030", &gb, &ignored) != RECON_OK)
        gb = NULL;
    for (size_t i = 0; i < count && found < 0; i++)
        if (profile_matches_head(all[i], head, len, &row, gb))
            found = (int)i;
    charset_close(gb);
    csvrow_free(&row);
    return found;
}

bool bankcsv_detect(const unsigned char *head, size_t len)
{
    bankprofile_t **all = NULL;
    size_t count = 0;
    err_t err;
    if (bankprofile_load_all(NULL, &all, &count, &err) != RECON_OK) {
        log_warn("%s", err.msg);
        return false;
    }
    bool found = pick_profile(all, count, head, len) >= 0;
    bankprofile_free_all(all, count);
    return found;
}

/* ---- reading rows ---- */

typedef enum col_id {
    COL_DATE, COL_TIME, COL_AMOUNT, COL_INCOME, COL_EXPENSE, COL_DIRECTION, COL_CURRENCY,
    COL_REFERENCE, COL_PAYER, COL_PAYER_ACCOUNT, COL_BALANCE, COL_COUNT
} col_id;

static const struct {
    const char *key;
    bool required;
} col_keys[COL_COUNT] = {
    {"date_column", true},       {"time_column", false},         {"amount_column", true},
    {"income_column", true},     {"expense_column", true},       {"direction_column", true},
    {"currency_column", true},   {"reference_column", false},    {"payer_column", false},
    {"payer_account_column", false}, {"balance_column", false},
};

#define BANKCSV_WARN_MAX 40
#define BANKCSV_WARN_LEN 320

struct bankcsv {
    bankprofile_t *prof;
    bill_t *b;
    const char *file;
    csvrow row;
    bool row_ok;
    int col[COL_COUNT];
    int remit[BANKPROFILE_LIST_MAX];
    bankcsv_column map[COL_COUNT + BANKPROFILE_LIST_MAX];
    size_t map_count;
    char warn[BANKCSV_WARN_MAX][BANKCSV_WARN_LEN];
    const char *warn_ptr[BANKCSV_WARN_MAX];
    size_t warn_count;
    char source[RECEIPT_ID_MAX];
    fingerprint_table *fp;
    statement_summary sum;
    bool header_seen, trailer_seen, fatal, done;
    char *why; /* the reason buffer of the row being read */
};

static const char *profile_column(const bankprofile_t *p, col_id id)
{
    switch (id) {
    case COL_DATE: return p->date_column;
    case COL_TIME: return p->time_column;
    case COL_AMOUNT: return p->amount_column;
    case COL_INCOME: return p->income_column;
    case COL_EXPENSE: return p->expense_column;
    case COL_DIRECTION: return p->direction_column;
    case COL_CURRENCY: return p->currency_column;
    case COL_REFERENCE: return p->reference_column;
    case COL_PAYER: return p->payer_column;
    case COL_PAYER_ACCOUNT: return p->payer_account_column;
    case COL_BALANCE: return p->balance_column;
    case COL_COUNT: break;
    }
    return "";
}

/* Sets the reason a row is refused; always RECON_EDATA. */
static recon_status refuse(bankcsv_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static recon_status refuse(bankcsv_t *c, const char *fmt, ...)
{
    VARGS_FORMAT(c->why, ERR_MSG_MAX, fmt);
    return RECON_EDATA;
}

static void warn(bankcsv_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(bankcsv_t *c, const char *fmt, ...)
{
    if (c->warn_count == BANKCSV_WARN_MAX)
        return;
    VARGS_FORMAT(c->warn[c->warn_count], BANKCSV_WARN_LEN, fmt);
    c->warn_ptr[c->warn_count] = c->warn[c->warn_count];
    c->warn_count++;
}

static bool in_list(const bankprofile_list *l, const char *s, size_t n)
{
    for (size_t i = 0; i < l->count; i++)
        if (strlen(l->item[i]) == n && memcmp(l->item[i], s, n) == 0)
            return true;
    return false;
}

/* A cell with placeholders ('-', '----------') read as empty. */
static const char *cell(const bankcsv_t *c, int col, size_t *n)
{
    const char *s = csvrow_cell(&c->row, col, n);
    if (in_list(&c->prof->placeholders, s, *n))
        *n = 0;
    return s;
}

static void map_add(bankcsv_t *c, const char *key, const char *name, int index, bool required)
{
    c->map[c->map_count++] = (bankcsv_column){key, name, index, required};
}

/* Maps every column key of the profile; refuses (fatally) only when a column the money,
 * direction, currency or date needs is missing; other missing columns read as empty. */
static recon_status map_columns(bankcsv_t *c)
{
    const csvrow *header = &c->row;
    const char *missing = header_mismatch(c->prof, header);
    const char *required_missing = NULL;
    c->map_count = 0;
    for (int i = 0; i < COL_COUNT; i++) {
        const char *name = profile_column(c->prof, (col_id)i);
        c->col[i] = -1;
        if (name[0] == '\0')
            continue;
        c->col[i] = find_column(header, name);
        map_add(c, col_keys[i].key, name, c->col[i], col_keys[i].required);
        if (c->col[i] < 0 && col_keys[i].required && required_missing == NULL)
            required_missing = name;
    }
    for (size_t i = 0; i < c->prof->remittance_columns.count; i++) {
        c->remit[i] = find_column(header, c->prof->remittance_columns.item[i]);
        map_add(c, "remittance_columns", c->prof->remittance_columns.item[i], c->remit[i], false);
    }
    if (required_missing != NULL) {
        c->fatal = true;
        if (missing != NULL)
            return refuse(c, "header has no column '%s' of bank profile %s; hint: check "
                          "skip_lines in %s", missing, c->prof->name, c->prof->path);
        return refuse(c, "header has no column '%s' named in bank profile %s", required_missing,
                      c->prof->name);
    }
    for (size_t i = 0; i < c->prof->header.count; i++)
        if (find_column(header, c->prof->header.item[i]) < 0)
            warn(c, "header column '%s' of the profile is missing: read without it",
                 c->prof->header.item[i]);
    for (size_t i = 0; i < c->map_count; i++)
        if (c->map[i].index < 0 && !in_list(&c->prof->header, c->map[i].name,
                                            strlen(c->map[i].name)))
            warn(c, "%s '%s' is not in the header: left empty", c->map[i].key, c->map[i].name);
    if (header->trimmed)
        warn(c, "empty columns beyond the %dth ignored", BANKCSV_MAX_FIELDS);
    return RECON_OK;
}

/* Account number from a title line such as `卡号: 1234****9876,"卡别名: ..."`. */
static void title_account(bankcsv_t *c, const char *s, size_t n)
{
    if (c->source[0] != '\0')
        return;
    for (size_t i = 0; i < c->prof->account_labels.count; i++) {
        const char *label = c->prof->account_labels.item[i];
        size_t ln = strlen(label);
        const char *at = ln <= n ? memmem(s, n, label, ln) : NULL;
        if (at == NULL)
            continue;
        const char *v = at + ln, *end = s + n;
        size_t vn = 0;
        while (v < end && is_ws(*v))
            v++;
        while (v + vn < end && v[vn] != ',' && v[vn] != '"')
            vn++;
        if (!receipt_set_field(c->source, sizeof c->source, v, vn))
            c->source[0] = '\0';
        if (c->source[0] != '\0')
            return;
    }
}

static const struct {
    const char *name, *code;
} currency_names[] = {
    {"人民币", "CNY"}, {"RMB", "CNY"}, {"美元", "USD"}, {"港币", "HKD"},
    {"港元", "HKD"},   {"欧元", "EUR"}, {"日元", "JPY"}, {"英镑", "GBP"},
};

static recon_status row_currency(bankcsv_t *c, char out[RECEIPT_CCY_MAX])
{
    size_t n;
    const char *s = cell(c, c->col[COL_CURRENCY], &n);
    if (n == 0) {
        memcpy(out, c->prof->default_currency, RECEIPT_CCY_MAX);
        return RECON_OK;
    }
    for (size_t i = 0; i < sizeof currency_names / sizeof currency_names[0]; i++)
        if (strlen(currency_names[i].name) == n && memcmp(currency_names[i].name, s, n) == 0) {
            memcpy(out, currency_names[i].code, 4);
            return RECON_OK;
        }
    if (currency_code_valid_n(s, n)) {
        memcpy(out, s, 3);
        out[3] = '\0';
        return RECON_OK;
    }
    return refuse(c, "unknown currency '%.*s'", (int)(n > 64 ? 64 : n), s);
}

static const money_format_opts bank_money = {'.', ',', true, 2};

/* Parses an amount cell ("+10000.00", "\"3,240.28\"", "CNY 13.50"); a leading currency
 * code must agree with the row's currency. */
static recon_status parse_amount(bankcsv_t *c, const char *what, const char *s, size_t n,
                                 const char *ccy, fen_t *out)
{
    const char *a = s;
    size_t an = n;
    if (an > 3 && currency_code_valid_n(a, 3) && (a[3] == ' ' || (a[3] >= '0' && a[3] <= '9') ||
                                      a[3] == '-' || a[3] == '+')) {
        if (memcmp(a, ccy, 3) != 0)
            return refuse(c, "%s '%.*s' is in %.3s, the row in %s", what,
                          (int)(n > 64 ? 64 : n), s, a, ccy);
        a += 3;
        an -= 3;
        while (an > 0 && a[0] == ' ') {
            a++;
            an--;
        }
    }
    money_result mr = money_parse_opts(a, an, &bank_money, out);
    if (mr != MONEY_OK)
        return refuse(c, "%s '%.*s': %s", what, (int)(n > 64 ? 64 : n), s,
                      money_result_str(mr));
    return RECON_OK;
}

static recon_status row_date(bankcsv_t *c, date_t *out)
{
    size_t n;
    const char *s = cell(c, c->col[COL_DATE], &n);
    bool ok = false;
    switch (c->prof->date_format) {
    case BANKPROFILE_DATE_COMPACT:
        ok = date_parse_compact(s, n, out);
        break;
    case BANKPROFILE_DATE_DASH:
        ok = date_parse(s, n, out);
        break;
    case BANKPROFILE_DATE_SLASH:
        if (n == 10 && s[4] == '/' && s[7] == '/') {
            char iso[11];
            memcpy(iso, s, 10);
            iso[4] = iso[7] = '-';
            ok = date_parse(iso, 10, out);
        }
        break;
    }
    if (!ok) {
        static const char *const formats[] = {"yyyymmdd", "yyyy-mm-dd", "yyyy/mm/dd"};
        return refuse(c, "date '%.*s' is not a valid %s date", (int)(n > 32 ? 32 : n), s,
                      formats[c->prof->date_format]);
    }
    return RECON_OK;
}

static bool digits2(const char *s, int max)
{
    return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
           (s[0] - '0') * 10 + (s[1] - '0') <= max;
}

/* Time is not kept (receipts are dated): an unreadable one is noted, not refused. */
static void row_time(bankcsv_t *c, receipt_t *rc)
{
    size_t n;
    const char *s = cell(c, c->col[COL_TIME], &n);
    if (n == 0 || (n == 6 && digits2(s, 23) && digits2(s + 2, 59) && digits2(s + 4, 59)) ||
        (n == 8 && s[2] == ':' && s[5] == ':' && digits2(s, 23) && digits2(s + 3, 59) &&
         digits2(s + 6, 59)))
        return;
    receipt_note(rc, "time is not hhmmss or hh:mm:ss: ignored");
}

/* Signed amount of the row from the profile's amount, direction or income/expense columns. */
static recon_status row_amount(bankcsv_t *c, const char *ccy, fen_t *out)
{
    const bankprofile_t *p = c->prof;
    size_t n;
    const char *s;
    recon_status st;
    if (p->amount_column[0] != '\0') {
        s = cell(c, c->col[COL_AMOUNT], &n);
        if (n == 0)
            return refuse(c, "empty %s", p->amount_column);
        if ((st = parse_amount(c, p->amount_column, s, n, ccy, out)) != RECON_OK)
            return st;
        if (p->direction_column[0] == '\0')
            return RECON_OK;
        size_t dn;
        const char *d = cell(c, c->col[COL_DIRECTION], &dn);
        if (*out < 0 || s[0] == '+')
            return refuse(c, "%s '%.*s' is signed although %s gives the direction",
                          p->amount_column, (int)(n > 64 ? 64 : n), s, p->direction_column);
        if (in_list(&p->direction_debit, d, dn))
            *out = -*out;
        else if (!in_list(&p->direction_credit, d, dn))
            return refuse(c, "%s '%.*s' is neither a credit nor a debit value of bank profile %s",
                          p->direction_column, (int)(dn > 64 ? 64 : dn), d, p->name);
        return RECON_OK;
    }
    size_t in_n, ex_n;
    const char *in_s = cell(c, c->col[COL_INCOME], &in_n);
    const char *ex_s = cell(c, c->col[COL_EXPENSE], &ex_n);
    fen_t in_v = 0, ex_v = 0;
    if (in_n > 0 && (st = parse_amount(c, p->income_column, in_s, in_n, ccy, &in_v)) != RECON_OK)
        return st;
    if (ex_n > 0 && (st = parse_amount(c, p->expense_column, ex_s, ex_n, ccy, &ex_v)) != RECON_OK)
        return st;
    if (in_v < 0 || ex_v < 0)
        return refuse(c, "negative amount in %s", in_v < 0 ? p->income_column : p->expense_column);
    if (in_v != 0 && ex_v != 0)
        return refuse(c, "both %s and %s hold an amount", p->income_column, p->expense_column);
    if (in_n == 0 && ex_n == 0)
        return refuse(c, "neither %s nor %s holds an amount", p->income_column, p->expense_column);
    *out = in_v - ex_v;
    return RECON_OK;
}

/* Length of s cut to at most cap - 1 bytes on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t cap)
{
    if (n < cap)
        return n;
    n = cap - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Copies a text cell; one longer than its field is cut and noted (it names nobody's money). */
static bool set_text(receipt_t *rc, const char *what, char *dst, size_t cap, const char *s,
                     size_t n)
{
    size_t m = utf8_cut(s, n, cap);
    receipt_set_field(dst, cap, s, m);
    if (m == n)
        return false;
    receipt_note(rc, "%s longer than %zu bytes: cut", what, cap - 1);
    return true;
}

static void row_remittance(bankcsv_t *c, receipt_t *rc)
{
    size_t used = 0, n;
    for (size_t i = 0; i < c->prof->remittance_columns.count; i++) {
        const char *s = cell(c, c->remit[i], &n);
        if (n == 0)
            continue;
        size_t room = sizeof rc->remittance - used - (used > 0 ? 1 : 0);
        size_t m = utf8_cut(s, n, room);
        if (used > 0 && m > 0)
            rc->remittance[used++] = ' ';
        memcpy(rc->remittance + used, s, m);
        used += m;
        rc->remittance[used] = '\0';
        if (m < n) {
            receipt_note(rc, "remittance longer than %zu bytes: cut", sizeof rc->remittance - 1);
            return;
        }
    }
}

/* Builds the receipt of one data row; *zero is set for rows that move no money. */
static recon_status row_receipt(bankcsv_t *c, receipt_t *rc, bool *zero, err_t *err)
{
    const bankprofile_t *p = c->prof;
    recon_status st;
    *zero = false;
    receipt_init(rc);
    receipt_position_line(rc->position, bill_lineno(c->b));
    memcpy(rc->source, c->source, sizeof rc->source);
    if ((st = row_date(c, &rc->booking_date)) != RECON_OK)
        return st;
    row_time(c, rc);
    if ((st = row_currency(c, rc->currency)) != RECON_OK ||
        (st = row_amount(c, rc->currency, &rc->amount)) != RECON_OK)
        return st;
    size_t n;
    const char *s;
    if (c->col[COL_BALANCE] >= 0) {
        s = cell(c, c->col[COL_BALANCE], &n);
        fen_t balance;
        char *why = c->why;
        char ignored[ERR_MSG_MAX];
        c->why = ignored; /* the balance is not kept: an unreadable one is only noted */
        if (n > 0 && !in_list(&p->balance_masks, s, n) &&
            parse_amount(c, p->balance_column, s, n, rc->currency, &balance) != RECON_OK)
            receipt_note(rc, "balance is not an amount in the row's currency: ignored");
        c->why = why;
    }
    if (rc->amount == 0) {
        *zero = true;
        return RECON_OK;
    }
    if (c->row.trimmed)
        receipt_note(rc, "empty columns beyond the %dth ignored", BANKCSV_MAX_FIELDS);
    rc->direction = rc->amount > 0 ? RECEIPT_CREDIT : RECEIPT_DEBIT;
    s = cell(c, c->col[COL_PAYER], &n);
    set_text(rc, "payer", rc->payer, sizeof rc->payer, s, n);
    s = cell(c, c->col[COL_PAYER_ACCOUNT], &n);
    set_text(rc, "payer account", rc->payer_account, sizeof rc->payer_account, s, n);
    row_remittance(c, rc);
    s = cell(c, c->col[COL_REFERENCE], &n);
    /* a cut serial number might equal another row's: the fingerprint keys the receipt */
    bool cut = set_text(rc, "serial number (keyed by fingerprint)", rc->provider_txn_id,
                        sizeof rc->provider_txn_id, s, n);
    if (rc->provider_txn_id[0] != '\0' && !cut)
        memcpy(rc->transaction_key, rc->provider_txn_id, sizeof rc->transaction_key);
    else if ((st = fingerprint_assign(c->fp, rc, rc->remittance, err)) != RECON_OK)
        return st == RECON_EDATA ? refuse(c, "%s", err->msg) : st;
    return RECON_OK;
}

static bool starts_with_trailer(const bankprofile_t *p, const char *s, size_t n)
{
    while (n > 0 && (is_ws(*s) || *s == '"')) {
        s++;
        n--;
    }
    for (size_t i = 0; i < p->trailer_prefixes.count; i++) {
        size_t ln = strlen(p->trailer_prefixes.item[i]);
        if (ln <= n && memcmp(s, p->trailer_prefixes.item[i], ln) == 0)
            return true;
    }
    return false;
}

static recon_status check_totals(bankcsv_t *c)
{
    const bankprofile_t *p = c->prof;
    fen_t totals[2] = {0, 0};
    const fen_t rows[2] = {c->sum.credit_total, c->sum.debit_total};
    const int cols[2] = {c->col[COL_INCOME], c->col[COL_EXPENSE]};
    const char *names[2] = {p->income_column, p->expense_column};
    for (int i = 0; i < 2; i++) {
        size_t n;
        const char *s = cell(c, cols[i], &n);
        recon_status st;
        if (n > 0 && (st = parse_amount(c, names[i], s, n, c->sum.currency[0] ? c->sum.currency
                                                                             : p->default_currency,
                                        &totals[i])) != RECON_OK)
            return st;
        if (totals[i] != rows[i]) {
            char want[MONEY_STR_SIZE], got[MONEY_STR_SIZE];
            money_format(totals[i], want);
            money_format(rows[i], got);
            return refuse(c, "trailer total %s of %s does not match the rows' %s; hint: the file "
                          "may be truncated or edited", want, names[i], got);
        }
    }
    return RECON_OK;
}

static bool row_blank(const csvrow *r)
{
    for (size_t i = 0; i < r->count; i++) {
        size_t n;
        csvrow_cell(r, (int)i, &n);
        if (n > 0)
            return false;
    }
    return true;
}

static recon_status choose_profile(instream_t *in, const parse_options *opts,
                                   bankprofile_t **out, err_t *err)
{
    const char *dir = opts ? opts->profile_dir : NULL;
    if (opts != NULL && opts->bank_profile != NULL)
        return bankprofile_find(opts->bank_profile, dir, out, err);
    const unsigned char *head = NULL;
    size_t len = 0;
    bankprofile_t **all = NULL;
    size_t count = 0;
    recon_status st = instream_peek(in, &head, &len, err);
    if (st != RECON_OK)
        return st;
    if ((st = bankprofile_load_all(dir, &all, &count, err)) != RECON_OK)
        return st;
    int i = pick_profile(all, count, head, len);
    if (i < 0) {
        st = err_set(err, RECON_EDATA,
                     "%s: no bank profile matches the header; hint: --profile NAME|PATH, "
                     "and recon profile check to see how it reads the file",
                     instream_name(in));
    } else {
        *out = all[i];
        all[i] = NULL;
    }
    bankprofile_free_all(all, count);
    return st;
}

recon_status bankcsv_open(instream_t *in, const parse_options *opts, bankcsv_t **out,
                          err_t *err)
{
    *out = NULL;
    bankcsv_t *c = calloc(1, sizeof *c);
    recon_status st = RECON_OK;
    if (c == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    c->file = instream_name(in);
    statement_summary_init(&c->sum);
    c->row_ok = csvrow_init(&c->row);
    if (!c->row_ok || (c->fp = fingerprint_table_new()) == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    if ((st = choose_profile(in, opts, &c->prof, err)) != RECON_OK)
        goto out;
    st = bill_open(in, c->prof->encoding, BANKCSV_MAX_LINE, BANKCSV_MAX_FIELDS, &c->b, err);
out:
    if (st != RECON_OK)
        bankcsv_close(c);
    else
        *out = c;
    return st;
}

const bankprofile_t *bankcsv_profile(const bankcsv_t *b) { return b->prof; }

size_t bankcsv_columns(const bankcsv_t *b, const bankcsv_column **cols)
{
    *cols = b->map;
    return b->map_count;
}

size_t bankcsv_warnings(const bankcsv_t *b, const char *const **texts)
{
    *texts = b->warn_ptr;
    return b->warn_count;
}

const char *bankcsv_cell(const bankcsv_t *b, int index, size_t *n)
{
    return csvrow_cell(&b->row, index, n);
}

const statement_summary *bankcsv_summary(const bankcsv_t *b) { return &b->sum; }

/* The end of the file: what must have been seen, and the summary's own fields. */
static recon_status finish(bankcsv_t *c, err_t *err)
{
    const bankprofile_t *prof = c->prof;
    /* What follows the trailer (export notes) is not data, but it is still read: the
     * line reader refuses a NUL byte there as anywhere else in a text file. */
    recon_status st;
    if (c->trailer_seen && (st = bill_drain(c->b, err)) != RECON_OK)
        return st;
    if (!c->header_seen)
        return err_set(err, RECON_EDATA, "%s: no header row (bank profile %s expects it on line %d)",
                       c->file, prof->name, prof->skip_lines + 1);
    if (prof->trailer_totals == BANKPROFILE_TOTALS_CHECK && !c->trailer_seen)
        return bill_fail(c->b, err, "no trailer line (%s); hint: the file may be truncated",
                         prof->trailer_prefixes.item[0]);
    memcpy(c->sum.source, c->source, sizeof c->sum.source);
    snprintf(c->sum.position, sizeof c->sum.position, "line %d", prof->skip_lines + 1);
    snprintf(c->sum.statement_id, sizeof c->sum.statement_id, "%s", prof->name);
    if (c->sum.currency[0] == '\0')
        memcpy(c->sum.currency, prof->default_currency, sizeof c->sum.currency);
    return RECON_OK;
}

/* Adds a receipt to the statement's totals; a second currency is refused. */
static recon_status count_receipt(bankcsv_t *c, const receipt_t *rc)
{
    statement_summary *sum = &c->sum;
    if (sum->entry_count == 0)
        memcpy(sum->currency, rc->currency, sizeof sum->currency);
    else if (strcmp(sum->currency, rc->currency) != 0)
        return refuse(c, "currency %s differs from %s of the rows above; hint: export one "
                      "currency per file", rc->currency, sum->currency);
    sum->entry_count++;
    if (rc->amount > 0)
        sum->credit_total += rc->amount;
    else
        sum->debit_total -= rc->amount;
    if (sum->period_from == DATE_NONE || rc->booking_date < sum->period_from)
        sum->period_from = rc->booking_date;
    if (sum->period_to == DATE_NONE || rc->booking_date > sum->period_to)
        sum->period_to = rc->booking_date;
    return RECON_OK;
}

/* The kind of one line after the title lines; the row's reason is in c->why. */
static recon_status read_line(bankcsv_t *c, const char *s, size_t n, bankcsv_row *row,
                              err_t *err)
{
    const bankprofile_t *prof = c->prof;
    const char *why = NULL;
    bool trailer = c->header_seen && starts_with_trailer(prof, s, n);
    recon_status st;
    if (!csvrow_split(&c->row, s, n, &why)) {
        c->row.count = 0;
        c->fatal = !c->header_seen;
        return refuse(c, "%s", why);
    }
    if (!c->header_seen) {
        row->kind = BANKCSV_HEADER;
        c->header_seen = true;
        if (c->source[0] == '\0')
            snprintf(c->source, sizeof c->source, "%s", prof->name);
        return map_columns(c);
    }
    if (trailer) {
        row->kind = BANKCSV_TRAILER;
        c->trailer_seen = true; /* whatever follows (export notes) is not data */
        return prof->trailer_totals == BANKPROFILE_TOTALS_CHECK ? check_totals(c) : RECON_OK;
    }
    if (row_blank(&c->row)) {
        row->kind = BANKCSV_BLANK;
        return RECON_OK;
    }
    bool zero;
    if ((st = row_receipt(c, &row->receipt, &zero, err)) != RECON_OK)
        return st;
    if (zero) {
        /* Interest-tax lines of 0.00 and the like: nothing was received. */
        log_info("%s: line %ld: zero amount, skipped", c->file, bill_lineno(c->b));
        row->kind = BANKCSV_ZERO;
        return RECON_OK;
    }
    row->kind = BANKCSV_RECEIPT;
    return count_receipt(c, &row->receipt);
}

recon_status bankcsv_next_row(bankcsv_t *c, bankcsv_row *row, err_t *err)
{
    row->kind = BANKCSV_END;
    row->why[0] = '\0';
    row->fatal = false;
    row->line = 0;
    row->text = NULL;
    row->text_len = 0;
    if (c->done)
        return RECON_OK;
    char *s = NULL;
    size_t n = 0;
    recon_status st = RECON_OK;
    if (!c->trailer_seen && !c->fatal && (st = bill_next(c->b, &s, &n, err)) != RECON_OK)
        return st;
    if (s == NULL) {
        c->done = true;
        return c->fatal ? RECON_OK : finish(c, err);
    }
    row->line = bill_lineno(c->b);
    row->text = s;
    row->text_len = n;
    if (row->line <= c->prof->skip_lines) {
        title_account(c, s, n);
        row->kind = BANKCSV_TITLE;
        return RECON_OK;
    }
    c->why = row->why;
    st = read_line(c, s, n, row, err);
    c->why = NULL;
    if (st == RECON_EDATA && row->why[0] != '\0') {
        row->kind = BANKCSV_REFUSED;
        row->fatal = c->fatal;
        return RECON_OK;
    }
    return st;
}

void bankcsv_close(bankcsv_t *c)
{
    if (c == NULL)
        return;
    if (c->row_ok)
        csvrow_free(&c->row);
    fingerprint_table_free(c->fp);
    bill_close(c->b);
    bankprofile_free(c->prof);
    free(c);
}

/* ---- parsing: the rows pushed to a sink, the first refused row refusing the file ---- */

static recon_status header_warnings(bankcsv_t *c, const receipt_sink *sink, long line,
                                    err_t *err)
{
    const char *const *texts;
    size_t n = bankcsv_warnings(c, &texts);
    char pos[RECEIPT_POSITION_MAX];
    receipt_position_line(pos, line);
    recon_status st = RECON_OK;
    for (size_t i = 0; i < n && st == RECON_OK; i++)
        st = receipt_warn(sink, pos, err, "%s", texts[i]);
    return st;
}

recon_status bankcsv_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                           err_t *err)
{
    bankcsv_t *c = NULL;
    bankcsv_row *row = malloc(sizeof *row);
    recon_status st = RECON_OK;
    if (row == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if ((st = bankcsv_open(in, opts, &c, err)) != RECON_OK)
        goto out;
    for (;;) {
        if ((st = bankcsv_next_row(c, row, err)) != RECON_OK)
            goto out;
        if (row->kind == BANKCSV_END)
            break;
        if (row->kind == BANKCSV_REFUSED) {
            st = bill_fail(c->b, err, "%s", row->why);
            goto out;
        }
        if (row->kind == BANKCSV_HEADER &&
            (st = header_warnings(c, sink, row->line, err)) != RECON_OK)
            goto out;
        if (row->kind == BANKCSV_RECEIPT &&
            (st = sink->on_receipt(sink->ctx, &row->receipt, err)) != RECON_OK)
            goto out;
    }
    if (sink->on_statement != NULL)
        st = sink->on_statement(sink->ctx, &c->sum, err);
out:
    bankcsv_close(c);
    free(row);
    return st;
}
