/*
 * `recon decide FILE.csv`: a person's decisions on receipts (assign, refund,
 * write_off, release, approve), read through the register loader (the one
 * reader of finance files) and stored whole or not at all. The rows are
 * checked one by one here (fields), then against what is stored in SQL
 * (receipts, policies, earlier decisions, the login role); a file with any bad
 * row is refused, each bad row named with its line.
 */
#include <stdio.h>
#include <string.h>

#include "common/sha256.h"
#include "jobs/pipeline.h"
#include "jobs/register.h"
#include "store/decisions.h"

static const char *const decision_columns[] = {
    "decided_on", "receipt_id", "source", "transaction_key", "action",
    "policy_no",  "amount",     "reason", "decided_by"};

enum { C_DECIDED_ON, C_RECEIPT_ID, C_SOURCE, C_KEY, C_ACTION, C_POLICY, C_AMOUNT, C_REASON,
       C_DECIDED_BY };

static bool is_action(const char *a)
{
    static const char *const actions[] = {"assign", "refund", "write_off", "release", "approve"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(a, actions[i]) == 0)
            return true;
    return false;
}

static bool digits_only(const char *s)
{
    if (*s == '\0' || strlen(s) > 18)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The fields a row's action needs and those it must leave empty. */
static recon_status check_shape(const char *file, const register_row *row, err_t *err)
{
    const char *action = register_field(row, C_ACTION), *id = register_field(row, C_RECEIPT_ID);
    const char *source = register_field(row, C_SOURCE), *key = register_field(row, C_KEY);
    const char *policy = register_field(row, C_POLICY), *amount = register_field(row, C_AMOUNT);
    bool by_key = *source || *key, names_receipt = *id || by_key;
    if (*id && !digits_only(id))
        return register_bad_field(err, file, row, "receipt_id", id,
                                  "not a receipt number (digits, as the reports show it)");
    if (by_key && (!*source || !*key))
        return register_bad_field(err, file, row, *source ? "transaction_key" : "source",
                                  *source ? key : source,
                                  "required with the other: a receipt is named by receipt_id, "
                                  "or by source and transaction_key");
    if (strcmp(action, "write_off") == 0) {
        if (names_receipt)
            return register_bad_field(err, file, row, "receipt_id", *id ? id : key,
                                      "write_off forgives what a policy owes: leave receipt_id, "
                                      "source and transaction_key empty");
        if (!*amount)
            return register_bad_field(err, file, row, "amount", amount,
                                      "required for write_off: the most it forgives");
    } else if (strcmp(action, "approve") == 0) {
        if (!names_receipt && !*policy)
            return register_bad_field(err, file, row, "receipt_id", id,
                                      "approve names the receipt of a refund, or the policy_no "
                                      "of a write-off");
    } else if (!names_receipt) {
        return register_bad_field(err, file, row, "receipt_id", id,
                                  "required: name the receipt by receipt_id, or by source and "
                                  "transaction_key");
    }
    if (strcmp(action, "assign") == 0 || strcmp(action, "write_off") == 0) {
        if (!*policy)
            return register_bad_field(err, file, row, "policy_no", policy,
                                      strcmp(action, "assign") == 0
                                          ? "required for assign: the policy the money belongs to"
                                          : "required for write_off: the policy that owes");
    }
    if (*policy && !register_policy_no_valid(policy))
        return register_bad_field(err, file, row, "policy_no", policy,
                                  "expected 1-40 letters, digits, '-' or '_'");
    if (*amount && (strcmp(action, "release") == 0 || strcmp(action, "approve") == 0))
        return register_bad_field(err, file, row, "amount", amount,
                                  "must be empty: a release or an approval moves no amount of "
                                  "its own");
    return RECON_OK;
}

static recon_status decision_row_in(const char *file, const register_row *row, buf_t *copy,
                                    err_t *err)
{
    const char *action = register_field(row, C_ACTION), *amount = register_field(row, C_AMOUNT);
    date_t decided_on;
    fen_t fen = 0;
    recon_status st =
        register_date(file, row, "decided_on", register_field(row, C_DECIDED_ON), &decided_on, err);
    if (st != RECON_OK)
        return st;
    if (!is_action(action))
        return register_bad_field(err, file, row, "action", action,
                                  "expected assign, refund, write_off, release or approve");
    if ((st = check_shape(file, row, err)) != RECON_OK)
        return st;
    if (*amount) {
        if ((st = register_money(file, row, "amount", amount, &fen, err)) != RECON_OK)
            return st;
        if (fen <= 0)
            return register_bad_field(err, file, row, "amount", amount,
                                      "must be above 0 (empty: the whole receipt)");
    }
    for (int c = C_REASON; c <= C_DECIDED_BY; c++)
        if (!*register_field(row, (size_t)c))
            return register_bad_field(err, file, row, decision_columns[c], "",
                                      c == C_REASON ? "required: say why"
                                                    : "required: who decided (their login role)");
    const char *id = register_field(row, C_RECEIPT_ID), *policy = register_field(row, C_POLICY);
    bool ok = db_copy_int(copy, row->line, false) && db_copy_date(copy, decided_on, false) &&
              (*id ? db_copy_field(copy, id, false) : db_copy_null(copy, false)) &&
              db_copy_field(copy, register_field(row, C_SOURCE), false) &&
              db_copy_field(copy, register_field(row, C_KEY), false) &&
              db_copy_field(copy, action, false) &&
              (*policy ? db_copy_field(copy, policy, false) : db_copy_null(copy, false)) &&
              (*amount ? db_copy_int(copy, fen, false) : db_copy_null(copy, false)) &&
              db_copy_field(copy, register_field(row, C_REASON), false) &&
              db_copy_field(copy, register_field(row, C_DECIDED_BY), false) &&
              db_copy_null(copy, true);
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

/* The file's bytes as stored with its decisions, and their SHA-256. */
static recon_status read_whole(const char *path, uint64_t limit, buf_t *bytes,
                               char sha[SHA256_HEX_SIZE], err_t *err)
{
    instream_t *in = NULL;
    recon_status st = instream_open(path, &in, err);
    if (st != RECON_OK)
        return st;
    if (limit > 0)
        instream_set_limit(in, limit);
    unsigned char chunk[65536];
    ssize_t n;
    while ((n = instream_read(in, chunk, sizeof chunk, err)) > 0)
        if (!buf_append(bytes, chunk, (size_t)n)) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
    if (n < 0)
        st = err->status;
    instream_close(in);
    return st != RECON_OK ? st : sha256_buf_hex(bytes->data, bytes->len, sha, err);
}

/* Stores one decisions file on db (the caller holds the connection and any lock): skipped
 * when its SHA-256 is stored already, else staged, checked and stored whole in one
 * transaction, or refused whole. */
static recon_status decide_bytes(db_t *db, const recon_config *config, const char *path,
                                 const buf_t *bytes, const char *sha, FILE *out, long *stored,
                                 err_t *err)
{
    const register_file f = {path, decision_columns,
                             sizeof decision_columns / sizeof decision_columns[0],
                             decision_row_in, STORE_REGISTER_DECISIONS, NULL};
    bool known = false;
    long rows = 0;
    *stored = 0;
    recon_status st = store_decisions_file_known(db, sha, &known, err);
    if (st != RECON_OK)
        return st;
    if (known) {
        fprintf(out, "%s: already stored (same SHA-256), skipped\n", path);
        return RECON_OK;
    }
    if ((st = register_stage_on(db, config->max_input, &f, &rows, err)) != RECON_OK)
        return st;
    if (rows == 0) {
        db_rollback(db);
        return err_set(err, RECON_EDATA, "%s: no decisions after the header; nothing stored",
                       path);
    }
    if ((st = store_decisions_merge(db, job_base_name(path), (const unsigned char *)bytes->data,
                                    bytes->len, sha, config->four_eyes_below, stored, err)) !=
            RECON_OK ||
        (st = db_commit(db, err)) != RECON_OK) {
        db_rollback(db);
        return st;
    }
    if (*stored == 0)
        fprintf(out, "%s: already stored (same SHA-256), skipped\n", path);
    else
        fprintf(out, "%s: %ld decisions stored\n", path, *stored);
    return RECON_OK;
}

recon_status decide_apply(db_t *db, const recon_config *config, const char *path, FILE *out,
                          long *stored, err_t *err)
{
    buf_t bytes = BUF_INIT;
    char sha[SHA256_HEX_SIZE];
    recon_status st = read_whole(path, config->max_input, &bytes, sha, err);
    if (st == RECON_OK)
        st = decide_bytes(db, config, path, &bytes, sha, out, stored, err);
    buf_free(&bytes);
    return st;
}

/* The file is read before connecting (a missing file needs no database); a login that may
 * not decide is refused before anything is read into the database. */
recon_status cmd_decide(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "usage: recon decide FILE.csv");
    const char *file = o->args[0];
    buf_t bytes = BUF_INIT;
    char sha[SHA256_HEX_SIZE], login[128];
    db_t *db = NULL;
    bool may = false;
    long stored = 0;
    recon_status st = read_whole(file, o->config.max_input, &bytes, sha, err);
    if (st != RECON_OK || (st = job_connect_ready(o, &db, err)) != RECON_OK ||
        (st = store_decisions_may_decide(db, &may, login, sizeof login, err)) != RECON_OK)
        goto out;
    if (!may)
        st = err_set(err, RECON_EDATA,
                     "%s: refused: the login role '%s' may not decide; hint: a person with the "
                     "role recon_decider runs recon decide (GRANT recon_decider TO %s)",
                     file, login, login);
    else
        st = decide_bytes(db, &o->config, file, &bytes, sha, o->out, &stored, err);
out:
    db_close(db);
    buf_free(&bytes);
    return st;
}
