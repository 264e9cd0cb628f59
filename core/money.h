/*
 * Money as signed integer fen (1 yuan = 100 fen); never floating point.
 * Pure functions; output buffers belong to the caller.
 */
#ifndef RECON_CORE_MONEY_H
#define RECON_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t fen_t;

#define MONEY_STR_SIZE 32
/* Largest magnitude of one amount: 10^12 yuan (10^14 fen), more than any premium
 * system honestly holds. Every amount read (statements, register, manual receipts)
 * is refused beyond it. */
#define MONEY_MAX_FEN ((fen_t)100000000000000LL)
/* Largest magnitude any sum of fen may reach: 2^62 fen (about 4.6 x 10^16 yuan), so
 * that two such sums add or subtract without overflowing 64 bits. A policy or a day
 * whose money goes beyond it is refused, never evaluated with a wrapped total. */
#define MONEY_MAX_SUM_FEN ((fen_t)4611686018427387904LL)

typedef enum money_result {
    MONEY_OK = 0,
    MONEY_SYNTAX,    /* not a decimal number */
    MONEY_PRECISION, /* more than two significant decimals */
    MONEY_RANGE,     /* magnitude larger than MONEY_MAX_FEN */
} money_result;

typedef struct money_format_opts {
    char decimal_sep;    /* '.' or ',' (MT940) */
    char thousands_sep;  /* ',' , ' ' or 0 for none */
    bool allow_plus;     /* leading '+' */
    int max_decimals;    /* digits accepted after the separator (2; camt allows 5) */
} money_format_opts;

/* "30", "30.5", "30.50", "1,234.56", "-30.00"; rejects "30.005", "abc", overflow. */
money_result money_parse(const char *s, size_t len, fen_t *out);
/* Same grammar with explicit separators; extra decimals must be zeros. */
money_result money_parse_opts(const char *s, size_t len, const money_format_opts *opts,
                              fen_t *out);
const char *money_result_str(money_result r);

/* *total += v; false (and *total unchanged) when the sum would overflow. */
bool money_add(fen_t *total, fen_t v);
/* *total += |v| kept within MONEY_MAX_SUM_FEN; false (and *total unchanged) beyond it. */
bool money_add_magnitude(fen_t *total, fen_t v);
/* |v| <= MONEY_MAX_FEN. */
bool money_within_bound(fen_t v);

/* "-1234.56" (no thousands separators, always two decimals). */
void money_format(fen_t v, char out[MONEY_STR_SIZE]);

/* round(v * num / den) half away from zero, exact for |v| <= MONEY_MAX_FEN and
 * num, den < 2^20 (day counts); den > 0. */
fen_t money_mul_div_round(fen_t v, int64_t num, int64_t den);

#endif
