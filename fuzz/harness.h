/*
 * Shared pieces of the libFuzzer harnesses (fuzz/fuzz_*.c): a receipt sink that
 * checks what every parser promises its callers, and a helper that runs one
 * parse. Any broken promise aborts, so libFuzzer keeps the input as a crash.
 * Nothing here allocates beyond the parse itself.
 */
#ifndef RECON_FUZZ_HARNESS_H
#define RECON_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "parsers/parse.h"

/* Quiets logging (RECON_LOG still wins) and reads FUZZ_PROFILE_DIR. Call once. */
void harness_init(void);

/* The sink handed to parsers: checks each receipt and statement summary. */
receipt_sink harness_sink(void);

/* After a parse: a failure must carry one non-empty line with a known status
 * (64 only where the input is configuration, as profiles are). */
void harness_check_result(recon_status st, const err_t *err, bool usage_ok);

/* Parse options with the format forced (FORMAT_UNKNOWN detects) and the bank
 * profile directory the harness was given. */
parse_options harness_options(stmt_format forced);

/* A broken promise: prints "fuzz: broken promise [CHECK]: WHAT: DETAIL" and
 * aborts (libFuzzer then saves the input), unless CHECK is listed in the
 * comma-separated FUZZ_KNOWN (an open finding that fuzz/run.sh tolerates so the
 * fuzzer can look past it): then it returns. */
void harness_broken(const char *check, const char *what, const char *detail);
/* The same for promises nothing may break (memory safety): always aborts. */
_Noreturn void harness_fail(const char *what, const char *detail);

#endif
