/*
 * `recon report --as-of DATE --out DIR`: the day's reports under DIR/DATE/, as
 * gzip CSV with stable row order and deterministic bytes, plus MANIFEST.sha256
 * and INPUTS.sha256. Reads what `recon process --as-of DATE` stored; it never
 * evaluates, so a report always shows what the run decided.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mask.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"
#include "reports/gzcsv.h"
#include "reports/manifest.h"

#define MAX_COLUMNS 16
#define REPORT_FILES 6

typedef enum column_kind { COL_TEXT, COL_MONEY, COL_NAME } column_kind;

typedef struct report_spec {
    const char *name;
    const char *header;           /* comma-separated, as interface.md */
    const char *sql;              /* COPY (...) TO STDOUT reading current_setting('recon.as_of') */
    column_kind kinds[MAX_COLUMNS];
} report_spec;

/* The outcome of a receipt as of the report date, from matching and allocation:
 * prepaid when all of it went to installments not yet due, overpaid when it
 * paid what was due and the rest is credit for later installments (or is held
 * unapplied), refund_due when what is left over is to be paid back. */
#define RECEIPT_OUTCOME_SQL                                                                     \
    "CASE WHEN r.duplicate_of IS NOT NULL THEN 'duplicate' "                                    \
    "WHEN r.reversal THEN 'reversal' "                                                     \
    "WHEN r.match_result IN ('unidentified', 'ambiguous', 'currency', 'settlement') "          \
    "  THEN r.match_result "                                                                    \
    "WHEN coalesce(a.unapplied, 0) > 0 AND EXISTS (SELECT 1 FROM refunds_due f WHERE "         \
    "  f.policy_no = r.policy_no AND f.reason = 'excess') THEN 'refund_due' "                  \
    "WHEN coalesce(a.unapplied, 0) > 0 THEN 'overpaid' "                                        \
    "WHEN a.latest_due > current_setting('recon.as_of')::date AND a.earliest_due <= "         \
    "  current_setting('recon.as_of')::date THEN 'overpaid' "                                  \
    "WHEN a.latest_due > current_setting('recon.as_of')::date THEN 'prepaid' "                 \
    "WHEN a.open_installment THEN 'partial' ELSE 'matched' END"

/* The day's receipts with their outcome, as receipts.csv.gz shows them. */
#define RECEIPT_ROWS_SQL                                                                        \
    "SELECT r.receipt_id, r.source, coalesce(f.file_name, 'manual'), r.booking_date, "         \
    "r.amount, r.currency, r.direction, r.payer, coalesce(r.policy_no, '') AS policy_no, "      \
    RECEIPT_OUTCOME_SQL " AS outcome, coalesce(a.allocated, 0) AS allocated, "                  \
    "coalesce(a.unapplied, 0) AS unapplied, r.match_note "                                      \
    "FROM receipts r LEFT JOIN statement_files f USING (file_id) "                              \
    "LEFT JOIN LATERAL (SELECT sum(x.amount) FILTER (WHERE x.installment > 0) AS allocated, "  \
    "  sum(x.amount) FILTER (WHERE x.installment = 0) AS unapplied, "                          \
    "  max(i.due_date) AS latest_due, min(i.due_date) AS earliest_due, bool_or(i.number IS NOT NULL AND ps.paid_installments < " \
    "  i.number) AS open_installment FROM allocations x LEFT JOIN installments i ON "          \
    "  i.policy_no = x.policy_no AND i.number = x.installment LEFT JOIN policy_status ps ON "   \
    "  ps.policy_no = x.policy_no WHERE x.receipt_id = r.receipt_id) a ON true "                \
    "WHERE r.business_date = current_setting('recon.as_of')::date"

/* Fen as decimal yuan inside SQL text (numeric is exact). */
#define YUAN(x) "((" x ")::numeric / 100)::numeric(20, 2)::text"

static const report_spec reports[REPORT_FILES - 1] = {
    {"receipts.csv.gz",
     "receipt_id,source,file,booking_date,amount,currency,direction,payer,policy_no,outcome,"
     "allocated,unapplied,note",
     "COPY (" RECEIPT_ROWS_SQL " ORDER BY r.receipt_id) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT, COL_TEXT, COL_NAME, COL_TEXT,
      COL_TEXT, COL_MONEY, COL_MONEY, COL_TEXT}},
    {"policies.csv.gz",
     "policy_no,status,status_since,next_due_date,oldest_unpaid_due_date,days_overdue,arrears,"
     "credit,paid_installments,total_installments",
     "COPY (SELECT policy_no, status, status_since, next_due_date, oldest_unpaid_due_date, "
     "days_overdue, arrears, credit, paid_installments, total_installments FROM policy_status "
     "ORDER BY policy_no) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_MONEY, COL_TEXT,
      COL_TEXT}},
    {"events.csv.gz", "policy_no,effective_date,from_status,to_status,reason",
     "COPY (SELECT policy_no, effective_date, from_status, to_status, reason FROM status_events "
     "WHERE known_from = current_setting('recon.as_of')::date ORDER BY policy_no, seq, "
     "effective_date) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT}},
    {"exceptions.csv.gz", "kind,receipt_id,policy_no,amount,detail",
     "COPY (SELECT kind, receipt_id, policy_no, amount, detail FROM ("
     "  SELECT r.match_result AS kind, r.receipt_id::text AS receipt_id, '' AS policy_no, "
     "  r.amount, r.match_note AS detail FROM receipts r WHERE r.match_result IN "
     "  ('unidentified', 'ambiguous', 'currency') AND r.business_date <= "
     "  current_setting('recon.as_of')::date "
     "  UNION ALL SELECT 'refund_due', '', f.policy_no, f.amount, f.reason || ': ' || f.detail "
     "  FROM refunds_due f "
     "  UNION ALL SELECT 'settlement', c.receipt_id::text, '', c.difference, c.provider || "
     "  ' statement for ' || c.settled_day || CASE WHEN c.provider_rows = 0 THEN "
     "  ' not received' ELSE ': gross ' || " YUAN("c.gross") " || ' - fees ' || " YUAN("c.fees")
     " || ', credited ' || " YUAN("c.credited") " END FROM settlement_checks c JOIN receipts r "
     "  USING (receipt_id) WHERE (c.difference <> 0 OR c.provider_rows = 0) AND r.business_date "
     "  <= current_setting('recon.as_of')::date"
     "  ) e ORDER BY kind, receipt_id, policy_no) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT}},
    {"refunds.csv.gz", "policy_no,reason,amount,due_by",
     "COPY (SELECT policy_no, reason, amount, due_by FROM refunds_due ORDER BY policy_no, reason) "
     "TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT}},
};

static size_t split_header(const char *header, char *storage, size_t cap, const char **cols)
{
    snprintf(storage, cap, "%s", header);
    size_t n = 0;
    cols[n++] = storage;
    for (char *p = storage; *p && n < MAX_COLUMNS; p++)
        if (*p == ',') {
            *p = '\0';
            cols[n++] = p + 1;
        }
    return n;
}

static recon_status write_report(db_t *db, const char *dir, const report_spec *spec, bool unmasked,
                                 manifest_entry *entry, err_t *err)
{
    char header[512];
    const char *cols[MAX_COLUMNS];
    size_t n = split_header(spec->header, header, sizeof header, cols);
    gzcsv_t *g = NULL;
    recon_status st = gzcsv_open(dir, spec->name, &g, err);
    if (st != RECON_OK)
        return st;
    if ((st = gzcsv_header(g, cols, n, err)) != RECON_OK ||
        (st = db_copy_out_begin(db, spec->sql, err)) != RECON_OK) {
        gzcsv_abort(g);
        return st;
    }
    bool failed = false;
    for (;;) {
        const char *line = NULL;
        size_t len = 0;
        recon_status rs = db_copy_out_next(db, &line, &len, failed ? NULL : err);
        if (rs != RECON_OK) {
            if (!failed)
                st = rs;
            failed = true;
            break;
        }
        if (line == NULL)
            break;
        if (failed)
            continue;
        char *f[MAX_COLUMNS];
        char money[MAX_COLUMNS][MONEY_STR_SIZE], masked[MAX_COLUMNS][128];
        if (!db_copy_split((char *)line, f, n)) {
            st = err_set(err, RECON_EINTERNAL, "%s: unexpected row shape", spec->name);
            failed = true;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (spec->kinds[i] == COL_MONEY && *f[i]) {
                char *end = NULL;
                errno = 0;
                long long v = strtoll(f[i], &end, 10);
                if (errno || *end) {
                    st = err_set(err, RECON_EINTERNAL, "%s: amount '%s' is not fen", spec->name,
                                 f[i]);
                    failed = true;
                    break;
                }
                money_format(v, money[i]);
                f[i] = money[i];
            } else if (spec->kinds[i] == COL_NAME && !unmasked) {
                mask_name(f[i], masked[i], sizeof masked[i]);
                f[i] = masked[i];
            }
        }
        if (!failed && (st = gzcsv_row(g, (const char *const *)f, n, err)) != RECON_OK)
            failed = true;
    }
    if (failed) {
        gzcsv_abort(g);
        return st;
    }
    entry->name = spec->name;
    return gzcsv_close(g, entry->sha256_hex, err);
}

/* A few figures for a person reading the morning report. */
static recon_status write_summary(db_t *db, const char *dir, const char *day,
                                  manifest_entry *entry, err_t *err)
{
    buf_t text = BUF_INIT;
    PGresult *res = NULL;
    recon_status st;
    buf_printf(&text, "recon daily summary for %s\n\n", day);
    static const struct {
        const char *title;
        const char *sql;
        bool text_last; /* third column is text, not fen */
    } sections[] = {
        {"policies by status",
         "SELECT status, count(*)::text, sum(arrears)::text FROM policy_status GROUP BY status "
         "ORDER BY status", false},
        {"receipts of the day by outcome",
         "SELECT outcome, count(*)::text, sum(amount)::text FROM (" RECEIPT_ROWS_SQL ") d "
         "GROUP BY outcome ORDER BY outcome", false},
        {"money of the day (in, allocated to installments, unapplied)",
         /* one pass over the day's receipt rows for all three figures */
         "SELECT x.label, '', x.fen::text FROM (SELECT coalesce(sum(amount) FILTER (WHERE "
         "direction = 'credit' AND outcome <> 'duplicate'), 0) AS money_in, "
         "coalesce(sum(allocated), 0) AS allocated, coalesce(sum(unapplied), 0) AS unapplied "
         "FROM (" RECEIPT_ROWS_SQL ") d) t CROSS JOIN LATERAL (VALUES (1, 'money in', "
         "t.money_in), (2, 'allocated', t.allocated), (3, 'unapplied', t.unapplied)) "
         "AS x(ord, label, fen) ORDER BY x.ord", false},
        {"money in suspense (unidentified, ambiguous, other currency)",
         "SELECT match_result, count(*)::text, sum(amount)::text FROM receipts WHERE match_result "
         "IN ('unidentified', 'ambiguous', 'currency') AND business_date <= "
         "current_setting('recon.as_of')::date GROUP BY 1 ORDER BY 1", false},
        {"refunds due", "SELECT reason, count(*)::text, sum(amount)::text FROM refunds_due GROUP "
                        "BY reason ORDER BY reason", false},
        {"statement files of the day",
         "SELECT file_name, CASE WHEN status = 'stored' THEN format ELSE 'REJECTED' END, "
         "CASE WHEN status = 'stored' THEN receipt_count || ' receipts, ' || duplicate_count || "
         "' duplicates' ELSE rejection_reason END FROM statement_files WHERE business_date = "
         "current_setting('recon.as_of')::date ORDER BY file_name, sha256", true},
        {"statement balance checks (opening + credits - debits = closing)",
         "SELECT s.source || ' ' || s.statement_id, CASE WHEN s.opening_balance IS NULL OR "
         "s.closing_balance IS NULL THEN 'no balances' WHEN s.opening_balance + s.credit_total - "
         "s.debit_total = s.closing_balance THEN 'balanced' ELSE 'DIFFERENCE' END, "
         "(coalesce(s.opening_balance, 0) + s.credit_total - s.debit_total - "
         "coalesce(s.closing_balance, 0))::text FROM statements s JOIN statement_files f USING "
         "(file_id) WHERE f.business_date = current_setting('recon.as_of')::date ORDER BY 1", false},
        {"provider settlements (credited = provider gross - fees)",
         "SELECT c.provider || ' ' || c.settled_day || ' receipt ' || c.receipt_id, CASE WHEN "
         "c.provider_rows = 0 THEN 'no statement' WHEN c.difference = 0 THEN 'agrees' ELSE "
         "'DIFFERENCE' END, c.difference::text FROM settlement_checks c JOIN receipts r USING "
         "(receipt_id) WHERE r.business_date = current_setting('recon.as_of')::date ORDER BY "
         "c.receipt_id", false},
        {"top exceptions (largest amounts first)",
         "SELECT kind || ' ' || id, '', amount::text FROM (SELECT match_result AS kind, "
         "'receipt ' || receipt_id AS id, amount FROM receipts WHERE match_result IN "
         "('unidentified', 'ambiguous', 'currency') AND business_date <= "
         "current_setting('recon.as_of')::date UNION ALL SELECT 'refund_due', policy_no, amount "
         "FROM refunds_due UNION ALL SELECT 'settlement', 'receipt ' || c.receipt_id, "
         "c.difference FROM settlement_checks c JOIN receipts r USING (receipt_id) WHERE "
         "(c.difference <> 0 OR c.provider_rows = 0) AND r.business_date <= "
         "current_setting('recon.as_of')::date) e ORDER BY abs(amount) DESC, kind, id LIMIT 10", false},
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if ((st = db_query(db, sections[i].sql, 0, NULL, 3, &res, err)) != RECON_OK)
            goto out;
        buf_printf(&text, "%s\n", sections[i].title);
        int rows = PQntuples(res);
        if (rows == 0)
            buf_printf(&text, "  none\n");
        for (int r = 0; r < rows; r++) {
            char amount[MONEY_STR_SIZE] = "";
            const char *v = PQgetvalue(res, r, 2);
            if (sections[i].text_last) {
                buf_printf(&text, "  %-40s %10s  %s\n", PQgetvalue(res, r, 0),
                           PQgetvalue(res, r, 1), v);
                continue;
            }
            if (*v)
                money_format(strtoll(v, NULL, 10), amount);
            buf_printf(&text, "  %-40s %10s %16s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
                       amount);
        }
        buf_printf(&text, "\n");
        PQclear(res);
        res = NULL;
    }
    gzcsv_t *g = NULL;
    if ((st = gzcsv_open(dir, "summary.txt.gz", &g, err)) != RECON_OK)
        goto out;
    if ((st = gzcsv_write_text(g, text.data, text.len, err)) != RECON_OK) {
        gzcsv_abort(g);
        goto out;
    }
    entry->name = "summary.txt.gz";
    st = gzcsv_close(g, entry->sha256_hex, err);
out:
    buf_free(&text);
    return st;
}

static recon_status write_inputs(db_t *db, const char *dir, err_t *err)
{
    PGresult *res = NULL;
    recon_status st = db_query(db,
                               "SELECT sha256, file_name FROM statement_files WHERE "
                               "business_date = current_setting('recon.as_of')::date "
                               "ORDER BY file_name, sha256",
                               0, NULL, 2, &res, err);
    if (st != RECON_OK)
        return st;
    int n = PQntuples(res);
    manifest_entry *entries = calloc((size_t)n + 1, sizeof *entries);
    if (entries == NULL) {
        PQclear(res);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        entries[i].name = PQgetvalue(res, i, 1);
        snprintf(entries[i].sha256_hex, sizeof entries[i].sha256_hex, "%s", PQgetvalue(res, i, 0));
    }
    st = manifest_write(dir, "INPUTS.sha256", entries, (size_t)n, err);
    free(entries);
    PQclear(res);
    return st;
}

recon_status report_day(db_t *db, const char *out_dir, date_t as_of, bool unmasked, err_t *err)
{
    char day[DATE_STR_SIZE], dir[4096];
    date_format(as_of, day);
    snprintf(dir, sizeof dir, "%s/%s", out_dir, day);
    recon_status st = job_make_dir(out_dir, err);
    if (st == RECON_OK)
        st = job_make_dir(dir, err);
    if (st != RECON_OK)
        return st;
    const char *params[] = {day};
    PGresult *res = NULL;
    /* The date travels as a parameter into a session setting that the COPY
     * statements read, since COPY itself takes no parameters. */
    if ((st = db_query(db, "SELECT set_config('recon.as_of', $1::date::text, false)", 1, params,
                       1, &res, err)) != RECON_OK)
        return st;
    PQclear(res);
    if ((st = db_query(db, "SELECT count(*) FILTER (WHERE as_of <> $1::date), count(*) FROM "
                           "policy_status",
                       1, params, 2, &res, err)) != RECON_OK)
        return st;
    bool stale = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
    PQclear(res);
    if (stale)
        return err_set(err, RECON_EDATA,
                       "the stored evaluation is not as of %s; hint: run recon process --as-of %s "
                       "first",
                       day, day);
    /* One snapshot for every file of the report. */
    if ((st = db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != RECON_OK)
        return st;
    manifest_entry entries[REPORT_FILES];
    size_t count = 0;
    for (size_t i = 0; i < REPORT_FILES - 1 && st == RECON_OK; i++)
        st = write_report(db, dir, &reports[i], unmasked, &entries[count++], err);
    if (st == RECON_OK)
        st = write_summary(db, dir, day, &entries[count++], err);
    if (st == RECON_OK)
        st = write_inputs(db, dir, err);
    db_rollback(db);
    /* The manifest goes last: a directory with a manifest is a complete day. */
    if (st == RECON_OK)
        st = manifest_write(dir, "MANIFEST.sha256", entries, count, err);
    return st;
}

recon_status cmd_report(const job_options *o, err_t *err)
{
    if (o->as_of == DATE_NONE || o->out_dir == NULL)
        return err_set(err, RECON_EUSAGE, "usage: recon report --as-of DATE --out DIR");
    db_t *db = NULL;
    recon_status st = job_connect_ready(o, &db, err);
    if (st != RECON_OK)
        return st;
    if ((st = report_day(db, o->out_dir, o->as_of, o->unmasked, err)) == RECON_OK) {
        char day[DATE_STR_SIZE];
        date_format(o->as_of, day);
        fprintf(o->out, "reports for %s written to %s/%s\n", day, o->out_dir, day);
    }
    db_close(db);
    return st;
}
