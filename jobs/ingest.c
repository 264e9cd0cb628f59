/*
 * `recon ingest FILE...`: parse statement files and store them. Each file is
 * stored whole or not at all, in one transaction: while it is parsed, each
 * receipt's row goes to a local spool file and its (source, transaction_key)
 * streams through COPY into a temporary table; only a fully parsed file is
 * stored, its repeats looked up from those keys and its rows copied straight
 * into receipts (one pass over the table, as psql \copy makes). Files are
 * recognised by the SHA-256 of their bytes (the same file twice is skipped)
 * and receipts by (source, transaction_key) (the same transaction in two files
 * counts once, as a duplicate). A rejected file stores nothing but a
 * statement_files row naming the reason; the other files still load and the
 * command exits 65.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "jobs/jobs.h"
#include "jobs/match.h"
#include "jobs/pipeline.h"
#include "parsers/charset.h"
#include "parsers/parse.h"

/* A file with more statements than this is not a bank statement we understand;
 * the bound keeps the in-memory summary list small. */
#define MAX_STATEMENTS 10000

typedef struct file_scan {
    db_t *db;
    const char *path;
    const match_rules *rules;
    FILE *spool;  /* the receipts' rows, without the columns known only at store time */
    buf_t row;
    long receipts;
    date_t first_booking, last_booking;
    fen_t credit_total, debit_total; /* debits positive, as in statement_summary */
    statement_summary *stmts;
    size_t stmt_count, stmt_cap;
} file_scan;

static bool valid_currency(const char *c)
{
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return false;
    return c[3] == '\0';
}


/* Every text field must be UTF-8 before it reaches the database, whose own
 * complaint would not say where in the file the bytes were. */
static recon_status check_text(const file_scan *f, const receipt_t *r, err_t *err)
{
    const struct {
        const char *name, *value;
    } fields[] = {
        {"source", r->source},
        {"transaction key", r->transaction_key},
        {"reversal reference", r->reversal_of},
        {"payer", r->payer},
        {"payer account", r->payer_account},
        {"end-to-end id", r->end_to_end_id},
        {"creditor reference", r->creditor_reference},
        {"merchant order number", r->merchant_order_no},
        {"provider transaction id", r->provider_txn_id},
        {"remittance text", r->remittance},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        size_t bad = 0;
        if (!utf8_valid(fields[i].value, strlen(fields[i].value), &bad))
            return err_set(err, RECON_EDATA,
                           "%s: %s: invalid UTF-8 in the %s at byte %zu; hint: GBK text in a "
                           "UTF-8 file?",
                           f->path, r->position, fields[i].name, bad + 1);
    }
    return RECON_OK;
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    file_scan *f = ctx;
    recon_status st = check_text(f, r, err);
    if (st != RECON_OK)
        return st;
    if (r->booking_date == DATE_NONE)
        return err_set(err, RECON_EDATA, "%s: %s: transaction without a booking date", f->path,
                       r->position);
    if (!valid_currency(r->currency))
        return err_set(err, RECON_EDATA, "%s: %s: currency '%s' is not an ISO 4217 code",
                       f->path, r->position, r->currency);
    if (r->transaction_key[0] == '\0' || r->source[0] == '\0')
        return err_set(err, RECON_EDATA, "%s: %s: transaction without source or key", f->path,
                       r->position);
    /* The table's CHECK ties direction to the sign; a parser's reversal may carry the
     * sign of the money actually moved, so the sign decides. A zero amount keeps it. */
    receipt_direction dir = r->direction;
    if (r->amount > 0)
        dir = RECEIPT_CREDIT;
    else if (r->amount < 0)
        dir = RECEIPT_DEBIT;
    if (!money_add(dir == RECEIPT_CREDIT ? &f->credit_total : &f->debit_total,
                 dir == RECEIPT_CREDIT ? r->amount : -r->amount))
        return err_set(err, RECON_EDATA, "%s: %s: file totals exceed the supported range",
                       f->path, r->position);
    if (f->first_booking == DATE_NONE || r->booking_date < f->first_booking)
        f->first_booking = r->booking_date;
    if (f->last_booking == DATE_NONE || r->booking_date > f->last_booking)
        f->last_booking = r->booking_date;
    f->receipts++;
    progress_update(f->receipts, "rows");
    /* Matched by its own references now, while its fields are at hand, so
     * that no later pass has to rewrite every stored receipt. */
    match_fields mf = {r->currency,          r->reversal,         r->creditor_reference,
                       r->end_to_end_id,     r->merchant_order_no, r->remittance,
                       r->payer_account};
    match_decision md;
    match_decide(f->rules, &mf, &md);

    buf_t *b = &f->row;
    buf_reset(b);
    bool ok = db_copy_field(b, r->position, false) && db_copy_field(b, r->source, false) &&
              db_copy_field(b, r->transaction_key, false) &&
              db_copy_date(b, r->booking_date, false) && db_copy_date(b, r->value_date, false) &&
              db_copy_int(b, r->amount, false) && db_copy_field(b, r->currency, false) &&
              db_copy_field(b, dir == RECEIPT_CREDIT ? "credit" : "debit", false) &&
              db_copy_field(b, r->reversal ? "t" : "f", false) &&
              db_copy_field(b, r->reversal_of, false) && db_copy_field(b, r->payer, false) &&
              db_copy_field(b, r->payer_account, false) &&
              db_copy_field(b, r->end_to_end_id, false) &&
              db_copy_field(b, r->creditor_reference, false) &&
              db_copy_field(b, r->merchant_order_no, false) &&
              db_copy_field(b, r->provider_txn_id, false) &&
              db_copy_field(b, r->remittance, false) && db_copy_int(b, r->fee, false) &&
              (md.policy_no[0] ? db_copy_field(b, md.policy_no, false) : db_copy_null(b, false)) &&
              (md.result ? db_copy_field(b, md.result, false) : db_copy_null(b, false)) &&
              db_copy_field(b, md.note, true);
    if (!ok)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (fwrite(b->data, 1, b->len, f->spool) != b->len)
        return err_set(err, RECON_EOUTPUT, "cannot write temporary file: %s", strerror(errno));
    buf_t *k = db_copy_buffer(f->db);
    if (!db_copy_int(k, f->receipts, false) || !db_copy_field(k, r->source, false) ||
        !db_copy_field(k, r->transaction_key, true))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return db_copy_in_flush(f->db, false, err);
}

static recon_status on_statement(void *ctx, const statement_summary *s, err_t *err)
{
    file_scan *f = ctx;
    if (f->stmt_count == f->stmt_cap) {
        if (f->stmt_cap >= MAX_STATEMENTS)
            return err_set(err, RECON_EDATA, "%s: %s: more than %d statements in one file",
                           f->path, s->position, MAX_STATEMENTS);
        size_t cap = f->stmt_cap ? f->stmt_cap * 2 : 4;
        statement_summary *grown = realloc(f->stmts, cap * sizeof *grown);
        if (!grown)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        f->stmts = grown;
        f->stmt_cap = cap;
    }
    f->stmts[f->stmt_count++] = *s;
    return RECON_OK;
}

/* Ends a COPY the parse abandoned, so the connection can roll back. */
static void copy_abort(db_t *db)
{
    PGconn *conn = db_pgconn(db);
    if (PQstatus(conn) != CONNECTION_OK)
        return;
    if (PQputCopyEnd(conn, "statement file rejected") == 1) {
        PGresult *res;
        while ((res = PQgetResult(conn)) != NULL)
            PQclear(res);
    }
}

/* A rejected file is remembered with its reason (interface.md: rejected files are
 * listed and kept), in its own short transaction. A row already stored under the
 * same hash (a concurrent run) is left alone. */
static recon_status record_rejection(db_t *db, const char *sha, const char *path,
                                     const char *format, const char *reason, err_t *err)
{
    /* Stored under the inbox name, so a replay elsewhere reports the same. */
    const char *params[] = {sha, job_base_name(path), format, job_reason_by_name(path, reason)};
    recon_status st = db_begin(db, err);
    if (st != RECON_OK)
        return st;
    if ((st = db_exec(db, "LOCK TABLE statement_files IN SHARE ROW EXCLUSIVE MODE", err)) !=
            RECON_OK ||
        (st = db_command(db,
                         "INSERT INTO statement_files (file_id, sha256, file_name, format, status, "
                         "rejection_reason) SELECT last_file_id() + 1, $1, $2, $3, 'rejected', $4 "
                         "ON CONFLICT (sha256) DO UPDATE SET file_name = excluded.file_name, "
                         "format = excluded.format, rejection_reason = excluded.rejection_reason, "
                         "ingested_at = now() WHERE statement_files.status = 'rejected'",
                         4, params, NULL, err)) != RECON_OK) {
        db_rollback(db);
        return st;
    }
    return db_commit(db, err);
}

typedef struct known_file {
    long long id; /* 0: not known */
    bool rejected;
    date_t night; /* business_date: the night that reported it, or DATE_NONE */
    char reason[ERR_MSG_MAX];
} known_file;

/* The stored (or, with any_status, also rejected) file with this hash. */
static recon_status find_known(db_t *db, const char *sha, bool any_status, known_file *k,
                               err_t *err)
{
    PGresult *res = NULL;
    const char *params[] = {sha, any_status ? "t" : "f"};
    memset(k, 0, sizeof *k);
    k->night = DATE_NONE;
    recon_status st = db_query(db,
                               "SELECT file_id, status = 'rejected', business_date, "
                               "coalesce(rejection_reason, '') FROM statement_files WHERE "
                               "sha256 = $1 AND (status = 'stored' OR $2::boolean)",
                               2, params, 4, &res, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) == 1) {
        k->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        k->rejected = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        const char *night = PQgetvalue(res, 0, 2);
        if (!PQgetisnull(res, 0, 2) && !date_parse(night, strlen(night), &k->night))
            k->night = DATE_NONE;
        snprintf(k->reason, sizeof k->reason, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return RECON_OK;
}

static recon_status known_file_id(db_t *db, const char *sha, bool any_status, long long *id,
                                  err_t *err)
{
    known_file k;
    recon_status st = find_known(db, sha, any_status, &k, err);
    *id = k.id;
    return st;
}

/* A file known before: skipped. A rejection is restated under the path of this run (the
 * stored reason names the file as the inbox does), so a rerun shows the same line. */
static void skip_known(const known_file *k, const char *shown, ingest_result *res)
{
    res->outcome = INGEST_SKIPPED;
    res->file_id = k->id;
    if (!k->rejected)
        return;
    res->rejected_before = true;
    res->rejected_on = k->night;
    const char *name = job_base_name(shown);
    size_t nlen = strlen(name);
    size_t dir_len = (size_t)(name - shown);
    if (strncmp(k->reason, name, nlen) != 0 || k->reason[nlen] != ':' ||
        dir_len >= sizeof res->reason)
        dir_len = 0;
    memcpy(res->reason, shown, dir_len);
    size_t rest = strlen(k->reason), room = sizeof res->reason - 1 - dir_len;
    if (rest > room)
        rest = room;
    memcpy(res->reason + dir_len, k->reason, rest);
    res->reason[dir_len + rest] = '\0';
}

static void date_param(date_t d, char out[DATE_STR_SIZE], const char **param)
{
    date_format(d, out);
    *param = d == DATE_NONE ? NULL : out;
}

/* Writes the statement summaries of the stored file through COPY. */
static recon_status copy_statements(db_t *db, const char *file_id, const file_scan *f,
                                    err_t *err)
{
    recon_status st = db_copy_in_begin(db,
                                       "COPY statements (file_id, seq, source, statement_id, "
                                       "currency, statement_date, opening_balance, "
                                       "closing_balance, entry_count, credit_total, debit_total) "
                                       "FROM STDIN",
                                       err);
    if (st != RECON_OK)
        return st;
    buf_t *b = db_copy_buffer(db);
    for (size_t i = 0; i < f->stmt_count; i++) {
        const statement_summary *s = &f->stmts[i];
        bool ok = db_copy_field(b, file_id, false) && db_copy_int(b, (long long)i + 1, false) &&
                  db_copy_field(b, s->source, false) &&
                  db_copy_field(b, s->statement_id, false) &&
                  db_copy_field(b, s->currency, false) && db_copy_date(b, s->statement_date, false) &&
                  (s->has_opening ? db_copy_int(b, s->opening_balance, false)
                                  : db_copy_null(b, false)) &&
                  (s->has_closing ? db_copy_int(b, s->closing_balance, false)
                                  : db_copy_null(b, false)) &&
                  db_copy_int(b, s->entry_count, false) && db_copy_int(b, s->credit_total, false) &&
                  db_copy_int(b, s->debit_total, true);
        if (!ok) {
            copy_abort(db);
            return err_set(err, RECON_EINTERNAL, "out of memory");
        }
        if ((st = db_copy_in_flush(db, false, err)) != RECON_OK) {
            copy_abort(db);
            return st;
        }
    }
    return db_copy_in_end(db, NULL, err);
}

/* Statement integrity (camt.053, MT940): opening + credits - debits = closing.
 * A statement that does not add up was cut or corrupted somewhere, and storing
 * part of it would misstate what was received, so the whole file is refused. */
static recon_status check_balances(const file_scan *f, stmt_format format, err_t *err)
{
    if (format != FORMAT_CAMT053 && format != FORMAT_MT940)
        return RECON_OK;
    for (size_t i = 0; i < f->stmt_count; i++) {
        const statement_summary *s = &f->stmts[i];
        if (!s->has_opening || !s->has_closing)
            continue;
        fen_t expected = s->opening_balance;
        if (!money_add(&expected, s->credit_total) || !money_add(&expected, -s->debit_total))
            return err_set(err, RECON_EDATA, "%s: %s: balances exceed the supported range",
                           f->path, s->position);
        if (expected == s->closing_balance)
            continue;
        char open[MONEY_STR_SIZE], cr[MONEY_STR_SIZE], dr[MONEY_STR_SIZE], want[MONEY_STR_SIZE],
            close[MONEY_STR_SIZE];
        money_format(s->opening_balance, open);
        money_format(s->credit_total, cr);
        money_format(s->debit_total, dr);
        money_format(expected, want);
        money_format(s->closing_balance, close);
        return err_set(err, RECON_EDATA,
                       "%s: %s: statement %s does not balance: opening %s + credits %s - debits "
                       "%s = %s, but the closing balance is %s",
                       f->path, s->position, s->statement_id[0] ? s->statement_id : "(no id)",
                       open, cr, dr, want, close);
    }
    return RECON_OK;
}

/* The file's date is that of its latest statement; files without statement
 * dates (some bills) fall back to their last booking date. */
static date_t file_date(const file_scan *f)
{
    date_t d = DATE_NONE;
    for (size_t i = 0; i < f->stmt_count; i++)
        if (f->stmts[i].statement_date != DATE_NONE &&
            (d == DATE_NONE || f->stmts[i].statement_date > d))
            d = f->stmts[i].statement_date;
    return d == DATE_NONE ? f->last_booking : d;
}

/* Rows go in file order, so receipt ids follow the statement: base + the
 * row's place in the file. dups lists (ord, first sighting) by ord. */
static recon_status copy_spooled(db_t *db, const file_scan *f, long long base, long long file_id,
                                 PGresult *dups, err_t *err)
{
    recon_status st = db_copy_in_begin(
        db,
        "COPY receipts (receipt_id, file_id, position, source, transaction_key, booking_date, "
        "value_date, amount, currency, direction, reversal, reversal_of, payer, payer_account, "
        "end_to_end_id, creditor_reference, merchant_order_no, provider_txn_id, remittance, fee, "
        "policy_no, match_result, match_note, duplicate_of) FROM STDIN",
        err);
    if (st != RECON_OK)
        return st;
    if (fflush(f->spool) != 0 || fseek(f->spool, 0, SEEK_SET) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot read temporary file: %s", strerror(errno));
    buf_t *b = db_copy_buffer(db);
    char *line = NULL;
    size_t cap = 0;
    int next_dup = 0, dup_count = PQntuples(dups);
    for (long ord = 1; ord <= f->receipts; ord++) {
        ssize_t len = getline(&line, &cap, f->spool);
        if (len <= 0 || line[len - 1] != '\n') {
            st = err_set(err, RECON_EOUTPUT, "cannot read temporary file: %s",
                         len < 0 ? strerror(errno) : "short row");
            break;
        }
        const char *dup_of = NULL;
        if (next_dup < dup_count && strtol(PQgetvalue(dups, next_dup, 0), NULL, 10) == ord)
            dup_of = PQgetvalue(dups, next_dup++, 1);
        bool ok = db_copy_int(b, base + ord, false) && db_copy_int(b, file_id, false);
        if (dup_of == NULL) {
            ok = ok && buf_append(b, line, (size_t)len - 1) && buf_append(b, "\t", 1) &&
                 db_copy_null(b, true);
        } else {
            /* the last three columns are the match: a repeat is matched to nothing */
            size_t cut = (size_t)len - 1;
            int tabs = 0;
            while (cut > 0 && tabs < 3)
                if (line[--cut] == '\t')
                    tabs++;
            char note[64];
            snprintf(note, sizeof note, "duplicate of receipt %s", dup_of);
            ok = ok && tabs == 3 && buf_append(b, line, cut + 1) && db_copy_null(b, false) &&
                 db_copy_field(b, "duplicate", false) && db_copy_field(b, note, false) &&
                 db_copy_field(b, dup_of, true);
        }
        if (!ok) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        if ((st = db_copy_in_flush(db, false, err)) != RECON_OK)
            break;
    }
    free(line);
    if (st != RECON_OK) {
        copy_abort(db);
        return st;
    }
    return db_copy_in_end(db, NULL, err);
}

/* Moves a fully parsed file into the permanent tables; the
 * caller's transaction is still open. */
static recon_status store_file(db_t *db, const char *sha, const file_scan *f,
                               ingest_result *res, err_t *err)
{
    date_t stmt_date = res->statement_date;
    char d_stmt[DATE_STR_SIZE], d_from[DATE_STR_SIZE], d_to[DATE_STR_SIZE];
    char count[32], credit[32], debit[32];
    snprintf(count, sizeof count, "%ld", f->receipts);
    snprintf(credit, sizeof credit, "%lld", (long long)f->credit_total);
    snprintf(debit, sizeof debit, "%lld", (long long)f->debit_total);
    const char *params[9] = {sha, job_base_name(f->path), format_name(res->format)};
    date_param(stmt_date, d_stmt, &params[3]);
    date_param(f->first_booking, d_from, &params[4]);
    date_param(f->last_booking, d_to, &params[5]);
    params[6] = count;
    params[7] = credit;
    params[8] = debit;

    /* Replaces an earlier rejection of the same bytes; returns no row when a
     * concurrent run stored them first (it waited for that run to commit). */
    PGresult *r = NULL;
    /* File and receipt numbers continue from the highest stored, under a lock
     * that concurrent ingests share, so they never depend on a sequence that a
     * rolled-back or killed run advanced: a rerun or replay numbers alike. */
    recon_status st = db_exec(
        db, "LOCK TABLE statement_files, receipts IN SHARE ROW EXCLUSIVE MODE", err);
    if (st != RECON_OK)
        return st;
    st = db_query(
        db,
        "INSERT INTO statement_files (file_id, sha256, file_name, format, statement_date, "
        "period_from, period_to, status, receipt_count, credit_total, debit_total) "
        "SELECT last_file_id() + 1, $1, $2, $3, $4::date, $5::date, $6::date, "
        "'stored', $7::int, $8::bigint, $9::bigint "
        "ON CONFLICT (sha256) DO UPDATE SET file_name = excluded.file_name, format = "
        "excluded.format, statement_date = excluded.statement_date, period_from = "
        "excluded.period_from, period_to = excluded.period_to, status = 'stored', "
        "rejection_reason = NULL, receipt_count = excluded.receipt_count, credit_total = "
        "excluded.credit_total, debit_total = excluded.debit_total, ingested_at = now() "
        "WHERE statement_files.status = 'rejected' RETURNING file_id",
        9, params, 1, &r, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        res->outcome = INGEST_SKIPPED;
        return RECON_OK;
    }
    char file_id[32];
    snprintf(file_id, sizeof file_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    res->file_id = strtoll(file_id, NULL, 10);

    if ((st = copy_statements(db, file_id, f, err)) != RECON_OK)
        return st;
    /* A transaction already stored from another file is kept as a row of its
     * own pointing at the first sighting, so the day's report can show it as
     * a duplicate; only the first counts as money. The earlier sighting is
     * looked up by index per key (LATERAL ... LIMIT 1): a hash join would read
     * every stored receipt for each file. */
    if ((st = db_query(db, "SELECT last_receipt_id()", 0, NULL, 1, &r,
                       err)) != RECON_OK)
        return st;
    long long base = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if ((st = db_query(db,
                       "SELECT k.ord, o.receipt_id FROM receipts_keys k CROSS JOIN LATERAL "
                       "(SELECT o.receipt_id FROM receipts o WHERE o.source = k.source AND "
                       "o.transaction_key = k.transaction_key AND o.duplicate_of IS NULL LIMIT 1) "
                       "o ORDER BY k.ord",
                       0, NULL, 2, &r, err)) != RECON_OK)
        return st;
    st = copy_spooled(db, f, base, res->file_id, r, err);
    res->receipts = f->receipts;
    res->duplicates = PQntuples(r);
    PQclear(r);
    if (st != RECON_OK)
        return st;
    char dups[32];
    snprintf(dups, sizeof dups, "%ld", res->duplicates);
    const char *upd[] = {file_id, dups};
    if ((st = db_command(db,
                         "UPDATE statement_files SET duplicate_count = $2 WHERE file_id = $1", 2,
                         upd, NULL, err)) != RECON_OK)
        return st;
    res->outcome = INGEST_STORED;
    return RECON_OK;
}

/* Replaces each occurrence of from in err's message by to. */
static void restate(err_t *e, const char *from, const char *to)
{
    size_t flen = strlen(from), tlen = strlen(to);
    if (flen == 0 || strcmp(from, to) == 0)
        return;
    char buf[ERR_MSG_MAX];
    size_t w = 0;
    for (const char *p = e->msg; *p && w + 1 < sizeof buf;) {
        if (strncmp(p, from, flen) == 0) {
            size_t n = tlen < sizeof buf - 1 - w ? tlen : sizeof buf - 1 - w;
            memcpy(buf + w, to, n);
            w += n;
            p += flen;
        } else {
            buf[w++] = *p++;
        }
    }
    buf[w] = '\0';
    memcpy(e->msg, buf, w + 1);
}

/* An entry refused for its name or for what it is (a link, FIFO, device), never parsed:
 * recorded under job_refusal_sha with its escaped name, so the night lists it, its reason is
 * kept and a rerun knows it. Bytes already stored under another name are only skipped. */
static recon_status refuse_entry(db_t *db, const ingest_request *req, const char *raw_name,
                                 const char *shown, const char *content_sha, inbox_kind kind,
                                 const char *why, ingest_result *res, err_t *err)
{
    known_file k;
    recon_status st;
    if (content_sha != NULL) {
        if ((st = find_known(db, content_sha, false, &k, err)) != RECON_OK)
            return st;
        if (k.id) {
            skip_known(&k, shown, res);
            return RECON_OK;
        }
    }
    char key[SHA256_HEX_SIZE];
    err_t why_err; /* err_set bounds the message as every reason is bounded */
    if (kind != INBOX_REGULAR) {
        res->unread = true;
        job_refusal_sha(inbox_kind_text(kind), raw_name, NULL, key);
        err_set(&why_err, RECON_EDATA,
                "%s: %s, not a regular file; refused without reading it; hint: deliver the "
                "file itself into the inbox",
                shown, inbox_kind_text(kind));
    } else {
        job_refusal_sha("name", raw_name, content_sha, key);
        err_set(&why_err, RECON_EDATA,
                "%s: the file name %s; refused without parsing; hint: rename the file (its "
                "content was not judged)",
                shown, why);
    }
    memcpy(res->reason, why_err.msg, sizeof res->reason);
    memcpy(res->sha256, key, sizeof key);
    if ((st = find_known(db, key, true, &k, err)) != RECON_OK)
        return st;
    if (k.id && k.rejected && req->skip_rejected) {
        skip_known(&k, shown, res);
        return RECON_OK;
    }
    res->outcome = INGEST_REJECTED;
    return record_rejection(db, key, shown, "unknown", res->reason, err);
}

recon_status ingest_file(db_t *db, const ingest_request *req, const char *path,
                         ingest_result *res, err_t *err)
{
    memset(res, 0, sizeof *res);
    res->format = FORMAT_UNKNOWN;
    res->statement_date = DATE_NONE;
    res->rejected_on = DATE_NONE;
    err_t ferr;
    err_clear(&ferr);
    char *sha = res->sha256;
    /* Shown escaped wherever it goes (messages, the database, reports), so no raw control
     * byte or invalid UTF-8 from a file name ever reaches them. */
    char shown[4 * 4096 + 1];
    job_escape(path, shown, sizeof shown);
    snprintf(res->name, sizeof res->name, "%s", job_base_name(shown));
    char why[128];
    bool name_ok = job_name_ok(job_base_name(path), why, sizeof why);
    int fd = -1;
    inbox_kind kind = INBOX_REGULAR;
    recon_status st = RECON_OK;
    if (req->inbox)
        st = inbox_open(path, &fd, &kind, &ferr);
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        st = err_set(&ferr, RECON_ENOINPUT, "%s: cannot open: %s", shown, strerror(errno));
    if (st == RECON_OK && fd >= 0)
        st = inbox_hash_fd(fd, shown, sha, &ferr);
    if (st == RECON_OK && (!name_ok || kind != INBOX_REGULAR)) {
        st = refuse_entry(db, req, job_base_name(path), shown, fd >= 0 ? sha : NULL, kind, why,
                          res, err);
        if (fd >= 0)
            close(fd);
        return st;
    }
    if (st == RECON_ENOINPUT) {
        /* Nothing to remember it by: unreadable files are only reported. */
        snprintf(res->reason, sizeof res->reason, "%s", ferr.msg);
        res->outcome = INGEST_REJECTED;
        if (fd >= 0)
            close(fd);
        return RECON_OK;
    }
    if (st != RECON_OK) {
        if (fd >= 0)
            close(fd);
        return err_set(err, st, "%s", ferr.msg);
    }
    known_file known;
    if ((st = find_known(db, sha, req->skip_rejected, &known, err)) != RECON_OK) {
        close(fd);
        return st;
    }
    if (known.id) {
        skip_known(&known, shown, res);
        close(fd);
        return RECON_OK;
    }
    /* The parser reads the very file that was checked and hashed, through its descriptor,
     * so a name swapped for a link meanwhile changes nothing; messages name the path. */
    char via[64];
    const char *parse_path = path;
    struct stat a, b;
    snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
    if (fstat(fd, &a) == 0 && stat(via, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        parse_path = via;

    match_rules *rules = NULL;
    if ((st = match_rules_new(&rules, err)) != RECON_OK) {
        close(fd);
        return st;
    }
    progress_begin("ingest %s", job_base_name(shown));
    file_scan f = {db, shown, rules, tmpfile(), BUF_INIT, 0, DATE_NONE, DATE_NONE, 0, 0, NULL, 0, 0};
    bool in_copy = false;
    if (f.spool == NULL) {
        st = err_set(err, RECON_EOUTPUT, "cannot create a temporary file: %s", strerror(errno));
        goto out;
    }
    if ((st = db_begin(db, err)) != RECON_OK)
        goto out;
    if ((st = db_exec(db,
                      "CREATE TEMP TABLE receipts_keys (ord bigint, source text, transaction_key "
                      "text) ON COMMIT DROP",
                      err)) != RECON_OK ||
        (st = db_copy_in_begin(db, "COPY receipts_keys FROM STDIN", err)) != RECON_OK)
        goto fail;
    in_copy = true;
    receipt_sink sink = {&f, on_receipt, on_statement};
    st = parse_file(parse_path, req->parse, &sink, &res->format, &ferr);
    if (st != RECON_OK)
        restate(&ferr, parse_path, shown);
    if (st == RECON_OK) {
        in_copy = false;
        st = db_copy_in_end(db, NULL, &ferr);
    }
    if (st == RECON_OK)
        st = check_balances(&f, res->format, &ferr);
    if (st == RECON_OK) {
        res->statement_date = file_date(&f);
        if (req->not_after != DATE_NONE && res->statement_date != DATE_NONE &&
            res->statement_date > req->not_after) {
            /* Parsed twice in all (now and on its night), but nothing is stored
             * ahead of its date, so a run never reports tomorrow's money. */
            db_rollback(db);
            res->outcome = INGEST_LATER;
            goto out;
        }
    }
    if (st == RECON_OK && (st = store_file(db, sha, &f, res, &ferr)) == RECON_EDATA)
        err_prefix(&ferr, "%s: ", shown); /* a row the schema refused: name the file */
    if (st == RECON_OK && res->outcome == INGEST_SKIPPED) {
        db_rollback(db);
        st = known_file_id(db, sha, false, &res->file_id, err);
        goto out;
    }
    if (st == RECON_OK)
        st = db_commit(db, &ferr);
    if (st == RECON_OK)
        goto out;
    /* Bad content (parse errors, or a row the schema refuses) rejects this file
     * only; anything else is the database or the machine failing. A file cut
     * short by a stop request is not rejected: it is read again next time. */
    if ((st != RECON_EDATA && st != RECON_ENOINPUT) || interrupt_signal() != 0) {
        st = interrupt_outcome(st, &ferr);
        err_set(err, st, "%s", ferr.msg);
        goto fail;
    }
    if (in_copy)
        copy_abort(db);
    in_copy = false;
    db_rollback(db);
    snprintf(res->reason, sizeof res->reason, "%s", ferr.msg);
    res->outcome = INGEST_REJECTED;
    st = record_rejection(db, sha, shown,
                          res->format == FORMAT_UNKNOWN ? "unknown" : format_name(res->format),
                          ferr.msg, err);
    goto out;
fail:
    if (in_copy)
        copy_abort(db);
    db_rollback(db);
out:
    progress_end();
    close(fd);
    if (f.spool)
        fclose(f.spool);
    buf_free(&f.row);
    match_rules_free(rules);
    free(f.stmts);
    return st;
}

recon_status cmd_ingest(const job_options *o, err_t *err)
{
    if (o->arg_count < 1)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon ingest FILE... [--format F] [--profile P]");
    parse_options popts = {FORMAT_UNKNOWN, o->profile, NULL, o->config.max_input};
    if (o->format && !format_from_name(o->format, &popts.forced))
        return err_set(err, RECON_EUSAGE,
                       "unknown format '%s' (camt053, camt054, mt940, wechat, alipay, unionpay, "
                       "bankcsv)",
                       o->format);
    db_t *db = NULL;
    recon_status st = job_connect_ready(o, &db, err);
    if (st != RECON_OK)
        return st;
    int rejected = 0;
    ingest_request req = {&popts, DATE_NONE, false, false};
    for (int i = 0; i < o->arg_count; i++) {
        const char *path = o->args[i];
        ingest_result res;
        if ((st = ingest_file(db, &req, path, &res, err)) != RECON_OK)
            break;
        char shown[4 * 4096 + 1];
        job_escape(path, shown, sizeof shown);
        if (res.outcome == INGEST_REJECTED) {
            log_error("%s", res.reason);
            rejected++;
        } else if (res.outcome == INGEST_SKIPPED) {
            fprintf(o->out, "%s: already ingested (file %lld), skipped\n", shown, res.file_id);
        } else {
            fprintf(o->out, "%s: %s, %ld receipts (%ld duplicates), stored as file %lld\n", shown,
                    format_name(res.format), res.receipts, res.duplicates, res.file_id);
        }
    }
    db_close(db);
    if (st == RECON_OK && fflush(o->out) != 0)
        st = err_set(err, RECON_EOUTPUT, "cannot write to standard output");
    if (st == RECON_OK && rejected)
        st = err_set(err, RECON_EDATA, "%d of %d file%s rejected", rejected, o->arg_count,
                     o->arg_count == 1 ? "" : "s");
    return st;
}
