/*
 * One night of work (ingest, process, report) and the inbox it reads, shared
 * by `recon nightly` and `recon replay`. inbox_list allocates the path list;
 * the caller frees it with inbox_free.
 */
#ifndef RECON_JOBS_NIGHTLY_H
#define RECON_JOBS_NIGHTLY_H

#include <stdio.h>

#include "common/err.h"
#include "core/date.h"
#include "core/evaluate.h"
#include "db/client.h"
#include "jobs/config.h"

typedef struct inbox_files {
    char **paths; /* DIR/NAME, sorted by name bytewise */
    size_t count;
} inbox_files;

/* Regular files of dir, not recursing; names starting with '.' or ending in
 * .tmp or .part are files still being delivered and are left alone. */
recon_status inbox_list(const char *dir, inbox_files *files, err_t *err);
void inbox_free(inbox_files *files);

typedef struct nightly_input {
    date_t as_of;
    date_t not_after;   /* DATE_NONE: every file given belongs to this night */
    const char *out_dir;
    const char *profile; /* bank CSV profile (--profile), or NULL */
    char *const *paths; /* files to consider, in order */
    size_t count;
    char *const *register_paths; /* register and events files (--register-inbox), any order */
    size_t register_count;
    /* decisions files stored for this night (`recon replay` from an archive's
     * DATE/decisions/, `recon demo`), after the night's register and statements */
    char *const *decision_paths;
    size_t decision_count;
} nightly_input;

typedef struct night_tally {
    long stored, rejected, later, known, receipts, policies, events;
    long registered; /* register and events files applied */
    long decided;    /* decisions files stored */
} night_tally;

/* Applies the register inbox's files not seen before, on in->as_of and before its
 * statements: policy register files first, then events files, each in byte order of name,
 * then SHA-256, through the loaders of `recon policies load` and `recon events load`
 * (a file's kind is its header row's). Each is applied whole in its own transaction and
 * recorded by SHA-256 for INPUTS.sha256; a file applied before is skipped; a refused one
 * (bad rows, a decisions or unknown file, a link, FIFO or odd name) is recorded, counted
 * in t->rejected and kept in OUT/quarantine/ like a refused statement file, and the night
 * goes on. */
recon_status register_inbox_apply(db_t *db, const recon_config *config, const nightly_input *in,
                                  FILE *out, night_tally *t, err_t *err);

/* Ingests the night's files: stored, skipped when known, left when dated
 * after not_after, or rejected into OUT/quarantine/. Progress lines go to out. */
recon_status nightly_ingest(db_t *db, const recon_config *config, const nightly_input *in,
                            FILE *out, night_tally *t, err_t *err);
/* The register inbox, nightly_ingest, the night's decisions files (through decide_apply, as
 * `recon decide` stores them), then process and report the day. The caller holds the lock. */
recon_status nightly_day(db_t *db, const recon_config *config, const nightly_input *in,
                         FILE *out, night_tally *t, err_t *err);

#endif
