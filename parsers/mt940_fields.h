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

/* What a field's reader tolerated beyond the standard (bits of `tolerated`); the
 * statement reader turns each into a note or warning (mt940_tolerance_text). */
enum {
    MT940_TOL_NO_DECIMAL_COMMA = 1u << 0, /* "500": whole units */
    MT940_TOL_DECIMAL_POINT = 1u << 1,    /* "1000.12" */
    MT940_TOL_TYPE_UNUSUAL = 1u << 2,     /* "NOV NONREF", "S   X" */
    MT940_TOL_TYPE_MISSING = 1u << 3,     /* nothing usable after the amount */
    MT940_TOL_SPACE_BEFORE_TYPE = 1u << 4,
    MT940_TOL_VALUE_DATE_INVALID = 1u << 5, /* "200230": German interest convention */
    MT940_TOL_BALANCE_TEXT_AFTER = 1u << 6,
    MT940_TOL_BALANCE_NO_CURRENCY = 1u << 7,
    MT940_TOL_BALANCE_CURRENCY_AFTER = 1u << 8,
    MT940_TOL_BALANCE_SPACES = 1u << 9,
    MT940_TOL_LONG_BANK_REF = 1u << 10,     /* kept unique with a hash of the whole */
    MT940_TOL_LONG_SUPPLEMENTARY = 1u << 11, /* cut */
    MT940_TOL_COUNT = 12
};

/* The note for one tolerance bit; type is the unusual transaction type (may be ""). */
const char *mt940_tolerance_text(unsigned bit, const char *type, char *buf, size_t cap);

typedef struct mt940_balance {
    date_t date;
    char currency[RECEIPT_CCY_MAX]; /* "" when the balance does not write one */
    fen_t amount; /* signed: D balances negative */
    unsigned tolerated;
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
    unsigned tolerated;
} mt940_entry;

typedef struct mt940_details {
    char remittance[RECEIPT_TEXT_MAX];
    char payer[RECEIPT_NAME_MAX];
    char payer_account[RECEIPT_ACCOUNT_MAX];
    char end_to_end_id[RECEIPT_ID_MAX];
    char creditor_reference[RECEIPT_ID_MAX];
    char gvc[4]; /* German business transaction code, "" when not ?-structured */
    bool is_return; /* /RTRN/ present */
    char note[RECEIPT_NOTE_MAX]; /* values cut or dropped for their size, "" when none */
    /* scratch space so parsing needs no allocation */
    char joined[MT940_FIELD_MAX];
    char purpose[MT940_FIELD_MAX];
} mt940_details;

/* SWIFT YYMMDD: years 80-99 are 19xx, 00-79 are 20xx; false for 230230 and the like. */
bool mt940_parse_yymmdd(const char *s, size_t n, date_t *out);
/* Decimal-comma amount "15,", "00,12", "380115,1"; no sign, at most two decimals. */
bool mt940_parse_amount(const char *s, size_t n, fen_t *out);
/* Also what banks write instead: "500" (whole units) and "1000.12" (a decimal point),
 * each adding its MT940_TOL_ bit to *tolerated; never both separators, never three
 * decimals, so the money is not in doubt. */
bool mt940_parse_amount_lenient(const char *s, size_t n, fen_t *out, unsigned *tolerated);
/* :60F:/:62F:/:64:/:65: body "C261231CNY1234,56"; why gets a message on failure. */
bool mt940_parse_balance(const char *s, size_t n, const char *tag, mt940_balance *b, char *why,
                         size_t whylen);
/* The booking date for entry month/day near value date (Dec/Jan rollover). */
bool mt940_entry_date(date_t value, int month, int day, date_t *out);
/* :61: body, lines separated by '\n'. */
bool mt940_parse_entry(const char *s, size_t n, mt940_entry *e, char *why, size_t whylen);
/* Signed amount of an entry: C and RD positive, D and RC negative. */
fen_t mt940_entry_signed_amount(const mt940_entry *e);
/* Length of the IBAN (checksum valid) opening s[0..n), ended by whitespace or the end;
 * 0 if there is none. */
size_t mt940_leading_iban(const char *s, size_t n);
/* The currency of a :25: written "ACCOUNT CCY": the account's length, *ccy filled;
 * 0 when the text has no such suffix. */
size_t mt940_account_currency(const char *s, size_t n, char ccy[RECEIPT_CCY_MAX]);
/* :86: body, lines separated by '\n'; fails only when a sub-field exceeds its receipt limit. */
bool mt940_parse_details(const char *s, size_t n, mt940_details *d, char *why, size_t whylen);

#endif
