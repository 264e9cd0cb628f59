#include "common/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

static volatile sig_atomic_t received;
static interrupt_hook cancel_hook;

/* Runs in whichever thread the kernel picked; touches only the flag, errno
 * (restored) and the hook, which is async-signal-safe by contract. */
static void on_signal(int sig)
{
    int saved = errno;
    if (received == 0)
        received = sig;
    if (cancel_hook)
        cancel_hook();
    errno = saved;
}

bool interrupt_install(interrupt_hook hook)
{
    cancel_hook = hook;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* Both signals are blocked while the handler runs, so one stop request
     * never interrupts the other's cancel; SA_RESETHAND makes a second signal
     * (an impatient Ctrl-C, systemd's follow-up) take the default action. */
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = (int)SA_RESETHAND;
    int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) != 0)
            return false;
        /* A signal the parent chose to ignore (nohup, a shell's background job)
         * stays ignored: that choice is the caller's to make. */
        if (old.sa_handler == SIG_IGN)
            continue;
        if (sigaction(sigs[i], &sa, NULL) != 0)
            return false;
    }
    return true;
}

int interrupt_signal(void) { return (int)received; }

recon_status interrupt_status(void)
{
    switch (received) {
    case 0:
        return RECON_OK;
    case SIGTERM:
        return RECON_ETERMINATED;
    default:
        return RECON_EINTERRUPTED;
    }
}

const char *interrupt_name(recon_status status)
{
    return status == RECON_ETERMINATED    ? "SIGTERM"
           : status == RECON_EINTERRUPTED ? "SIGINT"
                                          : NULL;
}

static recon_status interrupted(err_t *err)
{
    recon_status st = interrupt_status();
    return err_set(err, st,
                   "interrupted by %s; stopped at a safe point, the unfinished step rolled back "
                   "and its temporary files removed; hint: run the same command again",
                   interrupt_name(st));
}

recon_status interrupt_check(err_t *err)
{
    return received ? interrupted(err) : RECON_OK;
}

recon_status interrupt_outcome(recon_status st, err_t *err)
{
    if (st == RECON_OK || !received)
        return st;
    return interrupted(err);
}

void interrupt_reset(void) { received = 0; }

void interrupt_raise_flag(int sig) { received = sig; }
