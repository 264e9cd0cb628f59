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
/* Largest accepted magnitude: 10^15 yuan keeps every sum far from int64 overflow. */
#define MONEY_MAX_FEN ((fen_t)100000000000000000LL)

typedef enum money_result {
    MONEY_OK = 0,
    MONEY_SYNTAX,    /* not a decimal number */
    MONEY_PRECISION, /* more than two significant decimals */
    MONEY_RANGE,     /* larger than MONEY_MAX_FEN */
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

/* "-1234.56" (no thousands separators, always two decimals). */
void money_format(fen_t v, char out[MONEY_STR_SIZE]);

/* round(v * num / den) half away from zero, exact for |v| <= MONEY_MAX_FEN and
 * num, den < 2^20 (day counts); den > 0. */
fen_t money_mul_div_round(fen_t v, int64_t num, int64_t den);

#endif
