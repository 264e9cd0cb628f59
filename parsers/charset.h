/*
 * Character-set handling for Chinese statement files: GB18030 (a superset of
 * GBK) to UTF-8 through iconv, and UTF-8 validation. The caller owns the
 * charset_t and the output buffer.
 */
#ifndef RECON_PARSERS_CHARSET_H
#define RECON_PARSERS_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

typedef struct charset charset_t;

/* from: "GB18030" (use for GBK too) or "UTF-8". */
recon_status charset_open(const char *from, charset_t **out, err_t *err);
/* Converts one line/field to UTF-8 appended to out; invalid bytes fail with
 * "FILE: line N: invalid GB18030 byte sequence at byte K". */
recon_status charset_convert(charset_t *cs, const char *in, size_t len, buf_t *out,
                             const char *file, long line, err_t *err);
void charset_close(charset_t *cs);

/* True when the bytes are well-formed UTF-8 (no overlongs or surrogates). */
bool utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* True when the head looks like UTF-8 text rather than GBK (heuristic for detection). */
bool charset_looks_utf8(const unsigned char *head, size_t len);

#endif
