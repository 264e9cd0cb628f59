/*
 * Reads lines (LF, CRLF or lone CR) from an instream with a hard cap on line
 * length. The returned line points into the reader's buffer and is valid until
 * the next call; the reader does not own the instream.
 */
#ifndef RECON_PARSERS_LINEREADER_H
#define RECON_PARSERS_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "parsers/instream.h"

#define LINEREADER_DEFAULT_MAX 65536

typedef struct linereader linereader_t;

recon_status linereader_new(instream_t *in, size_t max_line, linereader_t **out, err_t *err);
/* *line is NUL-terminated without its terminator; returns RECON_OK with *line NULL at EOF.
 * A line longer than max_line, or one holding a NUL byte, is an error naming the line number. */
recon_status linereader_next(linereader_t *lr, const char **line, size_t *len, err_t *err);
/* 1-based number of the line last returned. */
long linereader_lineno(const linereader_t *lr);
void linereader_free(linereader_t *lr);
/* Bytes before the first line break (LF or CR) in s[0..n), n when there is none. */
size_t linereader_text_len(const char *s, size_t n);

#endif
