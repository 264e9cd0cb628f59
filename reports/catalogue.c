#include "reports/catalogue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "core/mask.h"
#include "parsers/receipt.h"
#include "core/worklist.h"

const report_spec catalogue_receipts = {
    "receipts.csv.gz",
    "receipt_id,source,file,booking_date,amount,currency,direction,payer,policy_no,outcome,"
    "allocated,unapplied,note,transaction_key",
    STORE_REPORT_DAY_RECEIPTS,
    {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT, COL_TEXT, COL_NAME, COL_TEXT,
     COL_TEXT, COL_MONEY, COL_MONEY, COL_TEXT, COL_TEXT},
    summary_receipt, 0, NULL, 0,
};

/* policies.csv.gz's ageing from its days_overdue (column 5). */
static recon_status derive_ageing(char **f, err_t *err)
{
    long long days = 0;
    if (*f[5] && !catalogue_int(f[5], &days))
        return err_set(err, RECON_EINTERNAL, "policies.csv.gz: days_overdue '%s' is not a number",
                       f[5]);
    f[10] = (char *)worklist_ageing_name(worklist_ageing(days > 100000 ? 100000 : (int)days));
    return RECON_OK;
}

const report_spec catalogue_tables[CATALOGUE_TABLES] = {
    {"policies.csv.gz",
     "policy_no,status,status_since,next_due_date,oldest_unpaid_due_date,days_overdue,arrears,"
     "credit,paid_installments,total_installments,ageing",
     STORE_REPORT_POLICIES,
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_MONEY, COL_TEXT,
      COL_TEXT, COL_TEXT},
     summary_policy, 1, derive_ageing, 0},
    {"events.csv.gz", "policy_no,effective_date,from_status,to_status,reason",
     STORE_REPORT_EVENTS, {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT}, NULL, 0, NULL, 0},
    {"exceptions.csv.gz", "kind,receipt_id,policy_no,amount,detail,transaction_key,age_days,currency",
     STORE_REPORT_EXCEPTIONS,
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT},
     summary_exception, 0, NULL, 0},
    {"refunds.csv.gz", "policy_no,reason,amount,due_by,currency", STORE_REPORT_REFUNDS,
     {COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT, COL_TEXT}, summary_refund, 0, NULL, 0},
};

const report_spec catalogue_notices = {
    "notices.csv.gz",
    "policy_no,notice,effective_date,due_date,amount,deadline,detail",
    STORE_REPORT_NOTICES,
    {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT, COL_TEXT},
    NULL, 0, NULL, 0,
};

const report_spec *catalogue_find(const char *name)
{
    for (size_t i = 0; i < CATALOGUE_TABLES; i++)
        if (strcmp(catalogue_tables[i].name, name) == 0)
            return &catalogue_tables[i];
    if (strcmp(catalogue_notices.name, name) == 0)
        return &catalogue_notices;
    return strcmp(catalogue_receipts.name, name) == 0 ? &catalogue_receipts : NULL;
}

bool catalogue_int(const char *s, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

recon_status catalogue_open(const report_target *t, const report_spec *spec, gzcsv_t **g,
                            size_t *columns, err_t *err)
{
    char header[512];
    const char *cols[CATALOGUE_MAX_COLUMNS];
    snprintf(header, sizeof header, "%s", spec->header);
    size_t n = 0;
    cols[n++] = header;
    for (char *p = header; *p && n < CATALOGUE_MAX_COLUMNS; p++)
        if (*p == ',') {
            *p = '\0';
            cols[n++] = p + 1;
        }
    *columns = n;
    recon_status st = gzcsv_open(t->dir, spec->name, t->level, g, err);
    if (st == RECON_OK && ((st = gzcsv_header(*g, cols, n, err)) != RECON_OK ||
                           (t->feed != NULL &&
                            ((st = feed_begin(t->feed, spec->name, err)) != RECON_OK ||
                             (st = feed_row(t->feed, cols, n, err)) != RECON_OK)))) {
        gzcsv_abort(*g);
        *g = NULL;
    }
    return st;
}

recon_status catalogue_close(gzcsv_t *g, const report_target *t, const report_spec *spec,
                             manifest_entry *entry, err_t *err)
{
    entry->name = spec->name;
    recon_status st = gzcsv_close(g, entry->sha256_hex, err);
    if (st == RECON_OK && t->feed != NULL)
        st = feed_end(t->feed, err);
    return st;
}

/* Whether a spreadsheet opening the CSV would take text starting so for a formula: = + - @,
 * their full-width forms (which some input methods turn into them), tab and CR (OWASP's list). */
static bool formula_lead(const char *s)
{
    static const char *const wide[] = {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D",
                                       "\xEF\xBC\xA0"}; /* U+FF1D = U+FF0B + U+FF0D - U+FF20 @ */
    if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
        return true;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (strncmp(s, wide[i], 3) == 0)
            return true;
    return false;
}

recon_status catalogue_emit(gzcsv_t *g, const report_target *t, const report_spec *spec,
                            char **f, const fen_t *fen, size_t n, err_t *err)
{
    char money[CATALOGUE_MAX_COLUMNS][MONEY_STR_SIZE], masked[CATALOGUE_MAX_COLUMNS][128];
    char quoted[RECEIPT_NAME_MAX + 2];
    for (size_t i = 0; i < n; i++) {
        if (spec->kinds[i] == COL_MONEY && *f[i]) {
            money_format(fen[i], money[i]);
            f[i] = money[i];
        } else if (spec->kinds[i] == COL_NAME) {
            if (!t->unmasked) {
                mask_name(f[i], masked[i], sizeof masked[i]);
                f[i] = masked[i];
            }
            /* A payer name is statement text, not a key: an apostrophe before a formula's
             * first character makes Excel or WPS show it as text (README: CSV reports). */
            if (formula_lead(f[i])) {
                if ((size_t)snprintf(quoted, sizeof quoted, "'%s", f[i]) >= sizeof quoted)
                    return err_set(err, RECON_EINTERNAL, "%s: a payer name longer than %d bytes",
                                   spec->name, RECEIPT_NAME_MAX);
                f[i] = quoted;
            }
        }
    }
    recon_status st = gzcsv_row(g, (const char *const *)f, n, err);
    if (st == RECON_OK && t->feed != NULL)
        st = feed_row(t->feed, (const char *const *)f, n, err);
    return st;
}

/* Money columns parsed into fen. */
static recon_status to_fen(const report_spec *spec, char **f, fen_t *fen, size_t n, err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        long long v = 0;
        if (spec->kinds[i] == COL_MONEY && *f[i]) {
            if (!catalogue_int(f[i], &v))
                return err_set(err, RECON_EINTERNAL, "%s: amount '%s' is not fen", spec->name,
                               f[i]);
            fen[i] = v;
        }
    }
    return RECON_OK;
}

/* One COPY row: split, derived columns filled, money columns parsed into fen, tallied
 * (hidden fields included), written (without them). */
static recon_status one_row(gzcsv_t *g, const report_target *t, const report_spec *spec,
                            char *line, size_t n, summary_figures *sum, err_t *err)
{
    char *f[CATALOGUE_MAX_COLUMNS];
    fen_t fen[CATALOGUE_MAX_COLUMNS] = {0};
    size_t streamed = n - spec->derived;
    if (n + spec->hidden > CATALOGUE_MAX_COLUMNS ||
        !db_copy_split(line, f, streamed + spec->hidden))
        return err_set(err, RECON_EINTERNAL, "%s: unexpected row shape", spec->name);
    if (spec->derived > 0) /* the hidden fields go after the file's columns, derived ones too */
        memmove(&f[n], &f[streamed], spec->hidden * sizeof f[0]);
    recon_status st = RECON_OK;
    if ((spec->derive != NULL && (st = spec->derive(f, err)) != RECON_OK) ||
        (st = to_fen(spec, f, fen, n, err)) != RECON_OK)
        return st;
    if (spec->hook != NULL && (st = spec->hook(sum, f, fen, err)) != RECON_OK)
        return st;
    return catalogue_emit(g, t, spec, f, fen, n, err);
}

typedef struct row_ctx {
    gzcsv_t *g;
    const report_target *t;
    const report_spec *spec;
    size_t n;
    summary_figures *sum;
} row_ctx;

static recon_status write_row(void *ctx, char *line, size_t len, err_t *err)
{
    (void)len;
    row_ctx *rc = ctx;
    return one_row(rc->g, rc->t, rc->spec, line, rc->n, rc->sum, err);
}

recon_status catalogue_write(db_t *db, const report_target *t, const report_spec *spec,
                             summary_figures *sum, manifest_entry *entry, err_t *err)
{
    gzcsv_t *g = NULL;
    size_t n = 0;
    recon_status st = catalogue_open(t, spec, &g, &n, err);
    if (st != RECON_OK)
        return st;
    if ((st = store_report_copy(db, spec->stream, err)) != RECON_OK) {
        gzcsv_abort(g);
        return st;
    }
    row_ctx rc = {g, t, spec, n, sum};
    if ((st = db_copy_out_each(db, write_row, &rc, err)) != RECON_OK) {
        gzcsv_abort(g);
        return st;
    }
    return catalogue_close(g, t, spec, entry, err);
}

typedef struct notice_ctx {
    gzcsv_t *g;
    const report_target *t;
    date_t night;
    int notice_days;
    payment_holiday *holidays;
    size_t holiday_cap;
} notice_ctx;

/* grace_started and suspension_soon: dated by the suspension day of the installment due on
 * f[3], payment holidays (f[8]) included; a suspension_soon candidate is kept only on the
 * night core/worklist names. */
static recon_status date_notice(notice_ctx *nc, char **f, bool *keep, char *day, char *last,
                                char *detail, size_t cap, err_t *err)
{
    date_t due, end, on = DATE_NONE;
    size_t n = 0;
    if (!date_parse(f[3], strlen(f[3]), &due) || !date_parse(f[7], strlen(f[7]), &end))
        return err_set(err, RECON_EINTERNAL, "notices.csv.gz: unexpected dates '%s', '%s'", f[3],
                       f[7]);
    for (const char *s = f[8]; *s; n++) {
        if (!GROW(nc->holidays, nc->holiday_cap, n + 1))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        if (!policy_holiday_next(&s, &nc->holidays[n]))
            return err_set(err, RECON_EINTERNAL, "notices.csv.gz: unexpected holidays '%.60s'",
                           f[8]);
    }
    if (strcmp(f[1], "grace_started") == 0) {
        date_format(policy_suspension_day(due + POLICY_GRACE_DAYS + 1, nc->holidays, n) - 1,
                    last);
        snprintf(detail, cap, "pay by %s to stay covered", last);
        f[5] = last;
        f[6] = detail;
        return RECON_OK;
    }
    *keep = worklist_suspension_soon(due, end, nc->holidays, n, nc->notice_days, nc->night, &on);
    if (!*keep)
        return RECON_OK;
    date_format(on, day);
    date_format(on - 1, last);
    snprintf(detail, cap, "pay by %s to stay covered; suspended from %s otherwise", last, day);
    f[2] = day;
    f[5] = last;
    f[6] = detail;
    return RECON_OK;
}

static recon_status notice_row(void *ctx, char *line, size_t len, err_t *err)
{
    (void)len;
    notice_ctx *nc = ctx;
    const report_spec *spec = &catalogue_notices;
    char *f[STORE_NOTICE_COLUMNS], day[DATE_STR_SIZE], last[DATE_STR_SIZE], detail[96];
    fen_t fen[CATALOGUE_MAX_COLUMNS] = {0};
    if (!db_copy_split(line, f, STORE_NOTICE_COLUMNS))
        return err_set(err, RECON_EINTERNAL, "%s: unexpected row shape", spec->name);
    bool keep = true;
    recon_status st = RECON_OK;
    if ((strcmp(f[1], "suspension_soon") == 0 || strcmp(f[1], "grace_started") == 0) &&
        (st = date_notice(nc, f, &keep, day, last, detail, sizeof detail, err)) != RECON_OK)
        return st;
    if (!keep)
        return RECON_OK;
    size_t n = STORE_NOTICE_COLUMNS - 2; /* the end date and the holidays are not shown */
    if ((st = to_fen(spec, f, fen, n, err)) != RECON_OK)
        return st;
    return catalogue_emit(nc->g, nc->t, spec, f, fen, n, err);
}

recon_status catalogue_write_notices(db_t *db, const report_target *t, date_t night,
                                     int notice_days, manifest_entry *entry, err_t *err)
{
    gzcsv_t *g = NULL;
    size_t n = 0;
    recon_status st = catalogue_open(t, &catalogue_notices, &g, &n, err);
    if (st != RECON_OK)
        return st;
    notice_ctx nc = {g, t, night, notice_days, NULL, 0};
    if ((st = store_report_notices_due_by(db, worklist_suspension_soon_due_by(notice_days, night),
                                          err)) != RECON_OK ||
        (st = store_report_copy(db, STORE_REPORT_NOTICES, err)) != RECON_OK ||
        (st = db_copy_out_each(db, notice_row, &nc, err)) != RECON_OK) {
        free(nc.holidays);
        gzcsv_abort(g);
        return st;
    }
    free(nc.holidays);
    return catalogue_close(g, t, &catalogue_notices, entry, err);
}

recon_status catalogue_write_summary(db_t *db, const report_target *t, const char *day,
                                     summary_figures *sum, manifest_entry *entry, err_t *err)
{
    store_report_lines files = {0}, balances = {0}, settlements = {0};
    summary_lists lists = {&files, &balances, &settlements};
    buf_t text = BUF_INIT;
    gzcsv_t *g = NULL;
    recon_status st;
    if ((st = store_report_list_read(db, STORE_REPORT_FILES, &files, err)) != RECON_OK ||
        (st = store_report_list_read(db, STORE_REPORT_BALANCES, &balances, err)) != RECON_OK ||
        (st = store_report_list_read(db, STORE_REPORT_SETTLEMENTS, &settlements, err)) !=
            RECON_OK ||
        (st = summary_text(sum, day, &lists, &text, err)) != RECON_OK ||
        (st = gzcsv_open(t->dir, "summary.txt.gz", t->level, &g, err)) != RECON_OK)
        goto out;
    if ((st = gzcsv_write_text(g, text.data, text.len, err)) != RECON_OK) {
        gzcsv_abort(g);
        goto out;
    }
    entry->name = "summary.txt.gz";
    st = gzcsv_close(g, entry->sha256_hex, err);
out:
    store_report_lines_free(&files);
    store_report_lines_free(&balances);
    store_report_lines_free(&settlements);
    buf_free(&text);
    return st;
}

recon_status catalogue_write_inputs(db_t *db, const char *dir, err_t *err)
{
    store_report_lines l = {0};
    recon_status st = store_report_list_read(db, STORE_REPORT_INPUTS, &l, err);
    if (st != RECON_OK)
        return st;
    manifest_entry *entries = calloc(l.count + 1, sizeof *entries);
    if (entries == NULL) {
        store_report_lines_free(&l);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < l.count; i++) {
        entries[i].name = l.lines[i].count;
        snprintf(entries[i].sha256_hex, sizeof entries[i].sha256_hex, "%s", l.lines[i].label);
    }
    st = manifest_write(dir, "INPUTS.sha256", entries, l.count, err);
    free(entries);
    store_report_lines_free(&l);
    return st;
}
