/*
 * `recon report --as-of DATE --out DIR`: the day's reports under DIR/DATE/, as
 * gzip CSV with stable row order and deterministic bytes, plus MANIFEST.sha256
 * and INPUTS.sha256. Reads what `recon process --as-of DATE` stored; it never
 * evaluates, so a report always shows what the run decided. Which files there
 * are and how they are written: reports/catalogue; receipts.csv.gz's merge:
 * reports/merge; the queries: store/report.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/progress.h"
#include "common/safefile.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"
#include "reports/catalogue.h"
#include "reports/merge.h"
#include "reports/page.h"
#include "reports/workbook.h"
#include "store/evaluation.h"
#include "store/report.h"

/* One CSV report by its catalogue name: notices and receipts have writers of their own. */
static recon_status write_csv(db_t *db, const report_target *t, const char *name,
                              merge_streams *rs, date_t as_of, const recon_config *config,
                              summary_figures *sum, manifest_entry *entry, err_t *err)
{
    const report_spec *spec = catalogue_find(name);
    if (spec == &catalogue_notices)
        return catalogue_write_notices(db, t, as_of, config->notice_days, entry, err);
    if (spec == &catalogue_receipts)
        return merge_write(rs, t, as_of, sum, entry, err);
    if (spec == NULL)
        return err_set(err, RECON_EINTERNAL, "report: %s is no report of the catalogue", name);
    return catalogue_write(db, t, spec, sum, entry, err);
}

/* The night's page, its cost logged (RECON_LOG=info) for bench/run.sh: it is inside the
 * report's. */
static recon_status page_day(db_t *db, const report_target *t, const char *day,
                             summary_figures *sum, manifest_entry *entry, err_t *err)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    recon_status st = page_write_day(db, t, day, sum, entry, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    log_msg(LOG_INFO, "report %s: page written in %.3f s", day,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return st;
}

recon_status report_day(db_t *db, const char *out_dir, date_t as_of, bool unmasked,
                        const recon_config *config, err_t *err)
{
    char day[DATE_STR_SIZE], dir[4096];
    date_format(as_of, day);
    /* OUT/DATE is checked (a real directory of this user, not a link, not writable by
     * others); each report opens it again without following a link and writes through
     * unique temporaries (reports/gzcsv.h), so nothing planted there redirects a write. */
    int dirfd = -1;
    recon_status st = job_out_dir(out_dir, day, dir, sizeof dir, &dirfd, err);
    if (st != RECON_OK)
        return st;
    safefile_sweep(dirfd, JOB_STALE_TEMP_SECONDS);
    close(dirfd);
    /* One snapshot for every file of the report, shared by two more connections that prepare
     * the receipts streams (a sort, hash joins; most of the report's database time) while this
     * one writes the other reports: on two cores, the server's work and the compression of
     * the reports then overlap instead of taking turns. */
    if ((st = store_report_begin(db, as_of, err)) != RECON_OK)
        return st;
    progress_begin("report %s", day);
    report_target target = {dir, config->report_level, unmasked, NULL};
    db_t *twin_day = NULL, *twin_allocs = NULL;
    merge_streams rs;
    manifest_entry entries[CATALOGUE_FILES + 1]; /* + the page */
    size_t count = 0;
    summary_figures sum;
    char book[WORKBOOK_NAME_SIZE];
    workbook_night *wb = NULL;
    memset(&sum, 0, sizeof sum);
    if ((st = store_report_twin(db, as_of, &twin_day, err)) == RECON_OK &&
        (st = store_report_twin(db, as_of, &twin_allocs, err)) == RECON_OK &&
        (st = merge_send(&rs, twin_day, twin_allocs, err)) == RECON_OK &&
        (st = workbook_night_start(db, &target, as_of, &wb, err)) == RECON_OK)
        target.feed = workbook_night_feed(wb);
    /* In the workbook's sheet order: its thread takes each file's rows as they are written. */
    for (size_t i = 0; i < WORKBOOK_SHEETS && st == RECON_OK; i++)
        st = write_csv(db, &target, workbook_sheet_file(i), &rs, as_of, config, &sum,
                       &entries[count++], err);
    if (st == RECON_OK)
        st = catalogue_write_summary(db, &target, day, &sum, &entries[count++], err);
    if (st == RECON_OK)
        st = page_day(db, &target, day, &sum, &entries[count++], err);
    if (wb != NULL && (st = workbook_night_end(wb, st, &sum, book, &entries[count], err)) ==
                          RECON_OK)
        count++;
    if (st == RECON_OK)
        st = inputs_copy_decisions(db, out_dir, as_of, err);
    if (st == RECON_OK)
        st = catalogue_write_inputs(db, dir, err);
    db_close(twin_day); /* ends its transaction, and any stream left unread after a failure */
    db_close(twin_allocs);
    db_rollback(db);
    progress_end();
    /* The manifest goes last: a directory with a manifest is a complete day. */
    if (st == RECON_OK)
        st = manifest_write(dir, "MANIFEST.sha256", entries, count, err);
    /* The history is no night's record: rewritten after the night is complete. */
    if (st == RECON_OK)
        st = page_write_history(out_dir, err);
    return st;
}

recon_status cmd_report(const job_options *o, err_t *err)
{
    if (o->as_of == DATE_NONE || o->out_dir == NULL)
        return err_set(err, RECON_EUSAGE, "usage: recon report --as-of DATE --out DIR");
    db_t *db = NULL;
    recon_status st = job_connect_ready(o, &db, err);
    if (st != RECON_OK)
        return st;
    /* Refused before any file is written: a day whose money could overflow the totals.
     * process refuses it too; this catches data changed since. (A nightly reports in the
     * run that has just checked it, so report_day itself does not scan again.) */
    if ((st = store_money_check_day(db, o->as_of, err)) == RECON_OK &&
        (st = report_day(db, o->out_dir, o->as_of, o->unmasked, &o->config, err)) ==
            RECON_OK) {
        char day[DATE_STR_SIZE];
        date_format(o->as_of, day);
        fprintf(o->out, "reports for %s written to %s/%s\n", day, o->out_dir, day);
    }
    db_close(db);
    return st;
}
