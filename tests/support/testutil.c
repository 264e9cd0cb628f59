#include "tests/support/testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *testutil_samples_dir(void)
{
    static const char *dir = "../shared/samples";
    struct stat st;
    const char *env = getenv("RECON_SAMPLES");
    if (env != NULL && stat(env, &st) == 0 && S_ISDIR(st.st_mode))
        return env;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return dir;
    return NULL;
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    collector *c = ctx;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        receipt_t *p = realloc(c->receipts, cap * sizeof *p);
        if (p == NULL)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        c->receipts = p;
        c->cap = cap;
    }
    c->receipts[c->count++] = *r;
    return RECON_OK;
}

static recon_status on_statement(void *ctx, const statement_summary *s, err_t *err)
{
    collector *c = ctx;
    if (c->stmt_count == c->stmt_cap) {
        size_t cap = c->stmt_cap ? c->stmt_cap * 2 : 4;
        statement_summary *p = realloc(c->statements, cap * sizeof *p);
        if (p == NULL)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        c->statements = p;
        c->stmt_cap = cap;
    }
    c->statements[c->stmt_count++] = *s;
    return RECON_OK;
}

void collector_init(collector *c, receipt_sink *sink)
{
    memset(c, 0, sizeof *c);
    sink->ctx = c;
    sink->on_receipt = on_receipt;
    sink->on_statement = on_statement;
    sink->on_warning = NULL;
}

void collector_free(collector *c)
{
    free(c->receipts);
    free(c->statements);
    memset(c, 0, sizeof *c);
}

recon_status testutil_parse_memory(const char *name, const void *data, size_t len,
                                   stmt_format format, const parse_options *opts, collector *c,
                                   err_t *err)
{
    receipt_sink sink;
    collector_init(c, &sink);
    err_clear(err);
    instream_t *in = NULL;
    recon_status st = instream_open_memory(name, data, len, &in, err);
    if (st != RECON_OK)
        return st;
    st = parse_stream(in, format, opts, &sink, err);
    instream_close(in);
    return st;
}
