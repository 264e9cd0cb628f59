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

/* Decides one receipt; the policy number, if any, is checked against the
 * register afterwards in SQL. */
static bool classify(const regex_t *re, const char *settlement, char **f, buf_t *out)
{
    const char *result = NULL, *candidate = NULL, *note = "";
    char notebuf[160];
    candidates c = {0};
    if (strcmp(f[F_CURRENCY], "CNY") != 0) {
        result = "currency";
        snprintf(notebuf, sizeof notebuf, "currency %s is not applied", f[F_CURRENCY]);
        note = notebuf;
    } else if (in_list(settlement, f[F_PAYER_ACCOUNT])) {
        result = "settlement";
        note = "credit from a payment-provider settlement account";
    } else {
        scan(re, f[F_CREDREF], &c);
        scan(re, f[F_E2E], &c);
        scan(re, f[F_ORDER], &c);
        const char *how = "reference";
        if (c.n == 0) {
            scan(re, f[F_REMIT], &c);
            how = "remittance text";
        }
        if (c.n > 1 || c.overflow) {
            result = "ambiguous";
            snprintf(notebuf, sizeof notebuf, "%s names %s and %s", how, c.v[0], c.v[1]);
            note = notebuf;
        } else if (c.n == 1) {
            result = strcmp(f[F_REVERSAL], "t") == 0 ? "reversal" : "identified";
            candidate = c.v[0];
            snprintf(notebuf, sizeof notebuf, "policy number in %s", how);
            note = notebuf;
        } else if (strcmp(f[F_REVERSAL], "t") == 0) {
            result = "reversal";
        }
        /* result NULL: try the payer account in SQL */
    }
    bool ok = db_copy_field(out, f[F_ID], false) &&
              (candidate ? db_copy_field(out, candidate, false) : db_copy_null(out, false)) &&
              (result ? db_copy_field(out, result, false) : db_copy_null(out, false)) &&
              db_copy_field(out, note, true);
    return ok;
}

recon_status match_receipts(db_t *db, match_counts *counts, err_t *err)
{
    memset(counts, 0, sizeof *counts);
    const char *pattern = getenv("RECON_POLICY_PATTERN");
    if (pattern == NULL || *pattern == '\0')
        pattern = DEFAULT_PATTERN;
    const char *settlement = getenv("RECON_SETTLEMENT_ACCOUNTS");
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED) != 0)
        return err_set(err, RECON_EUSAGE, "RECON_POLICY_PATTERN: '%s' is not a valid pattern",
                       pattern);
    buf_t rows = BUF_INIT;
    recon_status st = db_copy_out_begin(
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
        counts->examined++;
        if (!classify(&re, settlement, f, &rows)) {
            failed = true;
            err_set(err, RECON_EINTERNAL, "out of memory");
        }
    }
    regfree(&re);
    if (st == RECON_OK && failed)
        st = err->status;
    if (st != RECON_OK)
        goto out;
    if ((st = db_exec(db,
                      "CREATE TEMP TABLE match_in (receipt_id bigint PRIMARY KEY, candidate text, "
                      "result text, note text) ON COMMIT DROP",
                      err)) != RECON_OK ||
        (st = db_copy_in_begin(db, "COPY match_in FROM STDIN", err)) != RECON_OK)
        goto out;
    buf_t *b = db_copy_buffer(db);
    if (!buf_append(b, rows.data ? rows.data : "", rows.len)) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    if ((st = db_copy_in_end(db, NULL, err)) != RECON_OK)
        goto out;
    static const char *const steps[] = {
        /* a policy number that is not in the register leaves the money unidentified */
        "UPDATE match_in m SET result = 'unidentified', note = 'unknown policy ' || m.candidate, "
        "candidate = NULL WHERE m.candidate IS NOT NULL AND NOT EXISTS (SELECT 1 FROM policies "
        "p WHERE p.policy_no = m.candidate)",
        /* no number at all: the payer account, when exactly one policy holds it */
        "UPDATE match_in m SET candidate = a.policy_no, result = CASE WHEN r.reversal THEN "
        "'reversal' ELSE 'identified' END, note = 'payer account' FROM receipts r, (SELECT "
        "payer_account, min(policy_no) AS policy_no FROM policies WHERE payer_account <> '' "
        "GROUP BY payer_account HAVING count(*) = 1) a WHERE m.result IS NULL AND r.receipt_id = "
        "m.receipt_id AND r.payer_account = a.payer_account",
        "UPDATE match_in m SET result = 'ambiguous', note = 'payer account held by several "
        "policies' FROM receipts r WHERE m.result IS NULL AND r.receipt_id = m.receipt_id AND "
        "r.payer_account IN (SELECT payer_account FROM policies WHERE payer_account <> '' "
        "GROUP BY payer_account HAVING count(*) > 1)",
        "UPDATE match_in SET result = 'unidentified', note = 'no policy number or known payer "
        "account' WHERE result IS NULL",
        "UPDATE receipts r SET policy_no = m.candidate, match_result = m.result, match_note = "
        "m.note FROM match_in m WHERE r.receipt_id = m.receipt_id",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && st == RECON_OK; i++)
        st = db_exec(db, steps[i], err);
    if (st != RECON_OK)
        goto out;
    PGresult *res = NULL;
    if ((st = db_query(db,
                       "SELECT count(*) FILTER (WHERE result = 'identified'), count(*) FILTER "
                       "(WHERE result = 'unidentified'), count(*) FILTER (WHERE result = "
                       "'ambiguous'), count(*) FILTER (WHERE result = 'currency'), count(*) "
                       "FILTER (WHERE result = 'settlement'), count(*) FILTER (WHERE result = "
                       "'reversal') FROM match_in",
                       0, NULL, 6, &res, err)) != RECON_OK)
        goto out;
    counts->identified = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    counts->unidentified = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    counts->ambiguous = strtol(PQgetvalue(res, 0, 2), NULL, 10);
    counts->currency = strtol(PQgetvalue(res, 0, 3), NULL, 10);
    counts->settlement = strtol(PQgetvalue(res, 0, 4), NULL, 10);
    counts->reversal = strtol(PQgetvalue(res, 0, 5), NULL, 10);
    PQclear(res);
    st = db_exec(db, "DROP TABLE match_in", err);
out:
    buf_free(&rows);
    return st;
}

recon_status match_reversals(db_t *db, long *paired, err_t *err)
{
    /* Every reference an original can be known by, as (source, key) rows, so
     * the pairing is one hash join; the lowest receipt number wins when a
     * reference is shared, which keeps reruns and replays alike. */
    return db_command(
        db,
        "UPDATE receipts v SET reverses = p.original FROM (SELECT DISTINCT ON (r.receipt_id) "
        "r.receipt_id, k.receipt_id AS original FROM receipts r JOIN (SELECT o.receipt_id, "
        "o.source, u.key FROM receipts o CROSS JOIN LATERAL unnest(ARRAY[o.transaction_key, "
        "o.provider_txn_id, o.end_to_end_id, o.merchant_order_no]) AS u(key) WHERE NOT "
        "o.reversal AND o.duplicate_of IS NULL AND u.key <> '') k ON k.source = r.source AND "
        "k.key = r.reversal_of WHERE r.reversal AND r.duplicate_of IS NULL AND r.reversal_of <> "
        "'' AND r.reverses IS NULL ORDER BY r.receipt_id, k.receipt_id) p WHERE v.receipt_id = "
        "p.receipt_id",
        0, NULL, paired, err);
}

