/*
 * The demo scenario's deliveries (jobs/demo_scenario.c): the arrivals list of
 * fixtures/scenario/ and the copy of a fixture into an inbox. The caller frees
 * the arrivals array.
 */
#ifndef RECON_JOBS_DEMO_H
#define RECON_JOBS_DEMO_H

#include <stddef.h>

#include "common/err.h"
#include "core/date.h"

/* fixtures/scenario/arrivals.csv: `file,arrives`, the day each inbox file
 * reaches the insurer (late files arrive after their statement date). A file
 * named register/NAME is the policy system's: it goes to the register inbox.
 * One named decisions/NAME is a person's: the night stores it as `recon
 * decide` would, after its statements. */
#define REGISTER_PREFIX "register/"
#define DECISIONS_PREFIX "decisions/"
#define DEMO_DECISIONS_MAX 8
typedef struct arrival {
    char file[256];
    date_t arrives;
} arrival;

/* Reads arrivals.csv at path into *out (*count entries). */
recon_status demo_read_arrivals(const char *path, arrival **out, size_t *count, err_t *err);
/* Copies src to a new dst (never through a link at dst). */
recon_status demo_deliver(const char *src, const char *dst, err_t *err);

#endif
