/* Placeholder replaced by the ingest implementation. */
#include "jobs/jobs.h"
recon_status cmd_ingest(const job_options *o, err_t *err)
{
    (void)o;
    return err_set(err, RECON_EUSAGE, "ingest is not available in this build");
}
