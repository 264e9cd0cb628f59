#include "reports/merge.h"

#include <string.h>

#include "core/outcome.h"

static recon_status stream_next(merge_stream *s, err_t *err)
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
    if (!db_copy_split((char *)line, s->f, s->columns) || !catalogue_int(s->f[0], &s->id))
        return err_set(err, RECON_EINTERNAL, "%s: unexpected row shape", s->name);
    return RECON_OK;
}

/* Waits for a sent stream to start and reads its first row. */
static recon_status stream_start(merge_stream *s, err_t *err)
{
    s->sent = false;
    recon_status st = store_report_started(s->db, s->which, err);
    if (st != RECON_OK)
        return st;
    s->done = false;
    return stream_next(s, err);
}

recon_status merge_send(merge_streams *rs, db_t *day_db, db_t *alloc_db, err_t *err)
{
    *rs = (merge_streams){
        .day = {.db = day_db, .name = "day receipts", .which = STORE_REPORT_DAY_RECEIPTS,
                .columns = STORE_DAY_RECEIPT_COLUMNS, .done = true},
        .allocs = {.db = alloc_db, .name = "day allocations",
                   .which = STORE_REPORT_DAY_ALLOCATIONS,
                   .columns = STORE_DAY_ALLOCATION_COLUMNS, .done = true},
    };
    recon_status st = store_report_send_day_receipts(day_db, err);
    if (st == RECON_OK)
        rs->day.sent = true;
    if (st == RECON_OK)
        st = store_report_send_day_allocations(alloc_db, &rs->allocs.sent, err);
    return st;
}

static recon_status overflow(err_t *err)
{
    return err_set(err, RECON_EDATA,
                   "summary: a money total overflows 64 bits; hint: the data changed since "
                   "recon process; run it again for this day");
}

/* Adds one allocation row (receipt_id, installment, amount, paid installments, payment_mode,
 * start_date, end_date) to a receipt's figures. An unknown policy (no terms) has no due
 * dates, as the outer join with installments found none. */
static recon_status add_allocation(outcome_allocs *a, outcome_schedules *c, char *const *f,
                                   err_t *err)
{
    long long installment = 0, amount = 0, paid = -1;
    if (!catalogue_int(f[1], &installment))
        return err_set(err, RECON_EINTERNAL, "receipts: installment '%s'", f[1]);
    if (!catalogue_int(f[2], &amount))
        return err_set(err, RECON_EINTERNAL, "receipts: allocation amount '%s'", f[2]);
    date_t due = DATE_NONE;
    if (installment != 0 && *f[4]) {
        policy_terms t = {0};
        if (!payment_mode_from_name(f[4], &t.mode))
            return err_set(err, RECON_EINTERNAL, "receipts: payment mode '%s'", f[4]);
        if (!date_parse(f[5], strlen(f[5]), &t.start_date) ||
            !date_parse(f[6], strlen(f[6]), &t.end_date))
            return err_set(err, RECON_EINTERNAL, "receipts: policy period '%s'..'%s'", f[5], f[6]);
        due = outcome_due_date(c, &t, installment);
    }
    if (!*f[3] || !catalogue_int(f[3], &paid))
        paid = -1;
    return outcome_add(a, installment, amount, due, paid) ? RECON_OK : overflow(err);
}

recon_status merge_write(merge_streams *rs, const report_target *t, date_t as_of,
                         summary_figures *sum, manifest_entry *entry, err_t *err)
{
    const report_spec *spec = &catalogue_receipts;
    merge_stream *w = &rs->day, *x = &rs->allocs;
    gzcsv_t *g = NULL;
    size_t n = 0;
    outcome_schedules *cache = NULL;
    recon_status st = catalogue_open(t, spec, &g, &n, err);
    if (st != RECON_OK)
        return st;
    if ((st = stream_start(w, err)) != RECON_OK ||
        (x->sent && (st = stream_start(x, err)) != RECON_OK))
        goto fail;
    if ((cache = outcome_schedules_new()) == NULL) {
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
        outcome_allocs a = OUTCOME_ALLOCS_INIT;
        while (!x->done && x->id <= w->id) {
            if (x->id == w->id && (st = add_allocation(&a, cache, x->f, err)) != RECON_OK)
                goto fail;
            if ((st = stream_next(x, err)) != RECON_OK)
                goto fail;
        }
        char *f[CATALOGUE_MAX_COLUMNS];
        fen_t fen[CATALOGUE_MAX_COLUMNS] = {0};
        long long amount = 0;
        if (!catalogue_int(w->f[4], &amount)) {
            st = err_set(err, RECON_EINTERNAL, "receipts: amount '%s' is not fen", w->f[4]);
            goto fail;
        }
        for (size_t i = 0; i < 9; i++)
            f[i] = w->f[i];
        f[9] = (char *)receipt_outcome(w->f[9], strcmp(w->f[10], "t") == 0, &a, as_of);
        f[10] = f[11] = (char *)"fen"; /* catalogue_emit writes money columns from fen[] */
        f[12] = w->f[11];
        f[13] = w->f[12];
        fen[4] = amount;
        fen[10] = a.allocated;
        fen[11] = a.unapplied;
        if ((st = summary_receipt(sum, f, fen, err)) != RECON_OK ||
            (st = catalogue_emit(g, t, spec, f, fen, n, err)) != RECON_OK)
            goto fail;
    }
    while (!x->done) /* allocations after the day's last receipt */
        if ((st = stream_next(x, err)) != RECON_OK)
            goto fail;
    outcome_schedules_free(cache);
    return catalogue_close(g, t, spec, entry, err);
fail:
    outcome_schedules_free(cache);
    gzcsv_abort(g);
    return st;
}
