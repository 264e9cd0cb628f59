#include <string.h>
#include <stdio.h>

#include "db/cluster.h"
#include "db/migrations.h"
#include "jobs/jobs.h"

recon_status cmd_init(const job_options *o, err_t *err)
{
    db_t *db = NULL;
    recon_status st = job_connect(o, &db, err);
    if (st == RECON_OK) {
        int applied = 0, version = 0;
        st = migrate_apply(db, &applied, err);
        if (st == RECON_OK)
            st = migrate_current_version(db, &version, err);
        if (st == RECON_OK)
            fprintf(o->out, "schema at version %d (%d migration%s applied)\n", version, applied,
                    applied == 1 ? "" : "s");
        db_close(db);
    }
    /* A failed init is never "input rejected": there is no input. A constraint the
     * schema broke means another migrator got in between: retry later. */
    if (st == RECON_EDATA)
        err->status = st = RECON_ELOCKED;
    return st;
}

/* Where the cluster lives, for db start/stop/status: scripts and people need the
 * socket directory to connect, and root's cluster may live outside RECON_HOME. */
static void print_location(FILE *out, const cluster_t *c)
{
    fprintf(out, "data directory: %s\n", c->datadir);
    fprintf(out, "socket directory: %s\n", c->sockdir);
    if (c->in_root)
        fprintf(out,
                "RECON_HOME: %s (the postgres user cannot reach it; cluster kept under "
                "RECON_CLUSTER_ROOT %s)\n",
                c->home, c->root);
    else
        fprintf(out, "RECON_HOME: %s\n", c->home);
}

recon_status cmd_db(const job_options *o, const char *action, err_t *err)
{
    cluster_t c;
    recon_status st = cluster_locate(&c, err);
    if (st != RECON_OK)
        return st;
    if (action == NULL)
        return err_set(err, RECON_EUSAGE, "recon db: expected start, stop or status");
    if (strcmp(action, "start") == 0) {
        st = cluster_ensure_running(&c, err);
        if (st == RECON_OK) {
            fprintf(o->out, "embedded database running in %s\n", c.datadir);
            print_location(o->out, &c);
        }
        return st;
    }
    if (strcmp(action, "stop") == 0) {
        bool was = false;
        st = cluster_stop(&c, &was, err);
        if (st == RECON_OK) {
            fprintf(o->out, "embedded database in %s %s\n", c.datadir,
                    was ? "stopped" : "was not running");
            print_location(o->out, &c);
        }
        return st;
    }
    if (strcmp(action, "status") == 0) {
        int state = 0;
        st = cluster_state(&c, &state, err);
        if (st != RECON_OK)
            return st;
        static const char *const names[] = {"running", "stopped", "not created"};
        fprintf(o->out, "embedded database in %s: %s\n", c.datadir, names[state]);
        print_location(o->out, &c);
        /* like pg_ctl status: 3 when not running, so scripts can test it */
        return state == 0 ? RECON_OK : err_set(err, RECON_EUNAVAIL, "embedded database is %s",
                                               names[state]);
    }
    return err_set(err, RECON_EUSAGE, "recon db: unknown action '%s' (start, stop, status)",
                   action);
}
