/*
 * `recon ingest FILE...`: parse statement files and store them. Each file is
 * stored whole or not at all, in one transaction: while it is parsed, each
 * receipt's row goes to a local spool file and its (source, transaction_key)
 * streams through COPY into a temporary table; only a fully parsed file is
 * stored, its repeats looked up from those keys and its rows copied straight
 * into receipts (one pass over the table, as psql \copy makes). Files are
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
#include "jobs/ingest_scan.h"
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

recon_status ingest_file(db_t *db, const ingest_request *req, const char *path,
                         ingest_result *res, err_t *err)
{
    memset(res, 0, sizeof *res);
    res->format = FORMAT_UNKNOWN;
    res->statement_date = DATE_NONE;
    res->rejected_on = DATE_NONE;
    err_t ferr;
    err_clear(&ferr);
    char *sha = res->sha256;
    /* Shown escaped wherever it goes (messages, the database, reports), so no raw control
     * byte or invalid UTF-8 from a file name ever reaches them. */
    char shown[4 * 4096 + 1];
    job_escape(path, shown, sizeof shown);
    snprintf(res->name, sizeof res->name, "%s", job_base_name(shown));
    char why[128];
    bool name_ok = job_name_ok(job_base_name(path), why, sizeof why);
    int fd = -1;
    inbox_kind kind = INBOX_REGULAR;
    recon_status st = RECON_OK;
    if (req->inbox)
        st = inbox_open(path, &fd, &kind, &ferr);
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        st = err_set(&ferr, RECON_ENOINPUT, "%s: cannot open: %s", shown, strerror(errno));
    if (st == RECON_OK && fd >= 0)
        st = inbox_hash_fd(fd, shown, sha, &ferr);
    if (st == RECON_OK && (!name_ok || kind != INBOX_REGULAR)) {
        st = refuse_entry(db, req, job_base_name(path), shown, fd >= 0 ? sha : NULL, kind, why,
                          res, err);
        if (fd >= 0)
            close(fd);
        return st;
    }
    if (st == RECON_ENOINPUT) {
        /* Nothing to remember it by: unreadable files are only reported. */
        snprintf(res->reason, sizeof res->reason, "%s", ferr.msg);
        res->outcome = INGEST_REJECTED;
        if (fd >= 0)
            close(fd);
        return RECON_OK;
    }
    if (st != RECON_OK) {
        if (fd >= 0)
            close(fd);
        return err_set(err, st, "%s", ferr.msg);
    }
    store_known_file known;
    if ((st = store_file_find(db, sha, req->skip_rejected, &known, err)) != RECON_OK) {
        close(fd);
        return st;
    }
    if (known.id) {
        skip_known(&known, shown, res);
        close(fd);
        return RECON_OK;
    }
    /* The policy system's files and a person's decisions have inboxes of their own. */
    inbox_content content;
    if (inbox_content_of(fd, shown, &content, &ferr) == RECON_OK &&
        inbox_misdelivered(content, shown, &ferr)) {
        close(fd);
        snprintf(res->reason, sizeof res->reason, "%s", ferr.msg);
        res->outcome = INGEST_REJECTED;
        return record_rejection(db, sha, shown, "unknown", ferr.msg, err);
    }
    /* The parser reads the very file that was checked and hashed, through its descriptor,
     * so a name swapped for a link meanwhile changes nothing; messages name the path. */
    char via[64];
    const char *parse_path = path;
    struct stat a, b;
    snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
    if (fstat(fd, &a) == 0 && stat(via, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        parse_path = via;

    match_rules *rules = NULL;
    if ((st = match_rules_for(&rules, req->config, err)) != RECON_OK) {
        close(fd);
        return st;
    }
    progress_begin("ingest %s", job_base_name(shown));
    ingest_scan f;
    if ((st = ingest_scan_init(&f, db, shown, rules, err)) != RECON_OK)
        goto out;
    if ((st = db_begin(db, err)) != RECON_OK)
        goto out;
    if ((st = store_receipts_keys_begin(db, err)) != RECON_OK)
        goto fail;
    receipt_sink sink = ingest_scan_sink(&f);
    st = parse_file(parse_path, req->parse, &sink, &res->format, &ferr);
    if (st != RECON_OK)
        ingest_restate(&ferr, parse_path, shown);
    if (st == RECON_OK)
        st = store_receipts_keys_end(db, &ferr);
    if (st == RECON_OK)
        st = ingest_scan_balances(&f, res->format, &ferr);
    if (st == RECON_OK) {
        res->statement_date = ingest_scan_date(&f);
        if (req->not_after != DATE_NONE && res->statement_date != DATE_NONE &&
            res->statement_date > req->not_after) {
            /* Parsed twice in all (now and on its night), but nothing is stored
             * ahead of its date, so a run never reports tomorrow's money. */
            db_rollback(db);
            res->outcome = INGEST_LATER;
            goto out;
        }
    }
    if (st == RECON_OK && (st = ingest_scan_store(&f, sha, res, &ferr)) == RECON_EDATA)
        err_prefix(&ferr, "%s: ", shown); /* a row the schema refused: name the file */
    if (st == RECON_OK && res->outcome == INGEST_SKIPPED) {
        db_rollback(db);
        store_known_file k;
        st = store_file_find(db, sha, false, &k, err);
        res->file_id = k.id;
        goto out;
    }
    if (st == RECON_OK)
        st = db_commit(db, &ferr);
    if (st == RECON_OK)
        goto out;
    /* Bad content (parse errors, or a row the schema refuses) rejects this file
     * only; anything else is the database or the machine failing. A file cut
     * short by a stop request is not rejected: it is read again next time. */
    if ((st != RECON_EDATA && st != RECON_ENOINPUT) || interrupt_signal() != 0) {
        st = interrupt_outcome(st, &ferr);
        err_set(err, st, "%s", ferr.msg);
        goto fail;
    }
    db_rollback(db); /* ends a COPY the parse left open, too */
    snprintf(res->reason, sizeof res->reason, "%s", ferr.msg);
    res->outcome = INGEST_REJECTED;
    st = record_rejection(db, sha, shown,
                          res->format == FORMAT_UNKNOWN ? "unknown" : format_name(res->format),
                          ferr.msg, err);
    goto out;
fail:
    db_rollback(db);
out:
    progress_end();
    close(fd);
    ingest_scan_free(&f);
    match_rules_free(rules);
    return st;
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
    int rejected = 0;
    ingest_request req = {&popts, DATE_NONE, false, false, &o->config};
    for (int i = 0; i < o->arg_count; i++) {
        const char *path = o->args[i];
        ingest_result res;
        if ((st = ingest_file(db, &req, path, &res, err)) != RECON_OK)
            break;
        char shown[4 * 4096 + 1];
        job_escape(path, shown, sizeof shown);
        if (res.outcome == INGEST_REJECTED) {
            log_error("%s", res.reason);
            rejected++;
        } else if (res.outcome == INGEST_SKIPPED) {
            fprintf(o->out, "%s: already ingested (file %lld), skipped\n", shown, res.file_id);
        } else {
            fprintf(o->out, "%s: %s, %ld receipts (%ld duplicates), stored as file %lld\n", shown,
                    format_name(res.format), res.receipts, res.duplicates, res.file_id);
        }
    }
    db_close(db);
    if (st == RECON_OK && fflush(o->out) != 0)
        st = err_set(err, RECON_EOUTPUT, "cannot write to standard output");
    if (st == RECON_OK && rejected)
        st = err_set(err, RECON_EDATA, "%d of %d file%s rejected", rejected, o->arg_count,
                     o->arg_count == 1 ? "" : "s");
    return st;
}
