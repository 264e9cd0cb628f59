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
