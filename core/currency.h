/*
 * Currency codes as recon accepts them everywhere (statement parsers, bank profiles, the
 * manual receipts file): ISO 4217 alphabetic codes, three ASCII capital letters. Pure;
 * nothing is allocated or returned by reference.
 */
#ifndef RECON_CORE_CURRENCY_H
#define RECON_CORE_CURRENCY_H

#include <stdbool.h>
#include <stddef.h>

/* The currency policies are kept in and money is applied in (rules.md section 8). */
#define CURRENCY_BOOK "CNY"

/* True when the n bytes at s are three ASCII capital letters ("CNY", "XXX"). */
bool currency_code_valid_n(const char *s, size_t n);
/* The same for a NUL-terminated string. */
bool currency_code_valid(const char *s);

#endif
