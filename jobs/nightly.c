/*
 * `recon nightly --as-of DATE --inbox DIR --out DIR`: what a scheduler runs
 * every night. Under one job lock: apply the register and events files of the
 * register inbox not seen before (jobs/register_inbox.c), ingest the inbox files
 * not seen before whose statement date is on or before DATE, process DATE,
 * write DATE's reports. With catch-up, the first night run applies the
 * register files: a missed night is run as it would have been, with the
 * register the policy system had delivered by then.
 * Rejected files are copied to OUT/quarantine/ with their reason and the night
 * still completes (exit 65 says some input was refused). Rerunning a night
 * finds nothing new and rewrites the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/interrupt.h"
#include "common/progress.h"
#include "jobs/catchup.h"
#include "jobs/nightly.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"

typedef struct night_ingest {
    const nightly_input *in;
    FILE *out;
    night_tally *t;
} night_ingest;

static recon_status night_file(void *ctx, const char *path, ingest_result *res, err_t *err)
{
    night_ingest *n = ctx;
    const nightly_input *in = n->in;
    FILE *out = n->out;
    night_tally *t = n->t;
    recon_status st = RECON_OK;
    bool restored = false;
    /* A refusal recorded by an earlier run that no night has reported yet (that run
     * stopped, say on a full disk, before processing), or a rerun of the night that
     * reported it, is refused again here: the night exits 65 every time it runs and its
     * quarantine copy and reason are restored if missing. */
    if (res->outcome == INGEST_SKIPPED && res->rejected_before &&
        (res->rejected_on == DATE_NONE || res->rejected_on == in->as_of))
        res->outcome = INGEST_REJECTED;
    switch (res->outcome) {
    case INGEST_STORED:
        t->stored++;
        t->receipts += res->receipts;
        fprintf(out, "  %s: %s, %ld receipts (%ld duplicates)\n", res->name,
                format_name(res->format), res->receipts, res->duplicates);
        break;
    case INGEST_SKIPPED:
        t->known++;
        if (!res->rejected_before)
            break;
        /* An earlier night's refusal: only its quarantine entry is made whole. */
        if ((st = quarantine_keep(in->out_dir, path, res->reason, res->unread, true, &restored,
                                  err)) != RECON_OK)
            return st;
        if (restored)
            fprintf(out, "  %s: rejected on an earlier night; its quarantine entry in "
                    "%s/quarantine was restored\n",
                    res->name, in->out_dir);
        break;
    case INGEST_LATER:
        t->later++;
        break;
    case INGEST_REJECTED:
        t->rejected++;
        log_error("%s", res->reason);
        fprintf(out, "  %s: rejected, kept in %s/quarantine\n", res->name, in->out_dir);
        st = quarantine_keep(in->out_dir, path, res->reason, res->unread, res->rejected_before,
                             &restored, err);
        break;
    }
    return st;
}

recon_status nightly_ingest(db_t *db, const recon_config *config, const nightly_input *in,
                            FILE *out, night_tally *t, err_t *err)
{
    parse_options popts = {FORMAT_UNKNOWN, in->profile, NULL, config->max_input};
    ingest_request req = {&popts, in->not_after, true, true, config};
    night_ingest n = {in, out, t};
    return ingest_files(db, &req, in->paths, in->count, night_file, &n, err);
}

recon_status nightly_day(db_t *db, const recon_config *config, const nightly_input *in,
                         FILE *out, night_tally *t, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(in->as_of, day);
    fprintf(out, "nightly %s\n", day);
    /* The register as the policy system delivered it tonight, before tonight's money. */
    recon_status st = register_inbox_apply(db, config, in, out, t, err);
    if (st == RECON_OK)
        st = nightly_ingest(db, config, in, out, t, err);
    /* A person's decisions of the night name receipts of its statements. */
    for (size_t i = 0; i < in->decision_count && st == RECON_OK; i++) {
        long stored = 0;
        fputs("  ", out);
        st = decide_apply(db, config, in->decision_paths[i], out, &stored, err);
        t->decided += stored > 0;
    }
    if (st != RECON_OK)
        return st;
    process_counts c;
    if ((st = process_day(db, config, in->as_of, &c, err)) != RECON_OK)
        return st;
    t->policies = c.policies;
    t->events = c.new_events;
    if ((st = report_day(db, in->out_dir, in->as_of, false, config, err)) != RECON_OK)
        return st;
    fprintf(out,
            "  %ld file%s stored, %ld rejected, %ld waiting for a later date, %ld already "
            "known; %ld policies evaluated, %ld new events, %ld receipts re-matched from "
            "suspense; reports in %s/%s\n",
            t->stored, t->stored == 1 ? "" : "s", t->rejected, t->later, t->known, c.evaluated,
            c.new_events, c.rematched, in->out_dir, day);
    return RECON_OK;
}

/* With catch-up, the nights missed since the last completed one run first, in
 * order, under the same lock; the first failing night stops the run (a later
 * night must not be reported on top of a missing one). The exit code is the
 * failure, else 65 when any night rejected files. */
recon_status cmd_nightly(const job_options *o, err_t *err)
{
    if (o->as_of == DATE_NONE || o->inbox == NULL || o->out_dir == NULL)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon nightly --as-of DATE --inbox DIR --out DIR "
                       "[--register-inbox DIR] [--no-catch-up]");
    inbox_files files = {0}, registers = {0};
    recon_status st = inbox_list(o->inbox, &files, err);
    if (st != RECON_OK)
        return st;
    if (o->register_inbox && (st = inbox_list(o->register_inbox, &registers, err)) != RECON_OK)
        goto out;
    db_t *db = NULL;
    date_t first = DATE_NONE;
    if ((st = job_connect_ready(o, &db, err)) != RECON_OK || (st = job_lock(db, err)) != RECON_OK)
        goto out;
    if (!o->no_catch_up && (st = catchup_first_missed(db, o->as_of, &first, err)) != RECON_OK)
        goto out;
    if (first != DATE_NONE) {
        char from[DATE_STR_SIZE], to[DATE_STR_SIZE], day[DATE_STR_SIZE];
        date_format(first, from);
        date_format(o->as_of - 1, to);
        date_format(o->as_of, day);
        long missed = (long)(o->as_of - first);
        if (missed == 1)
            fprintf(o->out, "catching up 1 missed night before %s: %s\n", day, from);
        else
            fprintf(o->out, "catching up %ld missed nights before %s: %s to %s\n", missed, day,
                    from, to);
    }
    long rejected = 0;
    date_t start = first != DATE_NONE ? first : o->as_of;
    for (date_t night = start; night <= o->as_of; night++) {
        /* Between two nights: a stop here leaves no night half-reported and no job row
         * for a night that never began. */
        if ((st = interrupt_check(err)) != RECON_OK)
            goto out;
        char day[DATE_STR_SIZE];
        date_format(night, day);
        if (first != DATE_NONE)
            progress_context("nightly night %ld of %ld, %s", (long)(night - start) + 1,
                             (long)(o->as_of - start) + 1, day);
        st = catchup_run_night(db, o, &files, &registers, night, &rejected, err);
        progress_context(NULL);
        if (st != RECON_OK && st != RECON_EDATA)
            goto out;
    }
    st = RECON_OK;
    if (rejected)
        st = err_set(err, RECON_EDATA, "%ld inbox file%s rejected; see %s/quarantine", rejected,
                     rejected == 1 ? "" : "s", o->out_dir);
out:
    db_close(db);
    inbox_free(&files);
    inbox_free(&registers);
    return st;
}
