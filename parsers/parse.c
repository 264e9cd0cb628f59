#include "parsers/parse.h"

#include <string.h>

#include "parsers/wallet.h"
#include "parsers/zipstream.h"

/* Every format once: its name, how its head is recognised (camt's three messages share
 * camt_detect, asked first) and its parser. Detection follows this order. */
static const struct {
    stmt_format format;
    const char *name;
    format_detect_fn *detect;
    format_parse_fn *parse;
} formats[] = {
    {FORMAT_CAMT052, "camt052", NULL, camt_parse},
    {FORMAT_CAMT053, "camt053", NULL, camt_parse},
    {FORMAT_CAMT054, "camt054", NULL, camt_parse},
    {FORMAT_MT940, "mt940", mt940_detect, mt940_parse},
    {FORMAT_WECHAT, "wechat", wechat_detect, wechat_parse},
    {FORMAT_ALIPAY, "alipay", alipay_detect, alipay_parse},
    {FORMAT_UNIONPAY, "unionpay", unionpay_detect, unionpay_parse},
    {FORMAT_BANKCSV, "bankcsv", bankcsv_detect, bankcsv_parse},
};
#define FORMAT_COUNT (sizeof formats / sizeof formats[0])

const char *format_name(stmt_format f)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (formats[i].format == f)
            return formats[i].name;
    return "unknown";
}

bool format_from_name(const char *name, stmt_format *out)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (strcmp(formats[i].name, name) == 0) {
            *out = formats[i].format;
            return true;
        }
    return false;
}

stmt_format format_detect(const unsigned char *head, size_t len)
{
    stmt_format camt = FORMAT_UNKNOWN;
    if (camt_detect(head, len, &camt))
        return camt;
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (formats[i].detect != NULL && formats[i].detect(head, len))
            return formats[i].format;
    return FORMAT_UNKNOWN;
}

/* The sink every parser pushes into, wrapped so that the amount bound is enforced in
 * one place whatever grammar the format has (decimal text, micro-yuan, digits of fen). */
typedef struct bounded_sink {
    const receipt_sink *inner;
    const char *file;
} bounded_sink;

/* Each clause of a receipt's note is also a warning on its file, so a file's list of
 * tolerances is complete whichever way a parser reported them. */
static recon_status forward_note(const bounded_sink *b, const receipt_t *r, err_t *err)
{
    const char *p = r->note;
    while (*p) {
        const char *end = strstr(p, "; ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char clause[RECEIPT_NOTE_MAX];
        memcpy(clause, p, n);
        clause[n] = '\0';
        recon_status st = b->inner->on_warning(b->inner->ctx, r->position, clause, err);
        if (st != RECON_OK)
            return st;
        p += end ? n + 2 : n;
    }
    return RECON_OK;
}

static recon_status bounded_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    const bounded_sink *b = ctx;
    /* Bytes that are not UTF-8 in free text touch no money: read, replaced, noted. */
    receipt_t scrubbed;
    if (!receipt_text_valid(r)) {
        scrubbed = *r;
        receipt_scrub_text(&scrubbed);
        r = &scrubbed;
    }
    recon_status st = receipt_check_bounds(b->file, r, err);
    if (st == RECON_OK && r->note[0] && b->inner->on_warning)
        st = forward_note(b, r, err);
    return st != RECON_OK ? st : b->inner->on_receipt(b->inner->ctx, r, err);
}

static recon_status bounded_warning(void *ctx, const char *position, const char *text,
                                    err_t *err)
{
    const bounded_sink *b = ctx;
    return b->inner->on_warning ? b->inner->on_warning(b->inner->ctx, position, text, err)
                                : RECON_OK;
}

static recon_status bounded_statement(void *ctx, const statement_summary *s, err_t *err)
{
    const bounded_sink *b = ctx;
    recon_status st = statement_check_bounds(b->file, s, err);
    if (st != RECON_OK || b->inner->on_statement == NULL)
        return st;
    return b->inner->on_statement(b->inner->ctx, s, err);
}

static recon_status parse_format(instream_t *in, stmt_format format, const parse_options *opts,
                                 const receipt_sink *sink, err_t *err);

recon_status parse_stream(instream_t *in, stmt_format format, const parse_options *opts,
                          const receipt_sink *sink, err_t *err)
{
    bounded_sink b = {sink, instream_name(in)};
    receipt_sink bounded = {&b, bounded_receipt, bounded_statement, bounded_warning};
    return parse_format(in, format, opts, &bounded, err);
}

static recon_status parse_format(instream_t *in, stmt_format format, const parse_options *opts,
                                 const receipt_sink *sink, err_t *err)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (formats[i].format == format)
            return formats[i].parse(in, opts, sink, err);
    return err_set(err, RECON_EDATA, "%s: unrecognised statement format", instream_name(in));
}

#define FORMAT_HINT "hint: --format camt052|camt053|camt054|mt940|wechat|alipay|unionpay|bankcsv"

/* Detects (unless forced) and parses one stream; *empty is set for a 0-byte stream. */
static recon_status parse_detected(instream_t *in, const parse_options *opts,
                                   const receipt_sink *sink, stmt_format *format, bool *empty,
                                   err_t *err)
{
    *format = opts ? opts->forced : FORMAT_UNKNOWN;
    *empty = false;
    if (*format == FORMAT_UNKNOWN) {
        const unsigned char *head = NULL;
        size_t len = 0;
        recon_status st = instream_peek(in, &head, &len, err);
        if (st != RECON_OK)
            return st;
        if (len == 0) {
            *empty = true;
            return err_set(err, RECON_EDATA, "%s: empty file", instream_name(in));
        }
        *format = format_detect(head, len);
        const char *what = NULL, *hint = NULL;
        if (*format == FORMAT_UNKNOWN && wallet_export_detect(head, len, &what, &hint))
            return err_set(err, RECON_EDATA,
                           "%s: %s is a person's own payment history, not a merchant bill of "
                           "the insurer's account, and is out of scope; hint: %s",
                           instream_name(in), what, hint);
        if (*format == FORMAT_UNKNOWN)
            return err_set(err, RECON_EDATA, "%s: unrecognised statement format; " FORMAT_HINT,
                           instream_name(in));
    }
    return parse_stream(in, *format, opts, sink, err);
}

typedef struct zip_parse_ctx {
    const parse_options *opts;
    const receipt_sink *sink;
    stmt_format first;
    size_t parsed;
} zip_parse_ctx;

static recon_status parse_zip_member(void *ctx, instream_t *member, const char *member_name,
                                     err_t *err)
{
    (void)member_name;
    zip_parse_ctx *z = ctx;
    stmt_format format = FORMAT_UNKNOWN;
    bool empty = false;
    recon_status st = parse_detected(member, z->opts, z->sink, &format, &empty, err);
    if (empty) /* placeholder members carry nothing to reconcile */
        return RECON_OK;
    if (st == RECON_OK && z->parsed++ == 0)
        z->first = format;
    return st;
}

recon_status parse_file(const char *path, const parse_options *opts, const receipt_sink *sink,
                        stmt_format *detected, err_t *err)
{
    instream_t *in = NULL;
    uint64_t limit = opts && opts->max_input ? opts->max_input : INSTREAM_DEFAULT_LIMIT;
    recon_status st = instream_open(path, &in, err);
    if (st != RECON_OK)
        return st;
    instream_set_limit(in, limit);
    const unsigned char *head = NULL;
    size_t len = 0;
    if ((st = instream_peek(in, &head, &len, err)) != RECON_OK)
        goto out;
    if (zipstream_is_zip(head, len)) {
        if (instream_was_gzip(in)) {
            st = err_set(err, RECON_EDATA, "%s: gzip-compressed zip archives are not supported",
                         path);
            goto out;
        }
        instream_close(in);
        in = NULL;
        zip_parse_ctx z = {opts, sink, FORMAT_UNKNOWN, 0};
        st = zipstream_foreach_limited(path, ZIPSTREAM_MAX_MEMBERS, limit, parse_zip_member, &z,
                                       err);
        if (st == RECON_OK && z.parsed == 0)
            st = err_set(err, RECON_EDATA, "%s: zip archive holds no statement", path);
        if (st == RECON_OK && detected)
            *detected = z.first;
        goto out;
    }
    stmt_format format = FORMAT_UNKNOWN;
    bool empty = false;
    st = parse_detected(in, opts, sink, &format, &empty, err);
    if (detected && format != FORMAT_UNKNOWN)
        *detected = format;
out:
    instream_close(in);
    return st;
}
