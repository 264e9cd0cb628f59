/*
 * WeChat Pay merchant bill (downloadbill: ALL, SUCCESS, REFUND, and the 2014
 * layout). Columns are found by header name because WeChat has added columns
 * over the years; every data field carries a leading backtick so that
 * spreadsheets keep long ids as text.
 *
 * Amount choice: 应结订单金额 (settlement amount: what the merchant is actually
 * credited, order amount less non-cash vouchers) in current layouts; the legacy
 * layout only has 总金额, which its summary sums the same way. Both are what the
 * bill's own summary totals, so the summary check covers the figure we store.
 *
 * Fees are quoted to 5 decimals (0.04000 or 0.00600); the receipt keeps the fee
 * rounded half away from zero to fen, while the summary check is done on the
 * exact values. Money is held as integer micro-yuan (1e-6) while parsing.
 */
#include "parsers/parse.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuild.h"
#include "core/currency.h"
#include "parsers/bill.h"

#define WX_MAX_LINE 16384
#define WX_MAX_FIELDS 64
#define WX_MICRO_PER_FEN 10000
/* Largest magnitude accepted for one figure: 10^12 yuan keeps sums of many rows in int64. */
#define WX_MAX_MICRO ((int64_t)1000000000000000000LL)

/* Detail columns whose sums the summary row states, by summary column name. */
static const struct {
    const char *summary;
    const char *detail; /* NULL: the row count */
} wx_checks[] = {
    {"总交易单数", NULL},
    {"应结订单总金额", "应结订单金额"},
    {"总交易额", "总金额"},
    {"退款总金额", "退款金额"},
    {"总退款金额", "退款金额"},
    {"充值券退款总金额", "充值券退款金额"},
    {"总代金券或立减优惠退款金额", "代金券或立减优惠退款金额"},
    {"手续费总金额", "手续费"},
    {"订单总金额", "订单金额"},
    {"申请退款总金额", "申请退款金额"},
};
#define WX_NCHECKS (sizeof wx_checks / sizeof wx_checks[0])

enum wx_col {
    C_TIME,
    C_MCH,
    C_TXN,
    C_ORDER,
    C_OPENID,
    C_STATUS,
    C_CCY,
    C_AMOUNT,
    C_TOTAL_LEGACY,
    C_REFUND_ID,
    C_REFUND_AMOUNT,
    C_REFUND_STATUS,
    C_REFUND_DONE,
    C_GOODS,
    C_ATTACH,
    C_FEE,
    C_NCOLS
};

static const char *const wx_col_names[C_NCOLS] = {
    [C_TIME] = "交易时间",           [C_MCH] = "商户号",
    [C_TXN] = "微信订单号",          [C_ORDER] = "商户订单号",
    [C_OPENID] = "用户标识",         [C_STATUS] = "交易状态",
    [C_CCY] = "货币种类",            [C_AMOUNT] = "应结订单金额",
    [C_TOTAL_LEGACY] = "总金额",     [C_REFUND_ID] = "微信退款单号",
    [C_REFUND_AMOUNT] = "退款金额",  [C_REFUND_STATUS] = "退款状态",
    [C_REFUND_DONE] = "退款成功时间", [C_GOODS] = "商品名称",
    [C_ATTACH] = "商户数据包",       [C_FEE] = "手续费",
};

typedef struct wx_state {
    bill_t *b;
    const receipt_sink *sink;
    err_t *err;
    size_t ncols;
    int col[C_NCOLS];             /* header index, -1 when absent */
    int check_col[WX_NCHECKS];    /* detail column index per check, -1 when absent */
    int64_t sums[WX_NCHECKS];     /* micro-yuan */
    long rows;
    long summary_line;
    int summary_map[WX_MAX_FIELDS]; /* summary column -> check index, -1 unknown */
    size_t summary_ncols;
    statement_summary stmt;
} wx_state;

static bool has_bytes(const unsigned char *h, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m > n)
        return false;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(h + i, needle, m) == 0)
            return true;
    return false;
}

bool wechat_detect(const unsigned char *head, size_t len)
{
    size_t bom = bill_bom_len(head, len);
    head += bom;
    len -= bom;
    static const char first[] = "交易时间,";
    if (len < sizeof first - 1 || memcmp(head, first, sizeof first - 1) != 0)
        return false;
    size_t eol = 0;
    while (eol < len && head[eol] != '\n' && head[eol] != '\r')
        eol++;
    return has_bytes(head, eol, ",公众账号ID,") && has_bytes(head, eol, ",微信订单号,");
}

/* Exact decimal with up to 6 decimals, optional sign, no grouping: "0.04000", "-0.02". */
static bool wx_parse_micro(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    int64_t v = 0;
    size_t digits = 0, decimals = 0;
    bool dot = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        if (dot && ++decimals > 6)
            return false;
        if (v > WX_MAX_MICRO / 10)
            return false;
        v = v * 10 + (c - '0');
        digits++;
    }
    if (digits == 0 || (dot && decimals == 0))
        return false;
    for (; decimals < 6; decimals++) {
        if (v > WX_MAX_MICRO / 10)
            return false;
        v *= 10;
    }
    *out = neg ? -v : v;
    return true;
}

static fen_t wx_micro_to_fen_rounded(int64_t m)
{
    int64_t mag = m < 0 ? -m : m;
    fen_t f = (mag + WX_MICRO_PER_FEN / 2) / WX_MICRO_PER_FEN;
    return m < 0 ? -f : f;
}

/* "5.76", "-0.02", "0.01" or "0.006" for messages: at least two decimals. */
static void wx_format_micro(int64_t m, char *out, size_t cap)
{
    int64_t mag = m < 0 ? -m : m;
    char frac[8];
    snprintf(frac, sizeof frac, "%06lld", (long long)(mag % 1000000));
    size_t n = 6;
    while (n > 2 && frac[n - 1] == '0')
        n--;
    frac[n] = '\0';
    snprintf(out, cap, "%s%lld.%s", m < 0 ? "-" : "", (long long)(mag / 1000000), frac);
}

/* "2019-08-29 09:45:50"; the 2014 layout writes full-width colons. */
static bool wx_parse_time(const bill_field *f, date_t *out)
{
    return date_parse_datetime(f->s, f->len, DATE_TIME_WIDE_COLON, out);
}

static const bill_field *wx_field(const wx_state *st, const bill_field *f, enum wx_col c)
{
    return bill_column(f, st->col, (int)c);
}

static recon_status wx_header(wx_state *st, bill_field *f, size_t n)
{
    st->ncols = n;
    for (size_t i = 0; i < n; i++)
        bill_field_trim(&f[i]);
    bill_map_columns(f, n, wx_col_names, C_NCOLS, st->col);
    if (st->col[C_AMOUNT] < 0)
        st->col[C_AMOUNT] = st->col[C_TOTAL_LEGACY];
    static const enum wx_col required[] = {C_TIME, C_MCH, C_TXN, C_STATUS, C_AMOUNT};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (st->col[required[k]] < 0)
            return bill_fail(st->b, st->err, "wechat bill header has no column %s",
                             required[k] == C_AMOUNT ? "应结订单金额 or 总金额"
                                                     : wx_col_names[required[k]]);
    for (size_t k = 0; k < WX_NCHECKS; k++) {
        st->check_col[k] = -1;
        if (wx_checks[k].detail == NULL)
            continue;
        for (size_t i = 0; i < n; i++)
            if (bill_field_eq(&f[i], wx_checks[k].detail))
                st->check_col[k] = (int)i;
    }
    return RECON_OK;
}

/* Free text: a longer value is cut and noted. */
static void wx_text(receipt_t *r, char *dst, size_t cap, const bill_field *f, const char *what)
{
    receipt_set_text(r, dst, cap, f->s, f->len, what);
}

/* An identifier: a longer one keeps its head and a hash of the whole, and is noted. */
static void wx_key(receipt_t *r, char *dst, size_t cap, const bill_field *f, const char *what)
{
    if (!receipt_set_key(dst, cap, f->s, f->len))
        receipt_note(r, "%s longer than %zu bytes: shortened with a hash of the whole", what,
                     cap - 1);
}

static recon_status wx_money(wx_state *st, const bill_field *f, const char *what, int64_t *out)
{
    if (!wx_parse_micro(f->s, f->len, out))
        return bill_fail(st->b, st->err, "%s '%.40s' is not an amount", what, f->s);
    return RECON_OK;
}

static recon_status wx_fen(wx_state *st, const bill_field *f, const char *what, fen_t *out)
{
    int64_t m = 0;
    recon_status rc = wx_money(st, f, what, &m);
    if (rc != RECON_OK)
        return rc;
    if (m % WX_MICRO_PER_FEN != 0)
        return bill_fail(st->b, st->err, "%s '%s' has fractions of a fen", what, f->s);
    *out = m / WX_MICRO_PER_FEN;
    return RECON_OK;
}

static recon_status wx_row(wx_state *st, bill_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bill_field_strip_prefix(&f[i], '`');
        bill_field_trim(&f[i]);
    }
    size_t extra = bill_trailing_empty(f, n, st->ncols);
    n -= extra;
    recon_status rc = bill_check_width(st->b, st->err, n, st->ncols);
    if (rc != RECON_OK)
        return rc;
    /* Summed before interpretation: the summary covers every row as written. */
    for (size_t k = 0; k < WX_NCHECKS; k++) {
        int64_t v = 0;
        if (st->check_col[k] < 0 || f[st->check_col[k]].len == 0)
            continue;
        rc = wx_money(st, &f[st->check_col[k]], wx_checks[k].detail, &v);
        if (rc != RECON_OK)
            return rc;
        if (__builtin_add_overflow(st->sums[k], v, &st->sums[k]))
            return bill_fail(st->b, st->err, "%s total out of range", wx_checks[k].detail);
    }
    st->rows++;

    receipt_t r;
    receipt_init(&r);
    receipt_position_line(r.position, bill_lineno(st->b));
    if (extra > 0)
        receipt_note(&r, "empty fields after the header's last column ignored");
    const bill_field *status = wx_field(st, f, C_STATUS);
    const bill_field *txn = wx_field(st, f, C_TXN);
    const bill_field *mch = wx_field(st, f, C_MCH);
    if (bill_line_replaced(st->b)) {
        /* Identifiers and accounts must be exact; text is read with U+FFFD. */
        static const enum wx_col exact[] = {C_MCH, C_TXN, C_REFUND_ID, C_OPENID};
        for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++)
            if (bill_field_has_replacement(wx_field(st, f, exact[k])))
                return bill_fail(st->b, st->err, "invalid UTF-8 in %s; hint: GBK text in a "
                                 "UTF-8 file?", wx_col_names[exact[k]]);
        receipt_note(&r, "invalid utf-8 in the row's text replaced with U+FFFD");
    }
    if (mch->len == 0)
        return bill_fail(st->b, st->err, "empty 商户号");
    if (txn->len == 0)
        return bill_fail(st->b, st->err, "empty 微信订单号");
    wx_key(&r, r.source, sizeof r.source, mch, "商户号");
    wx_text(&r, r.merchant_order_no, sizeof r.merchant_order_no, wx_field(st, f, C_ORDER),
            "商户订单号");
    if (st->stmt.source[0] == '\0')
        memcpy(st->stmt.source, r.source, sizeof r.source);
    else if (strcmp(st->stmt.source, r.source) != 0)
        return bill_fail(st->b, st->err,
                         "商户号 %s differs from %s on earlier rows; hint: one bill "
                         "per merchant",
                         r.source, st->stmt.source);

    const bill_field *ccy = wx_field(st, f, C_CCY);
    if (ccy->len == 0) {
        memcpy(r.currency, "CNY", 4);
    } else if (currency_code_valid_n(ccy->s, ccy->len)) {
        memcpy(r.currency, ccy->s, 4);
    } else {
        return bill_fail(st->b, st->err, "货币种类 '%.20s' is not an iso 4217 code", ccy->s);
    }

    const bill_field *time = wx_field(st, f, C_TIME);
    if (!wx_parse_time(time, &r.booking_date))
        return bill_fail(st->b, st->err, "交易时间 '%.40s' is not a date and time like "
                       "2019-08-29 09:45:50", time->s);

    int64_t fee_micro = 0;
    const bill_field *fee = wx_field(st, f, C_FEE);
    if (fee->len > 0) {
        if ((rc = wx_money(st, fee, "手续费", &fee_micro)) != RECON_OK)
            return rc;
        r.fee = wx_micro_to_fen_rounded(fee_micro);
        r.has_fee = true;
    }

    const bill_field *goods = wx_field(st, f, C_GOODS), *attach = wx_field(st, f, C_ATTACH);
    char remit[RECEIPT_TEXT_MAX * 2 + 4];
    strbuild rb = strbuild_start(remit, sizeof remit);
    strbuild_str(&rb, goods->len > 0 ? goods->s : attach->s);
    if (attach->len > 0 && goods->len > 0) {
        strbuild_str(&rb, "; ");
        strbuild_str(&rb, attach->s);
    }
    bill_field remit_f = {remit, rb.len};
    wx_text(&r, r.remittance, sizeof r.remittance, &remit_f, "商品名称/商户数据包");
    /* A cut account would match the wrong payer: better none. */
    const bill_field *openid = wx_field(st, f, C_OPENID);
    if (!receipt_set_field(r.payer_account, sizeof r.payer_account, openid->s, openid->len))
        receipt_note(&r, "用户标识 longer than %zu bytes: payer account left empty",
                     sizeof r.payer_account - 1);

    if (bill_field_eq(status, "SUCCESS")) {
        fen_t amount = 0;
        if ((rc = wx_fen(st, wx_field(st, f, C_AMOUNT), wx_col_names[C_AMOUNT], &amount)) !=
            RECON_OK)
            return rc;
        if (amount < 0)
            return bill_fail(st->b, st->err, "negative amount on a SUCCESS row");
        r.amount = amount;
        r.direction = RECEIPT_CREDIT;
        wx_key(&r, r.transaction_key, sizeof r.transaction_key, txn, "微信订单号");
        receipt_set_key(r.provider_txn_id, sizeof r.provider_txn_id, txn->s, txn->len);
        st->stmt.credit_total += amount;
    } else if (bill_field_eq(status, "REFUND")) {
        const bill_field *rs = wx_field(st, f, C_REFUND_STATUS);
        if (!bill_field_eq(rs, "SUCCESS"))
            return bill_fail(st->b, st->err,
                             "refund status '%.20s' is not final; hint: download the "
                             "bill again once the refund has settled",
                             rs->s);
        const bill_field *rid = wx_field(st, f, C_REFUND_ID);
        if (rid->len == 0)
            return bill_fail(st->b, st->err, "refund row without 微信退款单号");
        fen_t refund = 0;
        if ((rc = wx_fen(st, wx_field(st, f, C_REFUND_AMOUNT), "退款金额", &refund)) != RECON_OK)
            return rc;
        if (refund < 0)
            return bill_fail(st->b, st->err, "negative 退款金额");
        /* The refund leaves on the day it succeeded, which the REFUND layout states. */
        const bill_field *done = wx_field(st, f, C_REFUND_DONE);
        if (done->len > 0 && !wx_parse_time(done, &r.booking_date))
            return bill_fail(st->b, st->err, "退款成功时间 '%.40s' is not a date and time",
                             done->s);
        r.amount = -refund;
        r.direction = RECEIPT_DEBIT;
        r.reversal = true;
        wx_key(&r, r.transaction_key, sizeof r.transaction_key, rid, "微信退款单号");
        receipt_set_key(r.provider_txn_id, sizeof r.provider_txn_id, rid->s, rid->len);
        /* the same shortening as the payment's own key, so the link holds */
        wx_key(&r, r.reversal_of, sizeof r.reversal_of, txn, "微信订单号");
        st->stmt.debit_total += refund;
    } else {
        return bill_fail(st->b, st->err,
                         "unsupported 交易状态 '%.20s' (expected SUCCESS or REFUND)", status->s);
    }
    if (st->stmt.currency[0] == '\0')
        memcpy(st->stmt.currency, r.currency, sizeof r.currency);
    if (st->stmt.period_from == DATE_NONE || r.booking_date < st->stmt.period_from)
        st->stmt.period_from = r.booking_date;
    if (st->stmt.period_to == DATE_NONE || r.booking_date > st->stmt.period_to)
        st->stmt.period_to = r.booking_date;
    st->stmt.entry_count++;
    return st->sink->on_receipt(st->sink->ctx, &r, st->err);
}

/*
 * The summary is the bill's own account of its rows; the rows are what was booked. A
 * summary that disagrees (an excerpt of a bill, an edited one) is reported on the file
 * and the rows are read as written.
 */
static recon_status wx_summary_header(wx_state *st, bill_field *f, size_t n)
{
    st->summary_line = bill_lineno(st->b);
    st->summary_ncols = n;
    bool has_count = false;
    for (size_t i = 0; i < n; i++) {
        bill_field_trim(&f[i]);
        st->summary_map[i] = -1;
        for (size_t k = 0; k < WX_NCHECKS; k++)
            if (bill_field_eq(&f[i], wx_checks[k].summary)) {
                st->summary_map[i] = (int)k;
                has_count = has_count || wx_checks[k].detail == NULL;
            }
    }
    if (!has_count)
        return bill_warn(st->b, st->sink, st->err, "summary header has no 总交易单数: the row count is not checked");
    return RECON_OK;
}

static recon_status wx_summary_values(wx_state *st, bill_field *f, size_t n)
{
    recon_status rc = RECON_OK;
    if (n != st->summary_ncols) {
        rc = bill_warn(st->b, st->sink, st->err, "summary values do not line up with the summary header: the summary "
                         "is not checked");
        n = 0;
    }
    for (size_t i = 0; i < n && rc == RECON_OK; i++) {
        bill_field_strip_prefix(&f[i], '`');
        bill_field_trim(&f[i]);
        int k = st->summary_map[i];
        if (k < 0)
            continue; /* a total we cannot recompute (e.g. a newer column) */
        const char *label = wx_checks[k].summary;
        if (wx_checks[k].detail == NULL) {
            char *end = NULL;
            long count = f[i].len > 0 && f[i].s[0] >= '0' && f[i].s[0] <= '9'
                             ? strtol(f[i].s, &end, 10)
                             : -1;
            if (count < 0 || end != f[i].s + f[i].len)
                rc = bill_warn(st->b, st->sink, st->err, "summary %s '%.20s' is not a count: not checked", label, f[i].s);
            else if (count != st->rows)
                rc = bill_warn(st->b, st->sink, st->err, "summary %s says %ld rows but the bill has %ld: the rows read "
                                 "as written", label, count, st->rows);
            continue;
        }
        if (st->check_col[k] < 0)
            continue;
        int64_t v = 0;
        if (!wx_parse_micro(f[i].s, f[i].len, &v)) {
            rc = bill_warn(st->b, st->sink, st->err, "summary %s '%.40s' is not an amount: not checked", label, f[i].s);
        } else if (v != st->sums[k]) {
            char want[48], got[48];
            wx_format_micro(v, want, sizeof want);
            wx_format_micro(st->sums[k], got, sizeof got);
            rc = bill_warn(st->b, st->sink, st->err, "summary %s is %s but the rows' %s add up to %s: the rows read as "
                             "written", label, want, wx_checks[k].detail, got);
        }
    }
    if (rc != RECON_OK)
        return rc;
    receipt_position_line(st->stmt.position, bill_lineno(st->b));
    if (st->stmt.currency[0] == '\0')
        memcpy(st->stmt.currency, "CNY", 4);
    return RECON_OK;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

recon_status wechat_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                          err_t *err)
{
    (void)opts;
    enum { S_HEADER, S_ROWS, S_SUMMARY, S_DONE } state = S_HEADER;
    wx_state *st = calloc(1, sizeof *st);
    recon_status rc = RECON_OK;
    if (st == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    st->sink = sink;
    st->err = err;
    statement_summary_init(&st->stmt);
    /* Bills are UTF-8 (detection looks for UTF-8 column names); what is not
     * would reach the output and the database as invalid text. */
    if ((rc = bill_open(in, "UTF-8", WX_MAX_LINE, WX_MAX_FIELDS, &st->b, err)) != RECON_OK)
        goto out;
    bill_replace_invalid_utf8(st->b);
    for (;;) {
        char *line = NULL;
        size_t len = 0;
        if ((rc = bill_next(st->b, &line, &len, err)) != RECON_OK)
            goto out;
        if (line == NULL)
            break;
        if (is_blank(line, len))
            continue;
        bill_field *f = NULL;
        size_t n = 0;
        if (state == S_DONE) {
            /* A row of the header's width is booked money all the same; anything else
             * (a note, a signature) is text. */
            bool row = bill_split(st->b, line, len, &f, &n, err) == RECON_OK &&
                       n - bill_trailing_empty(f, n, st->ncols) == st->ncols;
            err_clear(err);
            if ((rc = bill_warn(st->b, st->sink, st->err, row ? "data row after the summary: read"
                                      : "text after the summary ignored")) != RECON_OK ||
                (row && (rc = wx_row(st, f, n)) != RECON_OK))
                goto out;
            continue;
        }
        if ((rc = bill_split(st->b, line, len, &f, &n, err)) != RECON_OK)
            goto out;
        switch (state) {
        case S_HEADER:
            if (bill_line_replaced(st->b) &&
                (rc = bill_warn(st->b, st->sink, st->err, "invalid utf-8 in the header replaced with U+FFFD")) != RECON_OK)
                goto out;
            rc = wx_header(st, f, n);
            state = S_ROWS;
            break;
        case S_ROWS:
            if (len >= 15 && memcmp(line, "总交易单数", 15) == 0) {
                rc = wx_summary_header(st, f, n);
                state = S_SUMMARY;
            } else {
                rc = wx_row(st, f, n);
            }
            break;
        case S_SUMMARY:
            rc = wx_summary_values(st, f, n);
            state = S_DONE;
            break;
        case S_DONE:
            break;
        }
        if (rc != RECON_OK)
            goto out;
    }
    if (state != S_DONE) {
        rc = bill_fail(st->b, err,
                       "bill ends without its summary (总交易单数 header and values); "
                       "hint: truncated download?");
        goto out;
    }
    /* Only now is the whole bill read (rows after the summary too). */
    st->stmt.statement_date = st->stmt.period_to;
    if (sink->on_statement)
        rc = sink->on_statement(sink->ctx, &st->stmt, err);
out:
    bill_close(st->b);
    free(st);
    return rc;
}
