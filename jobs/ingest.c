/*
 * `recon ingest FILE...`: parse statement files and store them. Each file is
 * stored whole or not at all, in one transaction: while it is parsed (with no
 * database, so the next file's parse runs beside this one's store:
 * jobs/ingest_ahead.c), each receipt's row goes to a local spool file and its
 * (source, transaction_key) to a list; only a fully parsed file is stored, its
 * repeats looked up from those keys and its rows copied straight into receipts
 * (one pass over the table, as psql \copy makes). Files are
 * recognised by the SHA-256 of their bytes (the same file twice is skipped)
 * and receipts by (source, transaction_key) (the same transaction in two files
 * counts once, as a duplicate). A rejected file stores nothing but a
 * statement_files row naming the reason; the other files still load and the
 * command exits 65. The scan of parsed rows is jobs/ingest_scan.c; the tables,
 * store/files.c and store/receipts.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"
#include "jobs/ingest_ahead.h"
#include "jobs/jobs.h"
#include "jobs/match.h"
#include "jobs/pipeline.h"
#include "parsers/parse.h"
#include "store/files.h"
#include "store/receipts.h"

/* A rejected file is remembered with its reason (interface.md: rejected files are
 * listed and kept), stored under the inbox name, so a replay elsewhere reports the same. */
static recon_status record_rejection(db_t *db, const char *sha, const char *path,
                                     const char *format, const char *reason, err_t *err)
{
    return store_file_reject(db, sha, job_base_name(path), format,
                             job_reason_by_name(path, reason), err);
}

/* A file known before: skipped. A rejection is restated under the path of this run (the
 * stored reason names the file as the inbox does), so a rerun shows the same line. */
static void skip_known(const store_known_file *k, const char *shown, ingest_result *res)
{
    res->outcome = INGEST_SKIPPED;
    res->file_id = k->id;
    if (!k->rejected)
        return;
    res->rejected_before = true;
    res->rejected_on = k->night;
    const char *name = job_base_name(shown);
    size_t nlen = strlen(name);
    size_t dir_len = (size_t)(name - shown);
    if (strncmp(k->reason, name, nlen) != 0 || k->reason[nlen] != ':' ||
        dir_len >= sizeof res->reason)
        dir_len = 0;
    memcpy(res->reason, shown, dir_len);
    size_t rest = strlen(k->reason), room = sizeof res->reason - 1 - dir_len;
    if (rest > room)
        rest = room;
    memcpy(res->reason + dir_len, k->reason, rest);
    res->reason[dir_len + rest] = '\0';
}

/* An entry refused for its name or for what it is (a link, FIFO, device), never parsed:
 * recorded under job_refusal_sha with its escaped name, so the night lists it, its reason is
 * kept and a rerun knows it. Bytes already stored under another name are only skipped. */
static recon_status refuse_entry(db_t *db, const ingest_request *req, const char *raw_name,
                                 const char *shown, const char *content_sha, inbox_kind kind,
                                 const char *why, ingest_result *res, err_t *err)
{
    store_known_file k;
    recon_status st;
    if (content_sha != NULL) {
        if ((st = store_file_find(db, content_sha, false, &k, err)) != RECON_OK)
            return st;
        if (k.id) {
            skip_known(&k, shown, res);
            return RECON_OK;
        }
    }
    char key[SHA256_HEX_SIZE];
    err_t why_err; /* err_set bounds the message as every reason is bounded */
    if (kind != INBOX_REGULAR) {
        res->unread = true;
        if ((st = job_refusal_sha(inbox_kind_text(kind), raw_name, NULL, key, err)) != RECON_OK)
            return st;
        err_set(&why_err, RECON_EDATA,
                "%s: %s, not a regular file; refused without reading it; hint: deliver the "
                "file itself into the inbox",
                shown, inbox_kind_text(kind));
    } else {
        if ((st = job_refusal_sha("name", raw_name, content_sha, key, err)) != RECON_OK)
            return st;
        err_set(&why_err, RECON_EDATA,
                "%s: the file name %s; refused without parsing; hint: rename the file (its "
                "content was not judged)",
                shown, why);
    }
    memcpy(res->reason, why_err.msg, sizeof res->reason);
    memcpy(res->sha256, key, sizeof key);
    if ((st = store_file_find(db, key, true, &k, err)) != RECON_OK)
        return st;
    if (k.id && k.rejected && req->skip_rejected) {
        skip_known(&k, shown, res);
        return RECON_OK;
    }
    res->outcome = INGEST_REJECTED;
    return record_rejection(db, key, shown, "unknown", res->reason, err);
}

void ingest_open(const ingest_request *req, const char *path, ingest_slot *s)
{
    memset(s, 0, sizeof *s);
    s->req = req;
    s->path = path;
    s->fd = -1;
    s->kind = INBOX_REGULAR;
    s->res.format = FORMAT_UNKNOWN;
    s->res.statement_date = DATE_NONE;
    s->res.rejected_on = DATE_NONE;
    err_clear(&s->ferr);
    /* Shown escaped wherever it goes (messages, the database, reports), so no raw control
     * byte or invalid UTF-8 from a file name ever reaches them. */
    job_escape(path, s->shown, sizeof s->shown);
    snprintf(s->res.name, sizeof s->res.name, "%s", job_base_name(s->shown));
    s->name_ok = job_name_ok(job_base_name(path), s->why, sizeof s->why);
    recon_status st = RECON_OK;
    if (req->inbox)
        st = inbox_open(path, &s->fd, &s->kind, &s->ferr);
    else if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        st = err_set(&s->ferr, RECON_ENOINPUT, "%s: cannot open: %s", s->shown,
                     strerror(errno));
    if (st == RECON_OK && s->fd >= 0)
        st = inbox_hash_fd(s->fd, s->shown, s->res.sha256, &s->ferr);
    s->open_st = st;
    if (st != RECON_OK || !s->name_ok || s->kind != INBOX_REGULAR)
        return;
    /* The policy system's files and a person's decisions have inboxes of their own. */
    inbox_content content;
    s->misdelivered = inbox_content_of(s->fd, s->shown, &content, &s->mis) == RECON_OK &&
                      inbox_misdelivered(content, s->shown, &s->mis);
    /* The parser reads the very file that was checked and hashed, through its descriptor,
     * so a name swapped for a link meanwhile changes nothing; messages name the path. */
    struct stat a, b;
    s->parse_path = path;
    snprintf(s->via, sizeof s->via, "/proc/self/fd/%d", s->fd);
    if (fstat(s->fd, &a) == 0 && stat(s->via, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
        s->parse_path = s->via;
}

recon_status ingest_gate(db_t *db, const ingest_request *req, ingest_slot *s, bool *parse,
                         err_t *err)
{
    *parse = false;
    ingest_result *res = &s->res;
    recon_status st = s->open_st;
    if (st == RECON_OK && (!s->name_ok || s->kind != INBOX_REGULAR))
        return refuse_entry(db, req, job_base_name(s->path), s->shown,
                            s->fd >= 0 ? res->sha256 : NULL, s->kind, s->why, res, err);
    if (st == RECON_ENOINPUT) {
        /* Nothing to remember it by: unreadable files are only reported. */
        snprintf(res->reason, sizeof res->reason, "%s", s->ferr.msg);
        res->outcome = INGEST_REJECTED;
        return RECON_OK;
    }
    if (st != RECON_OK)
        return err_set(err, st, "%s", s->ferr.msg);
    store_known_file known;
    if ((st = store_file_find(db, res->sha256, req->skip_rejected, &known, err)) != RECON_OK)
        return st;
    if (known.id) {
        skip_known(&known, s->shown, res);
        return RECON_OK;
    }
    if (s->misdelivered) {
        snprintf(res->reason, sizeof res->reason, "%s", s->mis.msg);
        res->outcome = INGEST_REJECTED;
        return record_rejection(db, res->sha256, s->shown, "unknown", s->mis.msg, err);
    }
    *parse = true;
    return RECON_OK;
}

recon_status ingest_store(db_t *db, const ingest_request *req, ingest_slot *s, err_t *err)
{
    ingest_result *res = &s->res;
    const char *sha = res->sha256, *shown = s->shown;
    err_t ferr = s->parse_err;
    recon_status st = s->parse_st;
    bool open = false;
    progress_begin("ingest %s", job_base_name(shown));
    if (st == RECON_OK) {
        res->statement_date = ingest_scan_date(&s->scan);
        if (req->not_after != DATE_NONE && res->statement_date != DATE_NONE &&
            res->statement_date > req->not_after) {
            /* Parsed twice in all (now and on its night), but nothing is stored
             * ahead of its date, so a run never reports tomorrow's money. */
            res->outcome = INGEST_LATER;
            goto out;
        }
        if ((st = store_file_begin(db, err)) != RECON_OK)
            goto out;
        open = true;
        st = store_receipts_keys_copy(db, &s->scan.keys, &ferr);
    }
    if (st == RECON_OK && (st = ingest_scan_store(db, &s->scan, sha, res, &ferr)) == RECON_EDATA)
        err_prefix(&ferr, "%s: ", shown); /* a row the schema refused: name the file */
    if (st == RECON_OK && res->outcome == INGEST_SKIPPED) {
        db_rollback(db);
        store_known_file k;
        st = store_file_find(db, sha, false, &k, err);
        res->file_id = k.id;
        goto out;
    }
    if (st == RECON_OK && (st = db_commit(db, &ferr)) == RECON_OK)
        goto out;
    /* Bad content (parse errors, or a row the schema refuses) rejects this file
     * only; anything else is the database or the machine failing. A file cut
     * short by a stop request is not rejected: it is read again next time. */
    if ((st != RECON_EDATA && st != RECON_ENOINPUT) || interrupt_signal() != 0) {
        st = interrupt_outcome(st, &ferr);
        err_set(err, st, "%s", ferr.msg);
        if (open)
            db_rollback(db);
        goto out;
    }
    if (open)
        db_rollback(db); /* ends a COPY left open, too */
    snprintf(res->reason, sizeof res->reason, "%s", ferr.msg);
    res->outcome = INGEST_REJECTED;
    st = record_rejection(db, sha, shown,
                          res->format == FORMAT_UNKNOWN ? "unknown" : format_name(res->format),
                          ferr.msg, err);
out:
    progress_end();
    return st;
}

typedef struct ingest_shown {
    FILE *out;
    int rejected;
} ingest_shown;

static recon_status show_result(void *ctx, const char *path, ingest_result *res, err_t *err)
{
    (void)err;
    ingest_shown *o = ctx;
    char shown[4 * 4096 + 1];
    job_escape(path, shown, sizeof shown);
    if (res->outcome == INGEST_REJECTED) {
        log_error("%s", res->reason);
        o->rejected++;
    } else if (res->outcome == INGEST_SKIPPED) {
        fprintf(o->out, "%s: already ingested (file %lld), skipped\n", shown, res->file_id);
    } else {
        fprintf(o->out, "%s: %s, %ld receipts (%ld duplicates), stored as file %lld\n", shown,
                format_name(res->format), res->receipts, res->duplicates, res->file_id);
    }
    return RECON_OK;
}

recon_status cmd_ingest(const job_options *o, err_t *err)
{
    if (o->arg_count < 1)
        return err_set(err, RECON_EUSAGE,
                       "usage: recon ingest FILE... [--format F] [--profile P]");
    parse_options popts;
    recon_status st = job_parse_options(o, &popts, err);
    if (st != RECON_OK)
        return st;
    db_t *db = NULL;
    st = job_connect_ready(o, &db, err);
    if (st != RECON_OK)
        return st;
    ingest_request req = {&popts, DATE_NONE, false, false, &o->config};
    ingest_shown shown = {o->out, 0};
    st = ingest_files(db, &req, o->args, (size_t)o->arg_count, show_result, &shown, err);
    db_close(db);
    if (st == RECON_OK && fflush(o->out) != 0)
        st = err_set(err, RECON_EOUTPUT, "cannot write to standard output");
    if (st == RECON_OK && shown.rejected)
        st = err_set(err, RECON_EDATA, "%d of %d file%s rejected", shown.rejected, o->arg_count,
                     o->arg_count == 1 ? "" : "s");
    return st;
}
