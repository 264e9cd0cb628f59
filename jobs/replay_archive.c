/*
 * Reading an archive for `recon replay --archive` (jobs/replay.h): a night is fed exactly
 * what its INPUTS.sha256 lists, statements and register files found by SHA-256 in the
 * inboxes, decisions files from the copies the night's folder keeps, and its reports are
 * compared with the archived ones by their manifests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/pipeline.h"
#include "jobs/replay.h"
#include "reports/manifest.h"

/* How INPUTS.sha256 names a file of the register inbox and a decisions file, whose copy
 * the night's folder keeps (sql/report_inputs.sql). */
#define REGISTER_PREFIX "register/"
#define DECISIONS_PREFIX "decisions/"


recon_status hash_inbox(const char *dir, hashed_inbox *h, err_t *err)
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

long compare_manifests(FILE *out, const char *day, const char *archived_dir,
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


void night_feed_free(night_feed *f)
{
    for (size_t i = 0; i < f->decision_count; i++)
        free(f->decisions[i]);
    free(f->paths);
    free(f->registers);
    free(f->decisions);
    memset(f, 0, sizeof *f);
}

/* The archived copy of a decisions file, checked against the SHA-256 INPUTS.sha256 gives
 * it: a copy changed since is not applied. */
static recon_status archived_decisions(FILE *out, const char *archive, const char *day,
                                       const manifest_entry *e, night_feed *f, long *missing,
                                       err_t *err)
{
    char path[4096], sha[SHA256_HEX_SIZE];
    snprintf(path, sizeof path, "%s/%s/%s", archive, day, e->name);
    if (access(path, R_OK) != 0) {
        fprintf(out, "  %s: input %s (%.12s) is not in the archive's %s/decisions/\n", day,
                e->name, e->sha256_hex, day);
        (*missing)++;
        return RECON_OK;
    }
    recon_status st = inbox_sha256(path, sha, err);
    if (st != RECON_OK)
        return st;
    if (strcmp(sha, e->sha256_hex) != 0) {
        fprintf(out, "  %s: %s differs from its SHA-256 in INPUTS.sha256; not applied\n", day,
                e->name);
        (*missing)++;
        return RECON_OK;
    }
    if ((f->decisions[f->decision_count] = strdup(path)) == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    f->decision_count++;
    return RECON_OK;
}

recon_status archived_inputs(FILE *out, const char *archive, const char *day,
                                    const hashed_inbox *h, const hashed_inbox *r, night_feed *f,
                                    long *missing, err_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/INPUTS.sha256", archive, day);
    manifest_list list = {0};
    memset(f, 0, sizeof *f);
    recon_status st = manifest_read(path, &list, err);
    if (st == RECON_ENOINPUT) {
        fprintf(out, "  %s: no INPUTS.sha256 in the archive; the night is run without files\n",
                day);
        (*missing)++;
        return RECON_OK;
    }
    if (st != RECON_OK)
        return st;
    f->paths = calloc(list.count + 1, sizeof *f->paths);
    f->registers = calloc(list.count + 1, sizeof *f->registers);
    f->decisions = calloc(list.count + 1, sizeof *f->decisions);
    if (f->paths == NULL || f->registers == NULL || f->decisions == NULL) {
        manifest_list_free(&list);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < list.count && st == RECON_OK; i++) {
        const char *name = list.entries[i].name;
        if (strncmp(name, DECISIONS_PREFIX, strlen(DECISIONS_PREFIX)) == 0) {
            st = archived_decisions(out, archive, day, &list.entries[i], f, missing, err);
            continue;
        }
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
            f->registers[f->register_count++] = (char *)found;
        else
            f->paths[f->count++] = (char *)found;
    }
    manifest_list_free(&list);
    return st;
}

