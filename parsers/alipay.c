/*
 * Alipay bills as downloaded from the merchant portal or the
 * alipay.data.dataservice.bill API: 业务明细 (trade: one row per payment or
 * refund) and 账务明细 (account ledger: one row per booking on the Alipay
 * account). Real downloads are GBK; some tools re-save them as UTF-8, so the
 * encoding is chosen from the head and each line is converted before parsing.
 *
 * Layout: '#' preamble (title, #账号：[...], #起始日期：[...] 终止日期：[...]),
 * one header row whose names carry full-width units (订单金额（元）), data rows
 * whose id fields end in a TAB, then '#' footers with totals that are checked
 * against the rows.
 *
 * Trade amount: 商家实收 (what reaches the merchant), the figure the footer totals.
 */
#include "parsers/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuild.h"
#include "parsers/bill.h"
#include "parsers/charset.h"
#include "parsers/fingerprint.h"

#define AP_MAX_LINE 16384
#define AP_MAX_FIELDS 64
#define AP_NAME_MAX 64

static const char TITLE_UTF8[] = "#支付宝";
static const char TITLE_GBK[] = "#\xD6\xA7\xB8\xB6\xB1\xA6";

enum ap_col {
    /* trade (业务明细) */
    C_TRADE_NO,
    C_ORDER,
    C_TYPE,
    C_GOODS,
    C_CREATED,
    C_FINISHED,
    C_COUNTERPARTY,
    C_ORDER_AMOUNT,
    C_RECEIVED,
    C_DISCOUNT,
    C_REFUND_BATCH,
    C_SERVICE_FEE,
    C_NOTE,
    /* ledger (账务明细) */
    C_LEDGER_NO,
    C_BIZ_NO,
    C_OCCURRED,
    C_COUNTER_ACCT,
    C_INCOME,
    C_EXPENSE,
    C_NCOLS
};

/* Header names with their unit suffix ("（元）", "（+元）") cut off. */
static const char *const ap_col_names[C_NCOLS] = {
    [C_TRADE_NO] = "支付宝交易号",   [C_ORDER] = "商户订单号",
    [C_TYPE] = "业务类型",           [C_GOODS] = "商品名称",
    [C_CREATED] = "创建时间",        [C_FINISHED] = "完成时间",
    [C_COUNTERPARTY] = "对方账户",   [C_ORDER_AMOUNT] = "订单金额",
    [C_RECEIVED] = "商家实收",       [C_DISCOUNT] = "商家优惠",
    [C_REFUND_BATCH] = "退款批次号/请求号", [C_SERVICE_FEE] = "服务费",
    [C_NOTE] = "备注",               [C_LEDGER_NO] = "账务流水号",
    [C_BIZ_NO] = "业务流水号",       [C_OCCURRED] = "发生时间",
    [C_COUNTER_ACCT] = "对方账号",   [C_INCOME] = "收入金额",
    [C_EXPENSE] = "支出金额",
};

/* Row categories the footers total: trade 交易/退款, ledger 收入/支出. */
enum { CAT_A, CAT_B, NCAT };
/* Summed columns per category, matched to footer labels. */
enum { SUM_PRIMARY, SUM_DISCOUNT, SUM_ORDER, NSUM };

typedef struct ap_state {
    bill_t *b;
    const receipt_sink *sink;
    err_t *err;
    bool ledger;
    size_t ncols;
    int col[C_NCOLS];
    long count[NCAT];
    fen_t sums[NCAT][NSUM];
    bool footer_seen[NCAT];
    fingerprint_table *fp;
    statement_summary stmt;
} ap_state;

bool alipay_detect(const unsigned char *head, size_t len)
{
    size_t bom = bill_bom_len(head, len);
    head += bom;
    len -= bom;
    return (len >= sizeof TITLE_UTF8 - 1 && memcmp(head, TITLE_UTF8, sizeof TITLE_UTF8 - 1) == 0) ||
           (len >= sizeof TITLE_GBK - 1 && memcmp(head, TITLE_GBK, sizeof TITLE_GBK - 1) == 0);
}

static bool starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static const bill_field *ap_field(const ap_state *st, const bill_field *f, enum ap_col c)
{
    return bill_column(f, st->col, (int)c);
}

/* An identifier: a longer one keeps its head and a hash of the whole, and is noted. */
static void ap_key(receipt_t *r, char *dst, size_t cap, const char *s, size_t n,
                   const char *what)
{
    if (!receipt_set_key(dst, cap, s, n) && r != NULL)
        receipt_note(r, "%s longer than %zu bytes: shortened with a hash of the whole", what,
                     cap - 1);
}

static void ap_keyf(receipt_t *r, char *dst, size_t cap, const bill_field *f, const char *what)
{
    ap_key(r, dst, cap, f->s, f->len, what);
}

/* A cut account would match the wrong payer: better none. An account with bytes that
 * were not UTF-8 is no account at all. */
static recon_status ap_account(ap_state *st, receipt_t *r, const char *s, size_t n,
                               const char *what)
{
    bill_field f = {(char *)s, n};
    if (bill_field_has_replacement(&f))
        return bill_fail(st->b, st->err, "invalid UTF-8 in %s; hint: GBK text in a UTF-8 file?",
                         what);
    if (!receipt_set_field(r->payer_account, sizeof r->payer_account, s, n))
        receipt_note(r, "%s longer than %zu bytes: payer account left empty", what,
                     sizeof r->payer_account - 1);
    return RECON_OK;
}

/* Empty counts as zero only where allow_empty: optional figures are often left blank. */
static recon_status ap_money(ap_state *st, const bill_field *f, const char *what,
                             bool allow_empty, fen_t *out)
{
    static const money_format_opts opts = {'.', 0, true, 2};
    *out = 0;
    if (f->len == 0 && allow_empty)
        return RECON_OK;
    money_result mr = money_parse_opts(f->s, f->len, &opts, out);
    if (mr != MONEY_OK)
        return bill_fail(st->b, st->err, "%s '%.40s': %s", what, f->s, money_result_str(mr));
    return RECON_OK;
}

/* "2019-09-16 10:55:23", seconds optional. */
static bool ap_parse_time(const bill_field *f, date_t *out)
{
    return date_parse_datetime(f->s, f->len, DATE_TIME_SECONDS_OPTIONAL, out);
}

/* "[2019年09月16日 00:00:00]" -> date; *midnight when the time is 00:00:00. */
static bool ap_parse_cn_datetime(const char *s, date_t *out, bool *midnight)
{
    /* 年, 月, 日 are 3 bytes each in UTF-8. */
    const char *p = s;
    int v[6] = {0};
    static const char *const seps[6] = {"年", "月", "日 ", ":", ":", "]"};
    static const int widths[6] = {4, 2, 2, 2, 2, 2};
    if (*p++ != '[')
        return false;
    for (int k = 0; k < 6; k++) {
        for (int d = 0; d < widths[k]; d++, p++) {
            if (*p < '0' || *p > '9')
                return false;
            v[k] = v[k] * 10 + (*p - '0');
        }
        size_t n = strlen(seps[k]);
        if (strncmp(p, seps[k], n) != 0)
            return false;
        p += n;
    }
    if (!date_valid(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 59)
        return false;
    *out = date_from_ymd(v[0], v[1], v[2]);
    *midnight = v[3] == 0 && v[4] == 0 && v[5] == 0;
    return true;
}

/*
 * What the bill says of itself (its period, its footers' counts and totals) is
 * reported when it disagrees with the rows; the rows are what was booked.
 */
static recon_status ap_preamble(ap_state *st, const char *s, size_t len)
{
    const char *p;
    if ((p = strstr(s, "账号：[")) != NULL || (p = strstr(s, "账号:[")) != NULL) {
        p = strchr(p, '[') + 1;
        const char *end = strchr(p, ']');
        if (end == NULL)
            return bill_fail(st->b, st->err, "#账号 without closing ']'");
        bill_field acct = {(char *)p, (size_t)(end - p)};
        if (bill_field_has_replacement(&acct))
            return bill_fail(st->b, st->err, "invalid UTF-8 in 账号; hint: GBK text in a UTF-8 "
                             "file?");
        if (!receipt_set_key(st->stmt.source, sizeof st->stmt.source, p, (size_t)(end - p)))
            return bill_warn(st->b, st->sink, st->err, "账号 longer than %zu bytes: shortened with a hash of the whole",
                           sizeof st->stmt.source - 1);
        return RECON_OK;
    }
    const char *from = strstr(s, "起始日期：");
    const char *to = strstr(s, "终止日期：");
    if (from != NULL && to != NULL) {
        bool m1 = false, m2 = false;
        date_t d1, d2;
        if (!ap_parse_cn_datetime(from + strlen("起始日期："), &d1, &m1) ||
            !ap_parse_cn_datetime(to + strlen("终止日期："), &d2, &m2))
            return bill_warn(st->b, st->sink, st->err, "period is not like [2019年09月16日 00:00:00]: ignored");
        /* The end is exclusive: 00:00:00 of the next day closes the previous one. */
        if (m2 && d2 > d1)
            d2--;
        st->stmt.period_from = d1;
        st->stmt.period_to = d2;
    }
    (void)len;
    return RECON_OK;
}

static recon_status ap_header(ap_state *st, bill_field *f, size_t n)
{
    st->ncols = n;
    for (size_t i = 0; i < n; i++) {
        bill_field_trim(&f[i]);
        /* Cut the unit: 订单金额（元） / 收入金额（+元） / 金额(元). Only the name is
         * matched; the header's fields are not used after this. */
        const char *fw = strstr(f[i].s, "（");
        const char *hw = strchr(f[i].s, '(');
        if (fw != NULL)
            f[i].len = (size_t)(fw - f[i].s);
        if (hw != NULL && (size_t)(hw - f[i].s) < f[i].len)
            f[i].len = (size_t)(hw - f[i].s);
    }
    bill_map_columns(f, n, ap_col_names, C_NCOLS, st->col);
    if (st->col[C_COUNTERPARTY] < 0)
        st->col[C_COUNTERPARTY] = st->col[C_COUNTER_ACCT];
    static const enum ap_col trade_req[] = {C_TRADE_NO, C_TYPE, C_FINISHED, C_RECEIVED};
    static const enum ap_col ledger_req[] = {C_LEDGER_NO, C_OCCURRED, C_INCOME, C_EXPENSE};
    const enum ap_col *req = trade_req;
    st->ledger = st->col[C_LEDGER_NO] >= 0;
    if (st->ledger)
        req = ledger_req;
    else if (st->col[C_TRADE_NO] < 0)
        return bill_fail(st->b, st->err,
                         "alipay header has neither 支付宝交易号 (业务明细) nor "
                         "账务流水号 (账务明细)");
    for (size_t k = 0; k < 4; k++)
        if (st->col[req[k]] < 0)
            return bill_fail(st->b, st->err, "alipay %s header has no column %s",
                             st->ledger ? "账务明细" : "业务明细", ap_col_names[req[k]]);
    if (st->stmt.source[0] == '\0')
        return bill_fail(st->b, st->err,
                         "no #账号：[...] line before the header; the account is "
                         "unknown");
    return RECON_OK;
}

/* "*津水(602***@qq.com)": the name and the account in brackets; otherwise an account. */
static recon_status ap_counterparty(ap_state *st, receipt_t *r, const bill_field *f)
{
    const char *s = f->s;
    size_t n = f->len;
    const char *open = NULL;
    size_t close_len = 0;
    if (n > 0 && s[n - 1] == ')') {
        open = memrchr(s, '(', n);
        close_len = 1;
    } else if (n >= 3 && memcmp(s + n - 3, "）", 3) == 0) {
        for (size_t i = n - 3; i-- > 0;)
            if (i + 3 <= n - 3 && memcmp(s + i, "（", 3) == 0) {
                open = s + i;
                break;
            }
        close_len = 3;
    }
    if (open == NULL || open == s)
        return ap_account(st, r, s, n, "对方账户");
    size_t open_len = *open == '(' ? 1 : 3;
    receipt_set_text(r, r->payer, sizeof r->payer, s, (size_t)(open - s), "对方账户 name");
    const char *acct = open + open_len;
    return ap_account(st, r, acct, (size_t)(s + n - close_len - acct), "对方账户 account");
}

static void ap_remittance(receipt_t *r, const bill_field *goods, const bill_field *note)
{
    char text[RECEIPT_TEXT_MAX * 2 + 4];
    strbuild b = strbuild_start(text, sizeof text);
    bool both = note->len > 0 && goods->len > 0 && strcmp(note->s, goods->s) != 0;
    strbuild_str(&b, both || goods->len > 0 ? goods->s : note->s);
    if (both) {
        strbuild_str(&b, "; ");
        strbuild_str(&b, note->s);
    }
    receipt_set_text(r, r->remittance, sizeof r->remittance, text, b.len, "商品名称/备注");
}

static recon_status ap_trade_row(ap_state *st, bill_field *f, receipt_t *r)
{
    recon_status rc;
    const bill_field *type = ap_field(st, f, C_TYPE), *trade = ap_field(st, f, C_TRADE_NO);
    if (trade->len == 0)
        return bill_fail(st->b, st->err, "empty 支付宝交易号");
    int cat;
    if (bill_field_eq(type, "交易"))
        cat = CAT_A;
    else if (bill_field_eq(type, "退款"))
        cat = CAT_B;
    else
        return bill_fail(st->b, st->err, "unsupported 业务类型 '%.40s' (expected 交易 or 退款)",
                         type->s);
    fen_t received = 0, discount = 0, order = 0, fee = 0;
    if ((rc = ap_money(st, ap_field(st, f, C_RECEIVED), "商家实收", false, &received)) ||
        (rc = ap_money(st, ap_field(st, f, C_DISCOUNT), "商家优惠", true, &discount)) ||
        (rc = ap_money(st, ap_field(st, f, C_ORDER_AMOUNT), "订单金额", true, &order)) ||
        (rc = ap_money(st, ap_field(st, f, C_SERVICE_FEE), "服务费", true, &fee)))
        return rc;
    st->count[cat]++;
    st->sums[cat][SUM_PRIMARY] += received;
    st->sums[cat][SUM_DISCOUNT] += discount;
    st->sums[cat][SUM_ORDER] += order;

    const bill_field *when = ap_field(st, f, C_FINISHED);
    if (when->len == 0)
        when = ap_field(st, f, C_CREATED);
    if (!ap_parse_time(when, &r->booking_date))
        return bill_fail(st->b, st->err, "完成时间 '%.40s' is not a date and time like "
                       "2019-09-16 10:55:23", when->s);
    ap_keyf(NULL, r->provider_txn_id, sizeof r->provider_txn_id, trade, "支付宝交易号");
    if (cat == CAT_A) {
        if (received < 0)
            return bill_fail(st->b, st->err, "negative 商家实收 on a 交易 row");
        r->amount = received;
        r->direction = RECEIPT_CREDIT;
        ap_keyf(r, r->transaction_key, sizeof r->transaction_key, trade, "支付宝交易号");
    } else {
        if (received > 0)
            return bill_fail(st->b, st->err,
                             "positive 商家实收 on a 退款 row; refunds are negative");
        r->amount = received;
        r->direction = RECEIPT_DEBIT;
        r->reversal = true;
        ap_keyf(r, r->reversal_of, sizeof r->reversal_of, trade, "支付宝交易号");
        /* A trade can be refunded in parts: the batch number keeps each refund distinct. */
        const bill_field *batch = ap_field(st, f, C_REFUND_BATCH);
        if (batch->len > 0) {
            char key[AP_MAX_LINE + 2];
            strbuild kb = strbuild_start(key, sizeof key);
            strbuild_str(&kb, trade->s);
            strbuild_char(&kb, '-');
            strbuild_str(&kb, batch->s);
            ap_key(r, r->transaction_key, sizeof r->transaction_key, key, kb.len,
                   "支付宝交易号-退款批次号");
        } else if ((rc = fingerprint_assign(st->fp, r, trade->s, st->err))) {
            return rc;
        }
    }
    if (st->col[C_SERVICE_FEE] >= 0) {
        r->fee = fee;
        r->has_fee = true;
    }
    ap_remittance(r, ap_field(st, f, C_GOODS), ap_field(st, f, C_NOTE));
    return RECON_OK;
}

static fen_t fen_abs(fen_t v) { return v < 0 ? -v : v; }

static recon_status ap_ledger_row(ap_state *st, bill_field *f, receipt_t *r)
{
    recon_status rc;
    const bill_field *ledger = ap_field(st, f, C_LEDGER_NO), *biz = ap_field(st, f, C_BIZ_NO);
    if (ledger->len == 0)
        return bill_fail(st->b, st->err, "empty 账务流水号");
    fen_t income = 0, expense = 0;
    if ((rc = ap_money(st, ap_field(st, f, C_INCOME), "收入金额", true, &income)) ||
        (rc = ap_money(st, ap_field(st, f, C_EXPENSE), "支出金额", true, &expense)))
        return rc;
    if (income != 0 && expense != 0)
        return bill_fail(st->b, st->err, "both 收入金额 and 支出金额 are set on one row");
    if (income < 0)
        return bill_fail(st->b, st->err, "negative 收入金额");
    int cat = expense != 0 ? CAT_B : CAT_A;
    st->count[cat]++;
    st->sums[cat][SUM_PRIMARY] += cat == CAT_A ? income : expense;
    const bill_field *when = ap_field(st, f, C_OCCURRED);
    if (!ap_parse_time(when, &r->booking_date))
        return bill_fail(st->b, st->err, "发生时间 '%.40s' is not a date and time like "
                       "2019-09-16 10:55:23", when->s);
    r->amount = cat == CAT_A ? income : -fen_abs(expense);
    r->direction = cat == CAT_A ? RECEIPT_CREDIT : RECEIPT_DEBIT;
    ap_keyf(r, r->transaction_key, sizeof r->transaction_key, ledger, "账务流水号");
    ap_keyf(NULL, r->provider_txn_id, sizeof r->provider_txn_id, biz, "业务流水号");
    /* Refund bookings reverse a payment; fees and withdrawals are plain debits. */
    if (strstr(ap_field(st, f, C_TYPE)->s, "退款") != NULL) {
        if (cat != CAT_B)
            return bill_fail(st->b, st->err, "refund booked as income");
        r->reversal = true;
        ap_keyf(r, r->reversal_of, sizeof r->reversal_of, biz, "业务流水号");
    }
    ap_remittance(r, ap_field(st, f, C_GOODS), ap_field(st, f, C_NOTE));
    return RECON_OK;
}

static recon_status ap_row(ap_state *st, bill_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bill_field_trim(&f[i]);
    size_t extra = bill_trailing_empty(f, n, st->ncols);
    recon_status rc = bill_check_width(st->b, st->err, n - extra, st->ncols);
    if (rc != RECON_OK)
        return rc;
    receipt_t r;
    receipt_init(&r);
    receipt_position_line(r.position, bill_lineno(st->b));
    if (extra > 0)
        receipt_note(&r, "empty fields after the header's last column ignored");
    if (bill_line_replaced(st->b)) {
        /* Identifiers must be exact; text is read with U+FFFD. */
        static const enum ap_col exact[] = {C_TRADE_NO, C_LEDGER_NO, C_BIZ_NO, C_REFUND_BATCH};
        for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++)
            if (bill_field_has_replacement(ap_field(st, f, exact[k])))
                return bill_fail(st->b, st->err, "invalid UTF-8 in %s; hint: GBK text in a "
                                 "UTF-8 file?", ap_col_names[exact[k]]);
        receipt_note(&r, "invalid utf-8 in the row's text replaced with U+FFFD");
    }
    memcpy(r.source, st->stmt.source, sizeof r.source);
    memcpy(r.currency, "CNY", 4);
    rc = st->ledger ? ap_ledger_row(st, f, &r) : ap_trade_row(st, f, &r);
    if (rc != RECON_OK)
        return rc;
    const bill_field *order = ap_field(st, f, C_ORDER);
    receipt_set_text(&r, r.merchant_order_no, sizeof r.merchant_order_no, order->s, order->len,
                     "商户订单号");
    if ((rc = ap_counterparty(st, &r, ap_field(st, f, C_COUNTERPARTY))))
        return rc;
    if (r.amount >= 0)
        st->stmt.credit_total += r.amount;
    else
        st->stmt.debit_total -= r.amount;
    st->stmt.entry_count++;
    return st->sink->on_receipt(st->sink->ctx, &r, st->err);
}

static void ap_fen_str(fen_t v, char out[MONEY_STR_SIZE]) { money_format(v, out); }

/*
 * "#交易合计：6笔，商家实收共0.06元，商家优惠共0.00元",
 * "#退款合计：4笔，商家实收退款共-0.04元，...",
 * "#交易合计：6笔，共0.06元", "#收入合计：3笔，共0.03元", "#支出合计：1笔，共-0.01元".
 */
static recon_status ap_footer(ap_state *st, char *s, int cat, const char *label)
{
    char *p = strstr(s, "：");
    p = p ? p + strlen("：") : strchr(s, ':');
    st->footer_seen[cat] = true;
    if (p == NULL)
        return bill_warn(st->b, st->sink, st->err, "footer %s without ':': not checked", label);
    if (*p == ':')
        p++;
    char *end = NULL;
    long count = (*p >= '0' && *p <= '9') ? strtol(p, &end, 10) : -1;
    if (count < 0 || strncmp(end, "笔", strlen("笔")) != 0)
        return bill_warn(st->b, st->sink, st->err, "footer %s has no count like 6笔: not checked", label);
    recon_status rc = RECON_OK;
    if (count != st->count[cat])
        rc = bill_warn(st->b, st->sink, st->err, "footer %s says %ld rows but the bill has %ld: the rows read as written",
                     label, count, st->count[cat]);
    p = end + strlen("笔");
    /* Parts separated by full-width or ASCII commas: "<label>共<amount>元". */
    while (*p != '\0' && rc == RECON_OK) {
        char *part = p;
        char *next = strstr(p, "，");
        char *comma = strchr(p, ',');
        size_t skip = 3;
        if (comma != NULL && (next == NULL || comma < next)) {
            next = comma;
            skip = 1;
        }
        if (next == NULL)
            next = p + strlen(p);
        p = *next ? next + skip : next;
        *next = '\0';
        char *gong = strstr(part, "共");
        if (gong == NULL)
            continue;
        *gong = '\0';
        char *amount = gong + strlen("共");
        char *yuan = strstr(amount, "元");
        if (yuan == NULL) {
            rc = bill_warn(st->b, st->sink, st->err, "footer %s amount without 元: not checked", label);
            continue;
        }
        size_t plen = strlen(part);
        if (plen >= strlen("退款") && strcmp(part + plen - strlen("退款"), "退款") == 0)
            part[plen - strlen("退款")] = '\0';
        int which;
        if (part[0] == '\0' || strcmp(part, "商家实收") == 0 ||
            (st->ledger && (strcmp(part, "收入") == 0 || strcmp(part, "支出") == 0)))
            which = SUM_PRIMARY;
        else if (strcmp(part, "商家优惠") == 0)
            which = SUM_DISCOUNT;
        else if (strcmp(part, "订单金额") == 0)
            which = SUM_ORDER;
        else
            continue; /* a total we do not recompute */
        static const money_format_opts opts = {'.', 0, true, 2};
        fen_t v = 0;
        if (money_parse_opts(amount, (size_t)(yuan - amount), &opts, &v) != MONEY_OK) {
            rc = bill_warn(st->b, st->sink, st->err, "footer %s amount is not an amount: not checked", label);
            continue;
        }
        fen_t got = st->sums[cat][which];
        /* Ledgers print expenses with or without the minus sign. */
        bool ok = st->ledger ? fen_abs(v) == fen_abs(got) : v == got;
        if (!ok) {
            char a[MONEY_STR_SIZE], b[MONEY_STR_SIZE];
            ap_fen_str(v, a);
            ap_fen_str(got, b);
            rc = bill_warn(st->b, st->sink, st->err, "footer %s %s is %s but the rows add up to %s: the rows read as "
                             "written", label, part[0] ? part : "total", a, b);
        }
    }
    receipt_position_line(st->stmt.position, bill_lineno(st->b));
    return rc;
}

static recon_status ap_hash_line(ap_state *st, char *s, size_t len, bool after_header)
{
    static const struct {
        const char *prefix;
        int cat;
        bool ledger;
    } footers[] = {
        {"#交易合计", CAT_A, false},
        {"#退款合计", CAT_B, false},
        {"#收入合计", CAT_A, true},
        {"#支出合计", CAT_B, true},
    };
    if (!after_header)
        return ap_preamble(st, s, len);
    for (size_t k = 0; k < sizeof footers / sizeof footers[0]; k++)
        if (starts(s, len, footers[k].prefix)) {
            if (footers[k].ledger != st->ledger)
                return bill_warn(st->b, st->sink, st->err, "footer %s does not belong to a %s bill: ignored",
                               footers[k].prefix + 1, st->ledger ? "账务明细" : "业务明细");
            return ap_footer(st, s, footers[k].cat, footers[k].prefix + 1);
        }
    return RECON_OK; /* list end marker, export time */
}

recon_status alipay_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                          err_t *err)
{
    (void)opts;
    enum { S_PREAMBLE, S_ROWS, S_FOOTER } state = S_PREAMBLE;
    ap_state *st = calloc(1, sizeof *st);
    recon_status rc = RECON_OK;
    if (st == NULL || (st->fp = fingerprint_table_new()) == NULL) {
        rc = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    st->sink = sink;
    st->err = err;
    statement_summary_init(&st->stmt);
    memcpy(st->stmt.currency, "CNY", 4);
    const unsigned char *head = NULL;
    size_t head_len = 0;
    if ((rc = instream_peek(in, &head, &head_len, err)) != RECON_OK ||
        (rc = bill_open(in, charset_looks_utf8(head, head_len) ? "UTF-8" : "GB18030",
                        AP_MAX_LINE, AP_MAX_FIELDS, &st->b, err)) != RECON_OK)
        goto out;
    bill_replace_invalid_utf8(st->b);
    for (;;) {
        char *s = NULL;
        size_t len = 0;
        if ((rc = bill_next(st->b, &s, &len, err)) != RECON_OK)
            goto out;
        if (s == NULL)
            break;
        if (len == 0)
            continue;
        if (s[0] == '#') {
            if (state == S_ROWS && strstr(s, "列表结束") != NULL)
                state = S_FOOTER;
            rc = ap_hash_line(st, s, len, state != S_PREAMBLE);
        } else if (state == S_FOOTER) {
            /* booked money all the same; the footers may then disagree, and say so */
            bill_field *f = NULL;
            size_t n = 0;
            if ((rc = bill_warn(st->b, st->sink, st->err, "data row after the end of the list: read")) == RECON_OK &&
                (rc = bill_split(st->b, s, len, &f, &n, err)) == RECON_OK)
                rc = ap_row(st, f, n);
        } else {
            bill_field *f = NULL;
            size_t n = 0;
            rc = bill_split(st->b, s, len, &f, &n, err);
            if (rc == RECON_OK && state == S_PREAMBLE) {
                if (bill_line_replaced(st->b))
                    rc = bill_warn(st->b, st->sink, st->err, "invalid utf-8 in the header replaced with U+FFFD");
                if (rc == RECON_OK)
                    rc = ap_header(st, f, n);
                state = S_ROWS;
            } else if (rc == RECON_OK) {
                rc = ap_row(st, f, n);
            }
        }
        if (rc != RECON_OK)
            goto out;
    }
    if (state == S_PREAMBLE) {
        rc = bill_fail(st->b, err, "no header row; not an alipay bill?");
        goto out;
    }
    static const char *const trade_labels[NCAT] = {"#交易合计", "#退款合计"};
    static const char *const ledger_labels[NCAT] = {"#收入合计", "#支出合计"};
    for (int c = 0; c < NCAT; c++)
        if (!st->footer_seen[c] &&
            (st->count[c] > 0 || (!st->footer_seen[0] && !st->footer_seen[1]))) {
            rc = bill_fail(st->b, err, "bill ends without its %s footer; hint: truncated download?",
                           (st->ledger ? ledger_labels : trade_labels)[c]);
            goto out;
        }
    st->stmt.statement_date = st->stmt.period_to;
    if (sink->on_statement)
        rc = sink->on_statement(sink->ctx, &st->stmt, err);
out:
    if (st != NULL) {
        fingerprint_table_free(st->fp);
        bill_close(st->b);
    }
    free(st);
    return rc;
}
