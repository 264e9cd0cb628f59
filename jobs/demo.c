/*
 * `recon demo` (what `make run` runs): the embedded database, the schema, the
 * bundled register, events and receipts from fixtures/, and a status table of
 * every policy as of a business date (default 2026-06-30, or --as-of).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/migrations.h"
#include "jobs/evaluate_all.h"
#include "jobs/jobs.h"

#define DEMO_AS_OF "2026-06-30"

/* fixtures/ beside the binary's parent (bin/../fixtures), else ./fixtures. */
static void fixtures_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            slash = strrchr(exe, '/');
            size_t len = slash ? (size_t)(slash - exe) : 0;
            if (slash && len + sizeof "/fixtures" <= cap) {
                memcpy(out, exe, len);
                memcpy(out + len, "/fixtures", sizeof "/fixtures");
                if (access(out, R_OK) == 0)
                    return;
            }
        }
    }
    snprintf(out, cap, "fixtures");
}

static recon_status load(const job_options *base, recon_status (*cmd)(const job_options *, err_t *),
                         const char *path, err_t *err)
{
    job_options o = *base;
    char *args[] = {(char *)path};
    o.args = args;
    o.arg_count = 1;
    return cmd(&o, err);
}

static recon_status table_row(void *ctx, const policy_view *p, const eval_input *in,
                              const eval_result *r, err_t *err)
{
    (void)in;
    (void)err;
    FILE *f = ctx;
    char since[DATE_STR_SIZE], next[DATE_STR_SIZE], arrears[MONEY_STR_SIZE],
        credit[MONEY_STR_SIZE], refund[MONEY_STR_SIZE];
    date_format(r->status_since, since);
    date_format(r->next_due_date, next);
    money_format(r->arrears, arrears);
    money_format(r->credit, credit);
    fen_t refunds = 0;
    for (size_t i = 0; i < r->refund_count; i++)
        refunds += r->refunds[i].amount;
    money_format(refunds, refund);
    fprintf(f, "%-15s %-7s %-13s %-10s %-10s %8s %8s %8s %5d/%-3zu\n", p->policy_no,
            payment_mode_name(p->terms.mode), policy_status_name(r->status), since, next, arrears,
            credit, refund, r->paid_installments, r->installment_count);
    return RECON_OK;
}

recon_status cmd_demo(const job_options *o, err_t *err)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    fixtures_dir(dir, sizeof dir);
    db_t *db = NULL;
    recon_status st = job_connect(o, &db, err);
    if (st != RECON_OK)
        return st;
    int applied = 0;
    st = migrate_apply(db, &applied, err);
    db_close(db);
    db = NULL;
    if (st != RECON_OK)
        return st;
    fprintf(o->out, "recon demo: schema ready (%d migrations applied), fixtures from %s\n", applied,
            dir);
    snprintf(path, sizeof path, "%s/register/policies.csv", dir);
    if ((st = load(o, cmd_policies_load, path, err)) != RECON_OK)
        return st;
    snprintf(path, sizeof path, "%s/register/events.csv", dir);
    if ((st = load(o, cmd_events_load, path, err)) != RECON_OK)
        return st;
    snprintf(path, sizeof path, "%s/register/receipts.csv", dir);
    if ((st = load(o, cmd_receipts_load, path, err)) != RECON_OK)
        return st;

    date_t as_of;
    if (o->as_of != DATE_NONE)
        as_of = o->as_of;
    else
        date_parse(DEMO_AS_OF, strlen(DEMO_AS_OF), &as_of);
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    if ((st = job_connect_ready(o, &db, err)) != RECON_OK)
        return st;
    fprintf(o->out, "\npolicies as of %s\n", day);
    fprintf(o->out, "%-15s %-7s %-13s %-10s %-10s %8s %8s %8s %9s\n", "policy_no", "mode",
            "status", "since", "next_due", "arrears", "credit", "refunds", "paid");
    st = evaluate_policies(db, &o->rules, as_of, NULL, table_row, o->out, err);
    db_close(db);
    if (st == RECON_OK)
        fprintf(o->out, "\nexplain one: recon status P2026000000006 --as-of %s\n", day);
    return st;
}
