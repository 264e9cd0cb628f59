#include "jobs/match.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define DEFAULT_PATTERN "P[0-9]{13}"
#define MAX_CANDIDATES 4
#define CANDIDATE_MAX 64

enum { F_ID, F_CURRENCY, F_REVERSAL, F_CREDREF, F_E2E, F_ORDER, F_REMIT, F_PAYER_ACCOUNT,
       F_COUNT };

typedef struct candidates {
    char v[MAX_CANDIDATES][CANDIDATE_MAX];
    size_t n;
    bool overflow;
} candidates;

static void add_candidate(candidates *c, const char *s, size_t len)
{
    if (len >= CANDIDATE_MAX)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->v[i]) == len && memcmp(c->v[i], s, len) == 0)
            return;
    if (c->n == MAX_CANDIDATES) {
        c->overflow = true;
        return;
    }
    memcpy(c->v[c->n], s, len);
    c->v[c->n][len] = '\0';
    c->n++;
}

/* Every distinct policy number the pattern finds in text. */
static void scan(const regex_t *re, const char *text, candidates *c)
{
    const char *p = text;
    regmatch_t m;
    while (*p && regexec(re, p, 1, &m, p == text ? 0 : REG_NOTBOL) == 0) {
        if (m.rm_eo == m.rm_so)
            break;
        add_candidate(c, p + m.rm_so, (size_t)(m.rm_eo - m.rm_so));
        p += m.rm_eo;
    }
}

/* Entries are ACCOUNT or PROVIDER:ACCOUNT; the provider part only matters to
 * the settlement check. */
static bool in_list(const char *list, const char *value)
{
    if (list == NULL || *value == '\0')
        return false;
    size_t n = strlen(value);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        const char *account = colon ? colon + 1 : p;
        size_t account_len = len - (size_t)(account - p);
        if (account_len == n && memcmp(account, value, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

struct match_rules {
    regex_t re;
    const char *settlement;
};

recon_status match_rules_new(match_rules **out, err_t *err)
{
    *out = NULL;
    const char *pattern = getenv("RECON_POLICY_PATTERN");
    if (pattern == NULL || *pattern == '\0')
        pattern = DEFAULT_PATTERN;
    match_rules *m = calloc(1, sizeof *m);
    if (m == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (regcomp(&m->re, pattern, REG_EXTENDED) != 0) {
        free(m);
        return err_set(err, RECON_EUSAGE, "RECON_POLICY_PATTERN: '%s' is not a valid pattern",
                       pattern);
    }
    m->settlement = getenv("RECON_SETTLEMENT_ACCOUNTS");
    *out = m;
    return RECON_OK;
}

void match_rules_free(match_rules *m)
{
    if (m == NULL)
        return;
    regfree(&m->re);
    free(m);
}

void match_decide(const match_rules *m, const match_fields *f, match_decision *d)
{
    candidates c = {0};
    d->result = NULL;
    d->policy_no[0] = '\0';
    d->note[0] = '\0';
    if (strcmp(f->currency, "CNY") != 0) {
        d->result = "currency";
        snprintf(d->note, sizeof d->note, "currency %s is not applied", f->currency);
        return;
    }
    if (in_list(m->settlement, f->payer_account)) {
        d->result = "settlement";
        snprintf(d->note, sizeof d->note, "credit from a payment-provider settlement account");
        return;
    }
    scan(&m->re, f->creditor_reference, &c);
    scan(&m->re, f->end_to_end_id, &c);
    scan(&m->re, f->merchant_order_no, &c);
    const char *how = "reference";
    if (c.n == 0) {
        scan(&m->re, f->remittance, &c);
        how = "remittance text";
    }
    if (c.n > 1 || c.overflow) {
        d->result = "ambiguous";
        snprintf(d->note, sizeof d->note, "%s names %s and %s", how, c.v[0], c.v[1]);
    } else if (c.n == 1) {
        d->result = f->reversal ? "reversal" : "identified";
        memcpy(d->policy_no, c.v[0], sizeof c.v[0]);
        snprintf(d->note, sizeof d->note, "policy number in %s", how);
    } else if (f->reversal) {
        d->result = "reversal";
    }
    /* result NULL: the payer account decides, in SQL, at process time */
}

/* One receipt of the unmatched stream as a match_in row. */
static bool classify(const match_rules *m, char **f, buf_t *out)
{
    match_fields in = {f[F_CURRENCY],  strcmp(f[F_REVERSAL], "t") == 0,
                       f[F_CREDREF],   f[F_E2E],
                       f[F_ORDER],     f[F_REMIT],
                       f[F_PAYER_ACCOUNT]};
    match_decision d;
    match_decide(m, &in, &d);
    return db_copy_field(out, f[F_ID], false) &&
           (d.policy_no[0] ? db_copy_field(out, d.policy_no, false) : db_copy_null(out, false)) &&
           (d.result ? db_copy_field(out, d.result, false) : db_copy_null(out, false)) &&
           db_copy_field(out, d.note, true);
}

/* Receipts no run has processed yet: in a file not yet stamped with its
 * night, or entered by hand and not yet stamped. */
#define NEW_RECEIPTS "receipts_known n WHERE n.known_on IS NULL"

/* The receipts still undecided (stored before ingest decided, or left to the
 * payer account) go through match_decide again and then the SQL steps. */
static recon_status match_undecided(db_t *db, err_t *err)
{
    match_rules *rules = NULL;
    recon_status st = match_rules_new(&rules, err);
    if (st != RECON_OK)
        return st;
    buf_t rows = BUF_INIT;
    st = db_copy_out_begin(
        db,
        "COPY (SELECT receipt_id, currency, reversal, creditor_reference, end_to_end_id, "
        "merchant_order_no, remittance, payer_account FROM receipts WHERE match_result IS NULL "
        "ORDER BY receipt_id) TO STDOUT",
        err);
    bool failed = false;
    while (st == RECON_OK) {
        const char *line = NULL;
        size_t len = 0;
        if ((st = db_copy_out_next(db, &line, &len, err)) != RECON_OK || line == NULL)
            break;
        char *f[F_COUNT];
        if (failed)
            continue;
        if (!db_copy_split((char *)line, f, F_COUNT)) {
            failed = true;
            err_set(err, RECON_EINTERNAL, "unexpected receipt row shape");
            continue;
        }
        if (!classify(rules, f, &rows)) {
            failed = true;
            err_set(err, RECON_EINTERNAL, "out of memory");
        }
    }
    match_rules_free(rules);
    if (st == RECON_OK && failed)
        st = err->status;
    if (st != RECON_OK || rows.len == 0)
        goto out;
    if ((st = db_exec(db,
                      "CREATE TEMP TABLE match_in (receipt_id bigint PRIMARY KEY, candidate text, "
                      "result text, note text) ON COMMIT DROP",
                      err)) != RECON_OK ||
        (st = db_copy_in_begin(db, "COPY match_in FROM STDIN", err)) != RECON_OK)
        goto out;
    if (!buf_append(db_copy_buffer(db), rows.data, rows.len)) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    if ((st = db_copy_in_end(db, NULL, err)) != RECON_OK)
        goto out;
    static const char *const steps[] = {
        "ANALYZE match_in",
        /* a policy number that is not in the register leaves the money unidentified */
        "UPDATE match_in m SET result = 'unidentified', note = 'unknown policy ' || m.candidate, "
        "candidate = NULL WHERE m.candidate IS NOT NULL AND NOT EXISTS (SELECT 1 FROM policies "
        "p WHERE p.policy_no = m.candidate)",
        /* no number at all: the payer account, when exactly one policy holds it
         * (looked up by index for each of the few receipts left) */
        "UPDATE match_in m SET candidate = CASE WHEN a.n = 1 THEN a.policy_no END, result = CASE "
        "WHEN a.n > 1 THEN 'ambiguous' WHEN r.reversal THEN 'reversal' ELSE 'identified' END, "
        "note = CASE WHEN a.n = 1 THEN 'payer account' ELSE 'payer account held by several "
        "policies' END FROM receipts r CROSS JOIN LATERAL (SELECT count(*) AS n, "
        "min(p.policy_no) AS policy_no FROM policies p WHERE p.payer_account = r.payer_account "
        "AND p.payer_account <> '') " /* the index covers only non-empty accounts */
        "a WHERE m.result IS NULL AND r.receipt_id = m.receipt_id AND r.payer_account <> '' AND "
        "a.n > 0",
        "UPDATE match_in SET result = 'unidentified', note = 'no policy number or known payer "
        "account' WHERE result IS NULL",
        "UPDATE receipts r SET policy_no = m.candidate, match_result = m.result, match_note = "
        "m.note FROM match_in m WHERE r.receipt_id = m.receipt_id",
        "DROP TABLE match_in",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && st == RECON_OK; i++)
        st = db_exec(db, steps[i], err);
out:
    buf_free(&rows);
    return st;
}

recon_status match_receipts(db_t *db, match_counts *counts, err_t *err)
{
    memset(counts, 0, sizeof *counts);
    /* Ingest took the policy number from the references without the
     * register; the new receipts naming one it lacks are set apart in one
     * anti-join (the few rows it finds are the only ones rewritten). */
    recon_status st = db_exec(
        db,
        "UPDATE receipts r SET match_result = 'unidentified', match_note = 'unknown policy ' "
        "|| r.policy_no, policy_no = NULL FROM statement_files f WHERE f.business_date IS NULL "
        "AND r.file_id = f.file_id AND r.policy_no IS NOT NULL AND r.match_result IN "
        "('identified', 'reversal') AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no "
        "= r.policy_no)",
        err);
    if (st == RECON_OK)
        st = match_undecided(db, err);
    PGresult *res = NULL;
    if (st != RECON_OK ||
        (st = db_query(db,
                       "SELECT count(*) FILTER (WHERE match_result = 'identified'), count(*) "
                       "FILTER (WHERE match_result = 'unidentified'), count(*) FILTER (WHERE "
                       "match_result = 'ambiguous'), count(*) FILTER (WHERE match_result = "
                       "'currency'), count(*) FILTER (WHERE match_result = 'settlement'), "
                       "count(*) FILTER (WHERE match_result = 'reversal') FROM " NEW_RECEIPTS,
                       0, NULL, 6, &res, err)) != RECON_OK)
        return st;
    long *fields[] = {&counts->identified, &counts->unidentified, &counts->ambiguous,
                      &counts->currency,   &counts->settlement,   &counts->reversal};
    for (int i = 0; i < 6; i++) {
        *fields[i] = strtol(PQgetvalue(res, 0, i), NULL, 10);
        counts->examined += *fields[i];
    }
    PQclear(res);
    return RECON_OK;
}

/* One reference column of the originals against the unpaired reversals: a
 * join on both the source and the reference, so it hashes the few reversals
 * and reads receipts once (joining on the source alone first pairs every
 * receipt with every reversal of its account). */
#define ORIGINALS_BY(column)                                                                    \
    "SELECT w.receipt_id, o.receipt_id AS original FROM unpaired w JOIN receipts o ON "       \
    "o.source = w.source AND o." column " = w.reversal_of WHERE NOT o.reversal AND "          \
    "o.duplicate_of IS NULL"

recon_status match_reversals(db_t *db, long *paired, err_t *err)
{
    *paired = 0;
    /* The unpaired reversals go into an analysed temporary table: planned
     * from an estimate of one row, the joins below became a scan of every
     * receipt per reversal (minutes); with the true count they hash them. */
    PGresult *res = NULL;
    recon_status st;
    if ((st = db_exec(db,
                      "CREATE TEMP TABLE unpaired ON COMMIT DROP AS SELECT receipt_id, source, "
                      "reversal_of FROM receipts WHERE reversal AND reverses IS NULL AND "
                      "duplicate_of IS NULL AND reversal_of <> ''",
                      err)) != RECON_OK ||
        (st = db_query(db, "SELECT count(*) FROM unpaired", 0, NULL, 1, &res, err)) != RECON_OK)
        return st;
    bool none = strcmp(PQgetvalue(res, 0, 0), "0") == 0;
    PQclear(res);
    /* The lowest receipt number wins when a reference is shared, which keeps
     * reruns and replays alike. */
    if (!none &&
        ((st = db_exec(db, "ANALYZE unpaired", err)) != RECON_OK ||
         (st = db_command(
              db,
              "UPDATE receipts v SET reverses = p.original FROM (SELECT DISTINCT ON "
              "(c.receipt_id) c.receipt_id, c.original FROM (" ORIGINALS_BY("transaction_key")
              " UNION ALL " ORIGINALS_BY("provider_txn_id") " UNION ALL "
              ORIGINALS_BY("end_to_end_id") " UNION ALL " ORIGINALS_BY("merchant_order_no")
              ") c ORDER BY c.receipt_id, c.original) p WHERE v.receipt_id = p.receipt_id",
              0, NULL, paired, err)) != RECON_OK))
        return st;
    return db_exec(db, "DROP TABLE unpaired", err);
}
