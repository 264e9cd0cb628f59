/*
 * UnionPay 全渠道 (ACP) merchant reconciliation file, the "ZM" general transaction
 * detail (INNyymmdd88ZM_<merId>): one fixed-width GBK record per transaction, fields
 * separated by one space, 607 bytes per record, CRLF, no header or trailer.
 *
 * The record carries the transaction date only as MMDDhhmmss (交易传输时间). The year
 * is taken from the content, never the file name: the 查询流水号 (queryId) UnionPay
 * assigns starts with the yyyyMMddhhmmss it was created, so the year whose MMDD lies
 * closest to the queryId's date is used; a record whose queryId carries no date is
 * rejected with a hint rather than guessed.
 */
#include "parsers/parse.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "parsers/charset.h"
#include "parsers/linereader.h"

/* Record layout per the ACP 文件接口规范 (ZM 一般交易明细), byte offsets in the raw GBK
 * record. Every field but the last is followed by one space. */
typedef enum zm_field_id {
    ZM_TXN_CODE, ZM_ACQ_INS, ZM_SEND_INS, ZM_TRACE, ZM_TXN_TIME, ZM_PAN, ZM_AMOUNT, ZM_MCC,
    ZM_TERM_TYPE, ZM_QUERY_ID, ZM_OLD_PAY_TYPE, ZM_ORDER_ID, ZM_CARD_TYPE, ZM_ORIG_TRACE,
    ZM_ORIG_TIME, ZM_FEE, ZM_SETTLE, ZM_PAY_TYPE, ZM_GROUP_MER, ZM_TXN_TYPE, ZM_TXN_SUBTYPE,
    ZM_BIZ_TYPE, ZM_ACC_TYPE, ZM_BILL_TYPE, ZM_BILL_NO, ZM_INTERACT, ZM_ORIG_QUERY_ID,
    ZM_MER_ID, ZM_SPLIT_MODE, ZM_SUB_MER_ID, ZM_SUB_MER_ABBR, ZM_SUB_MER_AMT, ZM_NET_AMT,
    ZM_TERM_ID, ZM_MER_RESERVED, ZM_DISCOUNT, ZM_INVOICE, ZM_INST_FEE, ZM_INST_COUNT,
    ZM_MEDIA, ZM_RESERVED, ZM_FIELD_COUNT
} zm_field_id;

typedef struct zm_field {
    unsigned short offset, width;
    const char *name;
} zm_field;

static const zm_field zm_fields[ZM_FIELD_COUNT] = {
    [ZM_TXN_CODE] = {0, 3, "交易代码"},
    [ZM_ACQ_INS] = {4, 11, "代理机构标识码"},
    [ZM_SEND_INS] = {16, 11, "发送机构标识码"},
    [ZM_TRACE] = {28, 6, "系统跟踪号"},
    [ZM_TXN_TIME] = {35, 10, "交易传输时间"},
    [ZM_PAN] = {46, 19, "帐号"},
    [ZM_AMOUNT] = {66, 12, "交易金额"},
    [ZM_MCC] = {79, 4, "商户类别"},
    [ZM_TERM_TYPE] = {84, 2, "终端类型"},
    [ZM_QUERY_ID] = {87, 21, "查询流水号"},
    [ZM_OLD_PAY_TYPE] = {109, 2, "支付方式(旧)"},
    [ZM_ORDER_ID] = {112, 32, "商户订单号"},
    [ZM_CARD_TYPE] = {145, 2, "支付卡类型"},
    [ZM_ORIG_TRACE] = {148, 6, "原始交易的系统跟踪号"},
    [ZM_ORIG_TIME] = {155, 10, "原始交易日期时间"},
    [ZM_FEE] = {166, 13, "商户手续费"},
    [ZM_SETTLE] = {180, 13, "结算金额"},
    [ZM_PAY_TYPE] = {194, 4, "支付方式"},
    [ZM_GROUP_MER] = {199, 15, "集团商户代码"},
    [ZM_TXN_TYPE] = {215, 2, "交易类型"},
    [ZM_TXN_SUBTYPE] = {218, 2, "交易子类"},
    [ZM_BIZ_TYPE] = {221, 6, "业务类型"},
    [ZM_ACC_TYPE] = {228, 2, "帐号类型"},
    [ZM_BILL_TYPE] = {231, 4, "账单类型"},
    [ZM_BILL_NO] = {236, 32, "账单号码"},
    [ZM_INTERACT] = {269, 1, "交互方式"},
    [ZM_ORIG_QUERY_ID] = {271, 21, "原交易查询流水号"},
    [ZM_MER_ID] = {293, 15, "商户代码"},
    [ZM_SPLIT_MODE] = {309, 1, "分账入账方式"},
    [ZM_SUB_MER_ID] = {311, 15, "二级商户代码"},
    [ZM_SUB_MER_ABBR] = {327, 32, "二级商户简称"},
    [ZM_SUB_MER_AMT] = {360, 13, "二级商户分账入账金额"},
    [ZM_NET_AMT] = {374, 13, "清算净额"},
    [ZM_TERM_ID] = {388, 8, "终端号"},
    [ZM_MER_RESERVED] = {397, 32, "商户自定义域"},
    [ZM_DISCOUNT] = {430, 13, "优惠金额"},
    [ZM_INVOICE] = {444, 13, "发票金额"},
    [ZM_INST_FEE] = {458, 12, "分期付款附加手续费"},
    [ZM_INST_COUNT] = {471, 2, "分期付款期数"},
    [ZM_MEDIA] = {474, 1, "交易介质"},
    [ZM_RESERVED] = {476, 131, "保留使用"},
};

#define ZM_RECORD_LEN 607
/* Generous cap: a longer line is not a ZM record anyway and is reported as such. */
#define ZM_MAX_LINE 4096

static bool is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ')
            return false;
    return true;
}

static const char *fld(const char *rec, zm_field_id id) { return rec + zm_fields[id].offset; }

static size_t fld_width(zm_field_id id) { return zm_fields[id].width; }

/* Returns the field whose trailing separator is missing, or ZM_FIELD_COUNT when all
 * separators and the fixed-format fields the detector relies on are in place. */
static zm_field_id zm_layout_fault(const char *rec)
{
    for (int i = 0; i < ZM_FIELD_COUNT - 1; i++) {
        const zm_field *f = &zm_fields[i];
        if (rec[f->offset + f->width] != ' ')
            return (zm_field_id)i;
    }
    return ZM_FIELD_COUNT;
}

static bool zm_signed_amount_ok(const char *s)
{
    return (s[0] == 'C' || s[0] == 'D' || s[0] == ' ') && is_digits(s + 1, 12);
}

static bool zm_signature(const char *rec, size_t len)
{
    if (len != ZM_RECORD_LEN || zm_layout_fault(rec) != ZM_FIELD_COUNT)
        return false;
    return rec[0] >= 'A' && rec[0] <= 'Z' && is_digits(fld(rec, ZM_TXN_TIME), 10) &&
           is_digits(fld(rec, ZM_AMOUNT), 12) && zm_signed_amount_ok(fld(rec, ZM_FEE)) &&
           zm_signed_amount_ok(fld(rec, ZM_SETTLE)) &&
           !is_blank(fld(rec, ZM_MER_ID), fld_width(ZM_MER_ID));
}

/* The RD member UnionPay ships in the same zip: a printable GBK summary report
 * ("...商户交易汇总表", "商户代码:") whose totals repeat the ZM records. */
static const char rd_title[] = "\xC9\xCC\xBB\xA7\xBD\xBB\xD2\xD7\xBB\xE3\xD7\xDC\xB1\xED";
static const char rd_merchant[] = "\xC9\xCC\xBB\xA7\xB4\xFA\xC2\xEB:";

static bool rd_report(const unsigned char *head, size_t len)
{
    const unsigned char *nl = memchr(head, '\n', len);
    size_t first = nl ? (size_t)(nl - head) : len;
    return memmem(head, first, rd_title, sizeof rd_title - 1) != NULL &&
           memmem(head, len, rd_merchant, sizeof rd_merchant - 1) != NULL;
}

bool unionpay_detect(const unsigned char *head, size_t len)
{
    if (rd_report(head, len))
        return true;

    /* Every complete line in the head must be a ZM record; at least one is needed. */
    const char *p = (const char *)head, *end = p + len;
    int records = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        size_t n = (size_t)(nl - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > 0) {
            if (!zm_signature(p, n))
                return false;
            records++;
        }
        p = nl + 1;
    }
    if (records == 0 && p < end) /* a one-record file without a final newline */
        return zm_signature(p, (size_t)(end - p));
    return records > 0;
}

typedef struct zm_ctx {
    const char *file;
    long line;
    charset_t *cs;
    buf_t tmp;
    err_t *err;
} zm_ctx;

/* Decodes a GBK field into a receipt field, trimmed; too long or undecodable is an error. */
static recon_status zm_text(zm_ctx *c, const char *rec, zm_field_id id, char *dst, size_t cap)
{
    buf_reset(&c->tmp);
    recon_status st = charset_convert(c->cs, fld(rec, id), fld_width(id), &c->tmp, c->file,
                                      c->line, c->err);
    if (st != RECON_OK) /* the record decoded whole, so a multibyte char straddles the field */
        return err_set(c->err, RECON_EDATA, "%s: line %ld: %s splits a GBK character",
                       c->file, c->line, zm_fields[id].name);
    if (!receipt_set_field(dst, cap, c->tmp.data ? c->tmp.data : "", c->tmp.len))
        return err_set(c->err, RECON_EDATA, "%s: line %ld: %s longer than %zu bytes", c->file,
                       c->line, zm_fields[id].name, cap - 1);
    return RECON_OK;
}

static fen_t zm_digits_value(const char *s, size_t n)
{
    fen_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* 12 zero-padded digits of fen. */
static recon_status zm_amount(zm_ctx *c, const char *rec, zm_field_id id, fen_t *out)
{
    const char *s = fld(rec, id);
    if (!is_digits(s, 12))
        return err_set(c->err, RECON_EDATA, "%s: line %ld: %s '%.12s' is not 12 digits of fen",
                       c->file, c->line, zm_fields[id].name, s);
    *out = zm_digits_value(s, 12);
    return RECON_OK;
}

/* C/D prefixed 12 digits: C is money to the merchant, D money from it. */
static recon_status zm_signed(zm_ctx *c, const char *rec, zm_field_id id, fen_t *out)
{
    const char *s = fld(rec, id);
    if (!zm_signed_amount_ok(s))
        return err_set(c->err, RECON_EDATA,
                       "%s: line %ld: %s '%.13s' is not C/D followed by 12 digits of fen",
                       c->file, c->line, zm_fields[id].name, s);
    fen_t v = zm_digits_value(s + 1, 12);
    if (s[0] == ' ' && v != 0)
        return err_set(c->err, RECON_EDATA, "%s: line %ld: %s '%.13s' has no C/D sign",
                       c->file, c->line, zm_fields[id].name, s);
    *out = s[0] == 'D' ? -v : v;
    return RECON_OK;
}

static int zm_2digits(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* Booking date from MMDD of 交易传输时间 and the year of the queryId's date. */
static recon_status zm_booking_date(zm_ctx *c, const char *rec, date_t *out)
{
    const char *t = fld(rec, ZM_TXN_TIME), *q = fld(rec, ZM_QUERY_ID);
    int month = zm_2digits(t), day = zm_2digits(t + 2);
    if (zm_2digits(t + 4) > 23 || zm_2digits(t + 6) > 59 || zm_2digits(t + 8) > 59 ||
        month < 1 || month > 12 || day < 1 || day > 31)
        return err_set(c->err, RECON_EDATA, "%s: line %ld: 交易传输时间 '%.10s' is not MMDDhhmmss",
                       c->file, c->line, t);
    date_t qdate;
    if (!date_parse_compact(q, 8, &qdate))
        return err_set(c->err, RECON_EDATA,
                       "%s: line %ld: cannot tell the year of 交易传输时间 '%.10s': 查询流水号 "
                       "'%.21s' does not start with a yyyymmdd date; hint: ZM records carry no "
                       "year of their own",
                       c->file, c->line, t, q);
    int qy, qm, qd;
    date_to_ymd(qdate, &qy, &qm, &qd);
    date_t best = DATE_NONE;
    for (int y = qy - 1; y <= qy + 1; y++) {
        if (!date_valid(y, month, day))
            continue;
        date_t d = date_from_ymd(y, month, day);
        if (best == DATE_NONE || (d > qdate ? d - qdate : qdate - d) <
                                     (best > qdate ? best - qdate : qdate - best))
            best = d;
    }
    /* The queryId is issued when UnionPay accepts the transaction: more than a few days
     * apart means the two fields do not describe the same transaction. */
    if (best == DATE_NONE || (best > qdate ? best - qdate : qdate - best) > 7)
        return err_set(c->err, RECON_EDATA,
                       "%s: line %ld: 交易传输时间 '%.10s' is not within a week of the date in "
                       "查询流水号 '%.21s'",
                       c->file, c->line, t, q);
    *out = best;
    return RECON_OK;
}

static recon_status zm_record(zm_ctx *c, const char *rec, size_t len, receipt_t *r)
{
    if (len != ZM_RECORD_LEN)
        return err_set(c->err, RECON_EDATA,
                       "%s: line %ld: record is %zu bytes, a ZM record is %d; hint: truncated "
                       "or not a UnionPay ZM file",
                       c->file, c->line, len, ZM_RECORD_LEN);
    zm_field_id bad = zm_layout_fault(rec);
    if (bad != ZM_FIELD_COUNT)
        return err_set(c->err, RECON_EDATA, "%s: line %ld: no space after %s at byte %u",
                       c->file, c->line, zm_fields[bad].name,
                       (unsigned)(zm_fields[bad].offset + zm_fields[bad].width + 1));
    /* Validate the encoding of the whole record so a bad byte anywhere is reported. */
    buf_reset(&c->tmp);
    recon_status st = charset_convert(c->cs, rec, len, &c->tmp, c->file, c->line, c->err);
    if (st != RECON_OK)
        return st;

    receipt_init(r);
    receipt_position_line(r->position, c->line);
    memcpy(r->currency, "CNY", 4); /* ZM files are domestic: amounts are in fen of CNY */

    char txn_type[3], query_id[RECEIPT_ID_MAX], trace[8], term[16];
    if ((st = zm_text(c, rec, ZM_MER_ID, r->source, sizeof r->source)) != RECON_OK ||
        (st = zm_text(c, rec, ZM_QUERY_ID, query_id, sizeof query_id)) != RECON_OK ||
        (st = zm_text(c, rec, ZM_TXN_TYPE, txn_type, sizeof txn_type)) != RECON_OK ||
        (st = zm_text(c, rec, ZM_TRACE, trace, sizeof trace)) != RECON_OK ||
        (st = zm_text(c, rec, ZM_TERM_ID, term, sizeof term)) != RECON_OK ||
        (st = zm_text(c, rec, ZM_PAN, r->payer_account, sizeof r->payer_account)) != RECON_OK ||
        (st = zm_text(c, rec, ZM_ORDER_ID, r->merchant_order_no, sizeof r->merchant_order_no)) !=
            RECON_OK ||
        (st = zm_text(c, rec, ZM_ORIG_QUERY_ID, r->reversal_of, sizeof r->reversal_of)) !=
            RECON_OK)
        return st;
    if (strlen(query_id) != 21 || !is_digits(query_id, 21))
        return err_set(c->err, RECON_EDATA, "%s: line %ld: 查询流水号 '%s' is not 21 digits",
                       c->file, c->line, query_id);
    /* The trace number is only shown in the remittance (the POS slip's number). */
    if (!is_digits(trace, 6))
        receipt_note(r, "系统跟踪号 is not 6 digits: kept as written");
    /* queryId is UnionPay's unique id for the transaction (used for queries and refunds);
     * trace numbers repeat across days and institutions. */
    memcpy(r->provider_txn_id, query_id, 22);
    memcpy(r->transaction_key, query_id, 22);

    if ((st = zm_booking_date(c, rec, &r->booking_date)) != RECON_OK)
        return st;

    fen_t amount = 0, fee = 0, settle = 0;
    if ((st = zm_amount(c, rec, ZM_AMOUNT, &amount)) != RECON_OK ||
        (st = zm_signed(c, rec, ZM_FEE, &fee)) != RECON_OK ||
        (st = zm_signed(c, rec, ZM_SETTLE, &settle)) != RECON_OK)
        return st;

    /* 交易类型 per ACP: 01 消费 and 03 预授权完成 pay the merchant; 31 消费撤销,
     * 33 预授权完成撤销 and 04 退货 take the money back. Anything else moves no money
     * in this file and is not expected here. */
    if (strcmp(txn_type, "01") == 0 || strcmp(txn_type, "03") == 0) {
        r->direction = RECEIPT_CREDIT;
        r->amount = amount;
        r->reversal_of[0] = '\0';
    } else if (strcmp(txn_type, "31") == 0 || strcmp(txn_type, "33") == 0 ||
               strcmp(txn_type, "04") == 0) {
        r->direction = RECEIPT_DEBIT;
        r->amount = -amount;
        r->reversal = true;
    } else {
        return err_set(c->err, RECON_EDATA,
                       "%s: line %ld: unsupported 交易类型 '%s'; hint: expected 01, 03 (credits) "
                       "or 04, 31, 33 (refunds and cancellations)",
                       c->file, c->line, txn_type);
    }
    /* The fee field is signed from the merchant's side (D = charged); a receipt's fee is
     * what the provider kept, so D becomes positive. */
    r->fee = -fee;
    r->has_fee = true;
    if (r->amount - r->fee != settle) {
        char a[MONEY_STR_SIZE], f[MONEY_STR_SIZE], s[MONEY_STR_SIZE];
        money_format(r->amount, a);
        money_format(r->fee, f);
        money_format(settle, s);
        return err_set(c->err, RECON_EDATA,
                       "%s: line %ld: 结算金额 %s is not 交易金额 %s less 商户手续费 %s", c->file,
                       c->line, s, a, f);
    }
    buf_reset(&c->tmp);
    char reserved[256]; /* 32 GBK bytes decode to at most 128 */
    if ((st = zm_text(c, rec, ZM_MER_RESERVED, reserved, sizeof reserved)) != RECON_OK)
        return st;
    /* Terminal and trace are what a merchant's own POS slip shows: keep them findable. */
    snprintf(r->remittance, sizeof r->remittance, "trace %s terminal %s%s%s", trace,
             term[0] ? term : "-", reserved[0] ? " " : "", reserved);
    return RECON_OK;
}

recon_status unionpay_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                            err_t *err)
{
    (void)opts;
    zm_ctx c = {.file = instream_name(in), .tmp = BUF_INIT, .err = err};
    linereader_t *lr = NULL;
    statement_summary sum;
    statement_summary_init(&sum);
    receipt_t r;
    recon_status st = charset_open("GB18030", &c.cs, err);
    if (st != RECON_OK)
        goto out;
    if ((st = linereader_new(in, ZM_MAX_LINE, &lr, err)) != RECON_OK)
        goto out;
    const unsigned char *head = NULL;
    size_t head_len = 0;
    if ((st = instream_peek(in, &head, &head_len, err)) != RECON_OK)
        goto out;
    if (rd_report(head, head_len)) {
        /* Nothing to receive from a report of the ZM records: check it decodes, push none. */
        for (;;) {
            const char *line;
            size_t len;
            if ((st = linereader_next(lr, &line, &len, err)) != RECON_OK || line == NULL)
                goto out;
            buf_reset(&c.tmp);
            if ((st = charset_convert(c.cs, line, len, &c.tmp, c.file, linereader_lineno(lr),
                                      err)) != RECON_OK)
                goto out;
        }
    }
    for (;;) {
        const char *line;
        size_t len;
        if ((st = linereader_next(lr, &line, &len, err)) != RECON_OK)
            goto out;
        if (line == NULL)
            break;
        c.line = linereader_lineno(lr);
        if (len == 0)
            continue;
        if ((st = zm_record(&c, line, len, &r)) != RECON_OK)
            goto out;
        if (sum.entry_count == 0) {
            memcpy(sum.source, r.source, sizeof sum.source);
            receipt_position_line(sum.position, c.line);
        } else if (strcmp(sum.source, r.source) != 0) {
            st = err_set(err, RECON_EDATA,
                         "%s: line %ld: 商户代码 '%s' differs from '%s' of the first record; "
                         "hint: a ZM file belongs to one merchant",
                         c.file, c.line, r.source, sum.source);
            goto out;
        }
        if (sum.period_from == DATE_NONE || r.booking_date < sum.period_from)
            sum.period_from = r.booking_date;
        if (sum.period_to == DATE_NONE || r.booking_date > sum.period_to)
            sum.period_to = r.booking_date;
        sum.entry_count++;
        if (r.amount >= 0)
            sum.credit_total += r.amount;
        else
            sum.debit_total -= r.amount;
        if ((st = sink->on_receipt(sink->ctx, &r, err)) != RECON_OK)
            goto out;
    }
    if (sum.entry_count == 0) {
        st = err_set(err, RECON_EDATA, "%s: no ZM records", c.file);
        goto out;
    }
    memcpy(sum.currency, "CNY", 4);
    if (sink->on_statement != NULL)
        st = sink->on_statement(sink->ctx, &sum, err);
    log_debug("%s: %ld unionpay records", c.file, sum.entry_count);
out:
    linereader_free(lr);
    charset_close(c.cs);
    buf_free(&c.tmp);
    return st;
}
