/*
 * The `recon parse` writer: a receipt_sink that prints receipts as CSV (the
 * interface.md column order) and statement summaries as one stderr-style line
 * each. The parse_output and both FILEs stay owned by the caller; the writer
 * keeps only a row buffer, released by parse_output_free.
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

#define PARSE_OUTPUT_HEADER                                                                    \
    "file,position,source,transaction_key,booking_date,value_date,amount,currency,direction,"  \
    "reversal,reversal_of,payer,payer_account,end_to_end_id,creditor_reference,"                \
    "merchant_order_no,provider_txn_id,remittance,fee"

typedef struct parse_output {
    FILE *out, *diag;
    const char *file; /* current file, borrowed from the caller */
    bool unmasked, header_done;
    long rows;
    /* receipts since the last statement summary, for its line */
    long credit_count, debit_count;
    fen_t credit_sum, debit_sum;
    buf_t row;
} parse_output;

void parse_output_init(parse_output *po, FILE *out, FILE *diag, bool unmasked);
/* A sink writing the receipts of file (the path shown in the file column). */
receipt_sink parse_output_sink(parse_output *po, const char *file);
/* Writes the header row once (also done by the first row and by finish). */
recon_status parse_output_header(parse_output *po, err_t *err);
/* Header if still missing, then flush; RECON_EOUTPUT when the output failed. */
recon_status parse_output_finish(parse_output *po, err_t *err);
void parse_output_free(parse_output *po);

/* Formats the one-line statement summary (without newline) into out. */
void parse_output_statement_line(const parse_output *po, const statement_summary *s, char *out,
                                 size_t cap);

#endif
