#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/progress.h"
#include "common/strbuild.h"
#include "common/vargs.h"

static log_level current_level = LOG_WARN;
static bool json_mode;

static const char *const level_words[] = {"error", "warn", "info", "debug"};

void log_set_level(log_level level) { current_level = level; }

log_level log_get_level(void) { return current_level; }

bool log_json(void) { return json_mode; }

recon_status log_configure(const char *spec, err_t *err)
{
    if (spec == NULL)
        return RECON_OK;
    bool level_seen = false, json_seen = false;
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (int i = 0; i <= LOG_DEBUG && !known; i++)
            if (strlen(level_words[i]) == n && strncmp(p, level_words[i], n) == 0) {
                if (level_seen)
                    return err_set(err, RECON_EUSAGE,
                                   "RECON_LOG: more than one level in '%s'; hint: one of error, "
                                   "warn, info, debug, and/or json, e.g. RECON_LOG=json,info",
                                   spec);
                current_level = (log_level)i;
                level_seen = known = true;
            }
        if (!known && n == 4 && strncmp(p, "json", 4) == 0 && !json_seen)
            json_mode = json_seen = known = true;
        if (!known)
            return err_set(err, RECON_EUSAGE,
                           "RECON_LOG: unknown word '%.*s' in '%s'; hint: comma-separated, a level "
                           "(error, warn, info, debug) and/or json, e.g. RECON_LOG=json,info",
                           (int)(n > 64 ? 64 : n), p, spec);
        p += n;
        if (*p == ',')
            p++;
    }
    return RECON_OK;
}

void log_init_from_env(void)
{
    err_t ignored;
    (void)log_configure(getenv("RECON_LOG"), &ignored);
}

/* Length of the valid UTF-8 sequence at s (strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned int cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

size_t log_json_escape(const char *s, char *out, size_t cap)
{
    size_t w = 0;
    if (cap == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        char piece[8];
        size_t len, take = 1;
        if (*p == '"' || *p == '\\') {
            piece[0] = '\\';
            piece[1] = (char)*p;
            len = 2;
        } else if (*p < 0x20 || *p == 0x7F) {
            snprintf(piece, sizeof piece, "\\u%04x", (unsigned)*p);
            len = 6;
        } else if ((take = utf8_seq(p)) == 0) {
            memcpy(piece, "\\ufffd", 6);
            len = 6;
            take = 1;
        } else {
            memcpy(piece, p, take);
            len = take;
        }
        if (w + len + 1 > cap)
            break;
        memcpy(out + w, piece, len);
        w += len;
        p += take;
    }
    out[w] = '\0';
    return w;
}

/* One line to stderr; the progress line, if one is shown, is cleared first. */
static void emit(const char *level, const char *message)
{
    progress_clear();
    if (!json_mode) {
        if (level)
            fprintf(stderr, "recon: %s: %s\n", level, message);
        else
            fprintf(stderr, "recon: %s\n", message);
        return;
    }
    char when[32] = "";
    struct timespec now;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &now) == 0 && gmtime_r(&now.tv_sec, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    static char body[6 * 4096 + 1];
    log_json_escape(message, body, sizeof body);
    fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"program\":\"recon\",\"message\":\"%s\"}\n",
            when, level ? level : "error", body);
}

/* Per thread: a worker's lines wait here until the main thread releases them in place. */
static _Thread_local buf_t *held;

static void log_line(log_level level, char *line);

void log_hold(buf_t *b) { held = b; }

void log_release(buf_t *b, const char *from, const char *to)
{
    for (size_t at = 0; at < b->len;) {
        char *line = b->data + at + 1, out[4096];
        size_t n = strlen(line);
        strbuild o = strbuild_start(out, sizeof out);
        strbuild_replacing(&o, line, from, to);
        log_line((log_level)(b->data[at] - '0'), out);
        at += n + 2;
    }
    buf_reset(b);
}

void log_msg(log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    char line[4096];
    VARGS_FORMAT(line, sizeof line, fmt);
    if (held != NULL) {
        /* one entry: the level's digit, then the line with its NUL; dropped when short of
         * memory, as a line stderr cannot take is */
        size_t n = strlen(line);
        if (buf_reserve(held, n + 2)) {
            (void)buf_append_char(held, (char)('0' + level));
            (void)buf_append(held, line, n + 1);
        }
        return;
    }
    log_line(level, line);
}

static void log_line(log_level level, char *line)
{
    /* Library messages often end in a newline; keep every log entry on one line. */
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (json_mode) {
        emit(level_words[level], line);
        return;
    }
    /* A raw control byte from a server notice or a file could move the cursor
     * or forge a line on the operator's terminal. */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7F)
            line[i] = ' ';
    static const char *const plain_names[] = {"error", "warning", "info", "debug"};
    emit(plain_names[level], line);
}

void log_final(const char *message)
{
    if (json_mode) {
        emit("error", message);
        return;
    }
    emit(NULL, message);
}
