/*
 * `recon status POLICY_NO [--as-of DATE]`: the installment table, receipts and
 * status history of one policy, computed by the core from what the database
 * holds, so finance can see why a policy is where it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mask.h"
#include "jobs/evaluate_all.h"
#include "jobs/jobs.h"
#include "store/sources.h"

typedef struct status_ctx {
    FILE *out;
    bool found;
    bool unmasked;
} status_ctx;

static void fmt_date(date_t d, char out[DATE_STR_SIZE]) { date_format(d, out); }

static recon_status print_policy(void *ctx, const policy_view *p, const eval_input *in,
                                 const eval_result *r, err_t *err)
{
    (void)err;
    status_ctx *sc = ctx;
    FILE *f = sc->out;
    char a[DATE_STR_SIZE], b[DATE_STR_SIZE], m1[MONEY_STR_SIZE], m2[MONEY_STR_SIZE];
    char name[128], account[128];
    sc->found = true;
    if (sc->unmasked) {
        snprintf(name, sizeof name, "%s", p->holder_name);
        snprintf(account, sizeof account, "%s", p->payer_account);
    } else {
        mask_name(p->holder_name, name, sizeof name);
        mask_account(p->payer_account, account, sizeof account);
    }
    fmt_date(p->terms.start_date, a);
    fmt_date(p->terms.end_date, b);
    money_format(p->terms.premium, m1);
    money_format(p->terms.net_premium, m2);
    fprintf(f, "policy %s  %s premium %s (net %s)  period %s..%s\n", p->policy_no,
            payment_mode_name(p->terms.mode), m1, m2, a, b);
    fprintf(f, "holder %s  payer account %s\n", name, *account ? account : "-");
    fmt_date(in->as_of, a);
    fmt_date(r->status_since, b);
    money_format(r->arrears, m1);
    money_format(r->credit, m2);
    fprintf(f, "as of %s: %s%s%s  arrears %s  credit %s  paid %d of %zu\n", a,
            policy_status_name(r->status), *b ? " since " : "", b, m1, m2, r->paid_installments,
            r->installment_count);

    fprintf(f, "\ninstallments\n");
    fprintf(f, "  %3s  %-10s  %-10s  %10s  %10s  %-6s  %-10s  %s\n", "#", "due", "period end",
            "amount", "paid", "state", "paid on", "receipt");
    for (size_t k = 0; k < r->installment_count; k++) {
        const eval_installment *it = &r->installments[k];
        char due[DATE_STR_SIZE], end[DATE_STR_SIZE], on[DATE_STR_SIZE], by[24] = "";
        fmt_date(it->due_date, due);
        fmt_date(it->period_end, end);
        fmt_date(it->paid_date, on);
        money_format(it->amount, m1);
        money_format(it->paid, m2);
        if (it->paid_by >= 0)
            snprintf(by, sizeof by, "%lld", (long long)it->paid_by);
        fprintf(f, "  %3d  %-10s  %-10s  %10s  %10s  %-6s  %-10s  %s\n", it->number, due, end, m1,
                m2, installment_state_name(it->state), on, by);
    }

    fprintf(f, "\nreceipts counted\n");
    if (in->receipt_count == 0)
        fprintf(f, "  none\n");
    for (size_t i = 0; i < r->allocation_count; i++) {
        const eval_allocation *al = &r->allocations[i];
        money_format(al->amount, m1);
        if (al->installment > 0)
            fprintf(f, "  receipt %lld: %s to installment %d\n", (long long)al->receipt_id, m1,
                    al->installment);
        else
            fprintf(f, "  receipt %lld: %s unapplied\n", (long long)al->receipt_id, m1);
    }

    fprintf(f, "\nhistory\n");
    if (r->event_count == 0)
        fprintf(f, "  %s (no status change yet)\n", policy_status_name(r->status));
    for (size_t i = 0; i < r->event_count; i++) {
        const eval_event *e = &r->events[i];
        fmt_date(e->date, a);
        fprintf(f, "  %s  %s -> %s: %s\n", a, policy_status_name(e->from),
                policy_status_name(e->to), e->reason);
    }
    if (r->refund_count) {
        fprintf(f, "\nrefunds due\n");
        for (size_t i = 0; i < r->refund_count; i++) {
            money_format(r->refunds[i].amount, m1);
            fmt_date(r->refunds[i].due_by, a);
            fprintf(f, "  %s %s by %s: %s\n", refund_reason_name(r->refunds[i].reason), m1, a,
                    r->refunds[i].detail);
        }
    }
    return RECON_OK;
}

/* Today in China time, for a status without --as-of. */
date_t job_today_china(void)
{
    time_t now = time(NULL) + 8 * 3600;
    return (date_t)(now / 86400);
}

typedef struct sources_ctx {
    FILE *out;
    bool headed;
} sources_ctx;

static void print_source(void *ctx, const receipt_source *s)
{
    sources_ctx *sc = ctx;
    char amount[MONEY_STR_SIZE];
    if (!sc->headed)
        fprintf(sc->out, "\nreceipts and their files\n");
    sc->headed = true;
    money_format(s->amount, amount);
    fprintf(sc->out, "  receipt %s  %s  %10s %s  %s %s  %s\n", s->receipt_id, s->booking_date,
            amount, s->currency, s->file_name, s->position, s->note);
    if (*s->also_in)
        fprintf(sc->out, "    also in %s (counted once)\n", s->also_in);
}

/* Where each receipt of the policy came from: the statement file and the line
 * or element in it, and the other files that repeated the same transaction. */
static recon_status print_sources(db_t *db, FILE *f, const char *policy_no, date_t as_of,
                                  err_t *err)
{
    sources_ctx sc = {f, false};
    int rows = 0;
    recon_status st = store_receipt_sources(db, policy_no, as_of, print_source, &sc, &rows, err);
    if (st == RECON_OK && rows == 0)
        fprintf(f, "\nreceipts and their files\n  none\n");
    return st;
}

recon_status cmd_status(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "usage: recon status POLICY_NO [--as-of DATE]");
    db_t *db = NULL;
    recon_status st = job_connect_ready(o, &db, err);
    if (st != RECON_OK)
        return st;
    status_ctx sc = {o->out, false, o->unmasked};
    date_t as_of = o->as_of != DATE_NONE ? o->as_of : job_today_china();
    st = evaluate_policies(db, &o->config.rules, as_of, o->args[0], print_policy, &sc, err);
    if (st == RECON_OK && sc.found)
        st = print_sources(db, o->out, o->args[0], as_of, err);
    db_close(db);
    if (st == RECON_OK && !sc.found)
        st = err_set(err, RECON_EDATA, "policy %s not found in the register", o->args[0]);
    return st;
}
