/* Placeholder until nightly lands. */
#include "jobs/jobs.h"

recon_status cmd_nightly(const job_options *o, err_t *err)
{
    (void)o;
    return err_set(err, RECON_EINTERNAL, "nightly is not built yet");
}

recon_status cmd_replay(const job_options *o, err_t *err)
{
    (void)o;
    return err_set(err, RECON_EINTERNAL, "replay is not built yet");
}
