#include "store/evaluation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "sql_text.h"

#define COLUMNS 12

/* Receipts counted for a policy: CNY money matched to it and known by the
 * evaluation date (its night, receipts_known.known_on, is on or before it;
 * hand-entered receipts not yet processed count as known), so that rerunning
 * an old night sees what that night saw. A reversal whose original is known
 * removes both (the history is recomputed without the original, rules.md
 * section 8); a reversal whose original is not in the database counts as money
 * taken back on its own date. COPY takes no parameters: the date and the
 * policy come from session settings that store_policy_inputs sets through a
 * parameterised query. KNOWN filters the view's known_on, which is the one
 * definition of the night a receipt became known.
 *
 * A row of the stream: the eight POLICY_COLUMNS, the counted money as
 * id:date:amount items joined by ',' (":n" after a receipt first known that
 * night, ":w" after a write-off), the agreement dates joined by ',', the
 * cancellation date (\N when none) and the payment holidays as FROM:UNTIL joined
 * by ','; parse_receipts, parse_agreements and parse_holidays below are the other
 * half. */
#define HOLIDAY_ITEM(alias)                                                                     \
    "string_agg(" alias ".from_date || ':' || " alias ".until_date, ',' ORDER BY " alias        \
    ".from_date, " alias ".until_date)"
/* a sub-select, so the setting is read once per query rather than per row */
#define AS_OF "(SELECT current_setting('recon.eval_as_of')::date)"
#define KNOWN(alias) "(" alias ".known_on IS NULL OR " alias ".known_on <= " AS_OF ")"
#define COUNTED(alias)                                                                          \
    alias ".policy_no IS NOT NULL AND " alias ".currency = 'CNY' AND " alias ".match_result "   \
    "IS DISTINCT FROM 'settlement' AND " KNOWN(alias)
#define POLICY_COLUMNS                                                                          \
    "p.policy_no, p.holder_name, p.payer_account, p.payment_mode, p.start_date, p.end_date, "   \
    "p.premium, p.net_premium"

/* What a policy counts as money, one row each (policy_no, id, date, amount,
 * fresh, kind): its matched receipts that no person's decision in effect
 * governs; the receipts (or the parts of them) a person assigned to it, from
 * their booking date; and its write-offs in effect, as money on the night they
 * took effect (kind 'w', id the decision's). An assignment overrides the
 * automatic match, a refund takes the receipt off every policy, and a
 * decision for a later night than as_of is invisible (decisions_in_effect,
 * schema/014). A part of a split receipt is never fresh: allocations are
 * stored per receipt and installment. WHERE(alias) picks the policies, SCAN(alias)
 * the receipts worth reading for them (a superset, cheaper to test),
 * UNPAIRED(alias) leaves out reversed pairs. */
#define ITEMS_CTE(WHERE, SCAN, UNPAIRED)                                                        \
    "decided AS (SELECT * FROM decisions_in_effect(" AS_OF ")), "                              \
    "items AS (SELECT r.policy_no, r.receipt_id AS id, r.booking_date AS d, r.amount, "        \
    "  r.known_on = " AS_OF " AS fresh, '' AS kind FROM receipts_known r "                    \
    "  WHERE " SCAN("r") " AND " WHERE("r") " AND " COUNTED("r") " AND " UNPAIRED("r") " "     \
    "  AND NOT EXISTS (SELECT 1 FROM decided x WHERE x.receipt_id = r.receipt_id) "            \
    "UNION ALL SELECT e.policy_no, r.receipt_id, r.booking_date, e.amount, "                   \
    "  r.known_on = " AS_OF " AND count(*) OVER (PARTITION BY r.receipt_id) = 1, '' "         \
    "  FROM decided e JOIN receipts_known r ON r.receipt_id = e.receipt_id "                   \
    "  WHERE " WHERE("e") " AND e.action = 'assign' AND r.currency = 'CNY' AND " KNOWN("r")    \
    "  AND " UNPAIRED("r") " "                                                                 \
    "UNION ALL SELECT e.policy_no, e.decision_id, e.effective_on, e.amount, false, 'w' "       \
    "  FROM decided e WHERE " WHERE("e") " AND e.action = 'write_off'), "                      \
    "lists AS (SELECT policy_no, string_agg(id || ':' || d || ':' || amount || CASE WHEN "     \
    "  kind = 'w' THEN ':w' WHEN fresh THEN ':n' ELSE '' END, ',' ORDER BY kind, id) AS list " \
    "  FROM items GROUP BY policy_no) "
#define ANY_POLICY(alias) "true"
/* A narrowing of the receipts read that the base table's scan can apply, for the policies of
 * eval_dirty: those matched to one of them today, and those re-matched away from one (as of
 * an earlier night the view shows them matched to it). */
#define DIRTY_RECEIPTS(alias)                                                                   \
    "(" alias ".policy_no_now IN (SELECT d.policy_no FROM eval_dirty d) OR " alias             \
    ".receipt_id IN (SELECT x.receipt_id FROM receipt_rematches x "                             \
    "  WHERE x.policy_no IN (SELECT d.policy_no FROM eval_dirty d)))"
#define THE_POLICY(alias) alias ".policy_no = current_setting('recon.eval_policy')"
#define NOT_IN_PAIRED(alias)                                                                    \
    "NOT EXISTS (SELECT 1 FROM paired x WHERE x.original_id = " alias ".receipt_id) "          \
    "AND NOT EXISTS (SELECT 1 FROM paired y WHERE y.reversal_id = " alias ".receipt_id)"
#define NOT_REVERSED(alias)                                                                     \
    "NOT EXISTS (SELECT 1 FROM receipts_known v WHERE v.reverses = " alias ".receipt_id "      \
    "  AND " KNOWN("v") ") AND NOT (" alias ".reversal AND EXISTS (SELECT 1 FROM "             \
    "  receipts_known o WHERE o.receipt_id = " alias ".reverses AND " KNOWN("o") "))"

/* Every policy in one pass (or those of the temporary table eval_dirty, for an
 * incremental night): the counted receipts of all policies grouped in one sort
 * and merged with the register in policy order, instead of a correlated lookup
 * per policy (8.6 s of index probes at 1M policies). */
#define COPY_MANY_SQL(WHERE, SCAN)                                                             \
    "COPY (WITH paired AS (SELECT v.receipt_id AS reversal_id, v.reverses AS original_id "     \
    "  FROM receipts_known v JOIN receipts_known o ON o.receipt_id = v.reverses "              \
    "  WHERE v.reverses IS NOT NULL AND " KNOWN("v") " AND " KNOWN("o") "), "                  \
    ITEMS_CTE(WHERE, SCAN, NOT_IN_PAIRED) ", "                                                 \
    "agreed AS (SELECT a.policy_no, string_agg(a.agreed_on::text, ',' ORDER BY a.agreed_on) "  \
    "  AS list FROM reinstatement_agreements a WHERE " WHERE("a") " GROUP BY a.policy_no), "   \
    "held AS (SELECT h.policy_no, " HOLIDAY_ITEM("h") " AS list FROM payment_holidays h "      \
    "  WHERE " WHERE("h") " GROUP BY h.policy_no) "                                            \
    "SELECT " POLICY_COLUMNS ", coalesce(l.list, ''), coalesce(a.list, ''), c.received_on, "   \
    "coalesce(h.list, '') "                                                                    \
    "FROM policies p LEFT JOIN lists l ON l.policy_no = p.policy_no "                          \
    "LEFT JOIN agreed a ON a.policy_no = p.policy_no "                                         \
    "LEFT JOIN cancellation_requests c ON c.policy_no = p.policy_no "                          \
    "LEFT JOIN held h ON h.policy_no = p.policy_no "                                           \
    "WHERE " KNOWN("p") " AND " WHERE("p") " "                                                 \
    "ORDER BY p.policy_no) TO STDOUT"
#define IN_DIRTY(alias) alias ".policy_no IN (SELECT d.policy_no FROM eval_dirty d)"
static const char copy_all_sql[] = COPY_MANY_SQL(ANY_POLICY, ANY_POLICY);
static const char copy_dirty_sql[] = COPY_MANY_SQL(IN_DIRTY, DIRTY_RECEIPTS);

/* One policy (recon status): lookups by its key are cheaper than the pass. */
static const char copy_one_sql[] =
    "COPY (WITH " ITEMS_CTE(THE_POLICY, ANY_POLICY, NOT_REVERSED) " "
    "SELECT " POLICY_COLUMNS ", coalesce((SELECT l.list FROM lists l), ''), "
    "coalesce((SELECT string_agg(a.agreed_on::text, ',' ORDER BY a.agreed_on) "
    "  FROM reinstatement_agreements a WHERE a.policy_no = p.policy_no), ''), "
    "(SELECT c.received_on FROM cancellation_requests c WHERE c.policy_no = p.policy_no), "
    "coalesce((SELECT " HOLIDAY_ITEM("h") " FROM payment_holidays h "
    "  WHERE h.policy_no = p.policy_no), '') "
    "FROM policies p WHERE " THE_POLICY("p") ") TO STDOUT";

/* A value from the database for a one-line message: control bytes shown as '?'. */
static void printable(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++)
        out[o++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    out[o] = '\0';
}

recon_status store_money_check_day(db_t *db, date_t as_of, err_t *err)
{
    char day[DATE_STR_SIZE], bound[32];
    date_format(as_of, day);
    snprintf(bound, sizeof bound, "%lld", (long long)MONEY_MAX_SUM_FEN);
    const char *params[] = {day, bound};
    PGresult *res = NULL;
    bool within = false;
    recon_status st = db_query_bool(db, sql_eval_money_bound, 1, params + 1, &within, err);
    if (st != RECON_OK || within)
        return st;
    if ((st = db_query(db, sql_eval_money_check, 2, params, 2, &res, err)) != RECON_OK)
        return st;
    bool over = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    char count[32];
    snprintf(count, sizeof count, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!over)
        return RECON_OK;
    if ((st = db_query(db, sql_eval_money_largest, 1, params, 4, &res, err)) != RECON_OK)
        return st;
    char names[ERR_MSG_MAX / 2] = "";
    size_t o = 0;
    int n = PQntuples(res);
    for (int i = 0; i < n && o < sizeof names; i++) {
        char source[48], key[48], amount[MONEY_STR_SIZE];
        printable(PQgetvalue(res, i, 1), source, sizeof source);
        printable(PQgetvalue(res, i, 2), key, sizeof key);
        money_format(strtoll(PQgetvalue(res, i, 3), NULL, 10), amount);
        o += (size_t)snprintf(names + o, sizeof names - o, "%sreceipt %s (%s %s, %s)",
                              i ? ", " : "", PQgetvalue(res, i, 0), source, key, amount);
    }
    PQclear(res);
    return err_set(err, RECON_EDATA,
                   "%s: the money of the %s receipts known by then adds up beyond 2^62 fen, more "
                   "than recon sums safely; nothing evaluated; largest: %s; hint: correct or remove "
                   "these receipts (no amount may exceed 1000000000000.00)",
                   day, count, names);
}

/* One policy stream's state: what each row is read for, and the arrays its lists are
 * read into (reused from row to row). */
typedef struct scratch {
    date_t as_of;
    store_policy_fn fn;
    void *ctx;
    eval_receipt *receipts;
    bool *receipt_is_new;
    size_t receipt_cap;
    date_t *agreements;
    size_t agreement_cap;
    payment_holiday *holidays;
    size_t holiday_cap;
} scratch;

static bool parse_i64(const char *s, const char *end, long long *out)
{
    if (s == end)
        return false;
    char tmp[32];
    size_t n = (size_t)(end - s);
    if (n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *e = NULL;
    errno = 0;
    long long v = strtoll(tmp, &e, 10);
    if (errno || *e)
        return false;
    *out = v;
    return true;
}

static recon_status parse_receipts(char *s, scratch *sc, size_t *count, err_t *err)
{
    *count = 0;
    while (*s) {
        char *end = strchr(s, ',');
        if (end == NULL)
            end = s + strlen(s);
        char *c1 = memchr(s, ':', (size_t)(end - s));
        char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
        char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(end - c2 - 1)) : NULL;
        long long id, amount;
        date_t d;
        if (c2 == NULL || !parse_i64(s, c1, &id) || !date_parse(c1 + 1, (size_t)(c2 - c1 - 1), &d) ||
            !parse_i64(c2 + 1, c3 ? c3 : end, &amount) ||
            (c3 && (end - c3 != 2 || (c3[1] != 'n' && c3[1] != 'w'))))
            return err_set(err, RECON_EINTERNAL, "unexpected receipt list from the database");
        /* receipts and receipt_is_new share one room */
        size_t receipts_cap = sc->receipt_cap, new_cap = sc->receipt_cap;
        if (!GROW(sc->receipts, receipts_cap, *count + 1) ||
            !GROW(sc->receipt_is_new, new_cap, *count + 1))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        sc->receipt_cap = receipts_cap < new_cap ? receipts_cap : new_cap;
        bool write_off = c3 != NULL && c3[1] == 'w';
        sc->receipt_is_new[*count] = c3 != NULL && !write_off;
        sc->receipts[(*count)++] = (eval_receipt){d, amount, id, write_off};
        s = *end ? end + 1 : end;
    }
    return RECON_OK;
}

static recon_status parse_agreements(char *s, scratch *sc, size_t *count, err_t *err)
{
    *count = 0;
    while (*s) {
        if (!GROW(sc->agreements, sc->agreement_cap, *count + 1))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        if (!date_parse(s, 10, &sc->agreements[*count]))
            return err_set(err, RECON_EINTERNAL, "unexpected agreement list from the database");
        (*count)++;
        s += 10;
        if (*s == ',')
            s++;
    }
    return RECON_OK;
}

static recon_status parse_holidays(const char *s, scratch *sc, size_t *count, err_t *err)
{
    *count = 0;
    while (*s) {
        if (!GROW(sc->holidays, sc->holiday_cap, *count + 1))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        if (!policy_holiday_next(&s, &sc->holidays[*count]))
            return err_set(err, RECON_EINTERNAL,
                           "unexpected payment holiday list from the database");
        (*count)++;
    }
    return RECON_OK;
}

static recon_status handle_line(void *stream, char *line, size_t len, err_t *err)
{
    (void)len;
    scratch *sc = stream;
    char *f[COLUMNS];
    if (!db_copy_split(line, f, COLUMNS))
        return err_set(err, RECON_EINTERNAL, "unexpected row shape from the database");
    policy_view p = {f[0], f[1], f[2], {0}, NULL};
    fen_t premium, net;
    long long v;
    if (!payment_mode_from_name(f[3], &p.terms.mode) ||
        !date_parse(f[4], strlen(f[4]), &p.terms.start_date) ||
        !date_parse(f[5], strlen(f[5]), &p.terms.end_date) ||
        !parse_i64(f[6], f[6] + strlen(f[6]), &v))
        return err_set(err, RECON_EINTERNAL, "unexpected policy row from the database");
    premium = v;
    if (!parse_i64(f[7], f[7] + strlen(f[7]), &v))
        return err_set(err, RECON_EINTERNAL, "unexpected policy row from the database");
    net = v;
    p.terms.premium = premium;
    p.terms.net_premium = net;
    eval_input in = {.terms = p.terms, .as_of = sc->as_of, .cancellation = DATE_NONE};
    recon_status st = parse_receipts(f[8], sc, &in.receipt_count, err);
    if (st == RECON_OK)
        st = parse_agreements(f[9], sc, &in.agreement_count, err);
    if (st == RECON_OK)
        st = parse_holidays(f[11], sc, &in.holiday_count, err);
    if (st != RECON_OK)
        return st;
    in.receipts = sc->receipts;
    p.receipt_is_new = sc->receipt_is_new;
    in.agreements = sc->agreements;
    in.holidays = sc->holidays;
    if (*f[10] && !date_parse(f[10], strlen(f[10]), &in.cancellation))
        return err_set(err, RECON_EINTERNAL, "unexpected cancellation date from the database");
    return sc->fn(sc->ctx, &p, &in, err);
}

static recon_status policy_stream(db_t *db, date_t as_of, const char *policy_no,
                                  const char *sql, store_policy_fn fn, void *ctx, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {day, policy_no ? policy_no : ""};
    PGresult *set = NULL;
    recon_status st = db_query(db,
                               "SELECT set_config('recon.eval_as_of', $1::date::text, false), "
                               "set_config('recon.eval_policy', $2, false)",
                               2, params, 2, &set, err);
    if (st != RECON_OK)
        return st;
    PQclear(set);
    st = db_copy_out_begin(db, sql, err);
    if (st != RECON_OK)
        return st;
    scratch sc = {.as_of = as_of, .fn = fn, .ctx = ctx};
    st = db_copy_out_each(db, handle_line, &sc, err);
    free(sc.receipts);
    free(sc.receipt_is_new);
    free(sc.agreements);
    free(sc.holidays);
    return st;
}

recon_status store_policy_inputs(db_t *db, date_t as_of, const char *policy_no,
                                 store_policy_fn fn, void *ctx, err_t *err)
{
    return policy_stream(db, as_of, policy_no, policy_no ? copy_one_sql : copy_all_sql, fn, ctx,
                         err);
}

recon_status store_dirty_policy_inputs(db_t *db, date_t as_of, store_policy_fn fn, void *ctx,
                                       err_t *err)
{
    return policy_stream(db, as_of, NULL, copy_dirty_sql, fn, ctx, err);
}
