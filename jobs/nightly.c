/*
 * `recon nightly --as-of DATE --inbox DIR --out DIR`: what a scheduler runs
 * every night. Under one job lock: ingest the inbox files not seen before whose
 * statement date is on or before DATE, process DATE, write DATE's reports.
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
#include "jobs/nightly.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"

recon_status nightly_ingest(db_t *db, const nightly_input *in, FILE *out, night_tally *t,
                            err_t *err)
{
    parse_options popts = {FORMAT_UNKNOWN, in->profile, NULL};
    ingest_request req = {&popts, in->not_after, true, true};
    for (size_t i = 0; i < in->count; i++) {
        const char *path = in->paths[i];
        ingest_result res;
        recon_status st = ingest_file(db, &req, path, &res, err);
        if (st != RECON_OK)
            return st;
        bool restored = false;
        /* A refusal recorded by an earlier run that no night has reported yet (that run
         * stopped, say on a full disk, before processing), or a rerun of the night that
         * reported it, is refused again here: the night exits 65 every time it runs and its
         * quarantine copy and reason are restored if missing. */
        if (res.outcome == INGEST_SKIPPED && res.rejected_before &&
            (res.rejected_on == DATE_NONE || res.rejected_on == in->as_of))
            res.outcome = INGEST_REJECTED;
        switch (res.outcome) {
        case INGEST_STORED:
            t->stored++;
            t->receipts += res.receipts;
            fprintf(out, "  %s: %s, %ld receipts (%ld duplicates)\n", res.name,
                    format_name(res.format), res.receipts, res.duplicates);
            break;
        case INGEST_SKIPPED:
            t->known++;
            if (!res.rejected_before)
                break;
            /* An earlier night's refusal: only its quarantine entry is made whole. */
            if ((st = quarantine_keep(in->out_dir, path, res.reason, res.unread, true, &restored,
                                      err)) != RECON_OK)
                return st;
            if (restored)
                fprintf(out, "  %s: rejected on an earlier night; its quarantine entry in "
                        "%s/quarantine was restored\n",
                        res.name, in->out_dir);
            break;
        case INGEST_LATER:
            t->later++;
            break;
        case INGEST_REJECTED:
            t->rejected++;
            log_error("%s", res.reason);
            fprintf(out, "  %s: rejected, kept in %s/quarantine\n", res.name, in->out_dir);
            if ((st = quarantine_keep(in->out_dir, path, res.reason, res.unread,
                                      res.rejected_before, &restored, err)) != RECON_OK)
                return st;
            break;
        }
    }
    return RECON_OK;
}

recon_status nightly_day(db_t *db, const eval_config *rules, const nightly_input *in, FILE *out,
                         night_tally *t, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(in->as_of, day);
    fprintf(out, "nightly %s\n", day);
    recon_status st = nightly_ingest(db, in, out, t, err);
    if (st != RECON_OK)
        return st;
    process_counts c;
    if ((st = process_day(db, rules, in->as_of, &c, err)) != RECON_OK)
        return st;
    t->policies = c.policies;
    t->events = c.new_events;
    if ((st = report_day(db, in->out_dir, in->as_of, false, err)) != RECON_OK)
        return st;
    fprintf(out,
            "  %ld file%s stored, %ld rejected, %ld waiting for a later date, %ld already "
            "known; %ld policies evaluated, %ld new events; reports in %s/%s\n",
            t->stored, t->stored == 1 ? "" : "s", t->rejected, t->later, t->known, c.policies,
            c.new_events, in->out_dir, day);
    return RECON_OK;
}

recon_status cmd_nightly(const job_options *o, err_t *err)
{
    if (o->as_of == DATE_NONE || o->inbox == NULL || o->out_dir == NULL)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon nightly --as-of DATE --inbox DIR --out DIR");
    inbox_files files = {0};
    recon_status st = inbox_list(o->inbox, &files, err);
    if (st != RECON_OK)
        return st;
    db_t *db = NULL;
    if ((st = job_connect_ready(o, &db, err)) != RECON_OK)
        goto out;
    long long run_id = 0;
    night_tally t = {0};
    if ((st = job_lock(db, err)) != RECON_OK ||
        (st = run_started(db, "nightly", o->as_of, &run_id, err)) != RECON_OK)
        goto out;
    nightly_input in = {o->as_of, o->as_of, o->out_dir, o->profile, files.paths, files.count};
    st = nightly_day(db, &o->rules, &in, o->out, &t, err);
    if (st == RECON_OK && t.rejected)
        st = err_set(err, RECON_EDATA, "%ld inbox file%s rejected; see %s/quarantine", t.rejected,
                     t.rejected == 1 ? "" : "s", o->out_dir);
    run_tally rt = {t.stored, t.rejected, t.receipts, t.policies, t.events};
    run_finished(db, run_id, st, &rt, st == RECON_OK ? "" : err->msg);
out:
    db_close(db);
    inbox_free(&files);
    return st;
}
