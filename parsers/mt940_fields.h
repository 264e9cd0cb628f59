/*
 * MT940/MT942 field grammars (balances, :61: statement lines, :86: details) as pure
 * functions over caller-owned text; every result lands in a caller-owned struct.
 */
#ifndef RECON_PARSERS_MT940_FIELDS_H
#define RECON_PARSERS_MT940_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/money.h"
#include "parsers/receipt.h"

/* A field (tag line plus continuation lines) longer than this is rejected. */
#define MT940_FIELD_MAX 16384
#define MT940_WHY_MAX 200
#define MT940_CUSTREF_MAX 16 /* SWIFT 16x */
#define MT940_SUPP_MAX 512

typedef struct mt940_balance {
    date_t date;
    char currency[RECEIPT_CCY_MAX];
    fen_t amount; /* signed: D balances negative */
} mt940_balance;

typedef struct mt940_entry {
    date_t value_date;
    date_t entry_date; /* DATE_NONE when the line has no MMDD entry date */
    char mark[3];      /* "C", "D", "RC" or "RD" */
    char funds_code;   /* 0 when absent */
    fen_t amount;      /* unsigned as written */
    char type[5];      /* e.g. "NTRF" */
    char customer_ref[MT940_CUSTREF_MAX + 1];
    char bank_ref[RECEIPT_ID_MAX];
    char supplementary[MT940_SUPP_MAX];
} mt940_entry;

typedef struct mt940_details {
    char remittance[RECEIPT_TEXT_MAX];
    char payer[RECEIPT_NAME_MAX];
    char payer_account[RECEIPT_ACCOUNT_MAX];
    char end_to_end_id[RECEIPT_ID_MAX];
    char creditor_reference[RECEIPT_ID_MAX];
    char gvc[4]; /* German business transaction code, "" when not ?-structured */
    bool is_return; /* /RTRN/ present */
    /* scratch space so parsing needs no allocation */
    char joined[MT940_FIELD_MAX];
    char purpose[MT940_FIELD_MAX];
} mt940_details;

/* SWIFT YYMMDD: years 80-99 are 19xx, 00-79 are 20xx; false for 230230 and the like. */
bool mt940_parse_yymmdd(const char *s, size_t n, date_t *out);
/* Decimal-comma amount "15,", "00,12", "380115,1"; no sign, at most two decimals. */
bool mt940_parse_amount(const char *s, size_t n, fen_t *out);
/* :60F:/:62F:/:64:/:65: body "C261231CNY1234,56"; why gets a message on failure. */
bool mt940_parse_balance(const char *s, size_t n, const char *tag, mt940_balance *b, char *why,
                         size_t whylen);
/* The booking date for entry month/day near value date (Dec/Jan rollover). */
bool mt940_entry_date(date_t value, int month, int day, date_t *out);
/* :61: body, lines separated by '\n'. */
bool mt940_parse_entry(const char *s, size_t n, mt940_entry *e, char *why, size_t whylen);
/* Signed amount of an entry: C and RD positive, D and RC negative. */
fen_t mt940_entry_signed_amount(const mt940_entry *e);
/* :86: body, lines separated by '\n'; fails only when a sub-field exceeds its receipt limit. */
bool mt940_parse_details(const char *s, size_t n, mt940_details *d, char *why, size_t whylen);

#endif
