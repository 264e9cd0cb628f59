/*
 * libFuzzer harness for one statement parser, chosen at build time with
 * -DFUZZ_FORMAT='"mt940"' (a format_name). The input is the (decompressed)
 * statement bytes, handed over as a memory stream with the format forced, so
 * every input reaches the parser however detection would have classified it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/harness.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT='\"name\"'"
#endif

static stmt_format format;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    harness_init();
    if (!format_from_name(FUZZ_FORMAT, &format)) {
        fprintf(stderr, "fuzz: unknown format %s\n", FUZZ_FORMAT);
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    err_t err;
    err_clear(&err);
    instream_t *in = NULL;
    recon_status st = instream_open_memory("fuzz-input", data, size, &in, &err);
    if (st != RECON_OK)
        harness_fail("cannot open a memory stream", err.msg);
    parse_options opts = harness_options(format);
    receipt_sink sink = harness_sink();
    st = parse_stream(in, format, &opts, &sink, &err);
    harness_check_result(st, &err, false);
    /* Fields are C strings: a NUL byte inside a line would silently cut one short
     * (a transaction key "4200\0..." stored as "4200"), so text statements holding
     * NUL bytes must be rejected. XML is exempt: libxml2 reads UTF-16 documents,
     * where NUL bytes are ordinary, and refuses a NUL character itself. */
    if (st == RECON_OK && format != FORMAT_CAMT052 && format != FORMAT_CAMT053 &&
        format != FORMAT_CAMT054 && memchr(data, '\0', size) != NULL)
        harness_broken("nul", "statement with a NUL byte accepted", FUZZ_FORMAT);
    instream_close(in);
    return 0;
}
