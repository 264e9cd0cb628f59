/*
 * `recon demo` (what `make run` runs): the embedded database, the scenario of
 * fixtures/scenario/ (a register, events, and statement files in every format
 * with the dates they arrive, and a later register the policy system delivers
 * through the register inbox), one nightly run per business day as the files
 * arrive, reports under ./out (or --out), and a status table at the end.
 * Running it again finds every file already stored and rewrites the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/migrations.h"
#include "jobs/demo.h"
#include "jobs/evaluate_all.h"
#include "jobs/jobs.h"
#include "jobs/nightly.h"
#include "jobs/pipeline.h"

#define DEMO_FIRST "2026-05-01"
#define DEMO_LAST "2026-07-15"
#define DEMO_SETTLEMENT_ACCOUNTS "wechat:TENPAY0001,alipay:ALIPAY0001"

/* fixtures/ beside the binary's parent (bin/../fixtures), else ./fixtures. */
static void fixtures_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            slash = strrchr(exe, '/');
            size_t len = slash ? (size_t)(slash - exe) : 0;
            if (slash && len + sizeof "/fixtures" <= cap) {
                memcpy(out, exe, len);
                memcpy(out + len, "/fixtures", sizeof "/fixtures");
                if (access(out, R_OK) == 0)
                    return;
            }
        }
    }
    snprintf(out, cap, "fixtures");
}

static recon_status load(const job_options *base, recon_status (*cmd)(const job_options *, err_t *),
                         const char *path, err_t *err)
{
    job_options o = *base;
    char *args[] = {(char *)path};
    o.args = args;
    o.arg_count = 1;
    return cmd(&o, err);
}

static recon_status table_row(void *ctx, const policy_view *p, const eval_input *in,
                              const eval_result *r, err_t *err)
{
    (void)in;
    (void)err;
    FILE *f = ctx;
    char since[DATE_STR_SIZE], next[DATE_STR_SIZE], arrears[MONEY_STR_SIZE],
        credit[MONEY_STR_SIZE], refund[MONEY_STR_SIZE];
    date_format(r->status_since, since);
    date_format(r->next_due_date, next);
    money_format(r->arrears, arrears);
    money_format(r->credit, credit);
    fen_t refunds = 0;
    for (size_t i = 0; i < r->refund_count; i++)
        refunds += r->refunds[i].amount;
    money_format(refunds, refund);
    fprintf(f, "%-15s %-7s %-13s %-10s %-10s %8s %8s %8s %5d/%-3zu\n", p->policy_no,
            payment_mode_name(p->terms.mode), policy_status_name(r->status), since, next, arrears,
            credit, refund, r->paid_installments, r->installment_count);
    return RECON_OK;
}

static const char *demo_setting(const char *name)
{
    return strcmp(name, "RECON_SETTLEMENT_ACCOUNTS") == 0 ? DEMO_SETTLEMENT_ACCOUNTS : NULL;
}

recon_status cmd_demo(const job_options *caller, err_t *err)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], inbox[PATH_MAX], register_inbox[PATH_MAX];
    fixtures_dir(dir, sizeof dir);
    /* The scenario's provider settlement accounts, unless the caller set some. */
    job_options with = *caller;
    const job_options *o = &with;
    if (with.config.settlement_count == 0) {
        recon_config demo;
        recon_status cst = config_read(&demo, demo_setting, err);
        if (cst != RECON_OK)
            return cst;
        memcpy(with.config.settlements, demo.settlements, sizeof demo.settlements);
        with.config.settlement_count = demo.settlement_count;
    }
    const char *out_dir = o->out_dir ? o->out_dir : "out";
    db_t *db = NULL;
    recon_status st = job_connect(o, &db, err);
    if (st != RECON_OK)
        return st;
    int applied = 0;
    st = migrate_apply(db, &applied, err);
    db_close(db);
    db = NULL;
    if (st != RECON_OK)
        return st;
    fprintf(o->out, "recon demo: schema ready (%d migrations applied), scenario from %s/scenario\n",
            applied, dir);
    snprintf(path, sizeof path, "%s/scenario/policies.csv", dir);
    if ((st = load(o, cmd_policies_load, path, err)) != RECON_OK)
        return st;
    snprintf(path, sizeof path, "%s/scenario/events.csv", dir);
    if ((st = load(o, cmd_events_load, path, err)) != RECON_OK)
        return st;

    arrival *arrivals = NULL;
    size_t arrival_count = 0;
    snprintf(path, sizeof path, "%s/scenario/arrivals.csv", dir);
    if ((st = demo_read_arrivals(path, &arrivals, &arrival_count, err)) != RECON_OK)
        return st;
    /* The files arrive in an inbox of their own beside the reports. */
    snprintf(inbox, sizeof inbox, "%s/inbox", out_dir);
    snprintf(register_inbox, sizeof register_inbox, "%s/register-inbox", out_dir);
    if ((st = job_make_dir(out_dir, err)) != RECON_OK || (st = job_make_dir(inbox, err)) != RECON_OK ||
        (st = job_make_dir(register_inbox, err)) != RECON_OK)
        goto out;
    date_t first, last;
    date_parse(DEMO_FIRST, strlen(DEMO_FIRST), &first);
    date_parse(DEMO_LAST, strlen(DEMO_LAST), &last);
    if (o->as_of != DATE_NONE)
        last = o->as_of;
    if ((st = job_connect_ready(o, &db, err)) != RECON_OK || (st = job_lock(db, err)) != RECON_OK)
        goto out;
    long rejected = 0;
    for (date_t d = first; d <= last && st == RECON_OK; d++) {
        /* A file "arrives" as a copy of the fixture: the nightly refuses links in
         * an inbox, as it would a link planted by someone else. */
        char decided[DEMO_DECISIONS_MAX][PATH_MAX + 300];
        char *decision_paths[DEMO_DECISIONS_MAX];
        size_t decision_count = 0;
        for (size_t i = 0; i < arrival_count; i++) {
            if (arrivals[i].arrives != d)
                continue;
            char src[PATH_MAX + 300], real[PATH_MAX], dst[PATH_MAX + 300];
            const char *file = arrivals[i].file;
            bool reg = strncmp(file, REGISTER_PREFIX, strlen(REGISTER_PREFIX)) == 0;
            bool decision = strncmp(file, DECISIONS_PREFIX, strlen(DECISIONS_PREFIX)) == 0;
            snprintf(src, sizeof src, "%s/scenario/%s%s", dir, reg || decision ? "" : "inbox/",
                     file);
            if (decision) {
                if (decision_count == DEMO_DECISIONS_MAX) {
                    st = err_set(err, RECON_EDATA, "%s: more than %d decisions files a night",
                                 path, DEMO_DECISIONS_MAX);
                    break;
                }
                snprintf(decided[decision_count], sizeof decided[0], "%s", src);
                decision_paths[decision_count] = decided[decision_count];
                decision_count++;
                continue;
            }
            snprintf(dst, sizeof dst, "%s/%s", reg ? register_inbox : inbox,
                     reg ? file + strlen(REGISTER_PREFIX) : file);
            if (realpath(src, real) == NULL) {
                st = err_set(err, RECON_ENOINPUT, "%s: %s", src, strerror(errno));
                break;
            }
            unlink(dst);
            if ((st = demo_deliver(real, dst, err)) != RECON_OK)
                break;
        }
        if (st != RECON_OK)
            break;
        inbox_files files = {0}, registers = {0};
        if ((st = inbox_list(inbox, &files, err)) != RECON_OK)
            break;
        if ((st = inbox_list(register_inbox, &registers, err)) != RECON_OK) {
            inbox_free(&files);
            break;
        }
        nightly_input in = {d,           d,           out_dir,        "icbc",
                            files.paths, files.count, registers.paths, registers.count,
                            decision_paths, decision_count};
        night_tally t = {0};
        FILE *quiet = fopen("/dev/null", "w");
        st = nightly_day(db, &o->config, &in, quiet ? quiet : o->out, &t, err);
        if (quiet)
            fclose(quiet);
        inbox_free(&files);
        inbox_free(&registers);
        rejected += t.rejected;
        if (st == RECON_OK && (t.stored || t.rejected || t.registered || t.decided)) {
            char day[DATE_STR_SIZE];
            date_format(d, day);
            fprintf(o->out, "nightly %s: %ld file%s stored, %ld rejected, %ld receipts, %ld new events",
                    day, t.stored, t.stored == 1 ? "" : "s", t.rejected, t.receipts, t.events);
            if (t.registered)
                fprintf(o->out, ", %ld register file%s applied", t.registered,
                        t.registered == 1 ? "" : "s");
            if (t.decided)
                fprintf(o->out, ", %ld decisions file%s stored", t.decided,
                        t.decided == 1 ? "" : "s");
            fputc('\n', o->out);
        }
    }
    if (st != RECON_OK)
        goto out;
    char day[DATE_STR_SIZE];
    date_format(last, day);
    fprintf(o->out,
            "\nreports for every night under %s/; rejected files in %s/quarantine\n"
            "open %s/index.html (the history) or %s/%s/index.html (the last night) in a browser\n",
            out_dir, out_dir, out_dir, out_dir, day);
    fprintf(o->out, "the last night's workbook, for Excel or WPS: %s/%s/recon-%s.xlsx\n", out_dir,
            day, day);
    fprintf(o->out, "\npolicies as of %s\n", day);
    fprintf(o->out, "%-15s %-7s %-13s %-10s %-10s %8s %8s %8s %9s\n", "policy_no", "mode",
            "status", "since", "next_due", "arrears", "credit", "refunds", "paid");
    st = evaluate_policies(db, &o->config.rules, last, NULL, table_row, o->out, err);
    if (st == RECON_OK)
        fprintf(o->out,
                "\nexplain one: recon status P2026100000003 --as-of %s\n"
                "a receipt a person decided on (%s/scenario/decisions/, stored as recon decide "
                "stores them): recon status --receipt 22 --as-of %s\n",
                day, dir, day);
    if (st == RECON_OK && rejected)
        fprintf(o->out, "(%ld file%s refused on purpose: see %s/quarantine)\n", rejected,
                rejected == 1 ? " was" : "s were", out_dir);
out:
    db_close(db);
    free(arrivals);
    return st;
}
