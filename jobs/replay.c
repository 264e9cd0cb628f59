/*
 * `recon replay --from D1 --to D2 --inbox DIR --out DIR [--register-inbox DIR]
 * [--archive DIR]`: the auditor's command. On a database holding no statement
 * or register-inbox files yet (empty, or with a register loaded by hand), it
 * runs the nightly of every day D1..D2 in order. Without an archive each night
 * takes the inbox files dated on or before it, as if they had arrived on time,
 * and the first night applies the register inbox. With --archive (earlier
 * nightly output) each night is fed exactly the files its INPUTS.sha256 lists,
 * found by SHA-256: statements in --inbox, `register/NAME` in --register-inbox,
 * so late files and register changes replay on the night they came, and each
 * report is compared with the archived one: every difference is named and the
 * exit code is 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "jobs/jobs.h"
#include "jobs/nightly.h"
#include "jobs/pipeline.h"
#include "jobs/replay.h"
#include "reports/manifest.h"
#include "store/decisions.h"
#include "store/files.h"
#include "store/inputs.h"


#define MAX_REPLAY_DAYS 3700 /* ten years */

/* A replay stores each archived decision under the name of who decided it, as the archive's
 * reports and `recon status` show it; the decisions table lets only a superuser (the
 * cluster's owner) store a decision in someone else's name. */
static recon_status require_superuser_for(db_t *db, const night_feed *f, const char *day,
                                          err_t *err)
{
    if (f->decision_count == 0)
        return RECON_OK;
    bool super = false;
    char login[128];
    recon_status st = store_decisions_login(db, login, sizeof login, &super, err);
    if (st != RECON_OK || super)
        return st;
    return err_set(err, RECON_EDATA,
                   "%s: the archive holds decisions files, which a replay stores under the "
                   "name of who decided them; the login role '%s' is not a superuser and may "
                   "not; hint: run the replay as the cluster's owner (the user that ran recon "
                   "init)",
                   day, login);
}

static recon_status require_no_statements(db_t *db, err_t *err)
{
    long files = 0, registers = 0;
    recon_status st = store_files_count(db, &files, err);
    if (st == RECON_OK)
        st = store_register_inputs_count(db, &registers, err);
    if (st != RECON_OK)
        return st;
    if (files > 0 || registers > 0)
        return err_set(err, RECON_EDATA,
                       "replay needs a database without statement files or register-inbox files "
                       "(this one has %ld and %ld); hint: recon --db NEW init, then replay (with "
                       "--register-inbox, or after loading the register by hand)",
                       files, registers);
    return RECON_OK;
}

recon_status cmd_replay(const job_options *o, err_t *err)
{
    if (o->from == DATE_NONE || o->to == DATE_NONE || o->inbox == NULL || o->out_dir == NULL)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon replay --from D1 --to D2 --inbox DIR --out DIR "
                       "[--register-inbox DIR] [--archive DIR]");
    if (o->to < o->from || o->to - o->from >= MAX_REPLAY_DAYS)
        return err_set(err, RECON_EUSAGE, "--from must not be after --to, nor %d days before it",
                       MAX_REPLAY_DAYS);
    if (o->archive && access(o->archive, R_OK | X_OK) != 0)
        return err_set(err, RECON_ENOINPUT, "cannot read archive %s", o->archive);
    hashed_inbox h = {{0}, NULL}, r = {{0}, NULL};
    db_t *db = NULL;
    long long run_id = 0;
    night_tally total = {0};
    long differences = 0;
    recon_status st = hash_inbox(o->inbox, &h, err);
    if (st == RECON_OK && o->register_inbox)
        st = hash_inbox(o->register_inbox, &r, err);
    if (st != RECON_OK)
        goto out;
    if ((st = job_connect_ready(o, &db, err)) != RECON_OK || (st = job_lock(db, err)) != RECON_OK ||
        (st = require_no_statements(db, err)) != RECON_OK ||
        (st = run_started(db, "replay", o->to, &run_id, err)) != RECON_OK)
        goto out;
    for (date_t d = o->from; d <= o->to && st == RECON_OK; d++) {
        char day[DATE_STR_SIZE];
        date_format(d, day);
        /* Between two nights is a safe point: every finished night is complete. */
        if ((st = interrupt_check(err)) != RECON_OK)
            break;
        progress_context("replay night %ld of %ld, %s", (long)(d - o->from) + 1,
                         (long)(o->to - o->from) + 1, day);
        nightly_input in = {d,           d,           o->out_dir,   o->profile,
                            h.files.paths, h.files.count, r.files.paths, r.files.count, NULL, 0};
        night_feed fed = {0};
        if (o->archive) {
            /* A day the archive has no reports for had no nightly run: the
             * replay skips it too, else it would process a day never processed. */
            char archived_day[4096];
            snprintf(archived_day, sizeof archived_day, "%s/%s", o->archive, day);
            if (access(archived_day, F_OK) != 0) {
                fprintf(o->out, "no nightly %s in the archive; skipped\n", day);
                continue;
            }
            st = archived_inputs(o->out, o->archive, day, &h, &r, &fed, &differences, err);
            if (st == RECON_OK)
                st = require_superuser_for(db, &fed, day, err);
            if (st != RECON_OK) {
                night_feed_free(&fed);
                break;
            }
            in.paths = fed.paths;
            in.count = fed.count;
            in.register_paths = fed.registers;
            in.register_count = fed.register_count;
            in.decision_paths = fed.decisions;
            in.decision_count = fed.decision_count;
            in.not_after = DATE_NONE;
        }
        night_tally t = {0};
        st = nightly_day(db, &o->config, &in, o->out, &t, err);
        night_feed_free(&fed);
        total.stored += t.stored;
        total.rejected += t.rejected;
        total.receipts += t.receipts;
        total.policies = t.policies;
        total.events += t.events;
        if (st != RECON_OK || o->archive == NULL)
            continue;
        char archived[4096], replayed[4096];
        snprintf(archived, sizeof archived, "%s/%s", o->archive, day);
        snprintf(replayed, sizeof replayed, "%s/%s", o->out_dir, day);
        differences += compare_manifests(o->out, day, archived, replayed, "MANIFEST.sha256", err,
                                         &st);
        if (st == RECON_OK)
            differences += compare_manifests(o->out, day, archived, replayed, "INPUTS.sha256",
                                             err, &st);
    }
    if (st == RECON_OK && o->archive) {
        char from[DATE_STR_SIZE], to[DATE_STR_SIZE];
        date_format(o->from, from);
        date_format(o->to, to);
        fprintf(o->out, "replay %s..%s: %ld difference%s from the archive\n", from, to,
                differences, differences == 1 ? "" : "s");
    }
    if (st == RECON_OK && differences)
        st = err_set(err, RECON_EDIFF, "%ld difference%s between the replay and the archive",
                     differences, differences == 1 ? "" : "s");
    else if (st == RECON_OK && total.rejected)
        st = err_set(err, RECON_EDATA, "%ld file%s rejected during the replay; see %s/quarantine",
                     total.rejected, total.rejected == 1 ? "" : "s", o->out_dir);
    progress_context(NULL);
    run_tally rt = {total.stored, total.rejected, total.receipts, total.policies, total.events};
    run_finished(db, run_id, st, &rt, st == RECON_OK ? "" : err->msg);
out:
    db_close(db);
    inbox_free(&h.files);
    free(h.sha);
    inbox_free(&r.files);
    free(r.sha);
    return st;
}
