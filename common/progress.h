/*
 * One progress line on stderr for a person watching a terminal: what recon is
 * doing (a night of a replay or catch-up, a step, a file) and how far it got,
 * redrawn in place (\r) at most four times a second and erased at the end.
 * Off unless main enables it (stderr a terminal, plain logs), so logs and
 * pipes never receive it. Labels are copied; nothing is returned to own.
 */
#ifndef RECON_COMMON_PROGRESS_H
#define RECON_COMMON_PROGRESS_H

#include <stdbool.h>

void progress_enable(bool on);

/* The outer part of the line ("night 3 of 10, 2026-06-03"); NULL clears it. */
void progress_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Starts a task ("ingest bank.sta", "process 2026-06-03: matching receipts"),
 * shown at once; its counter and rate restart. */
void progress_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* done units of the task so far (unit: "rows", "policies"); throttled. */
void progress_update(long done, const char *unit);
/* Ends the task and erases the line. */
void progress_end(void);
/* Erases the line, if drawn, so another line can be written; the next
 * update draws it again. */
void progress_clear(void);

/* Builds the line without drawing it (for tests): context, task, count and rate. */
void progress_format(char *out, unsigned long cap, long done, const char *unit,
                     double elapsed_seconds);

#endif
