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
#include <unistd.h>

#include "common/progress.h"
#include "common/safefile.h"
#include "core/mask.h"
#include "core/schedule.h"
#include "jobs/evaluate_all.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"
#include "reports/gzcsv.h"
#include "reports/manifest.h"

#define MAX_COLUMNS 16
#define REPORT_FILES 6

typedef enum column_kind { COL_TEXT, COL_MONEY, COL_NAME } column_kind;

/* The summary's figures, gathered from the report rows as they stream past instead of by
 * queries of their own: at a million receipts, running the receipts query again for the
 * summary cost as much as the report itself. */
#define TALLY_MAX 16 /* distinct statuses, outcomes, kinds or reasons; each list is fixed */
#define TOP_EXCEPTIONS 10

typedef struct tally_group {
    char key[32];
    long long count;
    fen_t fen;
} tally_group;

typedef struct tally {
    size_t n;
    tally_group g[TALLY_MAX];
} tally;

typedef struct top_entry {
    char label[128]; /* "kind id", as the summary prints it */
    fen_t amount;
    unsigned long long magnitude;
} top_entry;

typedef struct summary_figures {
    tally statuses;  /* policies: count and arrears by status */
    tally outcomes;  /* the day's receipts: count and amount by outcome */
    tally suspense;  /* unidentified, ambiguous, other currency: count and amount */
    tally refunds;   /* refunds due: count and amount by reason */
    fen_t money_in, allocated, unapplied;
    top_entry top[TOP_EXCEPTIONS]; /* largest first */
    size_t top_n;
} summary_figures;

/* Called for each row with its raw fields (before formatting and masking) and, for money
 * columns, their value in fen. */
typedef recon_status (*row_hook)(summary_figures *s, char *const *f, const fen_t *fen,
                                 err_t *err);

typedef struct report_spec {
    const char *name;
    const char *header;           /* comma-separated, as interface.md */
    const char *sql;              /* COPY (...) TO STDOUT reading current_setting('recon.as_of');
                                   * NULL for receipts.csv.gz (write_receipts) */
    column_kind kinds[MAX_COLUMNS];
    row_hook hook;                /* may be NULL */
} report_spec;

/* The report date, read once per statement (an InitPlan) rather than once per row. */
#define AS_OF "(SELECT current_setting('recon.as_of')::date)"

/* A receipt's night is its own business_date when it has one (entered by hand, or stamped by
 * an older recon), else its file's: coalesce(r.business_date, f.business_date) OP D, written
 * so that no join is needed to decide it (a hashed subplan over the few files of the night),
 * which halves the cost of a scan of every receipt. */
#define KNOWN_ON(op)                                                                            \
    "(r.business_date " op " " AS_OF " OR (r.business_date IS NULL AND r.file_id IN "        \
    "(SELECT file_id FROM statement_files WHERE business_date " op " " AS_OF ")))"

/* receipts.csv.gz comes from two streams in receipt order, merged here: the day's receipts
 * (wide rows) and their allocations with what the outcome needs of the policy (narrow rows).
 * A receipt's outcome depends on the due dates of the installments it paid; those come from
 * the rules core (schedule_due_dates over the policy's terms, the same function that made the
 * schedule the evaluation allocated against) instead of a join with installments, which at a
 * million policies is ten million rows. Each stream is a scan with hash joins against small or
 * narrow inputs, on a connection of its own sharing the report's snapshot, so the server
 * prepares both at once. At a million policies they take 5 s of server time together, one
 * query joining everything (installments included) 12 s.
 *
 * Day receipts: receipt_id, source, file, booking_date, amount, currency, direction, payer,
 * policy_no, the outcome when matching alone decides it (else ''), whether the policy has an
 * excess refund due, note. */
#define DAY_RECEIPTS_SQL                                                                        \
    "COPY (SELECT r.receipt_id, r.source, coalesce(f.file_name, 'manual'), r.booking_date, "   \
    "r.amount, r.currency, r.direction, r.payer, coalesce(r.policy_no, ''), "                   \
    "CASE WHEN r.duplicate_of IS NOT NULL THEN 'duplicate' WHEN r.reversal THEN 'reversal' "   \
    "WHEN r.match_result IN ('unidentified', 'ambiguous', 'currency', 'settlement') "          \
    "THEN r.match_result ELSE '' END, ex.policy_no IS NOT NULL, r.match_note "                  \
    "FROM receipts r LEFT JOIN statement_files f USING (file_id) "                              \
    "LEFT JOIN refunds_due ex ON ex.policy_no = r.policy_no AND ex.reason = 'excess' "         \
    "WHERE " KNOWN_ON("=") " ORDER BY r.receipt_id) TO STDOUT"
#define DAY_RECEIPT_COLUMNS 12

/* The range of the day's receipt numbers, so that the allocations stream reads only that
 * range instead of joining with the day's receipts (receipts outside the day that fall in the
 * range are skipped by the merge). */
#define DAY_RANGE_SQL                                                                           \
    "SELECT min(r.receipt_id)::text, max(r.receipt_id)::text FROM receipts r WHERE "         \
    KNOWN_ON("=")

/* Allocations in the day's range: receipt_id, installment (0: unapplied), amount, and the
 * policy's paid installments and terms. */
#define DAY_ALLOCATIONS_SQL                                                                     \
    "COPY (SELECT x.receipt_id, x.installment, x.amount, ps.paid_installments, "                \
    "p.payment_mode, p.start_date, p.end_date FROM allocations x "                              \
    "LEFT JOIN policy_status ps ON ps.policy_no = x.policy_no "                                 \
    "LEFT JOIN policies p ON p.policy_no = x.policy_no "                                        \
    "WHERE x.receipt_id BETWEEN (SELECT current_setting('recon.first_receipt')::bigint) "      \
    "AND (SELECT current_setting('recon.last_receipt')::bigint) "                              \
    "ORDER BY x.receipt_id) TO STDOUT" /* a receipt's rows add up in any order */
#define DAY_ALLOCATION_COLUMNS 7

/* Adds one row to the group KEY (groups are few: the values of a CHECK list). */
static recon_status tally_add(tally *t, const char *key, fen_t fen, err_t *err)
{
    size_t i = 0;
    while (i < t->n && strcmp(t->g[i].key, key) != 0)
        i++;
    if (i == t->n) {
        if (t->n == TALLY_MAX || strlen(key) >= sizeof t->g[0].key)
            return err_set(err, RECON_EINTERNAL, "summary: unexpected group '%s'", key);
        snprintf(t->g[i].key, sizeof t->g[i].key, "%s", key);
        t->n++;
    }
    t->g[i].count++;
    /* recon process refuses a day whose totals could overflow (money_check_day); only data
     * changed behind its back since then gets here */
    if (!money_add(&t->g[i].fen, fen))
        return err_set(err, RECON_EDATA,
                       "summary: the total of '%s' overflows 64 bits; hint: the data changed "
                       "since recon process; run it again for this day",
                       key);
    return RECON_OK;
}

static recon_status add_fen(fen_t *sum, fen_t v, err_t *err)
{
    if (!money_add(sum, v))
        return err_set(err, RECON_EDATA,
                       "summary: a money total overflows 64 bits; hint: the data changed since "
                       "recon process; run it again for this day");
    return RECON_OK;
}

/* receipts.csv.gz: amount 4, direction 6, outcome 9, allocated 10, unapplied 11. */
static recon_status tally_receipt(summary_figures *s, char *const *f, const fen_t *fen,
                                  err_t *err)
{
    recon_status st = tally_add(&s->outcomes, f[9], fen[4], err);
    if (st == RECON_OK && strcmp(f[6], "credit") == 0 && strcmp(f[9], "duplicate") != 0)
        st = add_fen(&s->money_in, fen[4], err);
    if (st == RECON_OK)
        st = add_fen(&s->allocated, fen[10], err);
    if (st == RECON_OK)
        st = add_fen(&s->unapplied, fen[11], err);
    return st;
}

/* policies.csv.gz: status 1, arrears 6. */
static recon_status tally_policy(summary_figures *s, char *const *f, const fen_t *fen,
                                 err_t *err)
{
    return tally_add(&s->statuses, f[1], fen[6], err);
}

/* exceptions.csv.gz: kind 0, receipt_id 1, policy_no 2, amount 3. Money in suspense is its
 * receipt rows; the largest exceptions are its rows by absolute amount. Rows arrive ordered by
 * kind, receipt_id, policy_no, which is the order of (kind, id) the summary breaks ties by (the
 * id is "receipt N" for receipts and the policy number for refunds), so among equal amounts
 * the earlier row wins: that comparison, in whatever collation the database sorted with. */
static recon_status tally_exception(summary_figures *s, char *const *f, const fen_t *fen,
                                    err_t *err)
{
    if (strcmp(f[0], "unidentified") == 0 || strcmp(f[0], "ambiguous") == 0 ||
        strcmp(f[0], "currency") == 0) {
        recon_status st = tally_add(&s->suspense, f[0], fen[3], err);
        if (st != RECON_OK)
            return st;
    }
    fen_t v = fen[3];
    unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    /* Later rows lose ties, so an equal amount never displaces an earlier row. */
    if (s->top_n == TOP_EXCEPTIONS && mag <= s->top[TOP_EXCEPTIONS - 1].magnitude)
        return RECON_OK;
    size_t at = s->top_n < TOP_EXCEPTIONS ? s->top_n : TOP_EXCEPTIONS - 1;
    while (at > 0 && s->top[at - 1].magnitude < mag) {
        s->top[at] = s->top[at - 1];
        at--;
    }
    top_entry *e = &s->top[at];
    if (strcmp(f[0], "refund_due") == 0)
        snprintf(e->label, sizeof e->label, "%s %s", f[0], f[2]);
    else
        snprintf(e->label, sizeof e->label, "%s receipt %s", f[0], f[1]);
    e->amount = v;
    e->magnitude = mag;
    if (s->top_n < TOP_EXCEPTIONS)
        s->top_n++;
    return RECON_OK;
}

/* refunds.csv.gz: reason 1, amount 2. */
static recon_status tally_refund(summary_figures *s, char *const *f, const fen_t *fen,
                                 err_t *err)
{
    return tally_add(&s->refunds, f[1], fen[2], err);
}

/* Fen as decimal yuan inside SQL text (numeric is exact). */
#define YUAN(x) "((" x ")::numeric / 100)::numeric(20, 2)::text"

static const report_spec reports[REPORT_FILES - 1] = {
    {"receipts.csv.gz",
     "receipt_id,source,file,booking_date,amount,currency,direction,payer,policy_no,outcome,"
     "allocated,unapplied,note",
     NULL, /* write_receipts */
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT, COL_TEXT, COL_NAME, COL_TEXT,
      COL_TEXT, COL_MONEY, COL_MONEY, COL_TEXT},
     tally_receipt},
    {"policies.csv.gz",
     "policy_no,status,status_since,next_due_date,oldest_unpaid_due_date,days_overdue,arrears,"
     "credit,paid_installments,total_installments",
     "COPY (SELECT policy_no, status, status_since, next_due_date, oldest_unpaid_due_date, "
     "days_overdue, arrears, credit, paid_installments, total_installments FROM policy_status "
     "ORDER BY policy_no) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_MONEY, COL_TEXT,
      COL_TEXT},
     tally_policy},
    {"events.csv.gz", "policy_no,effective_date,from_status,to_status,reason",
     "COPY (SELECT policy_no, effective_date, from_status, to_status, reason FROM status_events "
     "WHERE known_from = " AS_OF " ORDER BY policy_no, seq, "
     "effective_date) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT},
     NULL},
    {"exceptions.csv.gz", "kind,receipt_id,policy_no,amount,detail",
     "COPY (SELECT kind, receipt_id, policy_no, amount, detail FROM ("
     "  SELECT r.match_result AS kind, r.receipt_id::text AS receipt_id, '' AS policy_no, "
     "  r.amount, r.match_note AS detail FROM receipts r WHERE r.match_result IN "
     "  ('unidentified', 'ambiguous', 'currency') AND " KNOWN_ON("<=")
     "  UNION ALL SELECT 'refund_due', '', f.policy_no, f.amount, f.reason || ': ' || f.detail "
     "  FROM refunds_due f "
     "  UNION ALL SELECT 'settlement', c.receipt_id::text, '', c.difference, c.provider || "
     "  ' statement for ' || c.settled_day || CASE WHEN c.provider_rows = 0 THEN "
     "  ' not received' ELSE ': gross ' || " YUAN("c.gross") " || ' - fees ' || " YUAN("c.fees")
     " || ', credited ' || " YUAN("c.credited") " END FROM settlement_checks c JOIN receipts r "
     "  USING (receipt_id) WHERE (c.difference <> 0 OR c.provider_rows = 0) AND "
     KNOWN_ON("<=")
     /* detail last: a policy can owe a cancellation and an excess refund, rows that tie on
      * the first three keys and would otherwise come in whatever order the plan left them */
     "  ) e ORDER BY kind, receipt_id, policy_no, detail) TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT},
     tally_exception},
    {"refunds.csv.gz", "policy_no,reason,amount,due_by",
     "COPY (SELECT policy_no, reason, amount, due_by FROM refunds_due ORDER BY policy_no, reason) "
     "TO STDOUT",
     {COL_TEXT, COL_TEXT, COL_MONEY, COL_TEXT},
     tally_refund},
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

/* Formats a row's money (from fen) and name columns, then writes it. */
static recon_status emit_row(gzcsv_t *g, const report_spec *spec, char **f, const fen_t *fen,
                             size_t n, bool unmasked, err_t *err)
{
    char money[MAX_COLUMNS][MONEY_STR_SIZE], masked[MAX_COLUMNS][128];
    for (size_t i = 0; i < n; i++) {
        if (spec->kinds[i] == COL_MONEY && *f[i]) {
            money_format(fen[i], money[i]);
            f[i] = money[i];
        } else if (spec->kinds[i] == COL_NAME && !unmasked) {
            mask_name(f[i], masked[i], sizeof masked[i]);
            f[i] = masked[i];
        }
    }
    return gzcsv_row(g, (const char *const *)f, n, err);
}

/* A whole integer field (fen, an id, a count); false for anything else. */
static bool parse_int(const char *s, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

static recon_status write_report(db_t *db, const char *dir, const report_spec *spec, bool unmasked,
                                 summary_figures *sum, manifest_entry *entry, err_t *err)
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
        fen_t fen[MAX_COLUMNS] = {0};
        if (!db_copy_split((char *)line, f, n)) {
            st = err_set(err, RECON_EINTERNAL, "%s: unexpected row shape", spec->name);
            failed = true;
            continue;
        }
        for (size_t i = 0; i < n && !failed; i++) {
            long long v = 0;
            if (spec->kinds[i] == COL_MONEY && *f[i]) {
                if (!parse_int(f[i], &v)) {
                    st = err_set(err, RECON_EINTERNAL, "%s: amount '%s' is not fen", spec->name,
                                 f[i]);
                    failed = true;
                }
                fen[i] = v;
            }
        }
        if (!failed && spec->hook != NULL && (st = spec->hook(sum, f, fen, err)) != RECON_OK)
            failed = true;
        if (!failed && (st = emit_row(g, spec, f, fen, n, unmasked, err)) != RECON_OK)
            failed = true;
    }
    if (failed) {
        gzcsv_abort(g);
        return st;
    }
    entry->name = spec->name;
    return gzcsv_close(g, entry->sha256_hex, err);
}

/* ---- receipts.csv.gz: the merge of the day's receipts with their allocations ---------------- */

/* What a receipt's allocations say, with the meaning of the aggregate it replaces: sums of the
 * amounts to installments and to 0 (unapplied), the latest and earliest due date among the
 * installments paid that the schedule has, and whether one of those is beyond the policy's
 * paid installments (still open). */
typedef struct receipt_allocs {
    fen_t allocated, unapplied;
    date_t latest_due, earliest_due; /* DATE_NONE: no installment */
    bool open_installment;
} receipt_allocs;

/* Schedules by policy terms. Policies share terms (a start date, its default end, a mode:
 * a few hundred combinations a year), so a small table keyed by them spares recomputing a
 * schedule for nearly every receipt. */
#define SCHEDULE_SLOTS 1024

typedef struct schedule_entry {
    bool valid, ok;
    char mode[8], start[DATE_STR_SIZE], end[DATE_STR_SIZE];
    size_t count;
    date_t due[SCHEDULE_MAX_INSTALLMENTS];
} schedule_entry;

typedef struct schedule_cache {
    schedule_entry slot[SCHEDULE_SLOTS];
} schedule_cache;

static size_t terms_hash(const char *mode, const char *start, const char *end)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *parts[] = {mode, start, end}, **p = parts; p < parts + 3; p++)
        for (const char *c = *p; *c; c++)
            h = (h ^ (unsigned char)*c) * 16777619u;
    return h % SCHEDULE_SLOTS;
}

/* The due date of installment n under the terms in f (payment_mode 4, start 5, end 6), or
 * DATE_NONE when the schedule has no such installment (or the policy is unknown). */
static recon_status due_date_of(schedule_cache *c, char *const *f, long long n, date_t *due,
                                err_t *err)
{
    *due = DATE_NONE;
    if (!*f[4])
        return RECON_OK; /* no such policy: as the outer join with installments found none */
    schedule_entry *e = &c->slot[terms_hash(f[4], f[5], f[6])];
    if (!e->valid || strcmp(e->mode, f[4]) != 0 || strcmp(e->start, f[5]) != 0 ||
        strcmp(e->end, f[6]) != 0) {
        policy_terms t;
        memset(&t, 0, sizeof t);
        if (strcmp(f[4], "monthly") == 0)
            t.mode = PAYMENT_MONTHLY;
        else if (strcmp(f[4], "single") == 0)
            t.mode = PAYMENT_SINGLE;
        else
            return err_set(err, RECON_EINTERNAL, "receipts: payment mode '%s'", f[4]);
        if (strlen(f[5]) != DATE_STR_SIZE - 1 || strlen(f[6]) != DATE_STR_SIZE - 1 ||
            !date_parse(f[5], strlen(f[5]), &t.start_date) ||
            !date_parse(f[6], strlen(f[6]), &t.end_date))
            return err_set(err, RECON_EINTERNAL, "receipts: policy period '%s'..'%s'", f[5], f[6]);
        snprintf(e->mode, sizeof e->mode, "%s", f[4]);
        memcpy(e->start, f[5], DATE_STR_SIZE);
        memcpy(e->end, f[6], DATE_STR_SIZE);
        e->ok = schedule_due_dates(&t, e->due, SCHEDULE_MAX_INSTALLMENTS, &e->count);
        e->valid = true;
    }
    if (e->ok && n >= 1 && (size_t)n <= e->count)
        *due = e->due[n - 1];
    return RECON_OK;
}

/* Adds one allocation row (see DAY_ALLOCATIONS_SQL) to a receipt's figures. */
static recon_status add_allocation(receipt_allocs *a, schedule_cache *c, char *const *f,
                                   long long installment, err_t *err)
{
    long long amount = 0, paid = 0;
    if (!parse_int(f[2], &amount))
        return err_set(err, RECON_EINTERNAL, "receipts: allocation amount '%s'", f[2]);
    if (installment == 0)
        return add_fen(&a->unapplied, amount, err);
    recon_status st = add_fen(&a->allocated, amount, err);
    date_t due = DATE_NONE;
    if (st == RECON_OK)
        st = due_date_of(c, f, installment, &due, err);
    if (st != RECON_OK || due == DATE_NONE)
        return st;
    if (a->latest_due == DATE_NONE || due > a->latest_due)
        a->latest_due = due;
    if (a->earliest_due == DATE_NONE || due < a->earliest_due)
        a->earliest_due = due;
    if (*f[3] && parse_int(f[3], &paid) && paid < installment)
        a->open_installment = true;
    return RECON_OK;
}

/* The outcome of a receipt as of the report date, from matching and allocation: prepaid when
 * all of it went to installments not yet due, overpaid when it paid what was due and the rest
 * is credit for later installments (or is held unapplied), refund_due when what is left over
 * is to be paid back, partial when an installment it paid is still short. */
static const char *receipt_outcome(const char *decided, bool excess_refund,
                                   const receipt_allocs *a, date_t as_of)
{
    if (*decided)
        return decided; /* duplicate, reversal, or what matching found (unidentified, ...) */
    if (a->unapplied > 0)
        return excess_refund ? "refund_due" : "overpaid";
    if (a->latest_due != DATE_NONE && a->latest_due > as_of)
        return a->earliest_due <= as_of ? "overpaid" : "prepaid";
    return a->open_installment ? "partial" : "matched";
}

/* One stream of the merge: a COPY in progress and its current row, split. */
typedef struct copy_stream {
    db_t *db;
    const char *name; /* for messages */
    const char *sql;
    size_t columns;
    bool sent; /* sent, not yet known to have started */
    bool done; /* not started, or read to its end */
    long long id; /* receipt_id of the current row */
    char *f[MAX_COLUMNS];
} copy_stream;

static recon_status stream_next(copy_stream *s, err_t *err)
{
    const char *line = NULL;
    size_t len = 0;
    recon_status st = db_copy_out_next(s->db, &line, &len, err);
    if (st != RECON_OK) {
        s->done = true; /* db_copy_out_next has ended the COPY */
        return st;
    }
    if (line == NULL) {
        s->done = true;
        return RECON_OK;
    }
    if (!db_copy_split((char *)line, s->f, s->columns) || !parse_int(s->f[0], &s->id))
        return err_set(err, RECON_EINTERNAL, "%s: unexpected row shape", s->name);
    return RECON_OK;
}

static recon_status stream_send(copy_stream *s, err_t *err)
{
    recon_status st = db_copy_out_send(s->db, s->sql, err);
    s->sent = st == RECON_OK;
    return st;
}

/* Waits for a sent stream to start and reads its first row. */
static recon_status stream_start(copy_stream *s, err_t *err)
{
    s->sent = false;
    recon_status st = db_copy_out_started(s->db, s->sql, err);
    if (st != RECON_OK)
        return st;
    s->done = false;
    return stream_next(s, err);
}

/* The two streams of receipts.csv.gz, each on a connection of its own. */
typedef struct receipt_streams {
    copy_stream day;    /* DAY_RECEIPTS_SQL */
    copy_stream allocs; /* DAY_ALLOCATIONS_SQL; done from the start when the day is empty */
} receipt_streams;

/* Sends both queries and returns without reading: the servers sort and join while the other
 * reports are written. The estimates of these queries cannot know the day (the date is a
 * setting, and a night may hold every receipt or a handful), so nested loops are ruled out: a
 * nested loop over a day of a million receipts is what made this report take minutes. */
static recon_status receipts_send(receipt_streams *rs, db_t *day_db, db_t *alloc_db, err_t *err)
{
    *rs = (receipt_streams){
        .day = {.db = day_db, .name = "day receipts", .sql = DAY_RECEIPTS_SQL,
                .columns = DAY_RECEIPT_COLUMNS, .done = true},
        .allocs = {.db = alloc_db, .name = "day allocations", .sql = DAY_ALLOCATIONS_SQL,
                   .columns = DAY_ALLOCATION_COLUMNS, .done = true},
    };
    PGresult *res = NULL;
    recon_status st;
    if ((st = db_exec(day_db, "SET LOCAL enable_nestloop = off", err)) != RECON_OK ||
        (st = db_exec(alloc_db, "SET LOCAL enable_nestloop = off", err)) != RECON_OK ||
        (st = stream_send(&rs->day, err)) != RECON_OK ||
        (st = db_query(alloc_db, DAY_RANGE_SQL, 0, NULL, 2, &res, err)) != RECON_OK)
        return st;
    if (!PQgetisnull(res, 0, 0)) {
        const char *range[] = {PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1)};
        PGresult *set = NULL;
        st = db_query(alloc_db,
                      "SELECT set_config('recon.first_receipt', $1::bigint::text, true), "
                      "set_config('recon.last_receipt', $2::bigint::text, true)",
                      2, range, 2, &set, err);
        PQclear(set);
        if (st == RECON_OK)
            st = stream_send(&rs->allocs, err);
    }
    PQclear(res);
    return st;
}

/* Merges the two streams into receipts.csv.gz. On failure the streams may be left unread: their
 * connections are closed, not reused. */
static recon_status write_receipts(receipt_streams *rs, const char *dir, date_t as_of,
                                   const report_spec *spec, bool unmasked, summary_figures *sum,
                                   manifest_entry *entry, err_t *err)
{
    char header[512];
    const char *cols[MAX_COLUMNS];
    size_t n = split_header(spec->header, header, sizeof header, cols);
    copy_stream *w = &rs->day, *x = &rs->allocs;
    gzcsv_t *g = NULL;
    schedule_cache *cache = NULL;
    recon_status st = gzcsv_open(dir, spec->name, &g, err);
    if (st != RECON_OK)
        return st;
    if ((st = gzcsv_header(g, cols, n, err)) != RECON_OK ||
        (st = stream_start(w, err)) != RECON_OK ||
        (x->sent && (st = stream_start(x, err)) != RECON_OK))
        goto fail;
    if ((cache = calloc(1, sizeof *cache)) == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto fail;
    }
    for (bool first = true;; first = false) {
        if (!first && (st = stream_next(w, err)) != RECON_OK)
            goto fail;
        if (w->done)
            break;
        /* Allocations of receipts before this one are not the day's (the range may hold
         * receipts of other nights); those of this one make its figures. */
        receipt_allocs a = {.latest_due = DATE_NONE, .earliest_due = DATE_NONE};
        while (!x->done && x->id <= w->id) {
            if (x->id == w->id) {
                long long installment = 0;
                if (!parse_int(x->f[1], &installment)) {
                    st = err_set(err, RECON_EINTERNAL, "receipts: installment '%s'", x->f[1]);
                    goto fail;
                }
                if ((st = add_allocation(&a, cache, x->f, installment, err)) != RECON_OK)
                    goto fail;
            }
            if ((st = stream_next(x, err)) != RECON_OK)
                goto fail;
        }
        char *f[MAX_COLUMNS];
        fen_t fen[MAX_COLUMNS] = {0};
        long long amount = 0;
        if (!parse_int(w->f[4], &amount)) {
            st = err_set(err, RECON_EINTERNAL, "receipts: amount '%s' is not fen", w->f[4]);
            goto fail;
        }
        for (size_t i = 0; i < 9; i++)
            f[i] = w->f[i];
        f[9] = (char *)receipt_outcome(w->f[9], strcmp(w->f[10], "t") == 0, &a, as_of);
        f[10] = f[11] = (char *)"fen"; /* emit_row writes money columns from fen[] */
        f[12] = w->f[11];
        fen[4] = amount;
        fen[10] = a.allocated;
        fen[11] = a.unapplied;
        if ((st = tally_receipt(sum, f, fen, err)) != RECON_OK ||
            (st = emit_row(g, spec, f, fen, n, unmasked, err)) != RECON_OK)
            goto fail;
    }
    while (!x->done) /* allocations after the day's last receipt */
        if ((st = stream_next(x, err)) != RECON_OK)
            goto fail;
    free(cache);
    entry->name = spec->name;
    return gzcsv_close(g, entry->sha256_hex, err);
fail:
    free(cache);
    gzcsv_abort(g);
    return st;
}

/* One summary line: a label, a count (may be empty) and an amount in fen (NULL: none). */
static void summary_line(buf_t *text, const char *label, const char *count, const fen_t *fen)
{
    char amount[MONEY_STR_SIZE] = "";
    if (fen != NULL)
        money_format(*fen, amount);
    buf_printf(text, "  %-40s %10s %16s\n", label, count, amount);
}

static int tally_cmp(const void *a, const void *b)
{
    return strcmp(((const tally_group *)a)->key, ((const tally_group *)b)->key);
}

/* A section listing count and amount by group, in the byte order of the group names (the
 * order the summary's GROUP BY ... ORDER BY gave: every name in these lists differs from the
 * others in a letter before any '_', so every collation agrees with it). */
static void summary_tally(buf_t *text, const char *title, tally *t)
{
    buf_printf(text, "%s\n", title);
    if (t->n == 0)
        buf_printf(text, "  none\n");
    qsort(t->g, t->n, sizeof t->g[0], tally_cmp);
    for (size_t i = 0; i < t->n; i++) {
        char count[32];
        snprintf(count, sizeof count, "%lld", t->g[i].count);
        summary_line(text, t->g[i].key, count, &t->g[i].fen);
    }
    buf_printf(text, "\n");
}

/* A section from a query of three text columns: label, count, and an amount in fen (or, with
 * text_last, free text). */
static recon_status summary_query(db_t *db, buf_t *text, const char *title, const char *sql,
                                  bool text_last, err_t *err)
{
    PGresult *res = NULL;
    recon_status st = db_query(db, sql, 0, NULL, 3, &res, err);
    if (st != RECON_OK)
        return st;
    buf_printf(text, "%s\n", title);
    int rows = PQntuples(res);
    if (rows == 0)
        buf_printf(text, "  none\n");
    for (int r = 0; r < rows; r++) {
        const char *v = PQgetvalue(res, r, 2);
        if (text_last) {
            buf_printf(text, "  %-40s %10s  %s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
                       v);
            continue;
        }
        long long value = 0;
        if (*v && !parse_int(v, &value)) {
            st = err_set(err, RECON_EDATA, "summary: %s: amount %.40s fen is beyond 64 bits",
                         PQgetvalue(res, r, 0), v);
            break;
        }
        fen_t fen = value;
        summary_line(text, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), *v ? &fen : NULL);
    }
    buf_printf(text, "\n");
    PQclear(res);
    return st;
}

/* A few figures for a person reading the morning report. Most come from the rows of the
 * reports just written (summary_figures); the rest are small queries of their own. */
static recon_status write_summary(db_t *db, const char *dir, const char *day,
                                  summary_figures *sum, manifest_entry *entry, err_t *err)
{
    buf_t text = BUF_INIT;
    recon_status st;
    buf_printf(&text, "recon daily summary for %s\n\n", day);
    summary_tally(&text, "policies by status", &sum->statuses);
    summary_tally(&text, "receipts of the day by outcome", &sum->outcomes);
    buf_printf(&text, "money of the day (in, allocated to installments, unapplied)\n");
    summary_line(&text, "money in", "", &sum->money_in);
    summary_line(&text, "allocated", "", &sum->allocated);
    summary_line(&text, "unapplied", "", &sum->unapplied);
    buf_printf(&text, "\n");
    summary_tally(&text, "money in suspense (unidentified, ambiguous, other currency)",
                  &sum->suspense);
    summary_tally(&text, "refunds due", &sum->refunds);
    if ((st = summary_query(
             db, &text, "statement files of the day",
             "SELECT file_name, CASE WHEN status = 'stored' THEN format ELSE 'REJECTED' END, "
             "CASE WHEN status = 'stored' THEN receipt_count || ' receipts, ' || duplicate_count "
             "|| ' duplicates' ELSE rejection_reason END FROM statement_files WHERE "
             "business_date = " AS_OF " ORDER BY file_name, sha256",
             true, err)) != RECON_OK ||
        (st = summary_query(
             db, &text, "statement balance checks (opening + credits - debits = closing)",
             "SELECT s.source || ' ' || s.statement_id, CASE WHEN s.opening_balance IS NULL OR "
             "s.closing_balance IS NULL THEN 'no balances' WHEN s.opening_balance::numeric + "
             "s.credit_total - s.debit_total = s.closing_balance THEN 'balanced' ELSE "
             "'DIFFERENCE' END, (coalesce(s.opening_balance, 0)::numeric + s.credit_total - "
             "s.debit_total - coalesce(s.closing_balance, 0))::text FROM statements s JOIN "
             "statement_files f USING (file_id) WHERE f.business_date = " AS_OF " "
             /* ties (one account, many statements) by file and position, never by
              * where the rows happen to lie on disk */
             "ORDER BY 1, f.file_name, f.sha256, s.seq",
             false, err)) != RECON_OK ||
        (st = summary_query(
             db, &text, "provider settlements (credited = provider gross - fees)",
             "SELECT c.provider || ' ' || c.settled_day || ' receipt ' || c.receipt_id, CASE "
             "WHEN c.provider_rows = 0 THEN 'no statement' WHEN c.difference = 0 THEN 'agrees' "
             "ELSE 'DIFFERENCE' END, c.difference::text FROM settlement_checks c JOIN receipts r "
             "USING (receipt_id) WHERE " KNOWN_ON("=") " ORDER BY c.receipt_id",
             false, err)) != RECON_OK)
        goto out;
    buf_printf(&text, "top exceptions (largest amounts first)\n");
    if (sum->top_n == 0)
        buf_printf(&text, "  none\n");
    for (size_t i = 0; i < sum->top_n; i++)
        summary_line(&text, sum->top[i].label, "", &sum->top[i].amount);
    buf_printf(&text, "\n");
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

/* Planner settings for the report's transactions. JIT compilation costs more than it saves on
 * these scans (a fifth of a second per large statement), and parallel workers would only
 * compete with recon's own threads and connections on the two-core machines it runs on. */
#define REPORT_SETTINGS "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"

/* Another connection to the same database (db's own parameters, password included) in a
 * transaction that sees exactly what db's sees: its exported snapshot. */
static recon_status open_twin(db_t *db, const char *day, db_t **twin, err_t *err)
{
    *twin = NULL;
    PGresult *res = NULL;
    recon_status st = db_query(db, "SELECT pg_export_snapshot()", 0, NULL, 1, &res, err);
    if (st != RECON_OK)
        return st;
    char snapshot[80];
    snprintf(snapshot, sizeof snapshot, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    /* SET TRANSACTION SNAPSHOT takes no parameters, so the server's snapshot name is the one
     * value spelled into SQL here: it must look like one ("0000000A-0000001F-1"), nothing
     * that could end the literal. */
    size_t len = strlen(snapshot);
    if (len == 0 || len > 64 || strspn(snapshot, "0123456789ABCDEFabcdef-") != len)
        return err_set(err, RECON_EINTERNAL, "unexpected snapshot name '%s'", snapshot);

    buf_t conninfo = BUF_INIT;
    PQconninfoOption *opts = PQconninfo(db_pgconn(db));
    bool ok = opts != NULL && buf_append_str(&conninfo, ""); /* "" when nothing is set */
    for (PQconninfoOption *o = opts; ok && o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0' || o->dispchar[0] == 'D') /* D: debug only */
            continue;
        ok = buf_printf(&conninfo, "%s='", o->keyword);
        for (const char *c = o->val; ok && *c; c++) {
            if (*c == '\\' || *c == '\'')
                ok = buf_append_char(&conninfo, '\\');
            ok = ok && buf_append_char(&conninfo, *c);
        }
        ok = ok && buf_append_str(&conninfo, "' ");
    }
    PQconninfoFree(opts);
    if (ok && (st = db_connect(conninfo.data, twin, err)) != RECON_OK)
        err_prefix(err, "report: another connection: ");
    else if (!ok)
        st = err_set(err, RECON_EINTERNAL, "out of memory");
    if (conninfo.data != NULL)
        memset(conninfo.data, 0, conninfo.len); /* it may hold the password */
    buf_free(&conninfo);
    if (st != RECON_OK)
        return st;

    char sql[128];
    snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT '%s'", snapshot);
    const char *params[] = {day};
    if ((st = db_exec(*twin, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != RECON_OK ||
        (st = db_exec(*twin, sql, err)) != RECON_OK ||
        (st = db_exec(*twin, REPORT_SETTINGS, err)) != RECON_OK ||
        (st = db_query(*twin, "SELECT set_config('recon.as_of', $1::date::text, true)", 1,
                       params, 1, &res, err)) != RECON_OK) {
        db_close(*twin);
        *twin = NULL;
        return st;
    }
    PQclear(res);
    return RECON_OK;
}

recon_status report_day(db_t *db, const char *out_dir, date_t as_of, bool unmasked, err_t *err)
{
    char day[DATE_STR_SIZE], dir[4096];
    date_format(as_of, day);
    /* Refused before any file is written: a day whose money could overflow the totals
     * (recon process refuses it too, so this catches data changed since).
     * OUT/DATE is then checked (a real directory of this user, not a link, not writable by
     * others); each report opens it again without following a link and writes through
     * unique temporaries (reports/gzcsv.h), so nothing planted there redirects a write. */
    int dirfd = -1;
    recon_status st = money_check_day(db, as_of, err);
    if (st == RECON_OK)
        st = job_out_dir(out_dir, day, dir, sizeof dir, &dirfd, err);
    if (st != RECON_OK)
        return st;
    safefile_sweep(dirfd, JOB_STALE_TEMP_SECONDS);
    close(dirfd);
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
    /* One snapshot for every file of the report, shared by two more connections that prepare
     * the receipts streams (a sort, hash joins; most of the report's database time) while this
     * one writes the other reports: on two cores, the server's work and the compression of
     * the reports then overlap instead of taking turns. */
    if ((st = db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != RECON_OK)
        return st;
    progress_begin("report %s", day);
    db_t *twin_day = NULL, *twin_allocs = NULL;
    receipt_streams rs;
    manifest_entry entries[REPORT_FILES];
    size_t count = 0;
    summary_figures sum;
    memset(&sum, 0, sizeof sum);
    if ((st = db_exec(db, REPORT_SETTINGS, err)) == RECON_OK &&
        (st = open_twin(db, day, &twin_day, err)) == RECON_OK &&
        (st = open_twin(db, day, &twin_allocs, err)) == RECON_OK)
        st = receipts_send(&rs, twin_day, twin_allocs, err);
    for (size_t i = 1; i < REPORT_FILES - 1 && st == RECON_OK; i++)
        st = write_report(db, dir, &reports[i], unmasked, &sum, &entries[count++], err);
    if (st == RECON_OK)
        st = write_receipts(&rs, dir, as_of, &reports[0], unmasked, &sum, &entries[count++], err);
    if (st == RECON_OK)
        st = write_summary(db, dir, day, &sum, &entries[count++], err);
    if (st == RECON_OK)
        st = write_inputs(db, dir, err);
    db_close(twin_day); /* ends its transaction, and any stream left unread after a failure */
    db_close(twin_allocs);
    db_rollback(db);
    progress_end();
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
