#include "jobs/jobs.h"
recon_status cmd_demo(const job_options *o, err_t *err)
{
    (void)o;
    return err_set(err, RECON_EUSAGE, "demo: coming next");
}
