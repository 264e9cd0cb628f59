/*
 * SWIFT MT940 (and MT942) statements: bare or in {1:}{2:}{3:}{4: ... -}{5:} envelopes,
 * one statement in memory at a time. The field grammars live in mt940_fields.c.
 *
 * A statement normally opens with :20:, and one that does keeps the standard's order
 * strictly (account, then opening balance, then entries). Files also come as fragments
 * with no :20: (a bank's excerpt, entries written after the trailer of the statement
 * before them): in a fragment a second :25: or opening balance starts the next
 * statement, and entries with no :25: or no balance before them are booked to the
 * previous statement's account and currency when the file has one, else to the
 * MT940_NO_ACCOUNT placeholder in currency XXX (ISO 4217 "no currency"), which matching
 * never applies, so a person looks at them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuild.h"
#include "common/vargs.h"
#include "parsers/charset.h"
#include "parsers/fingerprint.h"
#include "parsers/linereader.h"
#include "parsers/mt940_fields.h"
#include "parsers/parse.h"

#define MT940_LINE_MAX 4096
#define MT940_TAG_MAX 8
/* Source of a fragment's entries when nothing in the file names the account: fixed, so
 * the same entries in two files still get the same keys. */
#define MT940_NO_ACCOUNT "mt940:no-account"
#define MT940_NO_CURRENCY "XXX"

typedef struct mt940_state {
    instream_t *in;
    const receipt_sink *sink;
    err_t *err;
    linereader_t *lr;
    fingerprint_table *fp;
    bool warned_latin1;
    bool any_statement;
    long cur_line;

    /* the field being read: tag line plus continuation lines */
    bool has_field;
    bool field_known;
    char tag[MT940_TAG_MAX];
    char field[MT940_FIELD_MAX];
    size_t field_len;
    long field_line;

    /* a line of just ":" may be a tag broken after its colon (":" then "86:..."):
     * it waits for the next line to tell */
    bool pending_colon;
    long colon_line;
    char joined[MT940_LINE_MAX * 2 + 2];

    /* the statement being read */
    bool in_stmt;
    bool has_header; /* opened by :20:; otherwise a fragment, see the top of the file */
    long stmt_line;
    statement_summary sum;
    bool has_source;
    /* the :25: text as written, when it differs from the account (a currency suffix
     * "NL34RABO0142623393 EUR"): keys made before the suffix was read as a currency
     * hashed this text, and stored keys must not change */
    char key_source[RECEIPT_ID_MAX];
    char account_currency[RECEIPT_CCY_MAX];
    bool closed; /* closing balance or MT942 totals seen: no more entries */
    /* the previous statement's account and currency, for a fragment after it */
    char prev_source[RECEIPT_ID_MAX];
    char prev_currency[RECEIPT_CCY_MAX];
    char prev_key_source[RECEIPT_ID_MAX];

    /* the last :61: waits for its :86: lines before it is pushed */
    bool has_pending;
    long entry_line;
    mt940_entry entry;
    char details[MT940_FIELD_MAX];
    size_t details_len;
    bool has_details;

    mt940_details det;
    receipt_t rec;
    char conv[MT940_LINE_MAX * 2 + 1];
} mt940_state;

static recon_status fail(mt940_state *st, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static recon_status fail(mt940_state *st, long line, const char *fmt, ...)
{
    char msg[512];
    VARGS_FORMAT(msg, sizeof msg, fmt);
    return err_set(st->err, RECON_EDATA, "%s: line %ld: %s", instream_name(st->in), line, msg);
}

static recon_status warn_at(mt940_state *st, long line, const char *text)
{
    char pos[RECEIPT_POSITION_MAX];
    receipt_position_line(pos, line);
    return receipt_warn(st->sink, pos, st->err, "%s", text);
}

/* One note or warning per tolerance bit set. */
static recon_status report_tolerated(mt940_state *st, unsigned tolerated, const char *type,
                                     receipt_t *r, long line)
{
    for (unsigned k = 0; k < MT940_TOL_COUNT; k++) {
        unsigned bit = 1u << k;
        if ((tolerated & bit) == 0)
            continue;
        char buf[MT940_WHY_MAX];
        const char *text = mt940_tolerance_text(bit, type, buf, sizeof buf);
        if (r != NULL) {
            receipt_note(r, "%s", text);
            continue;
        }
        recon_status s = warn_at(st, line, text);
        if (s != RECON_OK)
            return s;
    }
    return RECON_OK;
}

static bool tag_is(const mt940_state *st, const char *a) { return strcmp(st->tag, a) == 0; }

static bool tag_known(const char *t)
{
    /* :61: and :86: open almost every field, so they are tried first */
    static const char *const known[] = {"61",  "86",  "20",  "21",  "25",  "28",  "28C",
                                        "60",  "60F", "60M", "62",  "62F", "62M", "64",
                                        "65",  "34F", "13",  "13D", "90D", "90C"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(t, known[i]) == 0)
            return true;
    return false;
}

/* A tag line is ":" + 2-4 upper-case letters/digits + ":". */
static size_t tag_length(const char *line, size_t len)
{
    if (len < 4 || line[0] != ':')
        return 0;
    size_t i = 1;
    while (i < len && i <= 5 && ((line[i] >= '0' && line[i] <= '9') ||
                                 (line[i] >= 'A' && line[i] <= 'Z')))
        i++;
    if (i < 3 || i > 5 || i >= len || line[i] != ':')
        return 0;
    return i - 1;
}

static bool is_placeholder_ref(const char *r)
{
    return r[0] == '\0' || strcmp(r, "NONREF") == 0 || strcmp(r, "EREF") == 0 ||
           strcmp(r, "PREF") == 0;
}

/* An identifier (the account, the statement reference) past its field's size keeps
 * its head and a hash of the whole, so it stays the same identifier in every file. */
static recon_status set_key(mt940_state *st, char *dst, size_t cap, const char *src, size_t n,
                            const char *what)
{
    if (receipt_set_key(dst, cap, src, n))
        return RECON_OK;
    char text[RECEIPT_NOTE_MAX];
    snprintf(text, sizeof text, "%s longer than %zu bytes: shortened with a hash of the whole",
             what, cap - 1);
    return warn_at(st, st->field_line, text);
}

/* Triodos repeats the statement's own account in ?31 ("TRIODOSBANK/0454545454"):
 * that is no payer's account. */
static bool is_own_account(const char *source, const char *account)
{
    size_t sn = strlen(source), an = strlen(account);
    if (an == 0 || an > sn || strcmp(source + sn - an, account) != 0)
        return false;
    return an == sn || source[sn - an - 1] == '/';
}

/* The string in src's cap-byte array into dst's: what memcpy of the whole array gave,
 * without copying the (mostly unused) bytes after its end (issue 16). */
static void copy_field(char *dst, const char *src, size_t cap)
{
    size_t n = strnlen(src, cap);
    memcpy(dst, src, n < cap ? n + 1 : cap);
}

/* src into dst's cap bytes, cut as snprintf("%s") cut it. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    strbuild b = strbuild_start(dst, cap);
    strbuild_str(&b, src);
}

static recon_status flush_entry(mt940_state *st)
{
    if (!st->has_pending)
        return RECON_OK;
    st->has_pending = false;
    char why[MT940_WHY_MAX];
    mt940_details *d = &st->det;
    if (!mt940_parse_details(st->details, st->has_details ? st->details_len : 0, d, why,
                             sizeof why))
        return fail(st, st->entry_line, "%s", why);
    const mt940_entry *e = &st->entry;
    receipt_t *r = &st->rec;
    receipt_init(r);
    receipt_position_line(r->position, st->entry_line);
    if (d->note[0] != '\0')
        receipt_note(r, "%s", d->note);
    report_tolerated(st, e->tolerated, e->type, r, st->entry_line);
    memcpy(r->source, st->sum.source, sizeof r->source);
    r->value_date = e->value_date;
    r->booking_date = e->entry_date != DATE_NONE ? e->entry_date : e->value_date;
    r->amount = mt940_entry_signed_amount(e);
    memcpy(r->currency, st->sum.currency, sizeof r->currency);
    r->direction = r->amount < 0 ? RECEIPT_DEBIT : RECEIPT_CREDIT;
    r->reversal = e->mark[0] == 'R' || d->is_return;
    copy_field(r->payer, d->payer, sizeof r->payer);
    copy_field(r->payer_account, d->payer_account, sizeof r->payer_account);
    size_t iban = r->payer_account[0] == '\0'
                      ? mt940_leading_iban(e->supplementary, strlen(e->supplementary))
                      : 0;
    if (iban > 0) {
        /* Rabobank writes the counterparty's IBAN as the :61: supplementary details */
        memcpy(r->payer_account, e->supplementary, iban);
        r->payer_account[iban] = '\0';
    }
    if (is_own_account(r->source, r->payer_account))
        r->payer_account[0] = '\0';
    copy_field(r->end_to_end_id, d->end_to_end_id, sizeof r->end_to_end_id);
    if (d->creditor_reference[0] != '\0')
        copy_field(r->creditor_reference, d->creditor_reference, sizeof r->creditor_reference);
    else if (!is_placeholder_ref(e->customer_ref))
        copy_text(r->creditor_reference, sizeof r->creditor_reference, e->customer_ref);
    if (!is_placeholder_ref(e->bank_ref))
        copy_text(r->provider_txn_id, sizeof r->provider_txn_id, e->bank_ref);
    if (d->remittance[0] != '\0')
        copy_field(r->remittance, d->remittance, sizeof r->remittance);
    else
        copy_text(r->remittance, sizeof r->remittance, e->supplementary);
    if (r->reversal) {
        /* The reversed payment as the database knows it: a return repeats the original's
         * end-to-end id (/EREF/, EREF+). Failing that, the line's bank reference is all
         * there is; it finds the original only where a bank reuses that reference. */
        const char *of = d->end_to_end_id[0] != '\0'       ? d->end_to_end_id
                         : !is_placeholder_ref(e->bank_ref) ? e->bank_ref
                                                            : "";
        snprintf(r->reversal_of, sizeof r->reversal_of, "%s", of);
    }

    if (r->provider_txn_id[0] != '\0') {
        memcpy(r->transaction_key, r->provider_txn_id, sizeof r->transaction_key);
    } else {
        /* The customer reference is the account owner's (often a policy or invoice
         * number repeated every month), so it feeds the fingerprint instead of being
         * the key: a repeated reference must not merge distinct payments. */
        char ref[RECEIPT_ID_MAX * 3 + RECEIPT_TEXT_MAX];
        snprintf(ref, sizeof ref, "%s|%s|%s|%s", e->customer_ref, r->end_to_end_id, e->type,
                 r->remittance);
        if (st->key_source[0] != '\0')
            memcpy(r->source, st->key_source, sizeof r->source);
        recon_status fst = fingerprint_assign(st->fp, r, ref, st->err);
        memcpy(r->source, st->sum.source, sizeof r->source);
        if (fst != RECON_OK)
            return fst;
    }
    st->sum.entry_count++;
    if (r->amount > 0)
        st->sum.credit_total += r->amount;
    else
        st->sum.debit_total -= r->amount;
    return st->sink->on_receipt(st->sink->ctx, r, st->err);
}

static void open_statement(mt940_state *st, long line, bool header)
{
    st->in_stmt = true;
    st->has_header = header;
    st->any_statement = true;
    st->stmt_line = line;
    statement_summary_init(&st->sum);
    receipt_position_line(st->sum.position, line);
    st->has_source = false;
    st->key_source[0] = '\0';
    st->account_currency[0] = '\0';
    st->closed = false;
    st->has_pending = false;
}

/* A fragment's entry with no :25: before it (see the top of the file). */
static void assume_source(mt940_state *st)
{
    bool inherit = st->prev_source[0] != '\0';
    snprintf(st->sum.source, sizeof st->sum.source, "%s",
             inherit ? st->prev_source : MT940_NO_ACCOUNT);
    if (inherit)
        memcpy(st->key_source, st->prev_key_source, sizeof st->key_source);
    st->has_source = true;
    log_warn("%s: line %ld: :61: with no :25: account before it; booked to %s%s",
             instream_name(st->in), st->field_line, st->sum.source,
             inherit ? ", the account of the statement before it" : "");
}

/* A fragment's entry with no opening balance or :34F: giving the currency. */
static void assume_currency(mt940_state *st)
{
    bool inherit = st->prev_currency[0] != '\0' && strcmp(st->sum.source, st->prev_source) == 0;
    snprintf(st->sum.currency, sizeof st->sum.currency, "%s",
             inherit ? st->prev_currency : MT940_NO_CURRENCY);
    if (!inherit)
        log_warn("%s: line %ld: :61: with no opening balance giving its currency; booked as "
                 "%s (no currency), never applied",
                 instream_name(st->in), st->field_line, MT940_NO_CURRENCY);
}

static recon_status set_currency(mt940_state *st, const char *ccy, const char *tag)
{
    if (st->sum.currency[0] == '\0') {
        snprintf(st->sum.currency, sizeof st->sum.currency, "%s", ccy);
        return RECON_OK;
    }
    if (strcmp(st->sum.currency, ccy) != 0)
        return fail(st, st->field_line, "currency %s in :%s: differs from statement currency %s",
                    ccy, tag, st->sum.currency);
    return RECON_OK;
}

static recon_status finish_balance(mt940_state *st, const char *body, size_t n)
{
    char why[MT940_WHY_MAX], tagname[MT940_TAG_MAX + 2];
    snprintf(tagname, sizeof tagname, ":%s:", st->tag);
    mt940_balance b;
    if (!mt940_parse_balance(body, n, tagname, &b, why, sizeof why))
        return fail(st, st->field_line, "%s", why);
    if (b.currency[0] == '\0') {
        /* an intermediate :60M:/:62M: often leaves it out: the other balances or the
         * :25: suffix give it; with neither the money's currency is in doubt */
        const char *known = st->sum.currency[0] != '\0' ? st->sum.currency : st->account_currency;
        if (known[0] == '\0')
            return fail(st, st->field_line,
                        "%s without currency and no balance or :25: before it giving one",
                        tagname);
        memcpy(b.currency, known, sizeof b.currency);
    }
    recon_status s = report_tolerated(st, b.tolerated, "", NULL, st->field_line);
    if (s != RECON_OK)
        return s;
    if (st->key_source[0] != '\0' && strcmp(b.currency, st->account_currency) != 0 &&
        st->sum.entry_count == 0 && !st->has_pending) {
        /* the word after the account was not its currency after all */
        memcpy(st->sum.source, st->key_source, sizeof st->sum.source);
        st->key_source[0] = st->account_currency[0] = '\0';
        s = warn_at(st, st->field_line,
                    "word after the :25: account is not the statement's currency: kept in the "
                    "account");
        if (s != RECON_OK)
            return s;
    }
    s = set_currency(st, b.currency, st->tag);
    if (s != RECON_OK)
        return s;
    if (st->tag[0] == '6' && st->tag[1] == '0') {
        if (st->sum.has_opening)
            return fail(st, st->field_line,
                        "second opening balance %s in one statement; hint: each statement "
                        "starts with :20:",
                        tagname);
        if (st->sum.entry_count > 0 || st->has_pending)
            return fail(st, st->field_line, "opening balance %s after :61: entries", tagname);
        st->sum.has_opening = true;
        st->sum.opening_balance = b.amount;
        st->sum.period_from = b.date;
    } else if (st->tag[0] == '6' && st->tag[1] == '2') {
        recon_status fs = flush_entry(st);
        if (fs != RECON_OK)
            return fs;
        if (st->sum.has_closing)
            return fail(st, st->field_line,
                        "second closing balance %s in one statement; hint: each statement "
                        "starts with :20:",
                        tagname);
        st->sum.has_closing = true;
        st->sum.closing_balance = b.amount;
        st->sum.statement_date = b.date;
        st->sum.period_to = b.date;
        st->closed = true;
    }
    /* :64: and :65: (available balances) are checked for form only */
    return RECON_OK;
}

/* :34F: CCY[D|C]amount (MT942 floor limit). */
static recon_status finish_floor_limit(mt940_state *st, const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    char ccy[RECEIPT_CCY_MAX];
    size_t i = 3;
    bool ok = n >= 4;
    for (size_t k = 0; ok && k < 3; k++)
        ok = s[k] >= 'A' && s[k] <= 'Z';
    if (ok && (s[i] == 'D' || s[i] == 'C'))
        i++;
    fen_t v;
    if (!ok || !mt940_parse_amount(s + i, n - i, &v))
        return fail(st, st->field_line,
                    "malformed :34F: floor limit; hint: expected currency, optional D/C, amount");
    memcpy(ccy, s, 3);
    ccy[3] = '\0';
    return set_currency(st, ccy, st->tag);
}

/* :13D: YYMMDDHHMM+ZZZZ (MT942 creation time). */
static recon_status finish_datetime(mt940_state *st, const char *s, size_t n)
{
    date_t d;
    if (n < 10 || !mt940_parse_yymmdd(s, 6, &d))
        return fail(st, st->field_line, "invalid date %.*s in :%s:", (int)(n < 6 ? n : 6), s,
                    st->tag);
    if (!st->sum.has_closing)
        st->sum.statement_date = d;
    return RECON_OK;
}

/* :90D:/:90C: count, currency, amount (MT942 totals). */
static recon_status finish_totals(mt940_state *st, const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    bool ok = i + 3 < n;
    for (size_t k = i; ok && k < i + 3; k++)
        ok = s[k] >= 'A' && s[k] <= 'Z';
    fen_t v;
    if (!ok || !mt940_parse_amount(s + i + 3, n - i - 3, &v))
        return fail(st, st->field_line, "malformed :%s: totals; hint: expected count, currency, "
                                        "amount", st->tag);
    char ccy[RECEIPT_CCY_MAX];
    memcpy(ccy, s + i, 3);
    ccy[3] = '\0';
    recon_status fs = flush_entry(st);
    if (fs != RECON_OK)
        return fs;
    st->closed = true;
    return set_currency(st, ccy, st->tag);
}

static recon_status finish_field(mt940_state *st)
{
    if (!st->has_field)
        return RECON_OK;
    st->has_field = false;
    if (!st->field_known || !st->in_stmt)
        return RECON_OK;
    const char *body = st->field;
    size_t n = st->field_len;
    if (tag_is(st, "20"))
        return set_key(st, st->sum.statement_id, sizeof st->sum.statement_id, body, n,
                           ":20: reference");
    if (tag_is(st, "25")) {
        if (st->has_source) {
            /* "166?00GUTSCHRIFT?20...": :86: details under a damaged tag, not an account */
            bool details = n >= 4 && body[0] >= '0' && body[0] <= '9' && body[1] >= '0' &&
                           body[1] <= '9' && body[2] >= '0' && body[2] <= '9' &&
                           (body[3] == '?' || body[3] == '>');
            if (details)
                return fail(st, st->field_line,
                            "second :25: account in one statement, holding :86: transaction "
                            "details (%.4s...); hint: the tag is damaged or the file cut",
                            body);
            return fail(st, st->field_line,
                        "second :25: account in one statement; hint: each statement starts "
                        "with :20:");
        }
        size_t acct = mt940_account_currency(body, n, st->account_currency);
        recon_status s = set_key(st, st->sum.source, sizeof st->sum.source, body,
                                     acct > 0 ? acct : n, ":25: account");
        if (s != RECON_OK)
            return s;
        if (st->sum.source[0] == '\0')
            return fail(st, st->field_line, "empty :25: account");
        st->has_source = true;
        if (acct > 0) {
            receipt_set_key(st->key_source, sizeof st->key_source, body, n);
            return warn_at(st, st->field_line,
                           "currency after the :25: account: read as the account's currency");
        }
        return RECON_OK;
    }
    if (st->tag[0] == '6' && (st->tag[1] == '0' || st->tag[1] == '2' || st->tag[1] == '4' ||
                              st->tag[1] == '5'))
        return finish_balance(st, body, n);
    if (tag_is(st, "61")) {
        recon_status s = flush_entry(st);
        if (s != RECON_OK)
            return s;
        if (!st->has_source) {
            if (st->has_header)
                return fail(st, st->field_line, ":61: before the :25: account identification");
            assume_source(st);
        }
        if (st->sum.currency[0] == '\0') {
            if (st->has_header)
                return fail(st, st->field_line, ":61: before an opening balance (:60F:/:60M:) "
                                                "or :34F:; currency unknown");
            assume_currency(st);
        }
        if (st->closed)
            return fail(st, st->field_line,
                        ":61: after the closing balance; hint: a new statement starts with :20:");
        char why[MT940_WHY_MAX];
        if (!mt940_parse_entry(body, n, &st->entry, why, sizeof why))
            return fail(st, st->field_line, "%s", why);
        st->has_pending = true;
        st->entry_line = st->field_line;
        st->details_len = 0;
        st->has_details = false;
        return RECON_OK;
    }
    if (tag_is(st, "86")) {
        /* after the closing balance or before any entry it describes the statement */
        if (!st->has_pending)
            return RECON_OK;
        if (st->details_len + n + 1 >= sizeof st->details)
            return fail(st, st->field_line, ":86: details longer than %zu bytes",
                        sizeof st->details - 1);
        if (st->has_details)
            st->details[st->details_len++] = '\n';
        memcpy(st->details + st->details_len, body, n);
        st->details_len += n;
        st->details[st->details_len] = '\0';
        st->has_details = true;
        return RECON_OK;
    }
    if (tag_is(st, "34F"))
        return finish_floor_limit(st, body, n);
    if (tag_is(st, "13D") || tag_is(st, "13"))
        return finish_datetime(st, body, n);
    if (tag_is(st, "90D") || tag_is(st, "90C"))
        return finish_totals(st, body, n);
    return RECON_OK; /* :21:, :28:, :28C: carry nothing a receipt needs */
}

static recon_status finish_statement(mt940_state *st)
{
    recon_status s = finish_field(st);
    if (s != RECON_OK)
        return s;
    if (!st->in_stmt)
        return RECON_OK;
    s = flush_entry(st);
    if (s != RECON_OK)
        return s;
    st->in_stmt = false;
    memcpy(st->prev_source, st->sum.source, sizeof st->prev_source);
    memcpy(st->prev_currency, st->sum.currency, sizeof st->prev_currency);
    memcpy(st->prev_key_source, st->key_source, sizeof st->prev_key_source);
    if (st->sink->on_statement != NULL)
        return st->sink->on_statement(st->sink->ctx, &st->sum, st->err);
    return RECON_OK;
}

static recon_status start_field(mt940_state *st, const char *line, size_t len, size_t taglen,
                                long lineno)
{
    recon_status s = finish_field(st);
    if (s != RECON_OK)
        return s;
    memcpy(st->tag, line + 1, taglen);
    st->tag[taglen] = '\0';
    st->field_known = tag_known(st->tag);
    if (st->field_known) {
        /* :20: starts a statement; in a fragment without one, a second account or
         * opening balance is the only sign that the next has begun */
        bool opening = st->tag[0] == '6' && st->tag[1] == '0';
        bool next = tag_is(st, "20") ||
                    (!st->has_header && ((tag_is(st, "25") && st->has_source) ||
                                         (opening && st->sum.has_opening)));
        if (next && st->in_stmt) {
            s = finish_statement(st);
            if (s != RECON_OK)
                return s;
        }
        if (!st->in_stmt)
            open_statement(st, lineno, tag_is(st, "20"));
    } else {
        log_debug("%s: line %ld: field :%s: ignored", instream_name(st->in), lineno, st->tag);
    }
    st->has_field = true;
    st->field_line = lineno;
    size_t body = taglen + 2;
    if (len - body >= sizeof st->field)
        return fail(st, lineno, ":%s: field longer than %zu bytes", st->tag,
                    sizeof st->field - 1);
    memcpy(st->field, line + body, len - body);
    st->field_len = len - body;
    st->field[st->field_len] = '\0';
    return RECON_OK;
}

static recon_status continue_field(mt940_state *st, const char *line, size_t len)
{
    if (!st->has_field) {
        /* transmission headers ("ABNANL2A", "940"), trailers, a title before the
         * first tag */
        bool blank = true;
        for (size_t i = 0; i < len && blank; i++)
            blank = line[i] == ' ' || line[i] == '\t';
        return blank ? RECON_OK : warn_at(st, st->cur_line, "text outside any field ignored");
    }
    if (st->field_len + 1 + len >= sizeof st->field)
        return fail(st, st->field_line, ":%s: field longer than %zu bytes", st->tag,
                    sizeof st->field - 1);
    st->field[st->field_len++] = '\n';
    memcpy(st->field + st->field_len, line, len);
    st->field_len += len;
    st->field[st->field_len] = '\0';
    return RECON_OK;
}

static recon_status process_line(mt940_state *st, const char *line, size_t len, long lineno);

/* "{1:...}{2:...}{3:...}{4:" opens a message; text after "{4:" is its first line. */
static recon_status envelope_line(mt940_state *st, const char *line, size_t len, long lineno)
{
    for (size_t i = 0; i + 3 <= len; i++) {
        if (line[i] == '{' && line[i + 1] == '4' && line[i + 2] == ':') {
            recon_status s = finish_statement(st);
            if (s != RECON_OK)
                return s;
            if (i + 3 < len)
                return process_line(st, line + i + 3, len - i - 3, lineno);
            return RECON_OK;
        }
    }
    return RECON_OK;
}

static recon_status process_line(mt940_state *st, const char *line, size_t len, long lineno)
{
    if (st->pending_colon) {
        st->pending_colon = false;
        st->joined[0] = ':';
        memcpy(st->joined + 1, line, len);
        size_t taglen = tag_length(st->joined, len + 1);
        if (taglen > 0) {
            char tag[MT940_TAG_MAX];
            memcpy(tag, st->joined + 1, taglen);
            tag[taglen] = '\0';
            /* Sparkassen break ":86:" after its first colon; only a known tag is
             * rejoined, anything else keeps the ":" as text */
            if (tag_known(tag))
                return start_field(st, st->joined, len + 1, taglen, st->colon_line);
        }
        recon_status s = continue_field(st, ":", 1);
        if (s != RECON_OK)
            return s;
    }
    if (len == 1 && line[0] == ':') {
        st->pending_colon = true;
        st->colon_line = lineno;
        return RECON_OK;
    }
    if (len > 0 && line[0] == '{')
        return envelope_line(st, line, len, lineno);
    size_t lead = 0;
    while (lead < len && line[lead] == ' ')
        lead++;
    if (lead > 0 && lead + 1 == len && line[lead] == '-') {
        line += lead; /* " -": a trailer indented (Moneyou) */
        len = 1;
    }
    if (len > 0 && line[0] == '-') {
        if (len > 1 && line[1] == '}') {
            recon_status s = finish_statement(st);
            if (s != RECON_OK)
                return s;
            return envelope_line(st, line + 2, len - 2, lineno);
        }
        /* "-" ends a bare statement, but ING wraps :86: text onto lines starting with
         * "-": before the closing balance, inside an entry's details, it is text. */
        if (st->has_field && tag_is(st, "86") && st->has_pending && !st->closed)
            return continue_field(st, line, len);
        return finish_statement(st);
    }
    size_t taglen = tag_length(line, len);
    if (taglen > 0)
        return start_field(st, line, len, taglen, lineno);
    return continue_field(st, line, len);
}

/* Checks one segment of a line for control bytes and reads non-UTF-8 as ISO 8859-1;
 * col is the segment's offset in its line, for the message. */
static recon_status clean_line(mt940_state *st, const char **line, size_t *len, long lineno,
                               size_t col)
{
    const char *p = *line;
    size_t n = *len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return fail(st, lineno,
                        "control byte 0x%02x at column %zu; hint: the file is damaged or not "
                        "text",
                        c, col + i + 1);
    }
    size_t bad = 0;
    if (!utf8_valid(p, n, &bad)) {
        /* SWIFT allows ASCII only; the banks that go beyond it write ISO 8859-1,
         * which maps byte for byte and so loses nothing. */
        if (!st->warned_latin1) {
            log_warn("%s: line %ld: not UTF-8; text read as ISO 8859-1", instream_name(st->in),
                     lineno);
            st->warned_latin1 = true;
        }
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x80) {
                st->conv[o++] = (char)c;
            } else {
                st->conv[o++] = (char)(0xC0 | (c >> 6));
                st->conv[o++] = (char)(0x80 | (c & 0x3F));
            }
        }
        st->conv[o] = '\0';
        p = st->conv;
        n = o;
    }
    *line = p;
    *len = n;
    return RECON_OK;
}

#define MT940_BOM "\xEF\xBB\xBF"

/* Bytes that frame a transmission rather than carry text: SOH and ETX around SWIFT
 * blocks (mBank), the DOS end-of-file byte at the end of an export (and so between
 * exports copied into one file), and "@@" where a bank separates records with it. */
static size_t frame_at(const char *p, size_t n, size_t i)
{
    if (p[i] == '\x01' || p[i] == '\x03' || p[i] == '\x1A')
        return 1;
    if (i + 2 <= n && p[i] == '@' && p[i + 1] == '@')
        return 2;
    if (i + 3 <= n && memcmp(p + i, MT940_BOM, 3) == 0)
        return 3;
    return 0;
}

/* A framing run frames only at a line's ends or where a message starts after it;
 * anywhere else it stays in the text (and a control byte there refuses the file). */
static bool frames(const char *p, size_t n, size_t i)
{
    size_t k = i, f;
    while (k < n && (f = frame_at(p, n, k)) > 0)
        k += f;
    return i == 0 || k == n || p[k] == '{' || p[k] == ':' || p[k] == '-';
}

static recon_status warn_frame(mt940_state *st, const char *p, size_t f, long lineno,
                               unsigned *seen)
{
    unsigned bit = p[0] == '\x1A' ? 1u : p[0] == '@' ? 2u : p[0] == '\xEF' ? 4u : 8u;
    if ((*seen & bit) != 0)
        return RECON_OK;
    *seen |= bit;
    if (bit == 4u && lineno == 1 && f == 3)
        return RECON_OK; /* a byte order mark opening the file is no news */
    static const char *const text[] = {"dos end-of-file byte ignored",
                                       "'@@' record separator read as a line break",
                                       "byte order mark inside the file ignored",
                                       "soh/etx transmission byte ignored"};
    return warn_at(st, lineno, text[bit == 1u ? 0 : bit == 2u ? 1 : bit == 4u ? 2 : 3]);
}

/* True when every byte of the line is printable ASCII or a tab: no framing byte, no
 * control byte, nothing clean_line would convert. Nearly every line of a real file is,
 * and checking it once is cheaper than looking for frames at every byte. */
static bool plain_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7F || c == '@')
            return false;
    }
    return true;
}

/* A line as read: split at its framing bytes, each piece read as a line of its own. */
static recon_status process_raw(mt940_state *st, const char *p, size_t n, long lineno)
{
    if (plain_line(p, n))
        return process_line(st, p, n, lineno);
    unsigned seen = 0;
    bool any_frame = false;
    size_t i = 0;
    for (;;) {
        size_t f;
        while (i < n && (f = frame_at(p, n, i)) > 0 && frames(p, n, i)) {
            recon_status s = warn_frame(st, p + i, f, lineno, &seen);
            if (s != RECON_OK)
                return s;
            any_frame = true;
            i += f;
        }
        size_t j = i;
        while (j < n && !((f = frame_at(p, n, j)) > 0 && j > i && frames(p, n, j)))
            j++;
        if (j > i || !any_frame) {
            const char *seg = p + i;
            size_t len = j - i;
            recon_status s = clean_line(st, &seg, &len, lineno, i);
            if (s == RECON_OK)
                s = process_line(st, seg, len, lineno);
            if (s != RECON_OK)
                return s;
        }
        if (j >= n)
            return RECON_OK;
        i = j;
    }
}

recon_status mt940_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                         err_t *err)
{
    (void)opts;
    recon_status st_code = RECON_OK;
    mt940_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    st->in = in;
    st->sink = sink;
    st->err = err;
    st->fp = fingerprint_table_new();
    if (st->fp == NULL) {
        st_code = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    st_code = linereader_new(in, MT940_LINE_MAX, &st->lr, err);
    if (st_code != RECON_OK)
        goto out;
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        st_code = linereader_next(st->lr, &line, &len, err);
        if (st_code != RECON_OK)
            goto out;
        if (line == NULL) {
            if (st->pending_colon)
                st_code = continue_field(st, ":", 1);
            if (st_code != RECON_OK)
                goto out;
            break;
        }
        long lineno = linereader_lineno(st->lr);
        st->cur_line = lineno;
        st_code = process_raw(st, line, len, lineno);
        if (st_code != RECON_OK)
            goto out;
    }
    st_code = finish_statement(st);
    if (st_code != RECON_OK)
        goto out;
    if (!st->any_statement)
        st_code = err_set(err, RECON_EDATA,
                          "%s: no mt940 statement found; hint: expected :20:, :25:, :60F: and "
                          ":61: fields",
                          instream_name(in));
out:
    if (st->lr != NULL)
        linereader_free(st->lr);
    fingerprint_table_free(st->fp);
    free(st);
    return st_code;
}

static bool starts_line_with(const unsigned char *head, size_t len, const char *tag)
{
    size_t tl = strlen(tag);
    for (size_t i = 0; i + tl <= len; i++)
        if ((i == 0 || head[i - 1] == '\n' || head[i - 1] == '\r') &&
            memcmp(head + i, tag, tl) == 0)
            return true;
    return false;
}

bool mt940_detect(const unsigned char *head, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n' ||
                       head[i] == 0x01))
        i++;
    const unsigned char *p = head + i;
    size_t n = len - i;
    /* Excerpts may open with any statement field (a lone :62F: or :86:). */
    static const char *const first[] = {"{1:",   ":20:",  ":21:",  ":25:", ":28:", ":28C:",
                                        ":60:",  ":60F:", ":60M:", ":61:", ":62:", ":62F:",
                                        ":62M:", ":64:",  ":65:",  ":86:", ":34F:", ":13D:"};
    for (size_t k = 0; k < sizeof first / sizeof first[0]; k++) {
        size_t fl = strlen(first[k]);
        if (n >= fl && memcmp(p, first[k], fl) == 0)
            return true;
    }
    /* Bare files from some banks open with transmission headers ("ABNANL2A", "940"). */
    size_t near = len < 4096 ? len : 4096;
    return starts_line_with(head, near, ":25:") &&
           (starts_line_with(head, near, ":60F:") || starts_line_with(head, near, ":60M:") ||
            starts_line_with(head, near, ":34F:"));
}
