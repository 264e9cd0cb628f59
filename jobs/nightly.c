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
#include "common/interrupt.h"
#include "common/progress.h"
#include "jobs/catchup.h"
#include "jobs/nightly.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"

/* Copies src to dir/name through a temporary name, so a quarantined file is
 * either whole or absent. */
static recon_status copy_into(const char *src, const char *dir, const char *name,
                              const char *text, err_t *err)
{
    char tmp[4096], dst[4096];
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    int in = -1;
    if (src && (in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
        return err_set(err, RECON_ENOINPUT, "%s: %s", src, strerror(errno));
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        if (in >= 0)
            close(in);
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", tmp, strerror(errno));
    }
    recon_status st = RECON_OK;
    char chunk[65536];
    if (in >= 0) {
        ssize_t n;
        while ((n = read(in, chunk, sizeof chunk)) > 0)
            if (write(out, chunk, (size_t)n) != n) {
                st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", tmp, strerror(errno));
                break;
            }
        if (n < 0 && st == RECON_OK)
            st = err_set(err, RECON_ENOINPUT, "%s: %s", src, strerror(errno));
        close(in);
    } else {
        size_t len = strlen(text);
        if (write(out, text, len) != (ssize_t)len)
            st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", tmp, strerror(errno));
    }
    if (st == RECON_OK && fsync(out) != 0)
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", tmp, strerror(errno));
    close(out);
    if (st == RECON_OK && rename(tmp, dst) != 0)
        st = err_set(err, RECON_EOUTPUT, "cannot rename %s: %s", tmp, strerror(errno));
    if (st != RECON_OK)
        unlink(tmp);
    return st;
}

/* Keeps a refused file and its reason beside the reports, where finance looks
 * in the morning; the inbox itself is left as delivered (it is what a replay
 * reads). */
static recon_status quarantine(const char *out_dir, const char *path, const char *reason,
                               err_t *err)
{
    char dir[4096], name[4096], text[ERR_MSG_MAX + 2];
    snprintf(dir, sizeof dir, "%s/quarantine", out_dir);
    recon_status st = job_make_dir(out_dir, err);
    if (st == RECON_OK)
        st = job_make_dir(dir, err);
    if (st != RECON_OK)
        return st;
    if (access(path, R_OK) == 0 && (st = copy_into(path, dir, job_base_name(path), NULL, err)) !=
                                       RECON_OK)
        return st;
    snprintf(name, sizeof name, "%s.reason", job_base_name(path));
    snprintf(text, sizeof text, "%s\n", job_reason_by_name(path, reason));
    return copy_into(NULL, dir, name, text, err);
}

recon_status nightly_ingest(db_t *db, const nightly_input *in, FILE *out, night_tally *t,
                            err_t *err)
{
    parse_options popts = {FORMAT_UNKNOWN, in->profile, NULL};
    ingest_request req = {&popts, in->not_after, true};
    for (size_t i = 0; i < in->count; i++) {
        const char *path = in->paths[i];
        ingest_result res;
        recon_status st = ingest_file(db, &req, path, &res, err);
        if (st != RECON_OK)
            return st;
        switch (res.outcome) {
        case INGEST_STORED:
            t->stored++;
            t->receipts += res.receipts;
            fprintf(out, "  %s: %s, %ld receipts (%ld duplicates)\n", job_base_name(path),
                    format_name(res.format), res.receipts, res.duplicates);
            break;
        case INGEST_SKIPPED:
            t->known++;
            break;
        case INGEST_LATER:
            t->later++;
            break;
        case INGEST_REJECTED:
            t->rejected++;
            log_error("%s", res.reason);
            fprintf(out, "  %s: rejected, kept in %s/quarantine\n", job_base_name(path),
                    in->out_dir);
            if ((st = quarantine(in->out_dir, path, res.reason, err)) != RECON_OK)
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

/* With catch-up, the nights missed since the last completed one run first, in
 * order, under the same lock; the first failing night stops the run (a later
 * night must not be reported on top of a missing one). The exit code is the
 * failure, else 65 when any night rejected files. */
recon_status cmd_nightly(const job_options *o, err_t *err)
{
    if (o->as_of == DATE_NONE || o->inbox == NULL || o->out_dir == NULL)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon nightly --as-of DATE --inbox DIR --out DIR [--no-catch-up]");
    inbox_files files = {0};
    recon_status st = inbox_list(o->inbox, &files, err);
    if (st != RECON_OK)
        return st;
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
        st = catchup_run_night(db, o, &files, night, &rejected, err);
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
    return st;
}
