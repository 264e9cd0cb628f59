/*
 * The report queries: the day's setting, the shared snapshot and its twin
 * connections, the COPY streams each report file reads, and the small lists
 * the summary and INPUTS.sha256 show. "Known on night D" is the receipts_known
 * view's. A twin belongs to the caller (db_close); a store_report_lines belongs
 * to the caller until store_report_lines_free.
 */
#ifndef RECON_STORE_REPORT_H
#define RECON_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "core/date.h"
#include "db/client.h"

/* The COPY streams of the report files, each reading the day from recon.as_of. */
typedef enum store_report_stream {
    STORE_REPORT_POLICIES,
    STORE_REPORT_EVENTS,
    STORE_REPORT_EXCEPTIONS,
    STORE_REPORT_REFUNDS,
    STORE_REPORT_DAY_RECEIPTS,    /* sql/report_day_receipts.sql */
    STORE_REPORT_DAY_ALLOCATIONS, /* sql/report_day_allocations.sql */
    STORE_REPORT_NOTICES,         /* sql/report_notices.sql: the file's columns, then two */
} store_report_stream;

#define STORE_DAY_RECEIPT_COLUMNS 13
#define STORE_NOTICE_COLUMNS 9
#define STORE_DAY_ALLOCATION_COLUMNS 7

/* Sets recon.as_of for the session, refuses (RECON_EDATA, with a hint) a stored
 * evaluation not as of day, then begins the read-only repeatable-read
 * transaction every report file is read in. */
/* Sets recon.as_of, the night every "as known on night D" view reads (receipts_known: the
 * match a receipt had on D), for the transaction (local) or the session. */
recon_status store_as_of(db_t *db, date_t night, bool local, err_t *err);

recon_status store_report_begin(db_t *db, date_t day, err_t *err);

/* Another connection to db's database (db_clone) in a transaction that sees
 * exactly what db's sees (its exported snapshot), with the same settings. */
recon_status store_report_twin(db_t *db, date_t day, db_t **twin, err_t *err);

/* The latest due date of a suspension_soon candidate (core/worklist), which
 * sql/report_notices.sql reads from recon.notice_due_by; set for the transaction. */
recon_status store_report_notices_due_by(db_t *db, date_t due_by, err_t *err);

/* COPY of one stream, for db_copy_out_next. */
recon_status store_report_copy(db_t *db, store_report_stream which, err_t *err);

/* The two receipts streams, sent without waiting (the server prepares them while
 * the caller writes other files); store_report_started waits for one. The
 * allocations are sent only when the day has receipts (*sent false otherwise). */
recon_status store_report_send_day_receipts(db_t *db, err_t *err);
recon_status store_report_send_day_allocations(db_t *db, bool *sent, err_t *err);
recon_status store_report_started(db_t *db, store_report_stream which, err_t *err);

/* Rows of three text columns: the summary's sections, and INPUTS.sha256 (sha256,
 * file name, ""); detail is more to show under the row, lines joined by '\n' ("" when
 * none). */
typedef struct store_report_line {
    const char *label, *count, *value, *detail;
} store_report_line;

typedef struct store_report_lines {
    store_report_line *lines;
    size_t count;
    void *owner; /* the result the strings point into */
} store_report_lines;

typedef enum store_report_list {
    STORE_REPORT_FILES,       /* name, format or REJECTED, what was stored or why refused;
                               * detail: statements it delivers again, its parse warnings */
    STORE_REPORT_BALANCES,    /* statement, verdict, difference in fen */
    STORE_REPORT_SETTLEMENTS, /* settlement, verdict, difference in fen */
    STORE_REPORT_INPUTS,      /* sha256, file name, "" */
} store_report_list;

recon_status store_report_list_read(db_t *db, store_report_list which, store_report_lines *out,
                                    err_t *err);
void store_report_lines_free(store_report_lines *l);

#endif
