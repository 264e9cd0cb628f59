#include "reports/summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds one row to the group NAME in currency CUR (groups are few: the values of a CHECK list,
 * times the other currencies of the day; ISO codes, checked, keep the keys short). */
static recon_status tally_put(summary_tally *t, const char *name, unsigned order,
                              const char *cur, fen_t fen, err_t *err)
{
    if (!currency_code_valid(cur))
        return err_set(err, RECON_EINTERNAL, "summary: '%.40s' has currency '%.8s'", name, cur);
    bool book = strcmp(cur, CURRENCY_BOOK) == 0;
    char key[sizeof t->g[0].key];
    if ((size_t)snprintf(key, sizeof key, book ? "%s" : "%s %s", name, cur) >= sizeof key)
        return err_set(err, RECON_EINTERNAL, "summary: unexpected group '%.40s'", name);
    size_t i = 0;
    while (i < t->n && strcmp(t->g[i].key, key) != 0)
        i++;
    if (i == t->n) {
        if (t->n == SUMMARY_GROUPS)
            return err_set(err, RECON_EDATA,
                           "summary: more than %d groups (at '%s'); hint: the day's money is in "
                           "more currencies than the summary lists",
                           SUMMARY_GROUPS, key);
        snprintf(t->g[i].key, sizeof t->g[i].key, "%s", key);
        snprintf(t->g[i].currency, sizeof t->g[i].currency, "%s", book ? "" : cur);
        t->g[i].order = order;
        t->n++;
    }
    t->g[i].count++;
    if (!money_add(&t->g[i].fen, fen))
        return err_set(err, RECON_EDATA,
                       "summary: the total of '%s' overflows 64 bits; hint: the data changed "
                       "since recon process; run it again for this day",
                       key);
    return RECON_OK;
}

static recon_status tally_add(summary_tally *t, const char *name, const char *cur, fen_t fen,
                              err_t *err)
{
    return tally_put(t, name, 0, cur, fen, err);
}

static recon_status add_fen(fen_t *sum, fen_t v, err_t *err)
{
    if (!money_add(sum, v))
        return err_set(err, RECON_EDATA,
                       "summary: a money total overflows 64 bits; hint: the data changed since "
                       "recon process; run it again for this day");
    return RECON_OK;
}

/* Money of the day in the book's currency to its total, in another to that currency's line
 * of day_other (allocated and unapplied only when there is some). */
static recon_status day_add(summary_figures *s, unsigned order, fen_t *book_total,
                            const char *cur, fen_t v, bool always, err_t *err)
{
    static const char *const names[] = {"money in", "allocated", "unapplied"};
    if (strcmp(cur, CURRENCY_BOOK) == 0)
        return add_fen(book_total, v, err);
    return always || v != 0 ? tally_put(&s->day_other, names[order], order, cur, v, err)
                            : RECON_OK;
}

recon_status summary_receipt(summary_figures *s, char *const *f, const fen_t *fen, err_t *err)
{
    const char *cur = f[5];
    recon_status st = tally_add(&s->outcomes, f[9], cur, fen[4], err);
    if (st == RECON_OK && strcmp(f[6], "credit") == 0 && strcmp(f[9], "duplicate") != 0)
        st = day_add(s, 0, &s->money_in, cur, fen[4], true, err);
    if (st == RECON_OK)
        st = day_add(s, 1, &s->allocated, cur, fen[10], false, err);
    if (st == RECON_OK)
        st = day_add(s, 2, &s->unapplied, cur, fen[11], false, err);
    return st;
}

recon_status summary_policy(summary_figures *s, char *const *f, const fen_t *fen, err_t *err)
{
    size_t b = 0;
    if (!worklist_ageing_from_name(f[10], &b))
        return err_set(err, RECON_EINTERNAL, "summary: unexpected ageing '%.32s'", f[10]);
    recon_status st = tally_add(&s->statuses, f[1], CURRENCY_BOOK, fen[6], err);
    if (st == RECON_OK && (st = add_fen(&s->ageing_arrears[b], fen[6], err)) == RECON_OK)
        s->ageing_count[b]++;
    return st;
}

/* Money in suspense by its age: age_days of the exception row; in another currency than the
 * book's, by bucket and currency. */
static recon_status suspense_age(summary_figures *s, const char *age, const char *cur,
                                 fen_t fen, err_t *err)
{
    char *end = NULL;
    errno = 0;
    long long days = strtoll(age, &end, 10);
    if (errno || end == age || *end)
        return err_set(err, RECON_EINTERNAL, "summary: age_days '%.32s' is not a number", age);
    size_t b = worklist_suspense_age(days);
    if (strcmp(cur, CURRENCY_BOOK) != 0)
        return tally_put(&s->suspense_age_other, worklist_suspense_age_name(b), (unsigned)b, cur,
                         fen, err);
    recon_status st = add_fen(&s->suspense_age_fen[b], fen, err);
    if (st == RECON_OK)
        s->suspense_age_count[b]++;
    return st;
}

/* Money in suspense is the receipt rows; the largest exceptions are the rows by absolute
 * amount. The summary breaks ties by (kind, id), the id being "receipt N" for receipts and the
 * policy number for refunds: the order of the rows, in whatever collation the database sorted
 * with, so among equal amounts the earlier row wins. */
recon_status summary_exception(summary_figures *s, char *const *f, const fen_t *fen, err_t *err)
{
    if (strcmp(f[0], "unidentified") == 0 || strcmp(f[0], "ambiguous") == 0 ||
        strcmp(f[0], "currency") == 0) {
        recon_status st = tally_add(&s->suspense, f[0], f[7], fen[3], err);
        if (st == RECON_OK)
            st = suspense_age(s, f[6], f[7], fen[3], err);
        if (st != RECON_OK)
            return st;
    }
    fen_t v = fen[3];
    unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    /* Later rows lose ties, so an equal amount never displaces an earlier row. */
    if (s->top_n == SUMMARY_TOP && mag <= s->top[SUMMARY_TOP - 1].magnitude)
        return RECON_OK;
    size_t at = s->top_n < SUMMARY_TOP ? s->top_n : SUMMARY_TOP - 1;
    while (at > 0 && s->top[at - 1].magnitude < mag) {
        s->top[at] = s->top[at - 1];
        at--;
    }
    summary_top *e = &s->top[at];
    if (strcmp(f[0], "refund_due") == 0)
        snprintf(e->label, sizeof e->label, "%s %s", f[0], f[2]);
    else
        snprintf(e->label, sizeof e->label, "%s receipt %s", f[0], f[1]);
    if (strcmp(f[7], CURRENCY_BOOK) != 0) { /* a decided refund has no policy: one space */
        size_t len = strlen(e->label);
        len -= len > 0 && e->label[len - 1] == ' ';
        snprintf(e->label + len, sizeof e->label - len, " %.3s", f[7]);
    }
    e->amount = v;
    e->magnitude = mag;
    if (s->top_n < SUMMARY_TOP)
        s->top_n++;
    return RECON_OK;
}

recon_status summary_refund(summary_figures *s, char *const *f, const fen_t *fen, err_t *err)
{
    return tally_add(&s->refunds, f[1], f[4], fen[2], err);
}

/* One line: a label, a count (may be empty) and an amount in fen (NULL: none). */
static void line(buf_t *text, const char *label, const char *count, const fen_t *fen)
{
    char amount[MONEY_STR_SIZE] = "";
    if (fen != NULL)
        money_format(*fen, amount);
    buf_printf(text, "  %-40s %10s %16s\n", label, count, amount);
}

/* One bucket of a fixed list: every bucket is shown, empty ones too, in the list's order. */
static void bucket_line(buf_t *text, const char *name, long long count, fen_t fen)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", count);
    line(text, name, n, &fen);
}

static int group_cmp(const void *a, const void *b)
{
    return strcmp(((const summary_group *)a)->key, ((const summary_group *)b)->key);
}

/* The lines in other currencies than the book's: by currency, then in their list's order. */
static int other_cmp(const void *a, const void *b)
{
    const summary_group *x = a, *y = b;
    int c = strcmp(x->currency, y->currency);
    return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

/* A section listing count and amount by group, in the byte order of the group names (the
 * order the summary's GROUP BY ... ORDER BY gave: every name in these lists differs from the
 * others in a letter before any '_', so every collation agrees with it). */
static void tally_section(buf_t *text, const char *title, summary_tally *t)
{
    buf_printf(text, "%s\n", title);
    if (t->n == 0)
        buf_printf(text, "  none\n");
    qsort(t->g, t->n, sizeof t->g[0], group_cmp);
    for (size_t i = 0; i < t->n; i++) {
        char count[32];
        snprintf(count, sizeof count, "%lld", t->g[i].count);
        line(text, t->g[i].key, count, &t->g[i].fen);
    }
    buf_printf(text, "\n");
}

/* A section of listed lines: label, count, and an amount in fen (or, with text_last, free
 * text and the row's detail lines indented under it). */
static recon_status list_section(buf_t *text, const char *title, const store_report_lines *l,
                                 bool text_last, err_t *err)
{
    recon_status st = RECON_OK;
    buf_printf(text, "%s\n", title);
    if (l->count == 0)
        buf_printf(text, "  none\n");
    for (size_t r = 0; r < l->count; r++) {
        const store_report_line *x = &l->lines[r];
        if (text_last) {
            buf_printf(text, "  %-40s %10s  %s\n", x->label, x->count, x->value);
            for (const char *d = x->detail; d && *d;) {
                size_t n = strcspn(d, "\n");
                buf_printf(text, "    %.*s\n", (int)n, d);
                d += n + (d[n] == '\n');
            }
            continue;
        }
        char *end = NULL;
        errno = 0;
        long long value = *x->value ? strtoll(x->value, &end, 10) : 0;
        if (*x->value && (errno || end == x->value || *end)) {
            st = err_set(err, RECON_EDATA, "summary: %s: amount %.40s fen is beyond 64 bits",
                         x->label, x->value);
            break;
        }
        fen_t fen = value;
        line(text, x->label, x->count, *x->value ? &fen : NULL);
    }
    buf_printf(text, "\n");
    return st;
}

recon_status summary_text(summary_figures *s, const char *day, const summary_lists *lists,
                          buf_t *text, err_t *err)
{
    recon_status st;
    buf_printf(text, "recon daily summary for %s\n\n", day);
    tally_section(text, "policies by status", &s->statuses);
    buf_printf(text, "policies by ageing (days overdue; arrears)\n");
    for (size_t b = 0; b < WORKLIST_AGEING_BUCKETS; b++)
        bucket_line(text, worklist_ageing_name(b), s->ageing_count[b], s->ageing_arrears[b]);
    buf_printf(text, "\n");
    tally_section(text, "receipts of the day by outcome", &s->outcomes);
    buf_printf(text, "money of the day (in, allocated to installments, unapplied)\n");
    line(text, "money in", "", &s->money_in);
    line(text, "allocated", "", &s->allocated);
    line(text, "unapplied", "", &s->unapplied);
    qsort(s->day_other.g, s->day_other.n, sizeof s->day_other.g[0], other_cmp);
    for (size_t i = 0; i < s->day_other.n; i++)
        line(text, s->day_other.g[i].key, "", &s->day_other.g[i].fen);
    buf_printf(text, "\n");
    tally_section(text, "money in suspense (unidentified, ambiguous, other currency)",
                  &s->suspense);
    buf_printf(text, "money in suspense by age (days since booking)\n");
    for (size_t b = 0; b < WORKLIST_SUSPENSE_BUCKETS; b++)
        bucket_line(text, worklist_suspense_age_name(b), s->suspense_age_count[b],
                    s->suspense_age_fen[b]);
    qsort(s->suspense_age_other.g, s->suspense_age_other.n, sizeof s->suspense_age_other.g[0],
          other_cmp);
    for (size_t i = 0; i < s->suspense_age_other.n; i++)
        bucket_line(text, s->suspense_age_other.g[i].key, s->suspense_age_other.g[i].count,
                    s->suspense_age_other.g[i].fen);
    buf_printf(text, "\n");
    tally_section(text, "refunds due", &s->refunds);
    if ((st = list_section(text, "statement files of the day", lists->files, true, err)) !=
            RECON_OK ||
        (st = list_section(text, "statement balance checks (opening + credits - debits = closing)",
                           lists->balances, false, err)) != RECON_OK ||
        (st = list_section(text, "provider settlements (credited = provider gross - fees)",
                           lists->settlements, false, err)) != RECON_OK)
        return st;
    buf_printf(text, "top exceptions (largest amounts first)\n");
    if (s->top_n == 0)
        buf_printf(text, "  none\n");
    for (size_t i = 0; i < s->top_n; i++)
        line(text, s->top[i].label, "", &s->top[i].amount);
    buf_printf(text, "\n");
    return RECON_OK;
}
