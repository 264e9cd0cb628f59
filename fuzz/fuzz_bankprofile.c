/*
 * libFuzzer harness for the bank CSV profile reader (parsers/bankprofile.c):
 * profiles are operator-supplied files named with --profile, read through the
 * same path-based loader, so each input goes to a memfd opened by path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/harness.h"
#include "parsers/bankprofile.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    harness_init();
    fd = memfd_create("fuzz-profile", MFD_CLOEXEC);
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
    bankprofile_t *p = NULL;
    recon_status st = bankprofile_load(path, &p, &err);
    harness_check_result(st, &err, true);
    if (st == RECON_OK) {
        /* A loaded profile's strings are what bankcsv compares cells against. */
        if (memchr(p->name, '\0', sizeof p->name) == NULL ||
            memchr(p->encoding, '\0', sizeof p->encoding) == NULL ||
            p->header.count > BANKPROFILE_LIST_MAX || p->skip_lines < 0)
            harness_fail("loaded profile is inconsistent", path);
        bankprofile_free(p);
    } else if (p != NULL) {
        harness_fail("failed load returned a profile", err.msg);
    }
    return 0;
}
