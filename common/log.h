/*
 * Diagnostics to stderr, one line each, prefixed "recon: ". Libraries' messages
 * (libpq notices, libxml2 errors) are routed here so that nothing else prints.
 * Nothing returned; strings passed in stay owned by the caller.
 */
#ifndef RECON_COMMON_LOG_H
#define RECON_COMMON_LOG_H

typedef enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 } log_level;

/* Messages above this level are dropped; default LOG_WARN, RECON_LOG=debug|info|warn|error. */
void log_set_level(log_level level);
log_level log_get_level(void);
void log_init_from_env(void);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
