/*
 * What `recon replay --archive` reads from an archive (jobs/replay_archive.c): the inboxes
 * hashed once, each night's inputs found from its INPUTS.sha256, and the comparison of a
 * replayed night's manifests with the archived ones. The caller owns and frees what these
 * fill (night_feed_free; the hashed inbox's lists and hashes).
 */
#ifndef RECON_JOBS_REPLAY_H
#define RECON_JOBS_REPLAY_H

#include <stdio.h>

#include "common/sha256.h"
#include "jobs/nightly.h"

/* The inbox hashed once, so archived inputs are found by content whatever their name is
 * now. */
typedef struct hashed_inbox {
    inbox_files files;
    char (*sha)[SHA256_HEX_SIZE];
} hashed_inbox;

recon_status hash_inbox(const char *dir, hashed_inbox *h, err_t *err);

/* What a night was fed, from its archived INPUTS.sha256: statements found in the inbox,
 * register files in the register inbox (both lists' paths borrowed), and the decisions
 * files the night's folder keeps (ARCHIVE/DATE/decisions/NAME, paths owned). */
typedef struct night_feed {
    char **paths, **registers, **decisions;
    size_t count, register_count, decision_count;
} night_feed;
void night_feed_free(night_feed *f);

/* Fills f from ARCHIVE/DAY/INPUTS.sha256; each input not found (or a decisions copy whose
 * bytes no longer match) is named on out and counted in *missing. */
recon_status archived_inputs(FILE *out, const char *archive, const char *day,
                             const hashed_inbox *h, const hashed_inbox *r, night_feed *f,
                             long *missing, err_t *err);

/* The number of differences between the two folders' manifest files, each named on out. */
long compare_manifests(FILE *out, const char *day, const char *archived_dir, const char *new_dir,
                       const char *manifest, err_t *err, recon_status *st);

#endif
