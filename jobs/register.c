/*
 * `recon policies load`, `recon events load` and `recon receipts load`: the
 * register files finance maintains. A file is validated whole first; any bad
 * row is reported (file and line) and the whole file is rejected with nothing
 * stored. A good file is stored in one transaction through COPY.
 *
 * Finance files must be unambiguous: a UTF-8 byte order mark before the header
 * is skipped, but amounts are plain digits with '.' before the fen (no
 * thousands separators, no other digit forms), a receipt of zero is refused,
 * every amount is bounded by MONEY_MAX_FEN, and no field may hold a control
 * character (C0, DEL or C1), which would reach reports and terminals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/schedule.h"
#include "jobs/jobs.h"
#include "parsers/csvreader.h"

#define MAX_REPORTED_ERRORS 50

static const char *const policy_columns[] = {
    "policy_no", "holder_name", "holder_id_no", "payment_mode", "start_date",
    "end_date",  "premium",     "net_premium",  "currency",     "payer_account",
};
#define POLICY_COLUMNS 10

static const char *const event_columns[] = {"policy_no", "event", "date"};
#define EVENT_COLUMNS 3

static const char *const receipt_columns[] = {"source",   "transaction_key", "booking_date",
                                              "amount",   "currency",        "policy_no",
                                              "payer",    "remittance"};
#define RECEIPT_COLUMNS 8

/* One validated row, ready to be written as COPY text. */
typedef recon_status (*row_fn)(void *ctx, const char *file, const csv_row *row, buf_t *copy,
                               err_t *err);

typedef struct load_pass {
    const char *file;
    const char *const *columns;
    size_t column_count;
    row_fn fn;
    void *ctx;
    db_t *db;            /* NULL: validate only */
    long rows, bad_rows;
} load_pass;

static const char *field(const csv_row *row, size_t i) { return i < row->count ? row->fields[i] : ""; }

static recon_status check_header(const load_pass *p, const csv_row *row, err_t *err)
{
    for (size_t i = 0; i < p->column_count; i++)
        if (i >= row->count || strcmp(row->fields[i], p->columns[i]) != 0) {
            char want[512] = "";
            size_t o = 0;
            for (size_t k = 0; k < p->column_count && o < sizeof want; k++)
                o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", k ? "," : "",
                                      p->columns[k]);
            return err_set(err, RECON_EDATA, "%s: line %ld: expected header %s", p->file,
                           row->line, want);
        }
    return RECON_OK;
}

/* Spreadsheet programs save "CSV UTF-8" with a byte order mark; it is not part of the
 * first column's name. */
static recon_status skip_bom(instream_t *in, err_t *err)
{
    const unsigned char *head = NULL;
    size_t len = 0;
    recon_status st = instream_peek(in, &head, &len, err);
    if (st != RECON_OK)
        return st;
    if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
        unsigned char bom[3];
        if (instream_read(in, bom, sizeof bom, err) != (ssize_t)sizeof bom)
            return err->status != RECON_OK ? err->status
                                           : err_set(err, RECON_EINTERNAL, "cannot skip the BOM");
    }
    return RECON_OK;
}

/* The first control character of a (valid UTF-8) field: C0 (tab and line breaks
 * included), DEL, or C1 (U+0080-U+009F, encoded C2 80-C2 9F). Returns its code point and
 * 1-based character position, or 0 when there is none. */
static unsigned control_char(const char *s, size_t *position)
{
    size_t chars = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if ((*u & 0xC0) != 0x80)
            chars++;
        if (*u < 0x20 || *u == 0x7F) {
            *position = chars;
            return *u;
        }
        if (*u == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F) {
            *position = chars;
            return u[1];
        }
    }
    return 0;
}

static bool check_controls(const load_pass *p, const csv_row *row, err_t *err)
{
    for (size_t i = 0; i < row->count; i++) {
        size_t at = 0;
        unsigned c = control_char(row->fields[i], &at);
        if (c != 0) {
            err_set(err, RECON_EDATA,
                    "%s: line %ld: column %zu (%s): control character U+%04X at character %zu; "
                    "hint: remove it (finance files hold printable text only)",
                    p->file, row->line, i + 1, i < p->column_count ? p->columns[i] : "extra", c,
                    at);
            return false;
        }
    }
    return true;
}

/* Reads the file once. Validation errors are logged per row and counted; with a
 * database, rows go into the COPY already begun on it. */
static recon_status run_pass(load_pass *p, err_t *err)
{
    instream_t *in = NULL;
    csvreader_t *csv = NULL;
    recon_status st = instream_open(p->file, &in, err);
    if (st != RECON_OK)
        return st;
    if ((st = skip_bom(in, err)) != RECON_OK || (st = csvreader_new(in, &csv, err)) != RECON_OK)
        goto out;
    csv_row row;
    if ((st = csvreader_next(csv, &row, err)) != RECON_OK)
        goto out;
    if (row.count == 0) {
        st = err_set(err, RECON_EDATA, "%s: empty file (expected a header row)", p->file);
        goto out;
    }
    if ((st = check_header(p, &row, err)) != RECON_OK)
        goto out;
    buf_t scratch = BUF_INIT;
    for (;;) {
        if ((st = csvreader_next(csv, &row, err)) != RECON_OK)
            break;
        if (row.count == 0)
            break;
        p->rows++;
        buf_t *copy = p->db ? db_copy_buffer(p->db) : &scratch;
        size_t mark = copy->len;
        err_t row_err;
        err_clear(&row_err);
        if (row.count < p->column_count) {
            err_set(&row_err, RECON_EDATA, "%s: line %ld: %zu fields, expected %zu", p->file,
                    row.line, row.count, p->column_count);
        } else if (!check_controls(p, &row, &row_err)) {
            /* reported below like any bad row */
        } else if (p->fn(p->ctx, p->file, &row, copy, &row_err) == RECON_OK) {
            if (p->db && (st = db_copy_in_flush(p->db, false, err)) != RECON_OK)
                break;
            if (!p->db)
                buf_reset(&scratch);
            continue;
        }
        if (row_err.status != RECON_EDATA) {
            st = err_set(err, row_err.status, "%s", row_err.msg);
            break;
        }
        copy->len = mark;
        if (p->bad_rows++ < MAX_REPORTED_ERRORS)
            log_error("%s", row_err.msg);
    }
    buf_free(&scratch);
out:
    csvreader_free(csv);
    instream_close(in);
    return st;
}

static recon_status bad_field(err_t *err, const char *file, const csv_row *row, const char *name,
                              const char *value, const char *why)
{
    return err_set(err, RECON_EDATA, "%s: line %ld: %s '%.60s': %s", file, row->line, name, value,
                   why);
}

static bool valid_policy_no(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static recon_status parse_date_field(const char *file, const csv_row *row, const char *name,
                                     const char *value, date_t *out, err_t *err)
{
    if (!date_parse(value, strlen(value), out))
        return bad_field(err, file, row, name, value, "not a valid date (YYYY-MM-DD)");
    return RECON_OK;
}

/* Plain digits, '.' before at most two decimals, an optional sign: "1,000.00" could be
 * one thousand or one (decimal comma), so no separator or other digit form is guessed at. */
static const money_format_opts register_money = {'.', 0, true, 2};

static recon_status parse_money_field(const char *file, const csv_row *row, const char *name,
                                      const char *value, fen_t *out, err_t *err)
{
    money_result r = money_parse_opts(value, strlen(value), &register_money, out);
    if (r == MONEY_SYNTAX && strpbrk(value, ", '_") != NULL)
        return bad_field(err, file, row, name, value,
                         "thousands separators are not accepted; write plain digits, e.g. "
                         "1000.00");
    if (r == MONEY_SYNTAX) {
        for (const unsigned char *u = (const unsigned char *)value; *u; u++)
            if (*u >= 0x80)
                return bad_field(err, file, row, name, value,
                                 "only the ASCII digits 0-9 are accepted (no full-width or other "
                                 "digit forms)");
    }
    if (r != MONEY_OK)
        return bad_field(err, file, row, name, value, money_result_str(r));
    return RECON_OK;
}

/* ---- policies ------------------------------------------------------------------ */

typedef enum policy_pass { POLICY_ROWS, INSTALLMENT_ROWS } policy_pass;

static recon_status policy_row(void *ctx, const char *file, const csv_row *row, buf_t *copy,
                               err_t *err)
{
    policy_pass pass = *(policy_pass *)ctx;
    const char *no = field(row, 0), *name = field(row, 1), *mode_s = field(row, 3);
    policy_terms t = {0};
    recon_status st;
    if (!valid_policy_no(no))
        return bad_field(err, file, row, "policy_no", no,
                         "expected 1-40 letters, digits, '-' or '_'");
    if (*name == '\0')
        return bad_field(err, file, row, "holder_name", name, "must not be empty");
    if (!payment_mode_from_name(mode_s, &t.mode))
        return bad_field(err, file, row, "payment_mode", mode_s, "expected monthly or single");
    if ((st = parse_date_field(file, row, "start_date", field(row, 4), &t.start_date, err)))
        return st;
    t.end_date = policy_default_end(t.start_date);
    if (*field(row, 5) &&
        (st = parse_date_field(file, row, "end_date", field(row, 5), &t.end_date, err)))
        return st;
    if (t.end_date < t.start_date)
        return bad_field(err, file, row, "end_date", field(row, 5), "before start_date");
    if ((st = parse_money_field(file, row, "premium", field(row, 6), &t.premium, err)))
        return st;
    if (t.premium <= 0)
        return bad_field(err, file, row, "premium", field(row, 6), "must be positive");
    t.net_premium = t.premium;
    if (*field(row, 7) &&
        (st = parse_money_field(file, row, "net_premium", field(row, 7), &t.net_premium, err)))
        return st;
    if (t.net_premium < 0 || t.net_premium > t.premium)
        return bad_field(err, file, row, "net_premium", field(row, 7),
                         "must be between 0 and premium");
    const char *currency = *field(row, 8) ? field(row, 8) : "CNY";
    if (strcmp(currency, "CNY") != 0)
        return bad_field(err, file, row, "currency", currency, "policies are in CNY");
    date_t due[SCHEDULE_MAX_INSTALLMENTS];
    size_t n = 0;
    if (!schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &n))
        return bad_field(err, file, row, "end_date", field(row, 5),
                         "period longer than 120 monthly installments");
    bool ok = true;
    if (pass == POLICY_ROWS) {
        ok = db_copy_int(copy, row->line, false) && db_copy_field(copy, no, false) &&
             db_copy_field(copy, name, false) && db_copy_field(copy, field(row, 2), false) &&
             db_copy_field(copy, payment_mode_name(t.mode), false) &&
             db_copy_date(copy, t.start_date, false) && db_copy_date(copy, t.end_date, false) &&
             db_copy_int(copy, t.premium, false) && db_copy_int(copy, t.net_premium, false) &&
             db_copy_field(copy, currency, false) && db_copy_field(copy, field(row, 9), true);
    } else {
        for (size_t k = 0; k < n && ok; k++)
            ok = db_copy_field(copy, no, false) && db_copy_int(copy, (long long)k + 1, false) &&
                 db_copy_date(copy, due[k], false) &&
                 db_copy_date(copy, schedule_period_end(&t, due, n, k), false) &&
                 db_copy_int(copy, t.premium, true);
    }
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

/* Rows of a query (line, message) reported as per-row errors; true when any. */
static recon_status report_query_errors(db_t *db, const char *file, const char *sql, long *bad,
                                        err_t *err)
{
    PGresult *res = NULL;
    recon_status st = db_query(db, sql, 0, NULL, 2, &res, err);
    if (st != RECON_OK)
        return st;
    int n = PQntuples(res);
    for (int i = 0; i < n; i++)
        if ((*bad)++ < MAX_REPORTED_ERRORS)
            log_error("%s: line %s: %s", file, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
    PQclear(res);
    return RECON_OK;
}

static recon_status rejected(err_t *err, const char *file, long bad)
{
    return err_set(err, RECON_EDATA, "%s: %ld bad row%s; file rejected, nothing stored", file, bad,
                   bad == 1 ? "" : "s");
}

/* The shared start of every load: validate the whole file, then open a
 * transaction and COPY the rows into a temporary table. On success *db is
 * connected with the transaction open; on failure nothing is left open. */
static recon_status stage_file(const job_options *o, load_pass *p, const char *create_sql,
                               const char *copy_sql, long *rows, db_t **db, err_t *err)
{
    *db = NULL;
    recon_status st = run_pass(p, err);
    if (st != RECON_OK)
        return st;
    if (p->bad_rows)
        return rejected(err, p->file, p->bad_rows);
    if ((st = job_connect_ready(o, db, err)) != RECON_OK)
        return st;
    if ((st = db_begin(*db, err)) != RECON_OK)
        goto fail;
    if ((st = db_exec(*db, create_sql, err)) != RECON_OK ||
        (st = db_copy_in_begin(*db, copy_sql, err)) != RECON_OK)
        goto rollback;
    load_pass copy = *p;
    copy.db = *db;
    copy.rows = copy.bad_rows = 0;
    if ((st = run_pass(&copy, err)) != RECON_OK || (st = db_copy_in_end(*db, rows, err)))
        goto rollback;
    return RECON_OK;
rollback:
    db_rollback(*db);
fail:
    db_close(*db);
    *db = NULL;
    return st;
}

recon_status cmd_policies_load(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "usage: recon policies load FILE.csv");
    const char *file = o->args[0];
    policy_pass pass = POLICY_ROWS;
    load_pass p = {file, policy_columns, POLICY_COLUMNS, policy_row, &pass, NULL, 0, 0};
    db_t *db = NULL;
    long inserted = 0, total = 0;
    recon_status st = stage_file(
        o, &p,
        "CREATE TEMP TABLE policies_in (line int, policy_no text, holder_name text, "
        "holder_id_no text, payment_mode text, start_date date, end_date date, premium bigint, "
        "net_premium bigint, currency text, payer_account text) ON COMMIT DROP",
        "COPY policies_in FROM STDIN", &total, &db, err);
    if (st != RECON_OK)
        return st;
    long bad = 0;
    if ((st = report_query_errors(
             db, file,
             "SELECT b.line, 'policy_no ''' || b.policy_no || ''' already on line ' || a.line "
             "FROM policies_in a JOIN policies_in b USING (policy_no) WHERE a.line < b.line "
             "ORDER BY b.line",
             &bad, err)) != RECON_OK)
        goto fail;
    if (bad) {
        st = rejected(err, file, bad);
        goto fail;
    }
    if ((st = db_command(db,
                         "INSERT INTO policies (policy_no, holder_name, holder_id_no, payment_mode, "
                         "start_date, end_date, premium, net_premium, currency, payer_account) "
                         "SELECT policy_no, holder_name, holder_id_no, payment_mode, start_date, "
                         "end_date, premium, net_premium, currency, payer_account FROM policies_in "
                         "WHERE policy_no NOT IN (SELECT policy_no FROM policies)",
                         0, NULL, &inserted, err)) != RECON_OK)
        goto fail;
    if ((st = db_command(db,
                         "UPDATE policies p SET holder_name = i.holder_name, holder_id_no = "
                         "i.holder_id_no, payment_mode = i.payment_mode, start_date = i.start_date, "
                         "end_date = i.end_date, premium = i.premium, net_premium = i.net_premium, "
                         "currency = i.currency, payer_account = i.payer_account, loaded_at = now() "
                         "FROM policies_in i WHERE p.policy_no = i.policy_no AND "
                         "(p.holder_name, p.holder_id_no, p.payment_mode, p.start_date, p.end_date, "
                         "p.premium, p.net_premium, p.currency, p.payer_account) IS DISTINCT FROM "
                         "(i.holder_name, i.holder_id_no, i.payment_mode, i.start_date, i.end_date, "
                         "i.premium, i.net_premium, i.currency, i.payer_account)",
                         0, NULL, NULL, err)) != RECON_OK)
        goto fail;
    if ((st = db_command(db,
                         "DELETE FROM installments WHERE policy_no IN (SELECT policy_no FROM "
                         "policies_in)",
                         0, NULL, NULL, err)) != RECON_OK)
        goto fail;
    pass = INSTALLMENT_ROWS;
    if ((st = db_copy_in_begin(db,
                               "COPY installments (policy_no, number, due_date, period_end, amount) "
                               "FROM STDIN",
                               err)) != RECON_OK)
        goto fail;
    load_pass inst = {file, policy_columns, POLICY_COLUMNS, policy_row, &pass, db, 0, 0};
    if ((st = run_pass(&inst, err)) != RECON_OK || (st = db_copy_in_end(db, NULL, err)))
        goto fail;
    if ((st = db_commit(db, err)) != RECON_OK)
        goto fail;
    fprintf(o->out, "%s: %ld policies loaded (%ld new, %ld updated or unchanged)\n", file, total,
            inserted, total - inserted);
    goto out;
fail:
    db_rollback(db);
out:
    db_close(db);
    return st;
}

/* ---- events -------------------------------------------------------------------- */

static recon_status event_row(void *ctx, const char *file, const csv_row *row, buf_t *copy,
                              err_t *err)
{
    (void)ctx;
    const char *no = field(row, 0), *event = field(row, 1);
    date_t d;
    if (!valid_policy_no(no))
        return bad_field(err, file, row, "policy_no", no,
                         "expected 1-40 letters, digits, '-' or '_'");
    if (strcmp(event, "reinstatement_agreement") != 0 && strcmp(event, "cancellation_request") != 0)
        return bad_field(err, file, row, "event", event,
                         "expected reinstatement_agreement or cancellation_request");
    recon_status st = parse_date_field(file, row, "date", field(row, 2), &d, err);
    if (st != RECON_OK)
        return st;
    bool ok = db_copy_int(copy, row->line, false) && db_copy_field(copy, no, false) &&
              db_copy_field(copy, event, false) && db_copy_date(copy, d, true);
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

recon_status cmd_events_load(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "usage: recon events load FILE.csv");
    const char *file = o->args[0];
    load_pass p = {file, event_columns, EVENT_COLUMNS, event_row, NULL, NULL, 0, 0};
    db_t *db = NULL;
    long rows = 0, agreements = 0, cancellations = 0, bad = 0;
    recon_status st = stage_file(o, &p,
                                 "CREATE TEMP TABLE events_in (line int, policy_no text, event "
                                 "text, d date) ON COMMIT DROP",
                                 "COPY events_in FROM STDIN", &rows, &db, err);
    if (st != RECON_OK)
        return st;
    /* Checks needing the register, each naming the line. */
    static const char *const checks[] = {
        "SELECT e.line, 'unknown policy ''' || e.policy_no || '''' FROM events_in e "
        "WHERE NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = e.policy_no) "
        "ORDER BY e.line",
        "SELECT e.line, 'reinstatement agreement ' || e.d || ' outside the policy period ' || "
        "p.start_date || '..' || p.end_date FROM events_in e JOIN policies p USING (policy_no) "
        "WHERE e.event = 'reinstatement_agreement' AND (e.d < p.start_date OR e.d > p.end_date) "
        "ORDER BY e.line",
        "SELECT b.line, 'second cancellation request for ' || b.policy_no || ' (line ' || a.line "
        "|| ')' FROM events_in a JOIN events_in b USING (policy_no) WHERE a.event = "
        "'cancellation_request' AND b.event = 'cancellation_request' AND a.line < b.line AND "
        "a.d <> b.d ORDER BY b.line",
        "SELECT e.line, 'policy ' || e.policy_no || ' already has a cancellation request on ' || "
        "c.received_on FROM events_in e JOIN cancellation_requests c USING (policy_no) WHERE "
        "e.event = 'cancellation_request' AND c.received_on <> e.d ORDER BY e.line",
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if ((st = report_query_errors(db, file, checks[i], &bad, err)) != RECON_OK)
            goto fail;
    if (bad) {
        st = rejected(err, file, bad);
        goto fail;
    }
    if ((st = db_command(db,
                         "INSERT INTO reinstatement_agreements (policy_no, agreed_on) SELECT DISTINCT "
                         "policy_no, d FROM events_in WHERE event = 'reinstatement_agreement' "
                         "ON CONFLICT DO NOTHING",
                         0, NULL, &agreements, err)) != RECON_OK)
        goto fail;
    if ((st = db_command(db,
                         "INSERT INTO cancellation_requests (policy_no, received_on) SELECT DISTINCT "
                         "policy_no, d FROM events_in WHERE event = 'cancellation_request' "
                         "ON CONFLICT DO NOTHING",
                         0, NULL, &cancellations, err)) != RECON_OK)
        goto fail;
    if ((st = db_commit(db, err)) != RECON_OK)
        goto fail;
    fprintf(o->out, "%s: %ld rows; %ld new agreements, %ld new cancellation requests\n", file,
            rows, agreements, cancellations);
    goto out;
fail:
    db_rollback(db);
out:
    db_close(db);
    return st;
}

/* ---- manual receipts ------------------------------------------------------------ */

static recon_status receipt_row(void *ctx, const char *file, const csv_row *row, buf_t *copy,
                                err_t *err)
{
    (void)ctx;
    const char *source = field(row, 0), *key = field(row, 1), *currency = field(row, 4);
    const char *policy = field(row, 5);
    date_t d;
    fen_t amount;
    recon_status st;
    if (*source == '\0' || strlen(source) > 140)
        return bad_field(err, file, row, "source", source, "expected 1-140 characters");
    if (*key == '\0' || strlen(key) > 140)
        return bad_field(err, file, row, "transaction_key", key, "expected 1-140 characters");
    if ((st = parse_date_field(file, row, "booking_date", field(row, 2), &d, err)))
        return st;
    if ((st = parse_money_field(file, row, "amount", field(row, 3), &amount, err)))
        return st;
    if (amount == 0)
        return bad_field(err, file, row, "amount", field(row, 3),
                         "a receipt of zero records no money; remove the line");
    if (strlen(currency) != 3 || currency[0] < 'A' || currency[0] > 'Z')
        return bad_field(err, file, row, "currency", currency, "expected an ISO 4217 code");
    if (*policy && !valid_policy_no(policy))
        return bad_field(err, file, row, "policy_no", policy,
                         "expected 1-40 letters, digits, '-' or '_'");
    bool ok = db_copy_int(copy, row->line, false) && db_copy_field(copy, source, false) &&
              db_copy_field(copy, key, false) && db_copy_date(copy, d, false) &&
              db_copy_int(copy, amount, false) && db_copy_field(copy, currency, false) &&
              (*policy ? db_copy_field(copy, policy, false) : db_copy_null(copy, false)) &&
              db_copy_field(copy, field(row, 6), false) && db_copy_field(copy, field(row, 7), true);
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

recon_status cmd_receipts_load(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "usage: recon receipts load FILE.csv");
    const char *file = o->args[0];
    load_pass p = {file, receipt_columns, RECEIPT_COLUMNS, receipt_row, NULL, NULL, 0, 0};
    db_t *db = NULL;
    long rows = 0, inserted = 0, bad = 0;
    recon_status st = stage_file(
        o, &p,
        "CREATE TEMP TABLE receipts_in (line int, source text, transaction_key text, "
        "booking_date date, amount bigint, currency text, policy_no text, payer text, "
        "remittance text) ON COMMIT DROP",
        "COPY receipts_in FROM STDIN", &rows, &db, err);
    if (st != RECON_OK)
        return st;
    if ((st = report_query_errors(
             db, file,
             "SELECT line, 'unknown policy ''' || policy_no || '''' FROM receipts_in r WHERE "
             "policy_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = "
             "r.policy_no) ORDER BY line",
             &bad, err)) != RECON_OK)
        goto fail;
    if (bad) {
        st = rejected(err, file, bad);
        goto fail;
    }
    /* The same transaction seen twice counts once. Receipt numbers continue
     * from the highest stored, in file order, under a lock that concurrent
     * loads and ingests share, so they never depend on a sequence. */
    if ((st = db_exec(db, "LOCK TABLE receipts IN SHARE ROW EXCLUSIVE MODE", err)) != RECON_OK ||
        (st = db_command(db,
                         "INSERT INTO receipts (receipt_id, source, transaction_key, position, "
                         "booking_date, amount, currency, direction, payer, remittance, policy_no, "
                         "match_result) "
                         "SELECT b.base + row_number() OVER (ORDER BY d.line), source, "
                         "transaction_key, 'line ' || line, booking_date, amount, currency, "
                         "CASE WHEN amount < 0 THEN 'debit' ELSE 'credit' END, payer, remittance, "
                         "policy_no, CASE WHEN policy_no IS NOT NULL THEN 'manual' END "
                         "FROM (SELECT DISTINCT ON (source, transaction_key) * FROM receipts_in "
                         "ORDER BY source, transaction_key, line) d CROSS JOIN (SELECT "
                         "last_receipt_id() AS base) b WHERE NOT EXISTS "
                         "(SELECT 1 FROM receipts x WHERE x.source = d.source AND "
                         "x.transaction_key = d.transaction_key AND x.duplicate_of IS NULL) "
                         "ORDER BY d.line",
                         0, NULL, &inserted, err)) != RECON_OK)
        goto fail;
    if ((st = db_commit(db, err)) != RECON_OK)
        goto fail;
    fprintf(o->out, "%s: %ld receipts, %ld new, %ld already stored\n", file, rows, inserted,
            rows - inserted);
    goto out;
fail:
    db_rollback(db);
out:
    db_close(db);
    return st;
}
