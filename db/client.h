/*
 * The one libpq client: connect, run parameterised SQL with expected result
 * shapes, and stream COPY in and out. Values only ever travel as parameters or
 * COPY data. A db_t owns its connection until db_close; a PGresult handed out
 * by db_query belongs to the caller (PQclear).
 */
#ifndef RECON_DB_CLIENT_H
#define RECON_DB_CLIENT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "core/date.h"

typedef struct db db_t;

/* Connects with a conninfo string ("" = libpq environment). Sets
 * fallback_application_name, UTF-8 client encoding and a safe search_path
 * (recon, pg_catalog). Failure: RECON_EUNAVAIL with the server's message,
 * never the password. */
recon_status db_connect(const char *conninfo, db_t **out, err_t *err);
/* Another connection with db's parameters (PQconninfo's keywords and values, the
 * password included, passed as values: nothing is quoted or parsed again), set
 * up as db_connect sets one up. Failure: RECON_EUNAVAIL, never the password. */
recon_status db_clone(db_t *db, db_t **out, err_t *err);
void db_close(db_t *db);

/* Runs static SQL that returns no rows (may hold several statements). */
recon_status db_exec(db_t *db, const char *sql, err_t *err);

/* Parameterised command (INSERT/UPDATE/...); *affected (may be NULL) = rows. */
recon_status db_command(db_t *db, const char *sql, int nparams, const char *const *params,
                        long *affected, err_t *err);

/* Parameterised query that must return exactly `columns` columns. */
recon_status db_query(db_t *db, const char *sql, int nparams, const char *const *params,
                      int columns, PGresult **out, err_t *err);

/* One row of a result: its values as text ("" for NULL), valid during the call. */
typedef recon_status (*db_row_fn)(void *ctx, const char *const *values, err_t *err);
#define DB_ROW_MAX_COLUMNS 32
/* db_query (at most DB_ROW_MAX_COLUMNS columns), then fn on each row in order, stopping at
 * the first that fails; *rows (may be NULL) = the rows the query returned. */
recon_status db_query_each(db_t *db, const char *sql, int nparams, const char *const *params,
                           int columns, db_row_fn fn, void *ctx, int *rows, err_t *err);

/* A query that must return exactly one row of one column: its value copied into out
 * (cap bytes, NUL-terminated; RECON_EINTERNAL when it does not fit) and *isnull (may be
 * NULL, and then a NULL value is RECON_EINTERNAL). */
recon_status db_query_text(db_t *db, const char *sql, int nparams, const char *const *params,
                           char *out, size_t cap, bool *isnull, err_t *err);
/* The same for a whole integer (a count, an id) or a boolean; NULL is RECON_EINTERNAL. */
recon_status db_query_int(db_t *db, const char *sql, int nparams, const char *const *params,
                          long long *out, err_t *err);
recon_status db_query_bool(db_t *db, const char *sql, int nparams, const char *const *params,
                           bool *out, err_t *err);

/* BEGIN; a safe point: the interrupted status when a stop was requested. */
recon_status db_begin(db_t *db, err_t *err);
recon_status db_commit(db_t *db, err_t *err);
/* Ends the transaction of a step whose status is st: COMMIT when st is RECON_OK, else (or
 * when COMMIT fails) ROLLBACK; returns the step's status or COMMIT's. */
recon_status db_end(db_t *db, recon_status st, err_t *err);
/* Best effort; used on error paths, so it never overwrites err. Ends a COPY an
 * error path left open first. */
void db_rollback(db_t *db);

/* COPY ... FROM STDIN: rows appended to the internal buffer are sent in
 * 32 KiB chunks (large chunks stop client/server overlap, performance.md). */
recon_status db_copy_in_begin(db_t *db, const char *sql, err_t *err);
buf_t *db_copy_buffer(db_t *db);            /* append rows here, then db_copy_in_flush */
/* A safe point: after a stop request it ends the COPY with an error and returns
 * the interrupted status. */
recon_status db_copy_in_flush(db_t *db, bool force, err_t *err);
recon_status db_copy_in_end(db_t *db, long *rows, err_t *err);
/* Appends one COPY text-format field, escaping backslash, tab, CR and LF. */
bool db_copy_field(buf_t *b, const char *value, bool last);
bool db_copy_null(buf_t *b, bool last);
/* A date field ("YYYY-MM-DD"), NULL for DATE_NONE; an integer field. */
bool db_copy_date(buf_t *b, date_t d, bool last);
bool db_copy_int(buf_t *b, long long v, bool last);

/* Splits a COPY text-format row in place into exactly n fields, undoing COPY's
 * escapes; NULL (\N) becomes "". False when the field count differs. */
bool db_copy_split(char *line, char **fields, size_t n);

/* COPY ... TO STDOUT: *line is valid until the next call; NULL at the end. */
recon_status db_copy_out_begin(db_t *db, const char *sql, err_t *err);
/* db_copy_out_begin in two halves: send returns at once, so the server can
 * prepare its rows (a sort, hash joins) while the caller does other work on
 * another connection; started waits for the COPY to begin. */
recon_status db_copy_out_send(db_t *db, const char *sql, err_t *err);
recon_status db_copy_out_started(db_t *db, const char *sql, err_t *err);
/* A safe point: after a stop request it cancels and discards the rest of the
 * COPY and returns the interrupted status. */
recon_status db_copy_out_next(db_t *db, const char **line, size_t *len, err_t *err);
/* Calls each(ctx, line, len, err) for every row of the COPY begun on db (each may change the
 * line in place). After the first failure, of each or of the stream, the rest is read and
 * dropped, so the connection stays usable for the caller's rollback; that failure is returned. */
typedef recon_status (*db_copy_row_fn)(void *ctx, char *line, size_t len, err_t *err);
recon_status db_copy_out_each(db_t *db, db_copy_row_fn each, void *ctx, err_t *err);

/* Sends a cancel request for the statement in flight on every open connection.
 * Async-signal-safe (PQcancel on objects prepared at connect): it is the hook
 * the SIGINT/SIGTERM handler calls (common/interrupt.h). A cancelled statement
 * fails with 57014, which the calls here report as the interrupted status. */
void db_cancel_in_flight(void);

/* Session advisory lock (job exclusion): false in *got when another holds it. */
recon_status db_try_lock(db_t *db, long long key, bool *got, err_t *err);

#endif
