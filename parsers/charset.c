#include "parsers/charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
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

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Length of the well-formed sequence at p (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 when there is none. The second byte's range
 * depends on the lead byte; the others are plain continuation bytes. */
static size_t utf8_sequence(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return avail >= 2 && is_cont(p[1]) ? 2 : 0;
    if (c < 0xF0) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return avail >= 3 && p[1] >= lo && p[1] <= hi && is_cont(p[2]) ? 3 : 0;
    }
    if (c < 0xF5) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return avail >= 4 && p[1] >= lo && p[1] <= hi && is_cont(p[2]) && is_cont(p[3]) ? 4
                                                                                        : 0;
    }
    return 0;
}

bool utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* ASCII, the bulk of most statements, eight bytes at a time */
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, sizeof w);
            uint64_t high = w & UINT64_C(0x8080808080808080);
            if (high == 0) {
                i += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* the ASCII bytes before the first that is not, at once (mixed text) */
            i += (size_t)__builtin_ctzll(high) / 8;
#endif
        }
        size_t n = utf8_sequence(p + i, len - i);
        if (n == 0) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        i += n;
    }
    return true;
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
