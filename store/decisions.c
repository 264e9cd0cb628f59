#include "store/decisions.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"

/* The session's login, whether it is a superuser, and whether it may decide. */
static recon_status session_login(db_t *db, char *login, size_t cap, bool *superuser, bool *may,
                                  err_t *err)
{
    PGresult *res = NULL;
    recon_status st = db_query(db,
                               "SELECT session_user, r.rolsuper, r.rolsuper OR "
                               "pg_has_role(session_user, 'recon_decider', 'MEMBER') "
                               "FROM pg_roles r WHERE r.rolname = session_user",
                               0, NULL, 3, &res, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return err_set(err, RECON_EINTERNAL, "the session's login role is not in pg_roles");
    }
    snprintf(login, cap, "%s", PQgetvalue(res, 0, 0));
    *superuser = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    *may = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
    PQclear(res);
    return RECON_OK;
}

recon_status store_decisions_may_decide(db_t *db, bool *may, char *login, size_t cap, err_t *err)
{
    bool superuser = false;
    return session_login(db, login, cap, &superuser, may, err);
}

recon_status store_decisions_login(db_t *db, char *login, size_t cap, bool *superuser,
                                   err_t *err)
{
    bool may = false;
    return session_login(db, login, cap, superuser, &may, err);
}

recon_status store_decisions_file_known(db_t *db, const char *sha256, bool *known, err_t *err)
{
    const char *params[] = {sha256};
    PGresult *res = NULL;
    recon_status st = db_query(db, "SELECT 1 FROM decision_files WHERE sha256 = $1", 1, params,
                               1, &res, err);
    if (st != RECON_OK)
        return st;
    *known = PQntuples(res) > 0;
    PQclear(res);
    return RECON_OK;
}

recon_status store_decisions_merge(db_t *db, const char *name, const unsigned char *bytes,
                                   size_t len, const char *sha256, fen_t four_eyes_below,
                                   long *stored, err_t *err)
{
    static const char hex[] = "0123456789abcdef";
    *stored = 0;
    if (len > (SIZE_MAX - 1) / 2)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    char *text = malloc(len * 2 + 1);
    if (text == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    for (size_t i = 0; i < len; i++) {
        text[2 * i] = hex[bytes[i] >> 4];
        text[2 * i + 1] = hex[bytes[i] & 15];
    }
    text[len * 2] = '\0';
    const char *file_params[] = {sha256, name, text};
    PGresult *res = NULL;
    recon_status st = db_query(db, sql_decide_file_insert, 3, file_params, 1, &res, err);
    free(text);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return RECON_OK;
    }
    char file_id[32], below[32];
    snprintf(file_id, sizeof file_id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    snprintf(below, sizeof below, "%lld", (long long)four_eyes_below);
    const char *params[] = {file_id, below};
    long approvals = 0;
    if ((st = db_command(db, sql_decide_insert, 2, params, stored, err)) != RECON_OK ||
        (st = db_command(db, sql_decide_insert_approvals, 1, params, &approvals, err)) != RECON_OK)
        return st;
    *stored += approvals;
    return RECON_OK;
}

/* The caller's callback and its context, for the row functions below that read a result
 * row into the listing's typed row. */
typedef struct listing {
    void *ctx;
    union {
        decision_row_fn decision;
        receipt_life_fn life;
        receipt_source_fn source;
    } fn;
} listing;

/* Rows of sql asked about key ($1) as of the night as_of ($2). */
static recon_status list_as_of(db_t *db, const char *sql, const char *key, date_t as_of,
                               int columns, db_row_fn each, const listing *l, int *rows,
                               err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {key, day};
    return db_query_each(db, sql, 2, params, columns, each, (void *)l, rows, err);
}

static recon_status decision_at(void *ctx, const char *const *v, err_t *err)
{
    const listing *l = ctx;
    decision_row d = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]};
    return l->fn.decision(l->ctx, &d, err);
}

recon_status store_decisions_list(db_t *db, const char *policy_no, const char *receipt_id,
                                  decision_row_fn fn, void *ctx, int *count, err_t *err)
{
    const char *params[] = {policy_no, receipt_id};
    listing l = {ctx, {.decision = fn}};
    return db_query_each(db, sql_decide_list, 2, params, 10, decision_at, &l, count, err);
}

static recon_status life_at(void *ctx, const char *const *v, err_t *err)
{
    const listing *l = ctx;
    receipt_life life = {v[0], v[1], v[2],  v[3],  v[4],  v[5],  v[6],  v[7],
                         v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]};
    return l->fn.life(l->ctx, &life, err);
}

recon_status store_receipt_life(db_t *db, const char *receipt_id, date_t as_of,
                                receipt_life_fn fn, void *ctx, bool *found, err_t *err)
{
    listing l = {ctx, {.life = fn}};
    int rows = 0; /* one at most: receipt ids are unique */
    recon_status st = list_as_of(db, sql_decide_receipt_life, receipt_id, as_of, 16, life_at, &l,
                                 &rows, err);
    *found = rows > 0;
    return st;
}

static recon_status source_at(void *ctx, const char *const *v, err_t *err)
{
    const listing *l = ctx;
    receipt_source s = {v[0], v[1], v[3], strtoll(v[2], NULL, 10), v[4], v[5], v[6], v[7]};
    return l->fn.source(l->ctx, &s, err);
}

recon_status store_receipt_sources(db_t *db, const char *policy_no, date_t as_of,
                                   receipt_source_fn fn, void *ctx, int *count, err_t *err)
{
    listing l = {ctx, {.source = fn}};
    return list_as_of(db, sql_status_receipt_sources, policy_no, as_of, 8, source_at, &l, count,
                      err);
}
