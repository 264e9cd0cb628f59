#include "reports/manifest.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
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
        /* sha256sum escapes names holding '\\' or '\n' with a leading backslash; recon's names
         * never need that, so refusing them keeps the format to the plain, readable form. */
        if (e->name == NULL || e->name[0] == '\0' || strpbrk(e->name, "\\\n\r") != NULL) {
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
        /* Two spaces: sha256sum's text-mode separator, which `sha256sum -c` expects. */
        if (!buf_append_str(&text, sorted[i]->sha256_hex) || !buf_append_str(&text, "  ") ||
            !buf_append_str(&text, sorted[i]->name) || !buf_append_char(&text, '\n')) {
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
