/*
 * Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian).
 * All dates in recon are China-local calendar dates; no time zones here.
 * Pure functions; nothing is allocated, output buffers belong to the caller.
 */
#ifndef RECON_CORE_DATE_H
#define RECON_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t date_t;

#define DATE_STR_SIZE 11 /* "YYYY-MM-DD" + NUL */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2999
#define DATE_NONE INT32_MIN

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_valid(int year, int month, int day);

/* Day number of a valid y-m-d; the caller checks validity first. */
date_t date_from_ymd(int year, int month, int day);
void date_to_ymd(date_t d, int *year, int *month, int *day);

/* Strict ISO "YYYY-MM-DD" of exactly len bytes; 2026-02-30 is rejected. */
/* The value of the n ASCII decimal digits at s (n at most 9); false on any other byte. The
 * one digit reader of date and time text, here and in parsers. */
bool date_digits(const char *s, size_t n, int *out);
bool date_parse(const char *s, size_t len, date_t *out);
/* Strict compact "YYYYMMDD". */
bool date_parse_compact(const char *s, size_t len, date_t *out);
/* Flags of date_parse_datetime: what each bill writes beside the plain form. */
enum {
    DATE_TIME_SECONDS_OPTIONAL = 1, /* "YYYY-MM-DD hh:mm" too (Alipay) */
    DATE_TIME_WIDE_COLON = 2,       /* full-width colons U+FF1A too (WeChat's 2014 layout) */
};
/* China time "YYYY-MM-DD hh:mm:ss" of exactly len bytes -> its date. The time must be
 * one of a day (00:00:00 to 23:59:59) and is then dropped: receipts are dated. */
bool date_parse_datetime(const char *s, size_t len, unsigned flags, date_t *out);
/* Writes "YYYY-MM-DD" into out (DATE_STR_SIZE bytes); DATE_NONE gives "". */
void date_format(date_t d, char out[DATE_STR_SIZE]);

/* The date `months` months after d keeping the day of month; when that month has
 * no such day, the 1st of the following month (释义7). */
date_t date_add_months_clause(date_t d, int months);

#endif
