/*
 * The files of one `recon ingest` or night, each stored in its own transaction
 * and in the order given, with the parse of the next file overlapped with the
 * store of this one: once a file is parsed and about to be stored, the next is
 * opened and hashed, and when the database does not hold its bytes yet it is
 * parsed on a thread of its own into its own spool and key list (the parse needs
 * no database). In its turn the next file goes through the same gate as ever (a
 * file stored or rejected meanwhile, the same bytes under another name, is
 * skipped as before and its parse discarded) and takes the parse made ahead;
 * what that parse logged is written then, so messages keep their order. A stop
 * request or a failing step ends the parse ahead before the run returns.
 */
#include "jobs/ingest_ahead.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "store/files.h"

static recon_status parse_held(const ingest_request *req, ingest_slot *s, bool progress)
{
    err_t *ferr = &s->parse_err;
    recon_status st = match_rules_for(&s->rules, req->config, ferr);
    if (st != RECON_OK)
        return st;
    s->scanned = true;
    if ((st = ingest_scan_init(&s->scan, s->shown, s->rules, progress, &s->cancel, ferr)) !=
        RECON_OK)
        return st;
    receipt_sink sink = ingest_scan_sink(&s->scan);
    st = parse_file(s->parse_path, req->parse, &sink, &s->res.format, ferr);
    if (st != RECON_OK)
        ingest_restate(ferr, s->parse_path, s->shown);
    if (st == RECON_OK)
        st = ingest_scan_balances(&s->scan, s->res.format, ferr);
    return st;
}

void ingest_parse(const ingest_request *req, ingest_slot *s, bool progress)
{
    err_clear(&s->parse_err);
    if (progress)
        progress_begin("ingest %s", job_base_name(s->shown));
    /* The parser's messages name the descriptor it read (parse_path): they are held and
     * written naming the file as shown, here or, for a parse ahead, in the file's turn. */
    log_hold(&s->logs);
    s->parse_st = parse_held(req, s, progress);
    log_hold(NULL);
    if (progress)
        ingest_parse_said(s);
}

void ingest_parse_said(ingest_slot *s) { log_release(&s->logs, s->parse_path, s->shown); }

bool ingest_worth_ahead(db_t *db, const ingest_request *req, ingest_slot *s)
{
    if (s->open_st != RECON_OK || !s->name_ok || s->kind != INBOX_REGULAR || s->misdelivered)
        return false;
    store_known_file k;
    err_t ignored; /* a failing database fails the gate in the file's turn */
    return store_file_find(db, s->res.sha256, req->skip_rejected, &k, &ignored) == RECON_OK &&
           k.id == 0;
}

void ingest_slot_free(ingest_slot *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->scanned)
        ingest_scan_free(&s->scan);
    s->scanned = false;
    match_rules_free(s->rules);
    s->rules = NULL;
    buf_free(&s->logs);
}

static void *parse_ahead(void *arg)
{
    ingest_slot *s = arg;
    ingest_parse(s->req, s, false);
    return NULL;
}

/* Starts s's parse on a thread; false (s untouched, parsed in its turn) when none can be
 * made. Stop signals stay the main thread's, whose blocking calls they must interrupt. */
static bool start_ahead(ingest_slot *s)
{
    atomic_store(&s->cancel, false);
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stops, &old);
    s->ahead = pthread_create(&s->thread, NULL, parse_ahead, s) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return s->ahead;
}

/* Waits for s's parse ahead; with discard, tells it to stop first. */
static void join_ahead(ingest_slot *s, bool discard)
{
    if (!s->ahead)
        return;
    if (discard)
        atomic_store(&s->cancel, true);
    pthread_join(s->thread, NULL);
    s->ahead = false;
}

recon_status ingest_files(db_t *db, const ingest_request *req, char *const *paths,
                          size_t count, ingest_each_fn each, void *ctx, err_t *err)
{
    ingest_slot *cur = malloc(sizeof *cur), *next = malloc(sizeof *next);
    recon_status st = RECON_OK;
    if (cur == NULL || next == NULL) {
        free(cur);
        free(next);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    bool next_open = false;
    if (count > 0)
        ingest_open(req, paths[0], cur);
    for (size_t i = 0; i < count; i++) {
        bool parse = false;
        /* between two files: a stop request ends the run here */
        if ((st = interrupt_check(err)) == RECON_OK)
            st = ingest_gate(db, req, cur, &parse, err);
        if (st == RECON_OK && parse && cur->ahead) {
            join_ahead(cur, false);
            ingest_parse_said(cur);
        } else if (st == RECON_OK && parse) {
            ingest_parse(req, cur, true);
        }
        join_ahead(cur, true); /* a parse ahead of a file the gate stopped */
        if (st == RECON_OK && parse && i + 1 < count) {
            ingest_open(req, paths[i + 1], next);
            next_open = true;
            if (ingest_worth_ahead(db, req, next))
                (void)start_ahead(next);
        }
        if (st == RECON_OK && parse)
            st = ingest_store(db, req, cur, err);
        if (st == RECON_OK)
            st = each(ctx, paths[i], &cur->res, err);
        ingest_slot_free(cur);
        if (st != RECON_OK || i + 1 == count)
            break;
        ingest_slot *t = cur;
        cur = next;
        next = t;
        if (!next_open)
            ingest_open(req, paths[i + 1], cur);
        next_open = false;
    }
    if (next_open) {
        join_ahead(next, true);
        ingest_slot_free(next);
    }
    free(cur);
    free(next);
    return st;
}
