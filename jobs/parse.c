/*
 * `recon parse FILE...`: what recon reads from statement files, as CSV on
 * stdout, without a database. A rejected file is reported and the others are
 * still parsed (exit 65).
 */
#include <string.h>

#include "common/log.h"
#include "jobs/jobs.h"
#include "jobs/parse_output.h"
#include "parsers/parse.h"

recon_status job_parse_options(const job_options *o, parse_options *popts, err_t *err)
{
    *popts = (parse_options){FORMAT_UNKNOWN, o->profile, NULL, o->config.max_input};
    if (o->format && !format_from_name(o->format, &popts->forced))
        return err_set(err, RECON_EUSAGE,
                       "unknown format '%s' (camt052, camt053, camt054, mt940, wechat, alipay, "
                       "unionpay, bankcsv)",
                       o->format);
    return RECON_OK;
}

recon_status cmd_parse(const job_options *o, err_t *err)
{
    if (o->arg_count < 1)
        return err_set(err, RECON_EUSAGE, "usage: recon parse FILE... [--format F] [--unmasked]");
    parse_options popts;
    recon_status st = job_parse_options(o, &popts, err);
    if (st != RECON_OK)
        return st;
    parse_output po;
    parse_output_init(&po, o->out, stderr, o->unmasked);
    st = parse_output_header(&po, err);
    int rejected = 0;
    for (int i = 0; i < o->arg_count && st == RECON_OK; i++) {
        receipt_sink sink = parse_output_sink(&po, o->args[i]);
        err_t ferr;
        err_clear(&ferr);
        recon_status fst = parse_file(o->args[i], &popts, &sink, NULL, &ferr);
        parse_output_file_done(&po);
        if (fst == RECON_EDATA || fst == RECON_ENOINPUT) {
            log_error("%s", ferr.msg);
            rejected++;
        } else if (fst != RECON_OK) {
            st = err_set(err, fst, "%s", ferr.msg);
        }
    }
    recon_status fin = parse_output_finish(&po, st == RECON_OK ? err : NULL);
    parse_output_free(&po);
    if (st == RECON_OK)
        st = fin;
    if (st == RECON_OK && rejected)
        st = err_set(err, RECON_EDATA, "%d of %d file%s rejected", rejected, o->arg_count,
                     o->arg_count == 1 ? "" : "s");
    return st;
}
