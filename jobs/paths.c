/*
 * Small path helpers the jobs share: a file's name as the inbox shows it, an
 * error message restated under that name, names that are safe to show and
 * store, and the output folders checked before anything is written there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safefile.h"
#include "common/sha256.h"
#include "jobs/pipeline.h"

const char *job_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

const char *job_reason_by_name(const char *path, const char *reason)
{
    size_t plen = strlen(path);
    if (strncmp(reason, path, plen) == 0 && reason[plen] == ':')
        return reason + plen - strlen(job_base_name(path));
    return reason;
}

recon_status job_make_dir(const char *path, err_t *err)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", path, strerror(errno));
    return RECON_OK;
}

recon_status job_out_dir(const char *out_dir, const char *sub, char *path, size_t cap,
                         int *dirfd, err_t *err)
{
    *dirfd = -1;
    recon_status st = safefile_check_root(out_dir, err);
    if (st != RECON_OK)
        return st;
    if ((size_t)snprintf(path, cap, "%s/%s", out_dir, sub) >= cap)
        return err_set(err, RECON_EOUTPUT, "cannot use %s/%s: path too long", out_dir, sub);
    return safefile_private_dir(path, dirfd, err);
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when it is not a valid one:
 * shortest form only, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* C0, DEL and C1 (U+0080..U+009F, the two bytes C2 80..C2 9F). */
static bool is_control(const unsigned char *s, size_t seq)
{
    return (seq == 1 && (s[0] < 0x20 || s[0] == 0x7F)) || (seq == 2 && s[0] == 0xC2 && s[1] < 0xA0);
}

bool job_name_ok(const char *name, char *why, size_t cap)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t seq = utf8_seq(s + i, n - i);
        if (seq == 0) {
            snprintf(why, cap, "is not valid UTF-8 (byte %zu)", i + 1);
            return false;
        }
        if (is_control(s + i, seq)) {
            snprintf(why, cap, "holds a control character (byte %zu)", i + 1);
            return false;
        }
        if (s[i] == '\\') {
            snprintf(why, cap, "holds a backslash (byte %zu)", i + 1);
            return false;
        }
        i += seq;
    }
    return true;
}

bool job_escape(const char *s, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), w = 0;
    for (size_t i = 0; i < n;) {
        size_t seq = utf8_seq(p + i, n - i);
        char tmp[16];
        size_t len;
        if (seq != 0 && !is_control(p + i, seq) && p[i] != '\\') {
            len = seq;
            memcpy(tmp, p + i, seq);
        } else {
            unsigned char c = p[i];
            seq = 1;
            if (c == '\\')
                len = (size_t)snprintf(tmp, sizeof tmp, "\\\\");
            else if (c == '\n')
                len = (size_t)snprintf(tmp, sizeof tmp, "\\n");
            else if (c == '\t')
                len = (size_t)snprintf(tmp, sizeof tmp, "\\t");
            else if (c == '\r')
                len = (size_t)snprintf(tmp, sizeof tmp, "\\r");
            else
                len = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", c);
        }
        if (w + len >= cap) {
            out[w] = '\0';
            return false;
        }
        memcpy(out + w, tmp, len);
        w += len;
        i += seq;
    }
    out[w] = '\0';
    return true;
}

recon_status job_quarantine_name(const char *name, char out[JOB_QNAME_SIZE], err_t *err)
{
    char esc[JOB_NAME_SHOWN];
    bool whole = job_escape(name, esc, sizeof esc);
    size_t len = strlen(esc);
    if (whole && len <= JOB_QNAME_SIZE - 56) {
        memcpy(out, esc, len + 1);
        return RECON_OK;
    }
    /* Too long to hold ".reason" and a temporary suffix under NAME_MAX: keep a readable start
     * (cut before an escape or a UTF-8 sequence, never inside one) and make it unique by the
     * hash of the whole raw name. */
    size_t keep = 0;
    for (size_t i = 0; i < len && i < 160;) {
        size_t step = 1;
        if (esc[i] == '\\')
            step = esc[i + 1] == 'x' ? 4 : 2;
        else
            step = utf8_seq((const unsigned char *)esc + i, len - i);
        if (step == 0 || i + step > 160)
            break;
        i += step;
        keep = i;
    }
    char hex[SHA256_HEX_SIZE];
    recon_status st = sha256_buf_hex(name, strlen(name), hex, err);
    if (st == RECON_OK)
        snprintf(out, JOB_QNAME_SIZE, "%.*s~%.16s", (int)keep, esc, hex);
    return st;
}

recon_status job_refusal_sha(const char *why, const char *raw_name, const char *content_sha,
                             char out[SHA256_HEX_SIZE], err_t *err)
{
    sha256_ctx c;
    unsigned char digest[SHA256_DIGEST_SIZE];
    recon_status st = sha256_init(&c, err);
    if (st != RECON_OK)
        return st;
    static const char tag[] = "recon refused inbox entry";
    sha256_update(&c, tag, sizeof tag);
    sha256_update(&c, why, strlen(why) + 1);
    sha256_update(&c, raw_name, strlen(raw_name) + 1);
    if (content_sha != NULL)
        sha256_update(&c, content_sha, strlen(content_sha));
    if ((st = sha256_final(&c, digest, err)) == RECON_OK)
        sha256_hex(digest, out);
    return st;
}
