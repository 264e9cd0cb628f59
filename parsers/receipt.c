#include "parsers/receipt.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/vargs.h"
#include "parsers/charset.h"

void receipt_init(receipt_t *r)
{
    memset(r, 0, sizeof *r);
    r->booking_date = DATE_NONE;
    r->value_date = DATE_NONE;
}

void statement_summary_init(statement_summary *s)
{
    memset(s, 0, sizeof *s);
    s->statement_date = DATE_NONE;
    s->period_from = DATE_NONE;
    s->period_to = DATE_NONE;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static const char *trim(const char *src, size_t *n)
{
    while (*n > 0 && is_space(src[0])) {
        src++;
        (*n)--;
    }
    while (*n > 0 && is_space(src[*n - 1]))
        (*n)--;
    return src;
}

bool receipt_set_field(char *field, size_t cap, const char *src, size_t n)
{
    src = trim(src, &n);
    if (n >= cap)
        return false;
    memcpy(field, src, n);
    field[n] = '\0';
    return true;
}

/* The longest head of s, at most max bytes, that does not split a UTF-8 character. */
static size_t utf8_head(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

bool receipt_set_text(receipt_t *r, char *field, size_t cap, const char *src, size_t n,
                      const char *what)
{
    src = trim(src, &n);
    if (n < cap) {
        memcpy(field, src, n);
        field[n] = '\0';
        return true;
    }
    size_t k = utf8_head(src, n, cap - 1);
    memcpy(field, src, k);
    field[k] = '\0';
    if (r != NULL)
        receipt_note(r, "%s cut at %zu bytes", what, k);
    return false;
}

bool receipt_set_key(char *field, size_t cap, const char *src, size_t n)
{
    src = trim(src, &n);
    if (n < cap) {
        memcpy(field, src, n);
        field[n] = '\0';
        return true;
    }
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)src[i];
        h *= 1099511628211ULL;
    }
    char tail[18];
    snprintf(tail, sizeof tail, "~%016llx", (unsigned long long)h);
    size_t k = utf8_head(src, n, cap - 1 - 17);
    memcpy(field, src, k);
    memcpy(field + k, tail, 18);
    return false;
}

/* Rewrites field with each invalid byte as U+FFFD; false when it was valid. */
static bool scrub_field(char *field, size_t cap)
{
    size_t len = strlen(field), bad = 0;
    if (utf8_valid(field, len, &bad))
        return false;
    char out[RECEIPT_TEXT_MAX];
    size_t o = 0, i = 0;
    while (i < len && o < sizeof out) {
        size_t good = len - i;
        bool ok = utf8_valid(field + i, len - i, &bad);
        if (!ok)
            good = bad;
        size_t room = sizeof out - 1 - o;
        size_t take = utf8_head(field + i, good, good < room ? good : room);
        memcpy(out + o, field + i, take);
        o += take;
        if (take < good || ok || o + 3 > sizeof out - 1)
            break;
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
        i += good + 1;
    }
    o = utf8_head(out, o, cap - 1);
    memcpy(field, out, o);
    field[o] = '\0';
    return true;
}

/* The free text of a receipt: what may be read with U+FFFD (identifiers and accounts
 * may not: ingest refuses them). */
typedef struct free_text {
    size_t offset, size;
    const char *name;
} free_text;

#define FREE_TEXT(f, name) {offsetof(receipt_t, f), sizeof((receipt_t *)0)->f, name}
static const free_text free_texts[] = {
    FREE_TEXT(payer, "payer name"),
    FREE_TEXT(remittance, "remittance"),
    FREE_TEXT(end_to_end_id, "end-to-end id"),
    FREE_TEXT(creditor_reference, "creditor reference"),
    FREE_TEXT(merchant_order_no, "merchant order number"),
};
#define N_FREE_TEXTS (sizeof free_texts / sizeof free_texts[0])

bool receipt_text_valid(const receipt_t *r)
{
    for (size_t i = 0; i < N_FREE_TEXTS; i++) {
        const char *f = (const char *)r + free_texts[i].offset;
        if (!utf8_valid(f, strlen(f), NULL))
            return false;
    }
    return true;
}

bool receipt_scrub_text(receipt_t *r)
{
    bool any = false;
    for (size_t i = 0; i < N_FREE_TEXTS; i++)
        if (scrub_field((char *)r + free_texts[i].offset, free_texts[i].size)) {
            receipt_note(r, "invalid utf-8 in the %s replaced with U+FFFD", free_texts[i].name);
            any = true;
        }
    return any;
}

void receipt_position_line(char position[RECEIPT_POSITION_MAX], long line)
{
    /* Done for every row of a line-based file, where snprintf showed in profiles. */
    char digits[24];
    size_t nd = 0, o = 5;
    unsigned long v = line < 0 ? 0UL - (unsigned long)line : (unsigned long)line;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    memcpy(position, "line ", o);
    if (line < 0)
        position[o++] = '-';
    while (nd > 0)
        position[o++] = digits[--nd];
    position[o] = '\0';
}

static recon_status beyond(const char *file, const char *position, const char *what, fen_t v,
                           err_t *err)
{
    char amount[MONEY_STR_SIZE];
    money_format(v, amount);
    return err_set(err, RECON_EDATA,
                   "%s: %s: %s %s is beyond 1000000000000.00, the largest amount recon accepts "
                   "(10^12 yuan); file rejected",
                   file, position, what, amount);
}

recon_status receipt_check_bounds(const char *file, const receipt_t *r, err_t *err)
{
    if (!money_within_bound(r->amount))
        return beyond(file, r->position, "amount", r->amount, err);
    if (!money_within_bound(r->fee))
        return beyond(file, r->position, "fee", r->fee, err);
    return RECON_OK;
}

recon_status statement_check_bounds(const char *file, const statement_summary *s, err_t *err)
{
    if (s->has_opening && !money_within_bound(s->opening_balance))
        return beyond(file, s->position, "opening balance", s->opening_balance, err);
    if (s->has_closing && !money_within_bound(s->closing_balance))
        return beyond(file, s->position, "closing balance", s->closing_balance, err);
    return RECON_OK;
}

void receipt_note(receipt_t *r, const char *fmt, ...)
{
    char clause[RECEIPT_NOTE_MAX];
    VARGS_FORMAT(clause, sizeof clause, fmt);
    size_t len = strnlen(r->note, sizeof r->note);
    if (len >= 3 && memcmp(r->note + len - 3, "...", 3) == 0)
        return; /* already full */
    size_t sep = len ? 2 : 0, add = strlen(clause);
    if (len + sep + add < sizeof r->note) {
        if (sep)
            memcpy(r->note + len, "; ", 2);
        memcpy(r->note + len + sep, clause, add + 1);
    } else if (len + 6 <= sizeof r->note) {
        memcpy(r->note + len, len ? "; ..." : "...", len ? 6 : 4);
    } else {
        memcpy(r->note + sizeof r->note - 4, "...", 4);
    }
}

recon_status receipt_warn(const receipt_sink *sink, const char *position, err_t *err,
                          const char *fmt, ...)
{
    if (sink == NULL || sink->on_warning == NULL)
        return RECON_OK;
    char text[RECEIPT_NOTE_MAX];
    VARGS_FORMAT(text, sizeof text, fmt);
    return sink->on_warning(sink->ctx, position, text, err);
}
