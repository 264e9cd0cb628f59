#include "parsers/receipt.h"

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
