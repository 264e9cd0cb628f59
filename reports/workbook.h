/*
 * The day's workbook for people, OUT/DATE/recon-DATE.xlsx (libxlsxwriter): a 摘要 Summary sheet
 * from the summary's figures, then one sheet per CSV report, from the rows the report writes
 * (or read back from the .csv.gz files; either way exactly the CSV's rows, masked as they are),
 * with typed cells: money as numbers, dates as Excel dates, ids and keys as text, statement text always a
 * plain string, never a formula. Published like every report (unique temporary, rename); the
 * caller owns the name buffer and the manifest entry it fills.
 */
#ifndef RECON_REPORTS_WORKBOOK_H
#define RECON_REPORTS_WORKBOOK_H

#include <stddef.h>

#include "core/date.h"
#include "db/client.h"
#include "reports/catalogue.h"
#include "reports/feed.h"
#include "reports/manifest.h"
#include "reports/summary.h"

/* Excel's 1,048,576 rows less the two header rows (Chinese, then the CSV's column name). */
#define WORKBOOK_SHEET_ROWS 1048574
#define WORKBOOK_NAME_SIZE 32 /* "recon-YYYY-MM-DD.xlsx" + NUL */

typedef struct workbook_day {
    const char *dir; /* OUT/DATE, checked by the caller, holding the day's .csv.gz reports */
    date_t as_of;
    summary_figures *sum;       /* groups may be sorted in place */
    const summary_lists *lists; /* statement files, balance checks, settlements */
    size_t sheet_rows;          /* data rows per sheet before a continuation sheet */
    feed_t *feed;               /* the rows as they are written; NULL: read back from dir */
} workbook_day;

/* Writes DIR/recon-DATE.xlsx; name receives its file name, entry its name and SHA-256.
 * RECON_EOUTPUT when it cannot be written, RECON_EINTERNAL when a CSV report is not what the
 * catalogue wrote (header, column count). */
recon_status workbook_write(const workbook_day *d, char name[WORKBOOK_NAME_SIZE],
                            manifest_entry *entry, err_t *err);

/* Bytes of rows in flight between the report and the workbook's thread. */
#define WORKBOOK_FEED_BYTES (4 * 1024 * 1024)

/* A night's workbook made beside its CSV reports; the workbook_night owns its feed and lists. */
typedef struct workbook_night workbook_night;

/* report_day's first step: the summary's lists read on db (inside the report's snapshot), then
 * the workbook started on a thread of its own, taking each CSV report's rows from
 * workbook_night_feed as report_day writes them, in the workbook's sheet order
 * (workbook_sheet_file). */
recon_status workbook_night_start(db_t *db, const report_target *t, date_t as_of,
                                  workbook_night **out, err_t *err);
feed_t *workbook_night_feed(const workbook_night *w);
/* Its last step: report is the status of the report's own steps (the CSV files, the summary,
 * the page), sum their final figures. Waits for the workbook, fills name and entry, and
 * returns its status: the workbook's error when it failed (also when that stopped the report),
 * else report. A failed report abandons the workbook (nothing published). Frees w. */
recon_status workbook_night_end(workbook_night *w, recon_status report,
                                const summary_figures *sum, char name[WORKBOOK_NAME_SIZE],
                                manifest_entry *entry, err_t *err);

/* The CSV report shown by data sheet i (0 <= i < WORKBOOK_SHEETS), in sheet order: the order
 * report_day writes them. */
#define WORKBOOK_SHEETS 6
const char *workbook_sheet_file(size_t i);

#endif
