/* Placeholder until the retention job lands. */
#include "jobs/jobs.h"

recon_status cmd_retain(const job_options *o, err_t *err)
{
    (void)o;
    return err_set(err, RECON_EINTERNAL, "retain is not built yet");
}
