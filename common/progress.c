#include "common/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MIN_INTERVAL 0.25 /* seconds between two redraws: four a second at most */

static bool enabled;
static bool drawn;
static char context[128];
static char task[160];
static double task_start, last_draw;

void progress_enable(bool on) { enabled = on; }

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* File names can hold any byte: the line must never carry a control character. */
static void vformat_clean(char *out, size_t cap, const char *fmt, va_list ap)
{
    vsnprintf(out, cap, fmt, ap);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = '?';
}

void progress_format(char *out, unsigned long cap, long done, const char *unit,
                     double elapsed_seconds)
{
    int n = snprintf(out, cap, "recon: %s%s%s", context, *context && *task ? ": " : "", task);
    if (done < 0 || unit == NULL || n < 0 || (unsigned long)n >= cap)
        return;
    if (elapsed_seconds >= 1.0)
        snprintf(out + n, cap - (unsigned long)n, ", %ld %s (%.0f/s)", done, unit,
                 (double)done / elapsed_seconds);
    else
        snprintf(out + n, cap - (unsigned long)n, ", %ld %s", done, unit);
}

static void draw(long done, const char *unit, double now)
{
    char line[400];
    progress_format(line, sizeof line, done, unit, now - task_start);
    /* \033[K erases what a longer earlier line left to the right */
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    drawn = true;
    last_draw = now;
}

void progress_context(const char *fmt, ...)
{
    if (!enabled)
        return;
    context[0] = '\0';
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vformat_clean(context, sizeof context, fmt, ap);
        va_end(ap);
    }
}

void progress_begin(const char *fmt, ...)
{
    if (!enabled)
        return;
    va_list ap;
    va_start(ap, fmt);
    vformat_clean(task, sizeof task, fmt, ap);
    va_end(ap);
    task_start = now_seconds();
    draw(-1, NULL, task_start);
}

void progress_update(long done, const char *unit)
{
    if (!enabled)
        return;
    double now = now_seconds();
    if (drawn && now - last_draw < MIN_INTERVAL)
        return;
    draw(done, unit, now);
}

void progress_clear(void)
{
    if (!drawn)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    drawn = false;
}

void progress_end(void)
{
    if (!enabled)
        return;
    progress_clear();
    task[0] = '\0';
}
