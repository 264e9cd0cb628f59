/*
 * libFuzzer harness for the container layer: the whole parse_file path (gzip
 * via zlib, zip via minizip, then format detection and the parser). Both
 * libraries want a file, so each input is written to one memfd that is opened
 * by its /proc path, as a statement file on disk would be.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/harness.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    harness_init();
    fd = memfd_create("fuzz-container", MFD_CLOEXEC);
    if (fd < 0) {
        perror("fuzz: memfd_create");
        exit(2);
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz: memfd write");
        abort();
    }
    err_t err;
    err_clear(&err);
    parse_options opts = harness_options(FORMAT_UNKNOWN);
    receipt_sink sink = harness_sink();
    stmt_format detected = FORMAT_UNKNOWN;
    recon_status st = parse_file(path, &opts, &sink, &detected, &err);
    harness_check_result(st, &err, false);
    return 0;
}
