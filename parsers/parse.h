/*
 * Statement format detection and dispatch. parse_file streams one file (plain,
 * gzip or zip) into a receipt_sink; nothing is returned that the caller must free.
 */
#ifndef RECON_PARSERS_PARSE_H
#define RECON_PARSERS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "parsers/instream.h"
#include "parsers/receipt.h"

typedef enum stmt_format {
    FORMAT_UNKNOWN = 0,
    FORMAT_CAMT053,
    FORMAT_CAMT054,
    FORMAT_MT940,
    FORMAT_WECHAT,
    FORMAT_ALIPAY,
    FORMAT_UNIONPAY,
    FORMAT_BANKCSV,
    FORMAT_CAMT052,
} stmt_format;

typedef struct parse_options {
    stmt_format forced;          /* FORMAT_UNKNOWN: detect from content */
    const char *bank_profile;    /* bank CSV profile name or path; NULL: try shipped ones */
    const char *profile_dir;     /* where named profiles live; NULL: default search */
    uint64_t max_input;          /* bytes one input may inflate to (RECON_MAX_INPUT); 0: default */
} parse_options;

const char *format_name(stmt_format f);            /* "camt053", "mt940", ... */
bool format_from_name(const char *name, stmt_format *out);

/* Detects the format from the first bytes of (decompressed) content. */
stmt_format format_detect(const unsigned char *head, size_t len);

/* Parses one file; *detected (may be NULL) receives the format used.
 * On error nothing more is pushed to the sink and err names file and line/element. */
recon_status parse_file(const char *path, const parse_options *opts, const receipt_sink *sink,
                        stmt_format *detected, err_t *err);

/* Parses an already opened stream with a known format. */
recon_status parse_stream(instream_t *in, stmt_format format, const parse_options *opts,
                          const receipt_sink *sink, err_t *err);

/* Per-format entry points (parsers/<format>.c), one signature for all. Each detect looks
 * only at the head bytes; camt's also says which of its messages the head is. */
typedef bool format_detect_fn(const unsigned char *head, size_t len);
typedef recon_status format_parse_fn(instream_t *in, const parse_options *opts,
                                     const receipt_sink *sink, err_t *err);
bool camt_detect(const unsigned char *head, size_t len, stmt_format *which);
format_detect_fn mt940_detect, wechat_detect, alipay_detect, unionpay_detect, bankcsv_detect;
format_parse_fn camt_parse, mt940_parse, wechat_parse, alipay_parse, unionpay_parse,
    bankcsv_parse;

#endif
