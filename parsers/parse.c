#include "parsers/parse.h"

#include <string.h>

static const struct {
    stmt_format format;
    const char *name;
} format_names[] = {
    {FORMAT_CAMT053, "camt053"}, {FORMAT_CAMT054, "camt054"}, {FORMAT_MT940, "mt940"},
    {FORMAT_WECHAT, "wechat"},   {FORMAT_ALIPAY, "alipay"},   {FORMAT_UNIONPAY, "unionpay"},
    {FORMAT_BANKCSV, "bankcsv"},
};

const char *format_name(stmt_format f)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (format_names[i].format == f)
            return format_names[i].name;
    return "unknown";
}

bool format_from_name(const char *name, stmt_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (strcmp(format_names[i].name, name) == 0) {
            *out = format_names[i].format;
            return true;
        }
    return false;
}

stmt_format format_detect(const unsigned char *head, size_t len)
{
    stmt_format camt = FORMAT_UNKNOWN;
    if (camt_detect(head, len, &camt))
        return camt;
    if (mt940_detect(head, len))
        return FORMAT_MT940;
    if (wechat_detect(head, len))
        return FORMAT_WECHAT;
    if (alipay_detect(head, len))
        return FORMAT_ALIPAY;
    if (unionpay_detect(head, len))
        return FORMAT_UNIONPAY;
    if (bankcsv_detect(head, len))
        return FORMAT_BANKCSV;
    return FORMAT_UNKNOWN;
}

recon_status parse_stream(instream_t *in, stmt_format format, const parse_options *opts,
                          const receipt_sink *sink, err_t *err)
{
    switch (format) {
    case FORMAT_CAMT053:
    case FORMAT_CAMT054:
        return camt_parse(in, opts, sink, err);
    case FORMAT_MT940:
        return mt940_parse(in, opts, sink, err);
    case FORMAT_WECHAT:
        return wechat_parse(in, opts, sink, err);
    case FORMAT_ALIPAY:
        return alipay_parse(in, opts, sink, err);
    case FORMAT_UNIONPAY:
        return unionpay_parse(in, opts, sink, err);
    case FORMAT_BANKCSV:
        return bankcsv_parse(in, opts, sink, err);
    case FORMAT_UNKNOWN:
        break;
    }
    return err_set(err, RECON_EDATA, "%s: unrecognised statement format", instream_name(in));
}

recon_status parse_file(const char *path, const parse_options *opts, const receipt_sink *sink,
                        stmt_format *detected, err_t *err)
{
    instream_t *in = NULL;
    recon_status st = instream_open(path, &in, err);
    if (st != RECON_OK)
        return st;
    stmt_format format = opts ? opts->forced : FORMAT_UNKNOWN;
    if (format == FORMAT_UNKNOWN) {
        const unsigned char *head = NULL;
        size_t len = 0;
        st = instream_peek(in, &head, &len, err);
        if (st != RECON_OK)
            goto out;
        if (len == 0) {
            st = err_set(err, RECON_EDATA, "%s: empty file", path);
            goto out;
        }
        format = format_detect(head, len);
        if (format == FORMAT_UNKNOWN) {
            st = err_set(err, RECON_EDATA,
                         "%s: unrecognised statement format; hint: --format camt053|camt054|"
                         "mt940|wechat|alipay|unionpay|bankcsv",
                         path);
            goto out;
        }
    }
    if (detected)
        *detected = format;
    st = parse_stream(in, format, opts, sink, err);
out:
    instream_close(in);
    return st;
}
