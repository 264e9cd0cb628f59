/*
 * One error model for the whole program: a function returns a status and fills
 * an err_t with one lowercase line of context; only jobs/main.c prints it and exits.
 * The caller owns the err_t (usually on its stack); nothing here allocates.
 */
#ifndef RECON_COMMON_ERR_H
#define RECON_COMMON_ERR_H

#include <stddef.h>

/* Status values are the process exit codes of interface.md (sysexits). */
typedef enum recon_status {
    RECON_OK = 0,
    RECON_EDIFF = 1,      /* replay finished, but its reports differ from the archive */
    RECON_EUSAGE = 64,    /* bad command line */
    RECON_EDATA = 65,     /* input rejected */
    RECON_ENOINPUT = 66,  /* input file missing or unreadable */
    RECON_EUNAVAIL = 69,  /* database unavailable */
    RECON_EINTERNAL = 70, /* bug or resource exhaustion */
    RECON_EOUTPUT = 73,   /* cannot write output */
    RECON_ELOCKED = 75,   /* another run holds the lock; try later */
    RECON_EINTERRUPTED = 130, /* stopped at a safe point by SIGINT (128 + 2) */
    RECON_ETERMINATED = 143,  /* stopped at a safe point by SIGTERM (128 + 15) */
} recon_status;

#define ERR_MSG_MAX 1024

typedef struct err {
    recon_status status;
    char msg[ERR_MSG_MAX];
} err_t;

/* Clears err to RECON_OK with an empty message. */
void err_clear(err_t *err);

/* Sets status and a printf-formatted message; returns status so callers can
 * write `return err_set(err, RECON_EDATA, "...")`. A NULL err is allowed. */
recon_status err_set(err_t *err, recon_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context ("file.csv: " + msg). */
recon_status err_prefix(err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
