/*
 * The day's workbook for people, OUT/DATE/recon-DATE.xlsx (libxlsxwriter): a 摘要 Summary sheet
 * from the summary's figures, then one sheet per CSV report read back from the .csv.gz files
 * just written (so the workbook shows exactly the CSV's rows, masked as they are), with typed
 * cells: money as numbers, dates as Excel dates, ids and keys as text, statement text always a
 * plain string, never a formula. Published like every report (unique temporary, rename); the
 * caller owns the name buffer and the manifest entry it fills.
 */
#ifndef RECON_REPORTS_WORKBOOK_H
#define RECON_REPORTS_WORKBOOK_H

#include <stddef.h>

#include "core/date.h"
#include "db/client.h"
#include "reports/catalogue.h"
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
} workbook_day;

/* Writes DIR/recon-DATE.xlsx; name receives its file name, entry its name and SHA-256.
 * RECON_EOUTPUT when it cannot be written, RECON_EINTERNAL when a CSV report is not what the
 * catalogue wrote (header, column count). */
recon_status workbook_write(const workbook_day *d, char name[WORKBOOK_NAME_SIZE],
                            manifest_entry *entry, err_t *err);

/* report_day's step: the summary's lists read on db (inside the report's snapshot), then
 * workbook_write with Excel's row limit. */
recon_status workbook_write_day(db_t *db, const report_target *t, date_t as_of,
                                summary_figures *sum, char name[WORKBOOK_NAME_SIZE],
                                manifest_entry *entry, err_t *err);

#endif
