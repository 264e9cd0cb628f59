#include "reports/manifest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/grow.h"
#include "reports/gzcsv.h"

static int by_name(const void *a, const void *b)
{
    const manifest_entry *x = *(const manifest_entry *const *)a;
    const manifest_entry *y = *(const manifest_entry *const *)b;
    /* strcmp, not strcoll: the order must not depend on the locale of the night's run. */
    return strcmp(x->name, y->name);
}

static bool hex_ok(const char *h)
{
    for (size_t i = 0; i < SHA256_HEX_SIZE - 1; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    return h[SHA256_HEX_SIZE - 1] == '\0';
}

/* Undoes sha256sum's escapes (\\, \n, \r on a line that starts with a backslash) in place. */
static bool unescape_name(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        r++;
        if (*r == '\\')
            *w++ = '\\';
        else if (*r == 'n')
            *w++ = '\n';
        else if (*r == 'r')
            *w++ = '\r';
        else
            return false;
    }
    *w = '\0';
    return true;
}

recon_status manifest_write(const char *dir, const char *filename, const manifest_entry *entries,
                            size_t n, err_t *err)
{
    recon_status st = RECON_OK;
    buf_t text = BUF_INIT;
    const manifest_entry **sorted = NULL;
    if (n > 0) {
        sorted = malloc(n * sizeof *sorted);
        if (sorted == NULL) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const manifest_entry *e = &entries[i];
        if (e->name == NULL || e->name[0] == '\0') {
            st = err_set(err, RECON_EINTERNAL, "%s: invalid entry name '%s'", filename,
                         e->name ? e->name : "");
            goto done;
        }
        if (!hex_ok(e->sha256_hex)) {
            st = err_set(err, RECON_EINTERNAL, "%s: invalid sha-256 for %s", filename, e->name);
            goto done;
        }
        sorted[i] = e;
    }
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, by_name);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            st = err_set(err, RECON_EINTERNAL, "%s: duplicate entry %s", filename, sorted[i]->name);
            goto done;
        }
        /* Two spaces: sha256sum's text-mode separator, which `sha256sum -c` expects. A name
         * holding '\\', LF or CR is written as sha256sum writes it: the line starts with '\\'
         * and those characters are escaped, so one line stays one entry. */
        const char *name = sorted[i]->name;
        bool escape = strpbrk(name, "\\\n\r") != NULL;
        bool ok = (!escape || buf_append_char(&text, '\\')) &&
                  buf_append_str(&text, sorted[i]->sha256_hex) && buf_append_str(&text, "  ");
        for (const char *c = name; ok && *c; c++) {
            if (escape && (*c == '\\' || *c == '\n' || *c == '\r'))
                ok = buf_append_char(&text, '\\') &&
                     buf_append_char(&text, *c == '\\' ? '\\' : *c == '\n' ? 'n' : 'r');
            else
                ok = buf_append_char(&text, *c);
        }
        if (!ok || !buf_append_char(&text, '\n')) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            goto done;
        }
    }
    st = report_write_atomic(dir, filename, text.len ? text.data : "", text.len, err);
done:
    free(sorted);
    buf_free(&text);
    return st;
}

#define MANIFEST_MAX_BYTES (16 * 1024 * 1024)

void manifest_list_free(manifest_list *list)
{
    free(list->entries);
    free(list->text);
    list->entries = NULL;
    list->text = NULL;
    list->count = 0;
}

recon_status manifest_read(const char *path, manifest_list *list, err_t *err)
{
    list->entries = NULL;
    list->count = 0;
    list->text = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(err, RECON_ENOINPUT, "cannot read %s: %s", path, strerror(errno));
    buf_t text = BUF_INIT;
    char chunk[8192];
    size_t n;
    recon_status st = RECON_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (text.len + n > MANIFEST_MAX_BYTES) {
            st = err_set(err, RECON_EDATA, "%s: larger than %d bytes", path, MANIFEST_MAX_BYTES);
            break;
        }
        if (!buf_append(&text, chunk, n)) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
    }
    if (st == RECON_OK && ferror(f))
        st = err_set(err, RECON_ENOINPUT, "cannot read %s: %s", path, strerror(errno));
    fclose(f);
    if (st == RECON_OK && !buf_append(&text, "", 0))
        st = err_set(err, RECON_EINTERNAL, "out of memory");
    if (st != RECON_OK) {
        buf_free(&text);
        return st;
    }
    list->text = text.data ? text.data : calloc(1, 1);
    size_t cap = 0, line = 0;
    for (char *p = list->text; p && *p;) {
        char *end = strchr(p, '\n');
        line++;
        bool escaped = *p == '\\';
        if (escaped)
            p++;
        if (end == NULL || end - p < SHA256_HEX_SIZE + 2 || p[SHA256_HEX_SIZE - 1] != ' ' ||
            p[SHA256_HEX_SIZE] != ' ') {
            st = err_set(err, RECON_EDATA, "%s: line %zu: expected '<sha-256>  <name>'", path,
                         line);
            break;
        }
        *end = '\0';
        if (!GROW(list->entries, cap, list->count + 1)) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        manifest_entry *e = &list->entries[list->count];
        memcpy(e->sha256_hex, p, SHA256_HEX_SIZE - 1);
        e->sha256_hex[SHA256_HEX_SIZE - 1] = '\0';
        e->name = p + SHA256_HEX_SIZE + 1;
        if (escaped && !unescape_name((char *)e->name)) {
            st = err_set(err, RECON_EDATA, "%s: line %zu: invalid escape in the file name", path,
                         line);
            break;
        }
        if (!hex_ok(e->sha256_hex)) {
            st = err_set(err, RECON_EDATA, "%s: line %zu: invalid sha-256", path, line);
            break;
        }
        list->count++;
        p = end + 1;
    }
    if (st != RECON_OK)
        manifest_list_free(list);
    return st;
}
