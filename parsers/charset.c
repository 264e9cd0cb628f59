#include "parsers/charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

struct charset {
    iconv_t cd;
    bool identity;
};

recon_status charset_open(const char *from, charset_t **out, err_t *err)
{
    charset_t *cs = calloc(1, sizeof *cs);
    if (cs == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (strcmp(from, "UTF-8") == 0) {
        cs->identity = true;
    } else {
        cs->cd = iconv_open("UTF-8", from);
        if (cs->cd == (iconv_t)-1) {
            free(cs);
            return err_set(err, RECON_EINTERNAL, "no converter from %s to UTF-8", from);
        }
    }
    *out = cs;
    return RECON_OK;
}

recon_status charset_convert(charset_t *cs, const char *in, size_t len, buf_t *out,
                             const char *file, long line, err_t *err)
{
    if (cs->identity) {
        size_t bad = 0;
        if (!utf8_valid(in, len, &bad))
            return err_set(err, RECON_EDATA, "%s: line %ld: invalid UTF-8 byte sequence at byte %zu",
                           file, line, bad + 1);
        if (!buf_append(out, in, len))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        return RECON_OK;
    }
    iconv(cs->cd, NULL, NULL, NULL, NULL);
    char *src = (char *)in;
    size_t src_left = len;
    while (src_left > 0) {
        if (!buf_reserve(out, src_left * 2 + 16))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        char *dst = out->data + out->len;
        size_t dst_left = out->cap - out->len - 1;
        size_t before = dst_left;
        size_t r = iconv(cs->cd, &src, &src_left, &dst, &dst_left);
        out->len += before - dst_left;
        out->data[out->len] = '\0';
        if (r == (size_t)-1 && errno != E2BIG)
            return err_set(err, RECON_EDATA, "%s: line %ld: invalid GB18030 byte sequence at byte %zu",
                           file, line, (size_t)(src - in) + 1);
    }
    return RECON_OK;
}

void charset_close(charset_t *cs)
{
    if (cs == NULL)
        return;
    if (!cs->identity)
        iconv_close(cs->cd);
    free(cs);
}

bool utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07u;
        } else {
            goto bad;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += n + 1;
    }
    return true;
bad:
    if (bad_offset)
        *bad_offset = i;
    return false;
}

bool charset_looks_utf8(const unsigned char *head, size_t len)
{
    /* A multi-byte sequence may be cut at the end of the head: ignore the last 3 bytes. */
    size_t n = len > 3 ? len - 3 : len;
    size_t bad = 0;
    if (utf8_valid((const char *)head, n, &bad))
        return true;
    return bad + 4 > n;
}
