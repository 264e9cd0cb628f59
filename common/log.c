#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static log_level current_level = LOG_WARN;

void log_set_level(log_level level) { current_level = level; }

log_level log_get_level(void) { return current_level; }

void log_init_from_env(void)
{
    const char *v = getenv("RECON_LOG");
    if (v == NULL)
        return;
    if (strcmp(v, "debug") == 0)
        current_level = LOG_DEBUG;
    else if (strcmp(v, "info") == 0)
        current_level = LOG_INFO;
    else if (strcmp(v, "warn") == 0)
        current_level = LOG_WARN;
    else if (strcmp(v, "error") == 0)
        current_level = LOG_ERROR;
}

void log_msg(log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > current_level)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* Library messages often end in a newline; keep every log entry on one line. */
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    fprintf(stderr, "recon: %s: %s\n", names[level], line);
}
