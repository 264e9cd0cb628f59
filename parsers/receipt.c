#include "parsers/receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

bool receipt_set_field(char *field, size_t cap, const char *src, size_t n)
{
    while (n > 0 && is_space(src[0])) {
        src++;
        n--;
    }
    while (n > 0 && is_space(src[n - 1]))
        n--;
    if (n >= cap)
        return false;
    memcpy(field, src, n);
    field[n] = '\0';
    return true;
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
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(clause, sizeof clause, fmt, ap);
    va_end(ap);
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
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return sink->on_warning(sink->ctx, position, text, err);
}
