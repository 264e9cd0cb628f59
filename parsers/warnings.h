/*
 * The tolerances one parse applied, tallied by text, so that a person can see
 * every quirk recon read past (issue 13): `recon parse` prints them, ingest
 * stores their summary with the file. A parse_warnings owns copies of the texts
 * and positions it keeps, released by parse_warnings_free; texts returned by
 * the accessors are borrowed and valid until the next reset or free.
 */
#ifndef RECON_PARSERS_WARNINGS_H
#define RECON_PARSERS_WARNINGS_H

#include <stdbool.h>
#include <stddef.h>

/* Distinct texts kept per file; later new texts are counted together as "other". */
#define PARSE_WARNINGS_KINDS 64

typedef struct parse_warnings parse_warnings;

parse_warnings *parse_warnings_new(void); /* NULL when out of memory */
void parse_warnings_free(parse_warnings *w);
void parse_warnings_reset(parse_warnings *w);

/* Counts one occurrence of text at position; returns how many times this text has
 * now been seen (1 for the first), or 0 when it could not be kept (out of memory). */
long parse_warnings_add(parse_warnings *w, const char *position, const char *text);

/* Distinct texts, in the order first seen; 0 when none. */
size_t parse_warnings_kinds(const parse_warnings *w);
/* The i-th text, with where it was first seen and how often; NULL past the end. */
const char *parse_warnings_get(const parse_warnings *w, size_t i, const char **first_position,
                               long *count);
/* Occurrences beyond the kept texts (their texts are not kept). */
long parse_warnings_other(const parse_warnings *w);

/* All of it on one line: "TEXT (POS)", or "TEXT (N times, first at POS)", joined
 * with "; "; cut at cap with "..." at the end. "" when there is nothing. */
void parse_warnings_summary(const parse_warnings *w, char *out, size_t cap);

#endif
