/*
 * The `recon parse` writer: a receipt_sink that prints receipts as CSV (the
 * interface.md column order) and statement summaries as one stderr-style line
 * each. The parse_output and both FILEs stay owned by the caller; the writer
 * keeps only an output buffer, released by parse_output_free.
 *
 * Rows are collected in that buffer and handed to `out` in chunks of about
 * PARSE_OUTPUT_CHUNK bytes: per-field and per-row calls made the writer about
 * 30% of a `recon parse` of a WeChat bill (issue 5). The buffer is written out
 * before each statement line goes to `diag` and by parse_output_finish, so the
 * two streams keep the order they had with unbuffered rows; on a terminal every
 * row is handed over at once, as before. Freeing without finishing drops
 * unwritten rows.
 *
 * Usage: parse_output_init(&po, stdout, stderr, unmasked);
 *        for each file: sink = parse_output_sink(&po, path); parse_file(path, ..., &sink, ...);
 *        parse_output_finish(&po, &err);  (prints the header if no row did; flushes)
 */
#ifndef RECON_JOBS_PARSE_OUTPUT_H
#define RECON_JOBS_PARSE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/err.h"
#include "parsers/receipt.h"
#include "parsers/warnings.h"

#define PARSE_OUTPUT_HEADER                                                                    \
    "file,position,source,transaction_key,booking_date,value_date,amount,currency,direction,"  \
    "reversal,reversal_of,payer,payer_account,end_to_end_id,creditor_reference,"                \
    "merchant_order_no,provider_txn_id,remittance,fee"

/* Buffered rows are written once they reach this many bytes. */
#define PARSE_OUTPUT_CHUNK (64 * 1024)

typedef struct parse_output {
    FILE *out, *diag;
    const char *file; /* current file, borrowed from the caller */
    /* its CSV field, measured once per file rather than once per row */
    size_t file_len, file_width;
    bool file_quoted;
    /* the last date formatted, reused by the next receipts of the same day */
    bool date_cached;
    date_t date_key;
    char date_str[DATE_STR_SIZE];
    bool unmasked, header_done;
    long rows;
    /* receipts since the last statement summary, for its line */
    long credit_count, debit_count;
    fen_t credit_sum, debit_sum;
    buf_t pending;    /* rows (and the header) not yet written to out */
    size_t chunk;     /* pending is written once it holds this many bytes */
    parse_warnings *warnings; /* the current file's tolerances, NULL until one */
} parse_output;

void parse_output_init(parse_output *po, FILE *out, FILE *diag, bool unmasked);
/* A sink writing the receipts of file (the path shown in the file column). Each
 * tolerance the parser reports goes to diag as "recon: warning: FILE: WHERE: WHAT"
 * the first three times its text is met. */
receipt_sink parse_output_sink(parse_output *po, const char *file);
/* After a file (read or refused): the count of each warning shown only in part. */
void parse_output_file_done(parse_output *po);
/* Queues the header row once (also done by the first row and by finish). */
recon_status parse_output_header(parse_output *po, err_t *err);
/* Header if still missing, then writes and flushes everything queued;
 * RECON_EOUTPUT when the output failed. */
recon_status parse_output_finish(parse_output *po, err_t *err);
void parse_output_free(parse_output *po);

/* Formats the one-line statement summary (without newline) into out. */
void parse_output_statement_line(const parse_output *po, const statement_summary *s, char *out,
                                 size_t cap);

#endif
