#include "common/err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/vargs.h"

void err_clear(err_t *err)
{
    if (err == NULL)
        return;
    err->status = RECON_OK;
    err->msg[0] = '\0';
}

/* Messages quote input bytes, and they end up stored (statement_files.rejection_reason)
 * and printed into line-based reports: a CR or LF taken from a file would split one
 * message into forged lines there. Each run of control bytes becomes one space;
 * a run at the end (libraries end their messages with a newline) is dropped. */
static void fold_controls(char *s)
{
    char *w = s;
    bool in_run = false;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7F) {
            in_run = true;
            continue;
        }
        if (in_run && w != s)
            *w++ = ' ';
        in_run = false;
        *w++ = (char)c;
    }
    *w = '\0';
}

recon_status err_set(err_t *err, recon_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    VARGS_FORMAT(err->msg, sizeof err->msg, fmt);
    fold_controls(err->msg);
    err->status = status;
    return status;
}

recon_status err_prefix(err_t *err, const char *fmt, ...)
{
    if (err == NULL)
        return RECON_EINTERNAL;
    char prefix[ERR_MSG_MAX];
    VARGS_FORMAT(prefix, sizeof prefix, fmt);
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
    /* The message may have been set directly rather than through err_set. */
    fold_controls(err->msg);
    return err->status;
}
