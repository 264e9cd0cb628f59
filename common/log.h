/*
 * Diagnostics to stderr, one line each: "recon: LEVEL: message", or with
 * RECON_LOG=json one JSON object per line. Libraries' messages (libpq notices,
 * libxml2 errors) are routed here so that nothing else prints. Nothing
 * returned; strings passed in stay owned by the caller.
 */
#ifndef RECON_COMMON_LOG_H
#define RECON_COMMON_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

typedef enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 } log_level;

/* Messages above this level are dropped; default LOG_WARN. */
void log_set_level(log_level level);
log_level log_get_level(void);

/* Applies a RECON_LOG value: comma-separated words, a level (error, warn, info,
 * debug) and/or json. NULL or "" keeps the defaults. An unknown or repeated
 * word is RECON_EUSAGE with a hint; the words before it still apply (json
 * included, so the usage error itself comes out as JSON). */
recon_status log_configure(const char *spec, err_t *err);
/* log_configure(getenv("RECON_LOG")), ignoring a bad value (fuzz harness). */
void log_init_from_env(void);
bool log_json(void);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* This thread's log lines are kept in b instead of written, until log_hold(NULL) (a parse on
 * a thread of its own, or one whose messages name a path to restate); b stays the caller's.
 * log_release writes the lines b holds, in order, as if logged now, each occurrence of from
 * (may be NULL) replaced by to, and empties b. */
void log_hold(buf_t *b);
void log_release(buf_t *b, const char *from, const char *to);

/* The line main ends a failed command with: "recon: message", or a JSON
 * object of level error. */
void log_final(const char *message);

/* Appends s as the body of a JSON string (no quotes) to out (cap bytes, always
 * NUL-terminated, cut at a character boundary when full): quote and backslash
 * escaped, control characters as \u00XX, each byte of invalid UTF-8 as \ufffd.
 * Returns the length written. */
size_t log_json_escape(const char *s, char *out, size_t cap);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
