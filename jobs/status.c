/*
 * `recon status POLICY_NO [--as-of DATE]`: the installment table, receipts,
 * decisions and status history of one policy, computed by the core from what
 * the database holds, so finance can see why a policy is where it is.
 * `recon status --receipt ID`: one receipt's life, from its file to the
 * installments it paid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mask.h"
#include "jobs/evaluate_all.h"
#include "jobs/jobs.h"
#include "store/decisions.h"
#include "store/report.h"

typedef struct status_ctx {
    FILE *out;
    bool found;
    bool unmasked;
    const char *receipt; /* --receipt: only this receipt's allocations are printed */
} status_ctx;

/* The installments one receipt paid on one of the policies it counts for. */
static recon_status print_receipt_allocations(status_ctx *sc, const policy_view *p,
                                              const eval_result *r)
{
    char m[MONEY_STR_SIZE];
    sc->found = true;
    for (size_t i = 0; i < r->allocation_count; i++) {
        const eval_allocation *al = &r->allocations[i];
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)al->receipt_id);
        if (strcmp(id, sc->receipt) != 0)
            continue;
        money_format(al->amount, m);
        if (al->installment > 0)
            fprintf(sc->out, "  %s: %s to installment %d\n", p->policy_no, m, al->installment);
        else
            fprintf(sc->out, "  %s: %s unapplied\n", p->policy_no, m);
    }
    return RECON_OK;
}

static void fmt_date(date_t d, char out[DATE_STR_SIZE]) { date_format(d, out); }

static recon_status print_policy(void *ctx, const policy_view *p, const eval_input *in,
                                 const eval_result *r, err_t *err)
{
    (void)err;
    status_ctx *sc = ctx;
    FILE *f = sc->out;
    if (sc->receipt != NULL)
        return print_receipt_allocations(sc, p, r);
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

static recon_status print_source(void *ctx, const receipt_source *s, err_t *err)
{
    (void)err;
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
    return RECON_OK;
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

static recon_status print_decision(void *ctx, const decision_row *d, err_t *err)
{
    (void)err;
    FILE *f = ctx;
    char amount[MONEY_STR_SIZE] = "";
    if (*d->amount)
        money_format(strtoll(d->amount, NULL, 10), amount);
    fprintf(f, "  %s  %s%s%s%s%s%s%s  by %s: %s  (%s line %s)%s%s\n", d->decided_on, d->action,
            *d->receipt_id ? " receipt " : "", d->receipt_id, *d->policy_no ? " policy " : "",
            d->policy_no, *amount ? " " : "", amount, d->decided_by, d->reason, d->file_name,
            d->line, *d->state ? "; " : "", d->state);
    return RECON_OK;
}

/* Every decision a person made on the policy or the receipt, as stored. */
static recon_status print_decisions(db_t *db, FILE *f, const char *policy_no,
                                    const char *receipt_id, err_t *err)
{
    int rows = 0;
    fprintf(f, "\ndecisions\n");
    recon_status st = store_decisions_list(db, policy_no, receipt_id, print_decision, f, &rows, err);
    if (st == RECON_OK && rows == 0)
        fprintf(f, "  none\n");
    return st;
}

typedef struct life_ctx {
    const job_options *o;
    db_t *db;
    date_t as_of;
} life_ctx;

static recon_status print_life(void *ctx, const receipt_life *l, err_t *err)
{
    life_ctx *lc = ctx;
    FILE *f = lc->o->out;
    char amount[MONEY_STR_SIZE], day[DATE_STR_SIZE];
    money_format(strtoll(l->amount, NULL, 10), amount);
    date_format(lc->as_of, day);
    fprintf(f, "receipt %s  %s %s  booked %s  %s %s %s\n", l->receipt_id, l->source,
            l->transaction_key, l->booking_date, amount, l->currency, l->direction);
    fprintf(f, "file %s %s  known from %s\n", l->file_name, l->position,
            *l->known_on ? l->known_on : "its next night");
    fprintf(f, "match %s%s%s%s%s\n", l->match_result, *l->matched_policy ? " to " : "",
            l->matched_policy, *l->note ? ": " : "", l->note);
    if (*l->reversal)
        fprintf(f, "reversal: %s\n", l->reversal);
    recon_status st = print_decisions(lc->db, f, "", l->receipt_id, err);
    if (st != RECON_OK)
        return st;
    fprintf(f, "\nas of %s: %s\n", day, *l->in_effect ? l->in_effect : "no decision in effect");
    fprintf(f, "\nallocations as of %s\n", day);
    if (!*l->counts_for) {
        fprintf(f, "  none (in suspense, refunded or not money for a premium)\n");
        return RECON_OK;
    }
    status_ctx sc = {f, false, false, l->receipt_id};
    char policies[1024];
    snprintf(policies, sizeof policies, "%s", l->counts_for);
    for (char *p = policies, *end; p && *p && st == RECON_OK; p = end) {
        end = strchr(p, ',');
        if (end)
            *end++ = '\0';
        st = evaluate_policies(lc->db, &lc->o->config.rules, lc->as_of, p, print_policy, &sc,
                               err);
    }
    return st;
}

static recon_status receipt_status(const job_options *o, db_t *db, date_t as_of, err_t *err)
{
    char *end = NULL;
    long long id = strtoll(o->receipt, &end, 10);
    if (end == o->receipt || *end != '\0' || id <= 0)
        return err_set(err, RECON_EUSAGE, "--receipt: '%s' is not a receipt number", o->receipt);
    life_ctx lc = {o, db, as_of};
    bool found = false;
    recon_status st = store_receipt_life(db, o->receipt, as_of, print_life, &lc, &found, err);
    if (st == RECON_OK && !found)
        st = err_set(err, RECON_EDATA, "receipt %s not found", o->receipt);
    return st;
}

recon_status cmd_status(const job_options *o, err_t *err)
{
    if (o->arg_count != (o->receipt ? 0 : 1))
        return err_set(err, RECON_EUSAGE,
                       "usage: recon status POLICY_NO [--as-of DATE], or recon status --receipt "
                       "ID [--as-of DATE]");
    db_t *db = NULL;
    recon_status st = job_connect_ready(o, &db, err);
    if (st != RECON_OK)
        return st;
    date_t as_of = o->as_of != DATE_NONE ? o->as_of : job_today_china();
    /* the receipts as known on as_of: a match made on a later night is not shown */
    if ((st = store_as_of(db, as_of, false, err)) != RECON_OK) {
        db_close(db);
        return st;
    }
    if (o->receipt) {
        st = receipt_status(o, db, as_of, err);
        db_close(db);
        return st;
    }
    status_ctx sc = {o->out, false, o->unmasked, NULL};
    st = evaluate_policies(db, &o->config.rules, as_of, o->args[0], print_policy, &sc, err);
    if (st == RECON_OK && sc.found)
        st = print_sources(db, o->out, o->args[0], as_of, err);
    if (st == RECON_OK && sc.found)
        st = print_decisions(db, o->out, o->args[0], "", err);
    db_close(db);
    if (st == RECON_OK && !sc.found)
        st = err_set(err, RECON_EDATA, "policy %s not found in the register", o->args[0]);
    return st;
}
