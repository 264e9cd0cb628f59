/*
 * One statement file on its way through `recon ingest`, in the steps jobs/ingest.c
 * makes of it: opened and hashed (no database), judged by what is stored (the
 * gate), parsed (no database: on the main thread, or ahead on a thread of its own
 * while the file before it is stored), then stored in its own transaction.
 * jobs/ingest_ahead.c runs the steps of a list of files so that each file's parse
 * overlaps the store of the one before. A slot owns its descriptor, rules, scan
 * and held log lines until ingest_slot_free.
 */
#ifndef RECON_JOBS_INGEST_AHEAD_H
#define RECON_JOBS_INGEST_AHEAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/buf.h"
#include "jobs/ingest_scan.h"
#include "jobs/pipeline.h"

typedef struct ingest_slot {
    const ingest_request *req;
    const char *path;
    ingest_result res;
    char shown[4 * 4096 + 1]; /* path escaped (job_escape) */
    char why[128];            /* why job_name_ok refused the name */
    bool name_ok;
    int fd;
    inbox_kind kind;
    recon_status open_st; /* opening and hashing; ferr says why */
    err_t ferr;
    bool misdelivered; /* another inbox's file; mis says so */
    err_t mis;
    char via[64];
    const char *parse_path; /* via when it is the very file hashed, else path */
    /* the parse (ingest_parse) */
    match_rules *rules;
    ingest_scan scan;
    bool scanned; /* scan holds a parse's result */
    recon_status parse_st;
    err_t parse_err;
    /* ahead: parsed on a thread; its log lines wait in logs until the file's turn */
    bool ahead;
    pthread_t thread;
    atomic_bool cancel;
    buf_t logs;
} ingest_slot;

/* Opens and hashes path into s (reset first); outcomes are kept in s, never returned. */
void ingest_open(const ingest_request *req, const char *path, ingest_slot *s);
/* Worth parsing ahead: opened, a name and entry the gate will pass, not another inbox's,
 * and not stored yet as far as the database knows now (the gate asks again in turn). */
bool ingest_worth_ahead(db_t *db, const ingest_request *req, ingest_slot *s);
/* In the file's turn: an entry refused, unreadable, known or misdelivered gets its outcome in
 * s->res (and its record); *parse is true when the file must be parsed and stored. */
recon_status ingest_gate(db_t *db, const ingest_request *req, ingest_slot *s, bool *parse,
                         err_t *err);
/* Parses s (no database): s->parse_st and parse_err say how it went. With progress (on the
 * main thread, in the file's turn) it draws the progress line and writes what the parse
 * logged; otherwise that waits in s->logs for ingest_parse_said. */
void ingest_parse(const ingest_request *req, ingest_slot *s, bool progress);
void ingest_parse_said(ingest_slot *s);
/* Stores (or rejects, or leaves for later) the parsed file in its own transaction. */
recon_status ingest_store(db_t *db, const ingest_request *req, ingest_slot *s, err_t *err);
void ingest_slot_free(ingest_slot *s);

#endif
