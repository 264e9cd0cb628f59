/*
 * Shared helpers for cmocka tests: locating the samples folder and collecting
 * parsed receipts. Collected arrays are owned by the collector until collector_free.
 */
#ifndef RECON_TESTS_TESTUTIL_H
#define RECON_TESTS_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "parsers/parse.h"

/* Path of ../shared/samples relative to the repository root (tests run from the
 * root), or NULL when absent: sample tests then skip. */
const char *testutil_samples_dir(void);

typedef struct collector {
    receipt_t *receipts;
    size_t count, cap;
    statement_summary *statements;
    size_t stmt_count, stmt_cap;
} collector;

void collector_init(collector *c, receipt_sink *sink);
void collector_free(collector *c);

/* Parses len bytes at data, named name in messages, as format (opts may be NULL)
 * into c (initialised here; the caller frees it); err is cleared first. For
 * checks `recon parse` cannot show: bytes patched in memory, internals. */
recon_status testutil_parse_memory(const char *name, const void *data, size_t len,
                                   stmt_format format, const parse_options *opts, collector *c,
                                   err_t *err);

#endif
