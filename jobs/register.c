/*
 * The loader of the register files finance maintains (policies, events, manual
 * receipts; the commands are jobs/policies.c, jobs/events.c, jobs/receipts.c).
 *
 * Finance files must be unambiguous: a UTF-8 byte order mark before the header
 * is skipped, but amounts are plain digits with '.' before the fen (no
 * thousands separators, no other digit forms), every amount is bounded by
 * MONEY_MAX_FEN, and no field may hold a control character (C0, DEL or C1),
 * which would reach reports and terminals.
 */
#include "jobs/register.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

#define MAX_REPORTED_ERRORS 50
#define REGISTER_MAX_FIELDS 64
#define REGISTER_MAX_FIELD 4096

typedef struct load_pass {
    const register_file *f;
    db_t *db; /* NULL: validate only */
    uint64_t max_input;
    long rows, bad_rows;
} load_pass;

const char *register_field(const register_row *row, size_t i)
{
    return i < row->count ? row->fields[i].s : "";
}

static recon_status check_header(const register_file *f, const register_row *row, err_t *err)
{
    for (size_t i = 0; i < f->column_count; i++)
        if (i >= row->count || strcmp(row->fields[i].s, f->columns[i]) != 0) {
            char want[512] = "";
            size_t o = 0;
            for (size_t k = 0; k < f->column_count && o < sizeof want; k++)
                o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", k ? "," : "",
                                      f->columns[k]);
            return err_set(err, RECON_EDATA, "%s: line %ld: expected header %s", f->file,
                           row->line, want);
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

static bool check_controls(const register_file *f, const register_row *row, err_t *err)
{
    for (size_t i = 0; i < row->count; i++) {
        size_t at = 0;
        unsigned c = control_char(row->fields[i].s, &at);
        if (c != 0) {
            err_set(err, RECON_EDATA,
                    "%s: line %ld: column %zu (%s): control character U+%04X at character %zu; "
                    "hint: remove it (finance files hold printable text only)",
                    f->file, row->line, i + 1, i < f->column_count ? f->columns[i] : "extra", c,
                    at);
            return false;
        }
    }
    return true;
}

static recon_status next_row(bill_t *b, register_row *row, err_t *err)
{
    bill_field *fields = NULL;
    recon_status st = bill_next_record(b, REGISTER_MAX_FIELD, &fields, &row->count, err);
    row->fields = fields;
    row->line = bill_lineno(b);
    return st;
}

/* Reads the file once. Validation errors are logged per row and counted; with a
 * database, rows go into the COPY already begun on it. */
static recon_status run_pass(load_pass *p, err_t *err)
{
    const register_file *f = p->f;
    instream_t *in = NULL;
    bill_t *b = NULL;
    buf_t scratch = BUF_INIT;
    register_row row;
    recon_status st = instream_open(f->read_from ? f->read_from : f->file, &in, err);
    if (st != RECON_OK)
        return st;
    if (p->max_input > 0)
        instream_set_limit(in, p->max_input);
    /* Spreadsheet programs save "CSV UTF-8" with a byte order mark; the reader drops it. */
    if ((st = bill_open(in, "UTF-8", REGISTER_MAX_FIELD * 4, REGISTER_MAX_FIELDS, &b, err)) !=
            RECON_OK ||
        (st = next_row(b, &row, err)) != RECON_OK)
        goto out;
    if (row.count == 0) {
        st = err_set(err, RECON_EDATA, "%s: empty file (expected a header row)", f->file);
        goto out;
    }
    if ((st = check_header(f, &row, err)) != RECON_OK)
        goto out;
    for (;;) {
        if ((st = next_row(b, &row, err)) != RECON_OK || row.count == 0)
            break;
        p->rows++;
        buf_t *copy = p->db ? db_copy_buffer(p->db) : &scratch;
        size_t mark = copy->len;
        err_t row_err;
        err_clear(&row_err);
        if (row.count < f->column_count) {
            err_set(&row_err, RECON_EDATA, "%s: line %ld: %zu fields, expected %zu", f->file,
                    row.line, row.count, f->column_count);
        } else if (!check_controls(f, &row, &row_err)) {
            /* reported below like any bad row */
        } else if (f->fn(f->file, &row, copy, &row_err) == RECON_OK) {
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
out:
    buf_free(&scratch);
    bill_close(b);
    instream_close(in);
    return st;
}

recon_status register_bad_field(err_t *err, const char *file, const register_row *row,
                                const char *name, const char *value, const char *why)
{
    return err_set(err, RECON_EDATA, "%s: line %ld: %s '%.60s': %s", file, row->line, name, value,
                   why);
}

bool register_policy_no_valid(const char *s)
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

recon_status register_date(const char *file, const register_row *row, const char *name,
                           const char *value, date_t *out, err_t *err)
{
    if (!date_parse(value, strlen(value), out))
        return register_bad_field(err, file, row, name, value, "not a valid date (YYYY-MM-DD)");
    return RECON_OK;
}

/* Plain digits, '.' before at most two decimals, an optional sign: "1,000.00" could be
 * one thousand or one (decimal comma), so no separator or other digit form is guessed at. */
static const money_format_opts register_money_format = {'.', 0, true, 2};

recon_status register_money(const char *file, const register_row *row, const char *name,
                            const char *value, fen_t *out, err_t *err)
{
    money_result r = money_parse_opts(value, strlen(value), &register_money_format, out);
    if (r == MONEY_SYNTAX && strpbrk(value, ", '_") != NULL)
        return register_bad_field(err, file, row, name, value,
                                  "thousands separators are not accepted; write plain digits, "
                                  "e.g. 1000.00");
    if (r == MONEY_SYNTAX) {
        for (const unsigned char *u = (const unsigned char *)value; *u; u++)
            if (*u >= 0x80)
                return register_bad_field(err, file, row, name, value,
                                          "only the ASCII digits 0-9 are accepted (no "
                                          "full-width or other digit forms)");
    }
    if (r != MONEY_OK)
        return register_bad_field(err, file, row, name, value, money_result_str(r));
    return RECON_OK;
}

typedef struct problem_log {
    const char *file;
    long *count;
} problem_log;

static void log_problem(void *ctx, const char *line, const char *reason)
{
    const problem_log *pl = ctx;
    if (*pl->count <= MAX_REPORTED_ERRORS)
        log_error("%s: line %s: %s", pl->file, line, reason);
}

static recon_status rejected(err_t *err, const char *file, long bad)
{
    return err_set(err, RECON_EDATA, "%s: %ld bad row%s; file rejected, nothing stored", file, bad,
                   bad == 1 ? "" : "s");
}

/* The whole file validated without a database first, so a bad file needs no connection. */
static recon_status validate(uint64_t max_input, const register_file *f, err_t *err)
{
    load_pass p = {f, NULL, max_input, 0, 0};
    recon_status st = run_pass(&p, err);
    if (st == RECON_OK && p.bad_rows)
        st = rejected(err, f->file, p.bad_rows);
    return st;
}

static recon_status stage_validated(db_t *db, uint64_t max_input, const register_file *f,
                                    long *rows, err_t *err)
{
    recon_status st = db_begin(db, err);
    if (st != RECON_OK)
        return st;
    load_pass copy = {f, db, max_input, 0, 0};
    long bad = 0;
    problem_log pl = {f->file, &bad};
    if ((st = store_register_stage(db, f->kind, err)) != RECON_OK ||
        (st = run_pass(&copy, err)) != RECON_OK || (st = db_copy_in_end(db, rows, err)) ||
        (st = store_register_problems(db, f->kind, log_problem, &pl, &bad, err)) != RECON_OK)
        goto rollback;
    if (bad) {
        st = rejected(err, f->file, bad);
        goto rollback;
    }
    return RECON_OK;
rollback:
    db_rollback(db);
    return st;
}

recon_status register_stage_on(db_t *db, uint64_t max_input, const register_file *f, long *rows,
                               err_t *err)
{
    recon_status st = validate(max_input, f, err);
    return st != RECON_OK ? st : stage_validated(db, max_input, f, rows, err);
}

recon_status register_load(const job_options *o, const register_file *kind, const char *usage,
                           register_merge_fn merge, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "%s", usage);
    register_file f = *kind;
    f.file = o->args[0];
    db_t *db = NULL;
    long rows = 0;
    char summary[256] = "";
    recon_status st = validate(o->config.max_input, &f, err);
    if (st != RECON_OK || (st = job_connect_ready(o, &db, err)) != RECON_OK)
        return st;
    if ((st = stage_validated(db, o->config.max_input, &f, &rows, err)) == RECON_OK &&
        (st = db_end(db, merge(db, rows, summary, sizeof summary, err), err)) == RECON_OK)
        fprintf(o->out, "%s: %s\n", f.file, summary);
    db_close(db);
    return st;
}
