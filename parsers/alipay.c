/* Placeholder until this format's parser lands: detects nothing, parses nothing. */
#include "parsers/parse.h"

bool alipay_detect(const unsigned char *head, size_t len)
{
    (void)head; (void)len;
    return false;
}

recon_status alipay_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                          err_t *err)
{
    (void)opts;
    (void)sink;
    return err_set(err, RECON_EDATA, "%s: alipay statements are not supported yet", instream_name(in));
}
