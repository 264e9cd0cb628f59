/*
 * `recon process --as-of DATE [--full]`: match receipts to policies, evaluate
 * the policies whose inputs changed or whose state the calendar moves tonight
 * (every policy with --full) with the core in one streaming pass, and store
 * the results: their state, allocations, refunds due, and the status history. History
 * rows are never rewritten: a row the new evaluation no longer produces is
 * closed (known_until = DATE) and its replacement is known from DATE, so late
 * data shows up as corrections in that day's events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "jobs/evaluate_all.h"
#include "jobs/jobs.h"
#include "jobs/match.h"
#include "jobs/pipeline.h"
#include "store/process.h"

/* Rows computed while the COPY out runs, spooled to temporary files and sent
 * with COPY in afterwards (one connection cannot do both at once). */
typedef struct spool {
    FILE *status, *events, *allocations, *refunds;
    buf_t row;
    date_t as_of;
    long policies;
    /* Arrears, credit and refunds of every policy in absolute value: the day's reports
     * total them by status and reason, so they must add up within MONEY_MAX_SUM_FEN. */
    fen_t owed_total;
} spool;

/* Writes the rows built into sp->row to f; built is false when building one ran out of
 * memory. */
static recon_status flush_row(spool *sp, bool built, FILE *f, err_t *err)
{
    if (!built)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (sp->row.len && fwrite(sp->row.data, 1, sp->row.len, f) != sp->row.len)
        return err_set(err, RECON_EOUTPUT, "cannot write temporary file: %s", strerror(errno));
    buf_reset(&sp->row);
    return RECON_OK;
}

/* Allocations are stored for the receipts first known on the evaluation date,
 * the ones that night's reports list: storing every receipt's allocation again
 * each night wrote 5.7M rows at 1M policies for nothing a report reads. */
static bool receipt_is_new(const policy_view *p, const eval_input *in, long long receipt_id)
{
    for (size_t i = 0; i < in->receipt_count; i++)
        if (in->receipts[i].id == receipt_id)
            return p->receipt_is_new[i];
    return false;
}

static recon_status spool_policy(void *ctx, const policy_view *p, const eval_input *in,
                                 const eval_result *r, err_t *err)
{
    spool *sp = ctx;
    buf_t *b = &sp->row;
    recon_status st;
    sp->policies++;
    progress_update(sp->policies, "policies");
    /* Between two policies is a safe point: nothing is stored before the end. */
    if ((st = interrupt_check(err)) != RECON_OK)
        return st;
    bool within = money_add_magnitude(&sp->owed_total, r->arrears) &&
                  money_add_magnitude(&sp->owed_total, r->credit);
    for (size_t i = 0; i < r->refund_count && within; i++)
        within = money_add_magnitude(&sp->owed_total, r->refunds[i].amount);
    if (!within)
        return err_set(err, RECON_EDATA,
                       "policy %s: the arrears, credit and refunds of the policies up to it add up "
                       "beyond 2^62 fen, more than the day's reports can total; nothing stored; "
                       "hint: check the premiums of the largest policies in the register",
                       p->policy_no);
    bool ok = db_copy_field(b, p->policy_no, false) && db_copy_date(b, sp->as_of, false) &&
              db_copy_field(b, policy_status_name(r->status), false) &&
              db_copy_date(b, r->status_since, false) && db_copy_date(b, r->next_due_date, false) &&
              db_copy_date(b, r->oldest_unpaid_due_date, false) &&
              db_copy_int(b, r->arrears, false) && db_copy_int(b, r->credit, false) &&
              db_copy_int(b, r->paid_installments, false) &&
              db_copy_int(b, (long long)r->installment_count, false) &&
              db_copy_date(b, r->next_change, true);
    if ((st = flush_row(sp, ok, sp->status, err)) != RECON_OK)
        return st;
    for (size_t i = 0; i < r->event_count && ok; i++) {
        const eval_event *e = &r->events[i];
        ok = db_copy_field(b, p->policy_no, false) && db_copy_int(b, (long long)i + 1, false) &&
             db_copy_date(b, e->date, false) && db_copy_field(b, policy_status_name(e->from), false) &&
             db_copy_field(b, policy_status_name(e->to), false) && db_copy_field(b, e->reason, true);
    }
    if ((st = flush_row(sp, ok, sp->events, err)) != RECON_OK)
        return st;
    for (size_t i = 0; i < r->allocation_count && ok; i++) {
        const eval_allocation *a = &r->allocations[i];
        if (!receipt_is_new(p, in, a->receipt_id))
            continue;
        ok = db_copy_field(b, p->policy_no, false) && db_copy_int(b, a->receipt_id, false) &&
             db_copy_int(b, a->installment, false) && db_copy_int(b, a->amount, false) &&
             db_copy_date(b, sp->as_of, true);
    }
    if ((st = flush_row(sp, ok, sp->allocations, err)) != RECON_OK)
        return st;
    for (size_t i = 0; i < r->refund_count && ok; i++) {
        const eval_refund *f = &r->refunds[i];
        ok = db_copy_field(b, p->policy_no, false) &&
             db_copy_field(b, refund_reason_name(f->reason), false) &&
             db_copy_int(b, f->amount, false) && db_copy_date(b, f->due_by, false) &&
             db_copy_field(b, f->detail, false) && db_copy_date(b, sp->as_of, true);
    }
    return flush_row(sp, ok, sp->refunds, err);
}

/* The rules an evaluation depends on beyond its inputs: a night under other
 * rules evaluates everything again. */
static void rules_text(const eval_config *r, char *out, size_t cap)
{
    snprintf(out, cap, "evaluate 1; tolerance %lld; first payment window %d; payment is agreement %d",
             (long long)r->tolerance, r->first_payment_window, (int)r->payment_is_agreement);
}

recon_status process_day(db_t *db, const recon_config *config, date_t as_of, process_counts *c,
                         err_t *err)
{
    return process_night(db, config, as_of, config->full_evaluation, c, err);
}

recon_status process_night(db_t *db, const recon_config *config, date_t as_of, bool full,
                           process_counts *c, err_t *err)
{
    memset(c, 0, sizeof *c);
    spool sp = {tmpfile(), tmpfile(), tmpfile(), tmpfile(), BUF_INIT, as_of, 0, 0};
    match_counts mc = {0};
    long paired = 0;
    recon_status st;
    if (!sp.status || !sp.events || !sp.allocations || !sp.refunds) {
        st = err_set(err, RECON_EOUTPUT, "cannot create temporary files: %s", strerror(errno));
        goto out;
    }
    if ((st = db_begin(db, err)) != RECON_OK)
        goto out;
    char asof_text[DATE_STR_SIZE];
    date_format(as_of, asof_text);
    progress_begin("process %s: matching receipts", asof_text);
    if ((st = store_process_prepare(db, err)) != RECON_OK ||
        /* before any sum of the day's money, in SQL (settlement check) or in C */
        (st = store_money_check_day(db, as_of, err)) != RECON_OK ||
        (st = match_receipts(db, config, as_of, full, &mc, err)) != RECON_OK ||
        (st = store_stamp_night(db, as_of, err)) != RECON_OK ||
        (st = store_pair_reversals(db, full, &paired, err)) != RECON_OK ||
        (st = settlement_check(db, config, as_of, &c->settlement_differences, err)) != RECON_OK) {
        db_rollback(db);
        goto out;
    }
    char rules[160];
    rules_text(&config->rules, rules, sizeof rules);
    progress_begin("process %s: evaluating", asof_text);
    if ((st = store_mark_dirty(db, as_of, rules, &full, &c->evaluated, err)) != RECON_OK ||
        (st = evaluate_dirty_policies(db, &config->rules, as_of, spool_policy, &sp, err)) !=
            RECON_OK) {
        db_rollback(db);
        goto out;
    }
    progress_begin("process %s: storing results", asof_text);
    store_results results = {sp.status, sp.events, sp.allocations, sp.refunds};
    if ((st = store_write_results(db, as_of, rules, full, &results, &c->new_events,
                                  &c->closed_events, err)) != RECON_OK ||
        (st = store_policies_kept(db, &c->policies, err)) != RECON_OK ||
        (st = db_commit(db, err)) != RECON_OK) {
        db_rollback(db);
        goto out;
    }
    c->receipts = mc.examined;
    c->identified = mc.identified;
    c->unidentified = mc.unidentified;
    c->ambiguous = mc.ambiguous;
    c->reversal = mc.reversal;
    c->settlement = mc.settlement;
    c->currency = mc.currency;
    c->rematched = mc.rematched;
    c->evaluated = sp.policies;
    c->full = full;
out:
    progress_end();
    if (sp.status)
        fclose(sp.status);
    if (sp.events)
        fclose(sp.events);
    if (sp.allocations)
        fclose(sp.allocations);
    if (sp.refunds)
        fclose(sp.refunds);
    buf_free(&sp.row);
    return st;
}

void process_counts_print(FILE *out, date_t as_of, const process_counts *c)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    fprintf(out,
            "processed %ld policies as of %s (%ld evaluated%s): %ld receipts matched (%ld identified, %ld "
            "unidentified, %ld ambiguous, %ld reversals, %ld settlements, %ld other currency); "
            "%ld new events, %ld superseded; %ld settlement differences; %ld receipts re-matched "
            "from suspense\n",
            c->policies, day, c->evaluated, c->full ? ", all" : "", c->receipts, c->identified, c->unidentified, c->ambiguous,
            c->reversal, c->settlement, c->currency, c->new_events, c->closed_events,
            c->settlement_differences, c->rematched);
}

static recon_status process_work(db_t *db, void *ctx, run_tally *t, err_t *err)
{
    const job_options *o = ctx;
    process_counts c = {0};
    recon_status st =
        process_night(db, &o->config, o->as_of, o->full || o->config.full_evaluation, &c, err);
    if (st == RECON_OK)
        process_counts_print(o->out, o->as_of, &c);
    *t = (run_tally){0, 0, c.receipts, c.evaluated, c.new_events};
    return st;
}

recon_status cmd_process(const job_options *o, err_t *err)
{
    if (o->as_of == DATE_NONE)
        return err_set(err, RECON_EUSAGE, "usage: recon process --as-of DATE [--full]");
    return run_recorded(o, "process", o->as_of, process_work, (void *)o, err);
}
