/*
 * The register inbox (`--register-inbox DIR`): the policy register and events
 * files the policy system delivers, applied on the night that finds them,
 * before its statements, through the loaders of `recon policies load` and
 * `recon events load`. The folder is as shared as the statement inbox, so its
 * entries get the same care (jobs/inbox.c): judged by lstat, opened without
 * following links or blocking, odd names refused, and a file is read through
 * the descriptor that was checked and hashed. A file's kind is its header
 * row's, never its name's. Policies go before events, so that an events file
 * may name a policy delivered the same night; within a kind, the byte order of
 * names and then the SHA-256 make the order the same on every run and replay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sha256.h"
#include "jobs/nightly.h"
#include "jobs/pipeline.h"
#include "jobs/register.h"
#include "store/inputs.h"

typedef struct register_entry {
    const char *path;
    char shown[JOB_NAME_SHOWN * 4];
    int fd;           /* -1: not read (not a regular file, or unreadable) */
    inbox_kind kind;
    inbox_content content;
    bool name_ok, unreadable;
    char why[128];    /* what is wrong with the name */
    char content_sha[SHA256_HEX_SIZE]; /* of its bytes, when read */
    char sha[SHA256_HEX_SIZE]; /* what it is recorded under (inbox_sha256's key) */
    char reason[ERR_MSG_MAX];  /* a refusal found while judging it, else "" */
} register_entry;

static int rank(const register_entry *e)
{
    return e->content == INBOX_CONTENT_POLICIES ? 0 : e->content == INBOX_CONTENT_EVENTS ? 1 : 2;
}

static int by_kind_name_sha(const void *a, const void *b)
{
    const register_entry *x = a, *y = b;
    int c = rank(x) - rank(y);
    if (c == 0)
        c = strcmp(job_base_name(x->path), job_base_name(y->path));
    return c ? c : strcmp(x->sha, y->sha);
}

/* Opens, hashes and classifies one entry; refusals are noted in e->reason. */
static recon_status judge(register_entry *e, err_t *err)
{
    const char *raw = job_base_name(e->path);
    job_escape(e->path, e->shown, sizeof e->shown);
    e->name_ok = job_name_ok(raw, e->why, sizeof e->why);
    err_t why;
    recon_status st = inbox_open(e->path, &e->fd, &e->kind, &why);
    if (st == RECON_ENOINPUT) {
        e->unreadable = true;
        snprintf(e->reason, sizeof e->reason, "%s", why.msg);
        return RECON_OK;
    }
    if (st != RECON_OK)
        return err_set(err, st, "%s", why.msg);
    if (e->fd < 0) {
        err_set(&why, RECON_EDATA,
                "%s: %s, not a regular file; refused without reading it; hint: deliver the "
                "file itself into the register inbox",
                e->shown, inbox_kind_text(e->kind));
        snprintf(e->reason, sizeof e->reason, "%s", why.msg);
        return job_refusal_sha(inbox_kind_text(e->kind), raw, NULL, e->sha, err);
    }
    if ((st = inbox_hash_fd(e->fd, e->shown, e->content_sha, &why)) != RECON_OK ||
        (st = inbox_content_of(e->fd, e->shown, &e->content, &why)) != RECON_OK) {
        e->unreadable = true;
        snprintf(e->reason, sizeof e->reason, "%s", why.msg);
        return RECON_OK;
    }
    memcpy(e->sha, e->content_sha, sizeof e->sha);
    if (!e->name_ok) {
        err_set(&why, RECON_EDATA,
                "%s: the file name %s; refused without reading it; hint: rename the file (its "
                "content was not judged)",
                e->shown, e->why);
        snprintf(e->reason, sizeof e->reason, "%s", why.msg);
        return job_refusal_sha("name", raw, e->content_sha, e->sha, err);
    }
    if (e->content == INBOX_CONTENT_DECISIONS)
        err_set(&why, RECON_EDATA,
                "%s: a decisions file (header decided_on,receipt_id,...); refused; hint: "
                "decisions enter only through `recon decide`, run by a person",
                e->shown);
    else if (e->content == INBOX_CONTENT_OTHER)
        err_set(&why, RECON_EDATA,
                "%s: neither a policy register file (header policy_no,holder_name,...) nor an "
                "events file (header policy_no,event,date); refused; hint: statements go to "
                "--inbox",
                e->shown);
    else
        return RECON_OK;
    snprintf(e->reason, sizeof e->reason, "%s", why.msg);
    return RECON_OK;
}

static const char *kind_name(inbox_content c)
{
    return c == INBOX_CONTENT_POLICIES ? "policies" : c == INBOX_CONTENT_EVENTS ? "events"
                                                                                : "unknown";
}

/* Loads the file through its descriptor and records it in the same transaction. A file
 * the loader refuses leaves its reason in e->reason and RECON_OK. */
static recon_status apply(db_t *db, const recon_config *config, const nightly_input *in,
                          register_entry *e, FILE *out, err_t *err)
{
    char via[64];
    snprintf(via, sizeof via, "/proc/self/fd/%d", e->fd);
    register_file f =
        e->content == INBOX_CONTENT_POLICIES ? register_policies_file : register_events_file;
    f.file = e->shown;
    f.read_from = via;
    long rows = 0, a = 0, b = 0, c = 0;
    err_t ferr;
    recon_status st = register_stage_on(db, config->max_input, &f, &rows, &ferr);
    if (st == RECON_EDATA || st == RECON_ENOINPUT) {
        snprintf(e->reason, sizeof e->reason, "%s", ferr.msg);
        return RECON_OK;
    }
    if (st != RECON_OK)
        return err_set(err, st, "%s", ferr.msg);
    store_register_input_row row = {e->sha, job_base_name(e->shown), kind_name(e->content),
                                    NULL, rows, in->as_of};
    if (e->content == INBOX_CONTENT_POLICIES) {
        if ((st = store_register_new_policies(db, err)) == RECON_OK &&
            (st = store_policies_merge(db, &a, err)) == RECON_OK)
            st = store_register_stamp_policies(db, in->as_of, err);
    } else
        st = store_events_merge(db, &a, &b, &c, err);
    if (st == RECON_OK)
        st = store_register_input_record(db, &row, true, err);
    if (st == RECON_OK)
        st = db_commit(db, err);
    if (st != RECON_OK) {
        db_rollback(db);
        return st;
    }
    if (e->content == INBOX_CONTENT_POLICIES)
        fprintf(out, "  %s: policy register, %ld policies (%ld new, %ld updated or unchanged)\n",
                row.name, rows, a, rows - a);
    else
        fprintf(out, "  %s: events, %ld rows (%ld new agreements, %ld new cancellation "
                "requests)\n", row.name, rows, a, b);
    return RECON_OK;
}

/* Records, reports and quarantines a refusal (again, with only its missing pieces, for one
 * recorded before). An unreadable file has nothing to be remembered by: it is only reported,
 * as in the statement inbox. */
static recon_status refuse(db_t *db, const nightly_input *in, const register_entry *e,
                           bool before, FILE *out, night_tally *t, err_t *err)
{
    recon_status st = RECON_OK;
    const char *reason = job_reason_by_name(e->shown, e->reason);
    store_register_input_row row = {e->sha, job_base_name(e->shown), kind_name(e->content),
                                    reason, 0, in->as_of};
    if (!before && !e->unreadable &&
        (st = store_register_input_record(db, &row, false, err)) != RECON_OK)
        return st;
    t->rejected++;
    log_error("%s", e->reason);
    fprintf(out, "  %s: rejected, kept in %s/quarantine\n", row.name, in->out_dir);
    return quarantine_keep(in->out_dir, e->path, e->reason, e->fd < 0, before, NULL, err);
}

static recon_status handle(db_t *db, const recon_config *config, const nightly_input *in,
                           register_entry *e, FILE *out, night_tally *t, err_t *err)
{
    if (e->unreadable)
        return refuse(db, in, e, false, out, t, err);
    store_register_input known;
    recon_status st;
    /* Bytes applied before under another name are only skipped, whatever this name is. */
    if (e->fd >= 0 && !e->name_ok) {
        if ((st = store_register_input_find(db, e->content_sha, &known, err)) != RECON_OK)
            return st;
        if (known.id && !known.rejected)
            return RECON_OK;
    }
    if ((st = store_register_input_find(db, e->sha, &known, err)) != RECON_OK)
        return st;
    if (known.id && !known.rejected)
        return RECON_OK;
    if (known.id) {
        /* A refusal of an earlier night is not repeated; a rerun of its own night refuses
         * it again. Either way its quarantine entry is made whole. */
        snprintf(e->reason, sizeof e->reason, "%s", known.reason);
        if (known.night == in->as_of)
            return refuse(db, in, e, true, out, t, err);
        return quarantine_keep(in->out_dir, e->path, e->reason, e->fd < 0, true, NULL, err);
    }
    if (e->reason[0] == '\0' && (st = apply(db, config, in, e, out, err)) != RECON_OK)
        return st;
    if (e->reason[0] != '\0')
        return refuse(db, in, e, false, out, t, err);
    t->registered++;
    return RECON_OK;
}

recon_status register_inbox_apply(db_t *db, const recon_config *config, const nightly_input *in,
                                  FILE *out, night_tally *t, err_t *err)
{
    if (in->register_count == 0)
        return RECON_OK;
    register_entry *e = calloc(in->register_count, sizeof *e);
    if (e == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    recon_status st = RECON_OK;
    size_t judged = 0;
    for (; judged < in->register_count && st == RECON_OK; judged++) {
        e[judged].path = in->register_paths[judged];
        e[judged].fd = -1;
        st = judge(&e[judged], err);
    }
    if (st == RECON_OK)
        qsort(e, judged, sizeof *e, by_kind_name_sha);
    for (size_t i = 0; i < judged && st == RECON_OK; i++)
        st = handle(db, config, in, &e[i], out, t, err);
    for (size_t i = 0; i < judged; i++)
        if (e[i].fd >= 0)
            close(e[i].fd);
    free(e);
    return st;
}
