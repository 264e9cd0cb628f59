#include "parsers/mt940_fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/vargs.h"
#include "core/currency.h"
#include "parsers/linereader.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alnum(char c) { return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z'); }
static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int two_digits(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

bool mt940_parse_yymmdd(const char *s, size_t n, date_t *out)
{
    if (n != 6)
        return false;
    for (size_t i = 0; i < 6; i++)
        if (!is_digit(s[i]))
            return false;
    int yy = two_digits(s), mm = two_digits(s + 2), dd = two_digits(s + 4);
    int year = yy >= 80 ? 1900 + yy : 2000 + yy;
    if (!date_valid(year, mm, dd))
        return false;
    *out = date_from_ymd(year, mm, dd);
    return true;
}

bool mt940_parse_amount(const char *s, size_t n, fen_t *out)
{
    /* money_parse_opts would take a sign; SWIFT amounts never carry one, and the
     * decimal comma is mandatory in the standard. */
    if (n == 0 || memchr(s, ',', n) == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]) && s[i] != ',')
            return false;
    static const money_format_opts opts = {',', 0, false, 2};
    return money_parse_opts(s, n, &opts, out) == MONEY_OK;
}

bool mt940_parse_amount_lenient(const char *s, size_t n, fen_t *out, unsigned *tolerated)
{
    if (n > 0 && memchr(s, ',', n) != NULL)
        return mt940_parse_amount(s, n, out);
    const char *point = n > 0 ? memchr(s, '.', n) : NULL;
    if (point == NULL) {
        /* the standard's mandatory comma left out: "500" is 500 units, never 5.00 */
        for (size_t i = 0; i < n; i++)
            if (!is_digit(s[i]))
                return false;
        static const money_format_opts whole = {'.', 0, false, 2};
        if (n == 0 || money_parse_opts(s, n, &whole, out) != MONEY_OK)
            return false;
        *tolerated |= MT940_TOL_NO_DECIMAL_COMMA;
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]) && s[i] != '.')
            return false;
    /* "1.000" may be a thousand written with a separator: three decimals are refused
     * here even when they are zeros */
    if (n - (size_t)(point - s) - 1 > 2 || memchr(point + 1, '.', n - (size_t)(point - s) - 1))
        return false;
    static const money_format_opts dot = {'.', 0, false, 2};
    if (money_parse_opts(s, n, &dot, out) != MONEY_OK)
        return false;
    *tolerated |= MT940_TOL_DECIMAL_POINT;
    return true;
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

bool mt940_parse_balance(const char *s, size_t n, const char *tag, mt940_balance *b, char *why,
                         size_t whylen)
{
    b->tolerated = 0;
    b->currency[0] = '\0';
    while (n > 0 && is_ws(s[n - 1]))
        n--;
    while (n > 0 && is_ws(s[0])) {
        s++;
        n--;
    }
    if (n < 8 || (s[0] != 'C' && s[0] != 'D')) {
        snprintf(why, whylen, "malformed balance in %s; hint: expected C/D, YYMMDD, currency, amount",
                 tag);
        return false;
    }
    if (!mt940_parse_yymmdd(s + 1, 6, &b->date)) {
        snprintf(why, whylen, "invalid date %.6s in %s", s + 1, tag);
        return false;
    }
    size_t i = skip_spaces(s, n, 7);
    if (i > 7)
        b->tolerated |= MT940_TOL_BALANCE_SPACES;
    if (i + 3 <= n && is_upper(s[i]) && is_upper(s[i + 1]) && is_upper(s[i + 2])) {
        if (!currency_code_valid_n(s + i, 3)) {
            snprintf(why, whylen, "invalid currency %.3s in %s", s + i, tag);
            return false;
        }
        memcpy(b->currency, s + i, 3);
        b->currency[3] = '\0';
        size_t j = skip_spaces(s, n, i + 3);
        if (j > i + 3)
            b->tolerated |= MT940_TOL_BALANCE_SPACES;
        i = j;
    } else if (i < n && !is_digit(s[i])) {
        snprintf(why, whylen, "invalid currency %.3s in %s", s + i, tag);
        return false;
    }
    size_t a = i;
    while (i < n && (is_digit(s[i]) || s[i] == ',' || s[i] == '.'))
        i++;
    fen_t v;
    if (!mt940_parse_amount_lenient(s + a, i - a, &v, &b->tolerated)) {
        snprintf(why, whylen, "invalid amount %.*s in %s", (int)(n - a > 40 ? 40 : n - a), s + a,
                 tag);
        return false;
    }
    if (i < n) {
        /* "1000,00EUR" (the currency after the amount), else text the balance does not
         * need ("0,00  -", a ":86 :" run on): the balance itself is complete */
        size_t j = skip_spaces(s, n, i);
        if (b->currency[0] == '\0' && j + 3 <= n && currency_code_valid_n(s + j, 3) &&
            skip_spaces(s, n, j + 3) == n) {
            memcpy(b->currency, s + j, 3);
            b->currency[3] = '\0';
            b->tolerated |= MT940_TOL_BALANCE_CURRENCY_AFTER;
        } else {
            b->tolerated |= MT940_TOL_BALANCE_TEXT_AFTER;
        }
    }
    if (b->currency[0] == '\0')
        b->tolerated |= MT940_TOL_BALANCE_NO_CURRENCY;
    b->amount = s[0] == 'D' ? -v : v;
    return true;
}

const char *mt940_tolerance_text(unsigned bit, const char *type, char *buf, size_t cap)
{
    switch (bit) {
    case MT940_TOL_NO_DECIMAL_COMMA:
        return "amount without decimal comma: read as whole units";
    case MT940_TOL_DECIMAL_POINT:
        return "decimal point in amount: read as decimal comma";
    case MT940_TOL_TYPE_UNUSUAL:
        snprintf(buf, cap, "transaction type '%s' is not N/F/S + 3 characters: read as unknown",
                 type);
        return buf;
    case MT940_TOL_TYPE_MISSING:
        return "no transaction type after the amount: read as unknown";
    case MT940_TOL_SPACE_BEFORE_TYPE:
        return "space between amount and transaction type ignored";
    case MT940_TOL_VALUE_DATE_INVALID:
        return "value date is not a calendar date: left empty, entry date used";
    case MT940_TOL_BALANCE_TEXT_AFTER:
        return "text after a balance amount ignored";
    case MT940_TOL_BALANCE_NO_CURRENCY:
        return "balance without currency: the statement's currency used";
    case MT940_TOL_BALANCE_CURRENCY_AFTER:
        return "balance currency written after the amount";
    case MT940_TOL_BALANCE_SPACES:
        return "spaces inside a balance ignored";
    case MT940_TOL_LONG_BANK_REF:
        return "bank reference in :61: longer than 139 bytes: shortened with a hash of the whole";
    case MT940_TOL_LONG_SUPPLEMENTARY:
        return "supplementary details in :61: cut";
    default:
        return "";
    }
}

size_t mt940_leading_iban(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && (is_upper(s[n]) || is_digit(s[n])))
        n++;
    if (n < 15 || n > 34 || (n < len && !is_ws(s[n])) || !is_upper(s[0]) || !is_upper(s[1]) ||
        !is_digit(s[2]) || !is_digit(s[3]))
        return 0;
    /* ISO 13616: the country and check digits moved to the end, letters as 10..35,
     * the whole number mod 97 is 1 */
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        char c = s[(k + 4) % n];
        unsigned v = is_digit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'A') + 10u;
        rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
    }
    return rem == 1 ? n : 0;
}

size_t mt940_account_currency(const char *s, size_t n, char ccy[RECEIPT_CCY_MAX])
{
    while (n > 0 && is_ws(s[n - 1]))
        n--;
    if (n < 5 || s[n - 4] != ' ' || !currency_code_valid_n(s + n - 3, 3))
        return 0;
    size_t acct = n - 4;
    while (acct > 0 && s[acct - 1] == ' ')
        acct--;
    /* an account number is one word holding digits: "DE12 3456 ABC" is not split */
    bool digit = false;
    for (size_t i = 0; i < acct; i++) {
        if (is_ws(s[i]))
            return 0;
        digit = digit || is_digit(s[i]);
    }
    if (!digit)
        return 0;
    memcpy(ccy, s + n - 3, 3);
    ccy[3] = '\0';
    return acct;
}

bool mt940_entry_date(date_t value, int month, int day, date_t *out)
{
    int vy, vm, vd;
    date_to_ymd(value, &vy, &vm, &vd);
    bool found = false;
    date_t best = DATE_NONE;
    /* Only the month and day are written: the year is whichever puts the entry
     * date nearest the value date, so 0102 after value 261231 is 2027-01-02. */
    for (int y = vy - 1; y <= vy + 1; y++) {
        if (!date_valid(y, month, day))
            continue;
        date_t d = date_from_ymd(y, month, day);
        int32_t dist = d > value ? d - value : value - d;
        if (!found || dist < (best > value ? best - value : value - best)) {
            best = d;
            found = true;
        }
    }
    if (!found)
        return false;
    *out = best;
    return true;
}

fen_t mt940_entry_signed_amount(const mt940_entry *e)
{
    bool money_in = strcmp(e->mark, "C") == 0 || strcmp(e->mark, "RD") == 0;
    return money_in ? e->amount : -e->amount;
}

static bool copy_trim(char *dst, size_t cap, const char *src, size_t n)
{
    return receipt_set_field(dst, cap, src, n);
}

/* A value date that is no calendar date ("200230": German banks date interest to the
 * 30th of every month) is usable only with an entry date beside it (within this many
 * days of the month's last real day): *near becomes that day, which places the entry
 * date's year. */
#define MT940_VALUE_DATE_SLACK 7
static bool value_date_near(const char *s, size_t l1, date_t *near)
{
    for (size_t i = 0; i < 10; i++)
        if (i >= l1 || !is_digit(s[i]))
            return false;
    int yy = two_digits(s), mm = two_digits(s + 2), dd = two_digits(s + 4);
    int year = yy >= 80 ? 1900 + yy : 2000 + yy;
    if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
        return false;
    while (!date_valid(year, mm, dd))
        dd--;
    *near = date_from_ymd(year, mm, dd);
    return true;
}

/* The transaction type after the amount; returns where the customer reference starts.
 * The standard's N/F/S + 3 alphanumerics is read as it is; banks also write a space
 * before it, a 2-letter code padded with a space ("NOV NONREF", ING and Triodos), a
 * letter padded with spaces ("S   X") or nothing at all: these are read and noted,
 * the amount, mark and dates being already certain. */
static size_t read_type(const char *s, size_t l1, size_t i, mt940_entry *e)
{
    size_t t = i;
    while (t < l1 && s[t] == ' ')
        t++;
    if (t + 4 <= l1 && (s[t] == 'N' || s[t] == 'F' || s[t] == 'S') && is_alnum(s[t + 1]) &&
        is_alnum(s[t + 2]) && is_alnum(s[t + 3])) {
        if (t > i)
            e->tolerated |= MT940_TOL_SPACE_BEFORE_TYPE;
        memcpy(e->type, s + t, 4);
        e->type[4] = '\0';
        return t + 4;
    }
    if (t < l1 && is_upper(s[t])) {
        size_t k = 1;
        while (k < 4 && t + k < l1 && (is_alnum(s[t + k]) || s[t + k] == ' '))
            k++;
        size_t tn = k;
        while (tn > 1 && s[t + tn - 1] == ' ')
            tn--;
        memcpy(e->type, s + t, tn);
        e->type[tn] = '\0';
        e->tolerated |= MT940_TOL_TYPE_UNUSUAL;
        return t + k;
    }
    e->tolerated |= MT940_TOL_TYPE_MISSING;
    return t;
}

bool mt940_parse_entry(const char *s, size_t n, mt940_entry *e, char *why, size_t whylen)
{
    memset(e, 0, sizeof *e);
    e->entry_date = DATE_NONE;
    const char *nl = memchr(s, '\n', n);
    size_t l1 = nl ? (size_t)(nl - s) : n; /* end of the line being read, trimmed */
    while (l1 > 0 && is_ws(s[l1 - 1]))
        l1--;
    size_t i = 0;
    if (l1 < 6) {
        snprintf(why, whylen, "malformed :61:; hint: expected YYMMDD value date first");
        return false;
    }
    date_t near = DATE_NONE; /* what the entry date's year is chosen by */
    if (mt940_parse_yymmdd(s, 6, &e->value_date)) {
        near = e->value_date;
    } else if (!value_date_near(s, l1, &near)) {
        snprintf(why, whylen, "invalid date %.6s in :61:", s);
        return false;
    } else {
        e->value_date = DATE_NONE;
        e->tolerated |= MT940_TOL_VALUE_DATE_INVALID;
    }
    i = 6;
    if (i + 4 <= l1 && is_digit(s[i]) && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
        is_digit(s[i + 3])) {
        int mm = two_digits(s + i), dd = two_digits(s + i + 2);
        if (!mt940_entry_date(near, mm, dd, &e->entry_date)) {
            snprintf(why, whylen, "invalid entry date %.4s in :61:", s + i);
            return false;
        }
        if (e->value_date == DATE_NONE &&
            (e->entry_date > near ? e->entry_date - near : near - e->entry_date) >
                MT940_VALUE_DATE_SLACK) {
            /* 30 February booked in June is no interest convention: the dates are
             * in doubt */
            snprintf(why, whylen, "invalid date %.6s in :61:", s);
            return false;
        }
        i += 4;
    } else if (i + 4 <= l1 && memcmp(s + i, "    ", 4) == 0) {
        i += 4; /* Citi writes a blank entry date */
    }
    if (i < l1 && s[i] == 'R' && i + 1 < l1 && (s[i + 1] == 'C' || s[i + 1] == 'D')) {
        e->mark[0] = 'R';
        e->mark[1] = s[i + 1];
        i += 2;
    } else if (i < l1 && (s[i] == 'C' || s[i] == 'D')) {
        e->mark[0] = s[i];
        i++;
    } else {
        snprintf(why, whylen, "missing debit/credit mark in :61:; hint: expected C, D, RC or RD");
        return false;
    }
    if (i < l1 && is_upper(s[i]))
        e->funds_code = s[i++];
    if (i == l1 && nl != NULL) {
        /* Sparkassen break the line after the mark: the amount opens the next line,
         * which is then read as the rest of the first. */
        i = (size_t)(nl - s) + 1;
        nl = memchr(s + i, '\n', n - i);
        l1 = nl ? (size_t)(nl - s) : n;
        while (l1 > i && is_ws(s[l1 - 1]))
            l1--;
    } else if (i < l1 && s[i] == ' ') {
        i++; /* and some banks a space */
    }
    size_t a = i;
    while (i < l1 && (is_digit(s[i]) || s[i] == ',' || s[i] == '.'))
        i++;
    if (!mt940_parse_amount_lenient(s + a, i - a, &e->amount, &e->tolerated)) {
        snprintf(why, whylen, "invalid amount %.*s in :61:", (int)(i - a > 40 ? 40 : i - a), s + a);
        return false;
    }
    i = read_type(s, l1, i, e);
    const char *rest = s + i;
    size_t rest_n = l1 - i;
    const char *slashes = NULL;
    for (size_t k = 0; k + 1 < rest_n; k++)
        if (rest[k] == '/' && rest[k + 1] == '/') {
            slashes = rest + k;
            break;
        }
    size_t supp = 0;
    if (slashes != NULL && (size_t)(slashes - rest) <= MT940_CUSTREF_MAX) {
        copy_trim(e->customer_ref, sizeof e->customer_ref, rest, (size_t)(slashes - rest));
        size_t bn = rest_n - (size_t)(slashes - rest) - 2;
        if (!receipt_set_key(e->bank_ref, sizeof e->bank_ref, slashes + 2, bn))
            e->tolerated |= MT940_TOL_LONG_BANK_REF;
    } else {
        /* No //: the customer reference is a fixed 16x, and anything after it on the
         * line is supplementary detail (Rabobank writes the counterparty there). */
        size_t cn = rest_n > MT940_CUSTREF_MAX ? MT940_CUSTREF_MAX : rest_n;
        /* 16x counts characters: never cut one written in several bytes (UTF-8, or
         * Latin-1 read as UTF-8), which the database would refuse */
        while (cn > 0 && cn < rest_n && ((unsigned char)rest[cn] & 0xC0) == 0x80)
            cn--;
        copy_trim(e->customer_ref, sizeof e->customer_ref, rest, cn);
        for (size_t k = cn; k < rest_n && supp + 1 < sizeof e->supplementary; k++)
            e->supplementary[supp++] = rest[k];
        while (supp > 0 && cn + supp < rest_n && ((unsigned char)rest[cn + supp] & 0xC0) == 0x80)
            supp--;
    }
    /* Continuation lines are subfield 9 (34x), but banks wrap it anywhere, so lines
     * are joined as written. */
    if (nl != NULL) {
        for (size_t k = (size_t)(nl - s) + 1; k < n; k++) {
            if (s[k] == '\n' || s[k] == '\r')
                continue;
            if (supp + 1 >= sizeof e->supplementary) {
                /* never cut a character written in several bytes */
                while (supp > 0 && ((unsigned char)s[k] & 0xC0) == 0x80 && k-- > 0)
                    supp--;
                e->tolerated |= MT940_TOL_LONG_SUPPLEMENTARY;
                break;
            }
            e->supplementary[supp++] = s[k];
        }
    }
    e->supplementary[supp] = '\0';
    char tmp[MT940_SUPP_MAX];
    memcpy(tmp, e->supplementary, supp + 1);
    copy_trim(e->supplementary, sizeof e->supplementary, tmp, supp);
    return true;
}

/* Whitespace runs (including the line breaks of a multi-line :86:) become one
 * space; text beyond the field is cut ("trimmed to the limit") on a UTF-8 boundary. */
static void set_collapsed(char *dst, size_t cap, const char *src, size_t n)
{
    size_t o = 0;
    bool space = false, full = false;
    for (size_t i = 0; i < n; i++) {
        if (is_ws(src[i])) {
            space = o > 0;
            continue;
        }
        if (o + (space ? 2u : 1u) >= cap) {
            full = true;
            break;
        }
        if (space) {
            dst[o++] = ' ';
            space = false;
        }
        dst[o++] = src[i];
    }
    if (full) {
        size_t k = o;
        while (k > 0 && ((unsigned char)dst[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)dst[k - 1] & 0x80) != 0) {
            unsigned char lead = (unsigned char)dst[k - 1];
            size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (o - (k - 1) < want)
                o = k - 1;
        }
    }
    dst[o] = '\0';
}

/* Adds a clause to d->note (joined with "; ", as receipt_note does). */
static void details_note(mt940_details *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void details_note(mt940_details *d, const char *fmt, ...)
{
    size_t len = strlen(d->note);
    if (len > 0 && len + 2 < sizeof d->note) {
        memcpy(d->note + len, "; ", 3);
        len += 2;
    }
    VARGS_FORMAT(d->note + len, sizeof d->note - len, fmt);
}

/* Nothing in :86: touches the money: a value past its field's size is cut (text and
 * references) or dropped (an account, which cut would name someone else), and noted.
 * Always true; kept a bool for the callers' chains. */
static bool set_field(mt940_details *d, char *dst, size_t cap, const char *src, size_t n,
                      const char *what, char *why, size_t whylen)
{
    (void)why;
    (void)whylen;
    if (dst == d->payer_account) {
        if (!receipt_set_field(dst, cap, src, n))
            details_note(d, "%s in :86: longer than %zu bytes: payer account left empty", what,
                         cap - 1);
        return true;
    }
    if (!receipt_set_text(NULL, dst, cap, src, n, what))
        details_note(d, "%s in :86: cut at %zu bytes", what, strlen(dst));
    return true;
}

static const char *const sepa_keys[] = {"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+",
                                        "ABWA+", "ABWE+", "IBAN+", "BIC+",  "COAM+", "OAMT+",
                                        "SQTP+", "PURP+", "BREF+", "RREF+"};

static size_t sepa_key_at(const char *s, size_t n, size_t i)
{
    for (size_t k = 0; k < sizeof sepa_keys / sizeof sepa_keys[0]; k++) {
        size_t kl = strlen(sepa_keys[k]);
        if (i + kl <= n && memcmp(s + i, sepa_keys[k], kl) == 0)
            return kl;
    }
    return 0;
}

/* Value of a SEPA keyword ("SVWZ+...") in the joined ?20-?29 purpose text. */
static bool sepa_value(const char *s, size_t n, const char *key, const char **val, size_t *vn)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl <= n; i++) {
        if (memcmp(s + i, key, kl) != 0)
            continue;
        size_t start = i + kl, end = start;
        while (end < n && sepa_key_at(s, n, end) == 0)
            end++;
        *val = s + start;
        *vn = end - start;
        return true;
    }
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return n > 0;
}

/* Before SEPA ?31 held a bare account number, unique only with the bank code in ?30:
 * the two are written as :25: writes such an account, "BANKCODE/ACCOUNT". An IBAN in
 * ?31 (and a BIC in ?30) stands alone. */
static bool legacy_account(mt940_details *d, const char *bank, size_t bank_n, char *why,
                           size_t whylen)
{
    size_t an = strlen(d->payer_account);
    if (bank == NULL || !all_digits(bank, bank_n) || !all_digits(d->payer_account, an))
        return true;
    char joined[RECEIPT_ACCOUNT_MAX * 2];
    int w = snprintf(joined, sizeof joined, "%.*s/%s", (int)bank_n, bank, d->payer_account);
    return set_field(d, d->payer_account, sizeof d->payer_account, joined,
                     w < 0 ? 0 : (size_t)w < sizeof joined ? (size_t)w : sizeof joined - 1,
                     "payer account ?30/?31", why, whylen);
}

static bool parse_gvc(mt940_details *d, size_t n, char sep, char *why, size_t whylen)
{
    const char *s = d->joined;
    char name[RECEIPT_NAME_MAX * 2];
    size_t purpose_n = 0, name_n = 0, nsub = 0;
    size_t sub_off[16], sub_len[16];
    const char *bank = NULL;
    size_t bank_n = 0;
    name[0] = '\0';
    memcpy(d->gvc, s, 3);
    d->gvc[3] = '\0';
    size_t i = 3;
    while (i < n) {
        if (!(s[i] == sep && i + 2 < n && is_digit(s[i + 1]) && is_digit(s[i + 2]))) {
            i++;
            continue;
        }
        int code = two_digits(s + i + 1);
        size_t start = i + 3, end = start;
        while (end < n && !(s[end] == sep && end + 2 < n && is_digit(s[end + 1]) &&
                            is_digit(s[end + 2])))
            end++;
        size_t vn = end - start;
        if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) {
            if (purpose_n + vn < sizeof d->purpose && nsub < 16) {
                sub_off[nsub] = purpose_n;
                sub_len[nsub++] = vn;
                memcpy(d->purpose + purpose_n, s + start, vn);
                purpose_n += vn;
            }
        } else if (code == 30) {
            bank = s + start;
            bank_n = vn;
        } else if (code == 31) {
            if (!set_field(d, d->payer_account, sizeof d->payer_account, s + start, vn,
                           "payer account ?31", why, whylen))
                return false;
        } else if (code == 32 || code == 33) {
            /* past the buffer, set_field below cuts it at the field's size anyway */
            if (vn > sizeof name - 1 - name_n)
                vn = sizeof name - 1 - name_n;
            memcpy(name + name_n, s + start, vn);
            name_n += vn;
        }
        i = end;
    }
    d->purpose[purpose_n] = '\0';
    if (!set_field(d, d->payer, sizeof d->payer, name, name_n, "payer name ?32/?33", why, whylen))
        return false;
    if (!legacy_account(d, bank, bank_n, why, whylen))
        return false;
    for (size_t k = 0; k < nsub && d->payer_account[0] == '\0'; k++) {
        /* Triodos writes the counterparty's IBAN as a purpose line of its own */
        size_t len = sub_len[k];
        while (len > 0 && is_ws(d->purpose[sub_off[k] + len - 1]))
            len--;
        if (len > 0 && mt940_leading_iban(d->purpose + sub_off[k], len) == len)
            receipt_set_field(d->payer_account, sizeof d->payer_account, d->purpose + sub_off[k],
                              len);
    }
    const char *v;
    size_t vn;
    if (sepa_value(d->purpose, purpose_n, "EREF+", &v, &vn)) {
        /* A reference runs on into the next ?2x only when its own sub-field is full
         * (27 characters); otherwise the next one is other text ("MTLG:..."). */
        size_t at = (size_t)(v - d->purpose), j = 0;
        while (j + 1 < nsub && sub_off[j + 1] <= at - 5)
            j++;
        size_t end = sub_off[j] + sub_len[j];
        while (sub_len[j] == 27 && j + 1 < nsub &&
               sepa_key_at(d->purpose, purpose_n, sub_off[j + 1]) == 0) {
            j++;
            end = sub_off[j] + sub_len[j];
        }
        if (at + vn > end)
            vn = end > at ? end - at : 0;
        if (!set_field(d, d->end_to_end_id, sizeof d->end_to_end_id, v, vn, "EREF+ reference", why,
                       whylen))
            return false;
        if ((strcmp(d->end_to_end_id, "NOTPROVIDED") == 0 ||
                                                 strcmp(d->end_to_end_id, "NONREF") == 0))
            d->end_to_end_id[0] = '\0';
    }
    if (sepa_value(d->purpose, purpose_n, "SVWZ+", &v, &vn))
        set_collapsed(d->remittance, sizeof d->remittance, v, vn);
    else
        set_collapsed(d->remittance, sizeof d->remittance, d->purpose, purpose_n);
    return true;
}

static const char swift_keys[][4] = {"EREF", "PREF", "MARF", "CSID", "CNTP", "REMI", "RTRN",
                                     "BENM", "ORDP", "IREF", "PURP", "ULTC", "ULTD", "ULTB",
                                     "ISDT", "TRCD", "BUSP", "CHGS", "OCMT", "EXCH", "SVCL"};

static bool swift_key_known(const char *key)
{
    for (size_t k = 0; k < sizeof swift_keys / sizeof swift_keys[0]; k++)
        if (memcmp(key, swift_keys[k], 4) == 0)
            return true;
    return false;
}

/* Start of the first "/KEY/" of a known keyword at or after i, n when there is none.
 * Only a '/' can start one, so the scan jumps from slash to slash. */
static size_t swift_next_key(const char *s, size_t n, size_t i)
{
    while (i + 6 <= n) {
        const char *slash = memchr(s + i, '/', n - 5 - i);
        if (slash == NULL)
            break;
        i = (size_t)(slash - s);
        if (s[i + 5] == '/' && swift_key_known(s + i + 1))
            return i;
        i++;
    }
    return n;
}

/* The keywords parse_swift_codes reads, in the order of swift_codes' members. */
enum { SW_RTRN, SW_EREF, SW_CNTP, SW_REMI, SW_COUNT };
static const char swift_wanted[SW_COUNT][4] = {"RTRN", "EREF", "CNTP", "REMI"};

/* The value of the first "/KEY/" of each wanted keyword: up to the next known keyword
 * that starts after it, trailing slashes dropped. A keyword may share the slash that
 * closes the one before: in "/EREF/CNTP/x" CNTP's value is "x" and EREF's "CNTP/x". */
typedef struct swift_codes {
    bool any;                /* some known keyword at all: the text is coded */
    bool found[SW_COUNT];
    const char *val[SW_COUNT];
    size_t len[SW_COUNT];
} swift_codes;

/* One pass over the keywords; each value is closed by the first keyword after its start. */
static void swift_scan(const char *s, size_t n, swift_codes *c)
{
    size_t start[SW_COUNT] = {0}, end[SW_COUNT] = {0};
    memset(c, 0, sizeof *c);
    for (size_t i = swift_next_key(s, n, 0); i < n; i = swift_next_key(s, n, i + 1)) {
        c->any = true;
        for (size_t k = 0; k < SW_COUNT; k++) {
            if (c->found[k] && end[k] == n && i >= start[k])
                end[k] = i;
            if (!c->found[k] && memcmp(s + i + 1, swift_wanted[k], 4) == 0) {
                c->found[k] = true;
                start[k] = i + 6;
                end[k] = n;
            }
        }
    }
    for (size_t k = 0; k < SW_COUNT; k++) {
        if (!c->found[k])
            continue;
        size_t len = end[k] - start[k];
        while (len > 0 && s[start[k] + len - 1] == '/')
            len--;
        c->val[k] = s + start[k];
        c->len[k] = len;
    }
}

static bool parse_swift_codes(mt940_details *d, const swift_codes *c, char *why, size_t whylen)
{
    const char *v;
    size_t vn;
    if (c->found[SW_RTRN])
        d->is_return = true;
    if (c->found[SW_EREF] &&
        !set_field(d, d->end_to_end_id, sizeof d->end_to_end_id, c->val[SW_EREF], c->len[SW_EREF],
                   "/EREF/ reference", why, whylen))
        return false;
    if ((strcmp(d->end_to_end_id, "NOTPROVIDED") == 0 ||
                                                 strcmp(d->end_to_end_id, "NONREF") == 0))
        d->end_to_end_id[0] = '\0';
    if (c->found[SW_CNTP]) {
        v = c->val[SW_CNTP];
        vn = c->len[SW_CNTP];
        /* /CNTP/account/BIC/name/city */
        const char *part[4] = {v, NULL, NULL, NULL};
        size_t plen[4] = {0, 0, 0, 0};
        size_t p = 0;
        for (size_t k = 0; k < vn; k++) {
            if (v[k] == '/') {
                if (++p >= 4)
                    break;
                part[p] = v + k + 1;
                continue;
            }
            plen[p]++;
        }
        if (!set_field(d, d->payer_account, sizeof d->payer_account, part[0], plen[0],
                       "/CNTP/ account", why, whylen))
            return false;
        if (part[2] != NULL &&
            !set_field(d, d->payer, sizeof d->payer, part[2], plen[2], "/CNTP/ name", why, whylen))
            return false;
    }
    if (c->found[SW_REMI]) {
        v = c->val[SW_REMI];
        vn = c->len[SW_REMI];
        if (vn >= 6 && memcmp(v, "USTD//", 6) == 0) {
            set_collapsed(d->remittance, sizeof d->remittance, v + 6, vn - 6);
        } else if (vn >= 5 && memcmp(v, "STRD/", 5) == 0) {
            const char *r = v + 5;
            size_t rn = vn - 5;
            /* STRD/CUR/<ref>: the issuer of the reference, then the reference */
            const char *slash = memchr(r, '/', rn);
            if (slash != NULL) {
                rn -= (size_t)(slash - r) + 1;
                r = slash + 1;
            }
            if (!set_field(d, d->creditor_reference, sizeof d->creditor_reference, r, rn,
                           "/REMI/STRD/ reference", why, whylen))
                return false;
            set_collapsed(d->remittance, sizeof d->remittance, r, rn);
        } else {
            set_collapsed(d->remittance, sizeof d->remittance, v, vn);
        }
    }
    return true;
}

/* End of a slash-coded value starting at i: the next "/KEY/" (2 to 4 capitals), n when
 * none follows. Names hold no such pattern, where the codes Rabobank and ABN AMRO put
 * after them (/ADDR/, /ID/, /REMI/, /BIC/) all do. */
static size_t slash_value_end(const char *s, size_t n, size_t i)
{
    for (; i < n; i++) {
        if (s[i] != '/')
            continue;
        size_t k = i + 1;
        while (k < n && k - i <= 4 && is_upper(s[k]))
            k++;
        if (k - i - 1 >= 2 && k < n && s[k] == '/')
            return i;
    }
    return n;
}

/* Value of "/KEY/" at or after `from` in s[0..n); false when there is none. */
static bool slash_value(const char *s, size_t n, size_t from, const char *key, const char **v,
                        size_t *vn)
{
    size_t kl = strlen(key);
    for (size_t i = from; i + kl <= n; i++) {
        if (memcmp(s + i, key, kl) != 0)
            continue;
        size_t start = i + kl, end = slash_value_end(s, n, start);
        while (end > start && is_ws(s[end - 1]))
            end--;
        *v = s + start;
        *vn = end - start;
        return true;
    }
    return false;
}

/* The counterparty of slash-coded details: /NAME/ inside /ORDP/ (who paid) or
 * /BENM/ (who was paid), else the first /NAME/ (ABN AMRO), and /IBAN/ (up to the
 * next slash). Fills only what /CNTP/ left empty. */
static bool parse_slash_party(mt940_details *d, const char *s, size_t n, char *why, size_t whylen)
{
    const char *v;
    size_t vn;
    if (d->payer[0] == '\0') {
        size_t from = 0;
        const char *party;
        size_t pn;
        if (slash_value(s, n, 0, "/ORDP/", &party, &pn) ||
            slash_value(s, n, 0, "/BENM/", &party, &pn))
            from = (size_t)(party - s);
        if ((slash_value(s, n, from, "/NAME/", &v, &vn) ||
             (from > 0 && slash_value(s, n, 0, "/NAME/", &v, &vn))) &&
            !set_field(d, d->payer, sizeof d->payer, v, vn, "/NAME/ name", why, whylen))
            return false;
    }
    if (d->payer_account[0] == '\0' && slash_value(s, n, 0, "/IBAN/", &v, &vn)) {
        const char *slash = memchr(v, '/', vn);
        if (slash != NULL)
            vn = (size_t)(slash - v);
        if (!set_field(d, d->payer_account, sizeof d->payer_account, v, vn, "/IBAN/ account", why,
                       whylen))
            return false;
    }
    return true;
}

/* Start of the value after label (e.g. "NAAM: ") in s[0..n), NULL when absent. */
static const char *label_value(const char *s, size_t n, const char *label)
{
    size_t ln = strlen(label);
    for (size_t i = 0; i + ln <= n; i++)
        if (memcmp(s + i, label, ln) == 0 && (i == 0 || !is_alnum(s[i - 1])))
            return s + i + ln;
    return NULL;
}

/* ABN AMRO and Knab label the counterparty in free text, in Dutch:
 * "IBAN: NL.. BIC: ..  NAAM: name" and "REK: NL../NAAM: name"; the name runs to the
 * end of its line. Fills only what is still empty. */
static void parse_labelled_party(mt940_details *d, const char *s, size_t n)
{
    const char *v = label_value(s, n, "IBAN: ");
    if (v == NULL)
        v = label_value(s, n, "REK: ");
    if (v != NULL && d->payer_account[0] == '\0') {
        size_t vn = 0, rest = n - (size_t)(v - s);
        while (vn < rest && is_alnum(v[vn]))
            vn++;
        receipt_set_field(d->payer_account, sizeof d->payer_account, v, vn);
    }
    v = label_value(s, n, "NAAM: ");
    if (v != NULL && d->payer[0] == '\0') {
        size_t vn = linereader_text_len(v, n - (size_t)(v - s));
        while (vn > 0 && is_ws(v[vn - 1]))
            vn--;
        set_collapsed(d->payer, sizeof d->payer, v, vn);
    }
}

bool mt940_parse_details(const char *s, size_t n, mt940_details *d, char *why, size_t whylen)
{
    d->remittance[0] = d->payer[0] = d->payer_account[0] = '\0';
    d->end_to_end_id[0] = d->creditor_reference[0] = d->gvc[0] = '\0';
    d->is_return = false;
    d->note[0] = '\0';
    /* Banks wrap :86: at fixed widths, mid-word: structured forms are read with the
     * line breaks removed. */
    size_t jn = 0;
    for (size_t i = 0; i < n && jn + 1 < sizeof d->joined;) {
        size_t line = linereader_text_len(s + i, n - i);
        if (line > sizeof d->joined - 1 - jn)
            line = sizeof d->joined - 1 - jn;
        memcpy(d->joined + jn, s + i, line);
        jn += line;
        i += line + 1; /* past the line break */
    }
    d->joined[jn] = '\0';
    size_t lead = 0;
    while (lead < jn && d->joined[lead] == ' ')
        lead++;
    if (lead > 0) {
        memmove(d->joined, d->joined + lead, jn - lead + 1);
        jn -= lead;
    }
    if (jn >= 4 && is_digit(d->joined[0]) && is_digit(d->joined[1]) && is_digit(d->joined[2]) &&
        (d->joined[3] == '?' || d->joined[3] == '>'))
        return parse_gvc(d, jn, d->joined[3], why, whylen);
    if (jn > 0 && d->joined[0] == '/') {
        swift_codes codes;
        swift_scan(d->joined, jn, &codes);
        if (codes.any) {
            if (!parse_swift_codes(d, &codes, why, whylen) ||
                !parse_slash_party(d, d->joined, jn, why, whylen))
                return false;
            if (d->remittance[0] == '\0')
                set_collapsed(d->remittance, sizeof d->remittance, s, n);
            return true;
        }
    }
    set_collapsed(d->remittance, sizeof d->remittance, s, n);
    /* free text opening with the counterparty's IBAN (ING before its coded form, SNS) */
    size_t iban = mt940_leading_iban(d->joined, jn);
    if (iban > 0)
        receipt_set_field(d->payer_account, sizeof d->payer_account, d->joined, iban);
    parse_labelled_party(d, s, n);
    return true;
}
