/*
 * SIGINT and SIGTERM as a request to stop at the next safe point. The handler
 * only records the signal and calls one hook (the db layer's cancel of queries
 * in flight); the work notices at its safe points (interrupt_check) and returns
 * RECON_EINTERRUPTED (130) or RECON_ETERMINATED (143) through the normal error
 * paths, which roll back and remove temporaries. Nothing here allocates.
 */
#ifndef RECON_COMMON_INTERRUPT_H
#define RECON_COMMON_INTERRUPT_H

#include <stdbool.h>

#include "common/err.h"

/* Called from the signal handler: must be async-signal-safe. */
typedef void (*interrupt_hook)(void);

/* Installs the handlers for SIGINT and SIGTERM (without SA_RESTART, so a blocking
 * call returns EINTR instead of hiding the request). The first signal sets the flag
 * and calls hook (may be NULL); the handler then reverts to the default action, so
 * a second signal ends the process at once. A signal inherited as ignored
 * (nohup, a background job of a script) stays ignored. false if sigaction failed. */
bool interrupt_install(interrupt_hook hook);

/* The signal received (SIGINT, SIGTERM), or 0. */
int interrupt_signal(void);
/* 130 for SIGINT, 143 for SIGTERM, RECON_OK when none was received. */
recon_status interrupt_status(void);
/* "SIGINT" or "SIGTERM" for a status interrupt_status returned, else NULL. */
const char *interrupt_name(recon_status status);

/* A safe point: RECON_OK, or the interrupted status with err set to
 * "interrupted by SIGTERM; ...". */
recon_status interrupt_check(err_t *err);

/* What a stopped run finally says: when a signal was received and st is not
 * RECON_OK (whatever the step's own error was: a cancelled query, a write cut
 * short), err is rewritten to the interrupted message and its status returned;
 * otherwise st is returned unchanged. */
recon_status interrupt_outcome(recon_status st, err_t *err);

/* For tests: forget a received signal. */
void interrupt_reset(void);
/* For tests and the hook's callers: behave as if sig had been received. */
void interrupt_raise_flag(int sig);

#endif
