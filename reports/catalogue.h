/*
 * The report catalogue: which files a day's reports are, their headers and
 * column kinds, the store stream each reads, and the generic writer that turns
 * a stream's rows into a file (money from fen, names masked unless unmasked,
 * every row tallied for the summary). Specs are static; written files are
 * published by gzcsv and named in the caller's manifest entries.
 */
#ifndef RECON_REPORTS_CATALOGUE_H
#define RECON_REPORTS_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "db/client.h"
#include "reports/feed.h"
#include "reports/gzcsv.h"
#include "reports/manifest.h"
#include "reports/summary.h"
#include "store/report.h"

#define CATALOGUE_MAX_COLUMNS 16
#define CATALOGUE_FILES 8 /* the tables, notices, receipts.csv.gz, summary.txt.gz, workbook */
#define CATALOGUE_TABLES 4

typedef enum column_kind { COL_TEXT, COL_MONEY, COL_NAME } column_kind;

/* Called for each row with its raw fields and, for money columns, their value in fen. */
typedef recon_status (*catalogue_hook)(summary_figures *s, char *const *f, const fen_t *fen,
                                       err_t *err);

/* Fills the file's trailing columns that the stream does not carry from the streamed ones
 * (a rule of core/ applied to each row); the strings it sets must be static. */
typedef recon_status (*catalogue_derive)(char **f, err_t *err);

typedef struct report_spec {
    const char *name;
    const char *header; /* comma-separated, as interface.md */
    store_report_stream stream;
    column_kind kinds[CATALOGUE_MAX_COLUMNS];
    catalogue_hook hook;     /* may be NULL */
    size_t derived;          /* trailing columns not in the stream, filled by derive */
    catalogue_derive derive; /* NULL when derived is 0 */
    size_t hidden; /* trailing stream fields the file does not show: the hook reads them after
                      the file's columns */
} report_spec;

/* Where and how files are written. */
typedef struct report_target {
    const char *dir; /* OUT/DATE, checked by the caller */
    int level;       /* gzip level, 1-9 */
    bool unmasked;   /* payer names as stored */
    feed_t *feed;    /* NULL, or where every file's rows also go (the workbook's thread) */
} report_target;

/* policies, events, exceptions, refunds: each a plain stream written row by row. */
extern const report_spec catalogue_tables[CATALOGUE_TABLES];
/* receipts.csv.gz, written by reports/merge. */
extern const report_spec catalogue_receipts;
/* notices.csv.gz, written by catalogue_write_notices. */
extern const report_spec catalogue_notices;

/* The spec of the CSV report named name (a table, notices or receipts), NULL for any other. */
const report_spec *catalogue_find(const char *name);

/* Writes one table from its stream on db. */
recon_status catalogue_write(db_t *db, const report_target *t, const report_spec *spec,
                             summary_figures *sum, manifest_entry *entry, err_t *err);

/* notices.csv.gz for night: the stream's rows, its suspension_soon candidates kept when
 * the suspension day is notice_days after night (core/worklist). */
recon_status catalogue_write_notices(db_t *db, const report_target *t, date_t night,
                                     int notice_days, manifest_entry *entry, err_t *err);

/* The pieces of the writer for a file whose rows come from elsewhere: open it with its header
 * (*columns: how many), emit each row (fields formatted in place), close it (entry: its name
 * and SHA-256); the rows go to t->feed too when there is one. */
recon_status catalogue_open(const report_target *t, const report_spec *spec, gzcsv_t **g,
                            size_t *columns, err_t *err);
recon_status catalogue_emit(gzcsv_t *g, const report_target *t, const report_spec *spec,
                            char **f, const fen_t *fen, size_t n, err_t *err);
recon_status catalogue_close(gzcsv_t *g, const report_target *t, const report_spec *spec,
                             manifest_entry *entry, err_t *err);

/* A whole integer field (fen, an id, a count); false for anything else. */
bool catalogue_int(const char *s, long long *out);

/* summary.txt.gz from the tallied figures and the store's lists. */
recon_status catalogue_write_summary(db_t *db, const report_target *t, const char *day,
                                     summary_figures *sum, manifest_entry *entry, err_t *err);

/* INPUTS.sha256: the day's statement files. */
recon_status catalogue_write_inputs(db_t *db, const char *dir, err_t *err);

#endif
