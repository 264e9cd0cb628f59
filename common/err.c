#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(err_t *err)
{
    if (err == NULL)
        return;
    err->status = RECON_OK;
    err->msg[0] = '\0';
}

recon_status err_set(err_t *err, recon_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->status = status;
    return status;
}

recon_status err_prefix(err_t *err, const char *fmt, ...)
{
    if (err == NULL)
        return RECON_EINTERNAL;
    char prefix[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Truncation keeps the front of the message, where the context is. */
    size_t plen = strlen(prefix);
    size_t mlen = strlen(err->msg);
    if (plen > ERR_MSG_MAX - 1)
        plen = ERR_MSG_MAX - 1;
    if (mlen > ERR_MSG_MAX - 1 - plen)
        mlen = ERR_MSG_MAX - 1 - plen;
    memmove(err->msg + plen, err->msg, mlen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen + mlen] = '\0';
    return err->status;
}
