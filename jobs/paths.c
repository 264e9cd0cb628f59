/*
 * Small path helpers the jobs share: a file's name as the inbox shows it, an
 * error message restated under that name, and an output directory made on
 * demand.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "jobs/pipeline.h"

const char *job_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

const char *job_reason_by_name(const char *path, const char *reason)
{
    size_t plen = strlen(path);
    if (strncmp(reason, path, plen) == 0 && reason[plen] == ':')
        return reason + plen - strlen(job_base_name(path));
    return reason;
}

recon_status job_make_dir(const char *path, err_t *err)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", path, strerror(errno));
    return RECON_OK;
}
