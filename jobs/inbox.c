/*
 * Listing the inbox a scheduler's transfer job fills. The order is the byte
 * order of names, never the directory's or the locale's, so a night ingests
 * its files in the same order every time it runs and receipt numbers repeat.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jobs/nightly.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void inbox_free(inbox_files *files)
{
    for (size_t i = 0; i < files->count; i++)
        free(files->paths[i]);
    free(files->paths);
    files->paths = NULL;
    files->count = 0;
}

recon_status inbox_list(const char *dir, inbox_files *files, err_t *err)
{
    files->paths = NULL;
    files->count = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return err_set(err, RECON_ENOINPUT, "cannot read inbox %s: %s", dir, strerror(errno));
    size_t cap = 0;
    recon_status st = RECON_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.' || ends_with(name, ".tmp") || ends_with(name, ".part"))
            continue;
        size_t len = strlen(dir) + strlen(name) + 2;
        char *path = malloc(len);
        if (path == NULL) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, name);
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            free(path);
            continue;
        }
        if (files->count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(files->paths, cap * sizeof *grown);
            if (grown == NULL) {
                free(path);
                st = err_set(err, RECON_EINTERNAL, "out of memory");
                break;
            }
            files->paths = grown;
        }
        files->paths[files->count++] = path;
        errno = 0;
    }
    if (st == RECON_OK && errno != 0)
        st = err_set(err, RECON_ENOINPUT, "cannot read inbox %s: %s", dir, strerror(errno));
    closedir(d);
    if (st != RECON_OK) {
        inbox_free(files);
        return st;
    }
    /* Sorting full paths sorts names: they share the directory prefix. */
    if (files->count > 1)
        qsort(files->paths, files->count, sizeof *files->paths, by_name);
    return RECON_OK;
}
