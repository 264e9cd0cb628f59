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
#include "reports/manifest.h"
#include "store/files.h"
#include "store/inputs.h"

/* How INPUTS.sha256 names a file of the register inbox (sql/report_inputs.sql). */
#define REGISTER_PREFIX "register/"

#define MAX_REPLAY_DAYS 3700 /* ten years */

/* The inbox hashed once, so archived inputs are found by content whatever
 * their name is now. */
typedef struct hashed_inbox {
    inbox_files files;
    char (*sha)[SHA256_HEX_SIZE];
} hashed_inbox;

static recon_status hash_inbox(const char *dir, hashed_inbox *h, err_t *err)
{
    recon_status st = inbox_list(dir, &h->files, err);
    if (st != RECON_OK)
        return st;
    h->sha = calloc(h->files.count + 1, sizeof *h->sha);
    if (h->sha == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    for (size_t i = 0; i < h->files.count; i++)
        if ((st = inbox_sha256(h->files.paths[i], h->sha[i], err)) != RECON_OK)
            return st;
    return RECON_OK;
}

static const char *find_by_sha(const hashed_inbox *h, const char *sha, const char *name)
{
    const char *any = NULL;
    for (size_t i = 0; i < h->files.count; i++) {
        if (strcmp(h->sha[i], sha) != 0)
            continue;
        const char *slash = strrchr(h->files.paths[i], '/');
        if (strcmp(slash ? slash + 1 : h->files.paths[i], name) == 0)
            return h->files.paths[i];
        if (any == NULL)
            any = h->files.paths[i];
    }
    return any;
}

static long compare_manifests(FILE *out, const char *day, const char *archived_dir,
                              const char *new_dir, const char *manifest, err_t *err,
                              recon_status *st)
{
    char a_path[4096], n_path[4096];
    snprintf(a_path, sizeof a_path, "%s/%s", archived_dir, manifest);
    snprintf(n_path, sizeof n_path, "%s/%s", new_dir, manifest);
    manifest_list a = {0}, n = {0};
    long diffs = 0;
    if ((*st = manifest_read(a_path, &a, err)) == RECON_ENOINPUT) {
        fprintf(out, "  %s: %s is missing from the archive\n", day, manifest);
        *st = RECON_OK;
        return 1;
    }
    if (*st != RECON_OK || (*st = manifest_read(n_path, &n, err)) != RECON_OK)
        goto out;
    for (size_t i = 0; i < a.count; i++) {
        const manifest_entry *mine = NULL;
        for (size_t j = 0; j < n.count && !mine; j++)
            if (strcmp(n.entries[j].name, a.entries[i].name) == 0)
                mine = &n.entries[j];
        if (mine == NULL) {
            fprintf(out, "  %s: %s (%s) is in the archive but not in the replay\n", day,
                    a.entries[i].name, manifest);
            diffs++;
        } else if (strcmp(mine->sha256_hex, a.entries[i].sha256_hex) != 0) {
            fprintf(out, "  %s: %s differs from the archive\n", day, a.entries[i].name);
            diffs++;
        }
    }
    for (size_t j = 0; j < n.count; j++) {
        bool found = false;
        for (size_t i = 0; i < a.count && !found; i++)
            found = strcmp(n.entries[j].name, a.entries[i].name) == 0;
        if (!found) {
            fprintf(out, "  %s: %s (%s) is in the replay but not in the archive\n", day,
                    n.entries[j].name, manifest);
            diffs++;
        }
    }
out:
    manifest_list_free(&a);
    manifest_list_free(&n);
    return diffs;
}

/* The files a night had, from its archived INPUTS.sha256, found in the inboxes: statements
 * in h, register files (named register/NAME) in r. */
static recon_status archived_inputs(FILE *out, const char *archive, const char *day,
                                    const hashed_inbox *h, const hashed_inbox *r,
                                    char ***paths, size_t *count, char ***registers,
                                    size_t *register_count, long *missing, err_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/INPUTS.sha256", archive, day);
    manifest_list list = {0};
    *paths = NULL;
    *count = 0;
    *registers = NULL;
    *register_count = 0;
    recon_status st = manifest_read(path, &list, err);
    if (st == RECON_ENOINPUT) {
        fprintf(out, "  %s: no INPUTS.sha256 in the archive; the night is run without files\n",
                day);
        (*missing)++;
        return RECON_OK;
    }
    if (st != RECON_OK)
        return st;
    *paths = calloc(list.count + 1, sizeof **paths);
    *registers = calloc(list.count + 1, sizeof **registers);
    if (*paths == NULL || *registers == NULL) {
        manifest_list_free(&list);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < list.count; i++) {
        const char *name = list.entries[i].name;
        bool reg = strncmp(name, REGISTER_PREFIX, strlen(REGISTER_PREFIX)) == 0;
        const char *found = find_by_sha(reg ? r : h, list.entries[i].sha256_hex,
                                        reg ? name + strlen(REGISTER_PREFIX) : name);
        if (found == NULL) {
            fprintf(out, "  %s: input %s (%.12s) is not in the %s\n", day, name,
                    list.entries[i].sha256_hex, reg ? "register inbox" : "inbox");
            (*missing)++;
            continue;
        }
        if (reg)
            (*registers)[(*register_count)++] = (char *)found;
        else
            (*paths)[(*count)++] = (char *)found;
    }
    manifest_list_free(&list);
    return RECON_OK;
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
                            h.files.paths, h.files.count, r.files.paths, r.files.count};
        char **fed = NULL, **fed_registers = NULL;
        if (o->archive) {
            /* A day the archive has no reports for had no nightly run: the
             * replay skips it too, else it would process a day never processed. */
            char archived_day[4096];
            snprintf(archived_day, sizeof archived_day, "%s/%s", o->archive, day);
            if (access(archived_day, F_OK) != 0) {
                fprintf(o->out, "no nightly %s in the archive; skipped\n", day);
                continue;
            }
            size_t count = 0, register_count = 0;
            st = archived_inputs(o->out, o->archive, day, &h, &r, &fed, &count, &fed_registers,
                                 &register_count, &differences, err);
            if (st != RECON_OK) {
                free(fed);
                free(fed_registers);
                break;
            }
            in.paths = fed;
            in.count = count;
            in.register_paths = fed_registers;
            in.register_count = register_count;
            in.not_after = DATE_NONE;
        }
        night_tally t = {0};
        st = nightly_day(db, &o->config, &in, o->out, &t, err);
        free(fed);
        free(fed_registers);
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
