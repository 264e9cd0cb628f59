/*
 * The loader the register commands share (`policies load`, `events load`, `receipts
 * load`): a file is validated whole first, any bad row reported (file and line) and the
 * whole file rejected with nothing stored; a good file is staged through COPY and checked
 * against the register in one transaction, which the caller then merges and commits.
 * Rows and their fields belong to the loader and are valid during the row callback only.
 */
#ifndef RECON_JOBS_REGISTER_H
#define RECON_JOBS_REGISTER_H

#include <stdint.h>

#include "common/buf.h"
#include "core/money.h"
#include "jobs/jobs.h"
#include "parsers/bill.h"
#include "store/register.h"

typedef struct register_row {
    const bill_field *fields;
    size_t count;
    long line;
} register_row;

/* Validates one row and appends it as COPY text to copy (line first). */
typedef recon_status (*register_row_fn)(const char *file, const register_row *row, buf_t *copy,
                                        err_t *err);

typedef struct register_file {
    const char *file;
    const char *const *columns; /* the header, exactly */
    size_t column_count;
    register_row_fn fn;
    store_register_file kind;
    const char *read_from; /* the path opened, when not file (an inbox file's descriptor) */
} register_file;

/* A register_file reading the columns table cols, file left NULL. */
#define REGISTER_FILE(cols, row_fn, kind) \
    {NULL, (cols), sizeof(cols) / sizeof((cols)[0]), (row_fn), (kind), NULL}

/* The two files the policy system delivers, file left NULL (jobs/policies.c, jobs/events.c). */
extern const register_file register_policies_file, register_events_file;

/* Merges the staged rows into the register and says in *summary what changed. */
typedef recon_status (*register_merge_fn)(db_t *db, long rows, char *summary, size_t cap,
                                          err_t *err);

/* A `load` command: o->args[0] (else usage) read as kind and validated whole; then
 * connects, stages the rows, runs the register's checks, merges, commits and prints
 * "FILE: SUMMARY". Nothing is stored unless all of it is. */
recon_status register_load(const job_options *o, const register_file *kind, const char *usage,
                           register_merge_fn merge, err_t *err);

/* Stages f as register_load does, on a connection the caller holds (no lock needed beyond
 * its own): on success the transaction begun on db holds the staged rows, on failure it is
 * rolled back. */
recon_status register_stage_on(db_t *db, uint64_t max_input, const register_file *f, long *rows,
                               err_t *err);

/* Field i of the row, "" beyond its end. */
const char *register_field(const register_row *row, size_t i);
/* "FILE: line N: NAME 'VALUE': WHY" as a rejected row. */
recon_status register_bad_field(err_t *err, const char *file, const register_row *row,
                                const char *name, const char *value, const char *why);
/* 1-40 letters, digits, '-' or '_'. */
bool register_policy_no_valid(const char *s);
recon_status register_date(const char *file, const register_row *row, const char *name,
                           const char *value, date_t *out, err_t *err);
recon_status register_money(const char *file, const register_row *row, const char *name,
                            const char *value, fen_t *out, err_t *err);

#endif
