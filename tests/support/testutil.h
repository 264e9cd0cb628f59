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

#endif
