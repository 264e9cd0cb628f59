/*
 * The night's decisions files beside its reports (OUT/DATE/decisions/, listed
 * in INPUTS.sha256 as decisions/NAME): a person's decisions move money, so the
 * night keeps the very bytes it applied, and a replay of the archive applies
 * them again on their night. They hold no personal data (receipt ids, policy
 * numbers, amounts and who decided). Written like every report file, through
 * unique temporaries in a checked directory (common/safefile.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/safefile.h"
#include "common/sha256.h"
#include "jobs/pipeline.h"
#include "store/inputs.h"

typedef struct decisions_copy {
    const char *out_dir, *day;
    char dir[4096];
    int dirfd; /* -1 until the first file: a night without decisions gets no folder */
} decisions_copy;

static recon_status copy_one(void *ctx, const char *sha, const char *name,
                             const unsigned char *bytes, size_t len, err_t *err)
{
    (void)sha;
    decisions_copy *c = ctx;
    recon_status st;
    if (c->dirfd < 0) {
        char sub[64];
        snprintf(sub, sizeof sub, "%s/decisions", c->day);
        if ((st = job_out_dir(c->out_dir, sub, c->dir, sizeof c->dir, &c->dirfd, err)) != RECON_OK)
            return st;
        safefile_sweep(c->dirfd, JOB_STALE_TEMP_SECONDS);
    }
    char shown[4096 + 512];
    snprintf(shown, sizeof shown, "%s/%s", c->dir, name);
    return safefile_write_whole(c->dirfd, name, SAFEFILE_MODE, shown, bytes, len, err);
}

recon_status inputs_copy_decisions(db_t *db, const char *out_dir, date_t as_of, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    decisions_copy c = {out_dir, day, "", -1};
    recon_status st = store_night_decision_files(db, as_of, copy_one, &c, err);
    if (c.dirfd >= 0)
        close(c.dirfd);
    return st;
}
