/*
 * The demo scenario's deliveries (jobs/demo.h): fixtures/scenario/arrivals.csv read
 * line by line, and a fixture copied into an inbox as a new file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/grow.h"
#include "jobs/demo.h"

#define ARRIVAL_LINE_MAX 512


recon_status demo_read_arrivals(const char *path, arrival **out, size_t *count, err_t *err)
{
    FILE *f = fopen(path, "r");
    *out = NULL;
    *count = 0;
    if (f == NULL)
        return err_set(err, RECON_ENOINPUT, "cannot read %s: %s", path, strerror(errno));
    char line[ARRIVAL_LINE_MAX];
    size_t cap = 0, n = 0;
    recon_status st = RECON_OK;
    while (fgets(line, sizeof line, f)) {
        n++;
        size_t len = strcspn(line, "\r\n");
        if (line[len] == '\0' && !feof(f)) {
            st = err_set(err, RECON_EDATA, "%s: line %zu: longer than %d bytes", path, n,
                         ARRIVAL_LINE_MAX - 2);
            break;
        }
        line[len] = '\0';
        if (n == 1 || len == 0)
            continue; /* header */
        char *comma = strchr(line, ',');
        arrival a;
        if (comma == NULL || (size_t)(comma - line) >= sizeof a.file ||
            !date_parse(comma + 1, strlen(comma + 1), &a.arrives)) {
            st = err_set(err, RECON_EDATA, "%s: line %zu: expected file,YYYY-MM-DD", path, n);
            break;
        }
        memcpy(a.file, line, (size_t)(comma - line));
        a.file[comma - line] = '\0';
        if (!GROW(*out, cap, *count + 1)) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        (*out)[(*count)++] = a;
    }
    fclose(f);
    if (st != RECON_OK) {
        free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

recon_status demo_deliver(const char *src, const char *dst, err_t *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(err, RECON_ENOINPUT, "%s: %s", src, strerror(errno));
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (out < 0) {
        close(in);
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", dst, strerror(errno));
    }
    recon_status st = RECON_OK;
    char chunk[65536];
    ssize_t n;
    while ((n = read(in, chunk, sizeof chunk)) > 0)
        if (write(out, chunk, (size_t)n) != n) {
            st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", dst, strerror(errno));
            break;
        }
    if (n < 0 && st == RECON_OK)
        st = err_set(err, RECON_ENOINPUT, "%s: %s", src, strerror(errno));
    close(in);
    if (close(out) != 0 && st == RECON_OK)
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", dst, strerror(errno));
    return st;
}

