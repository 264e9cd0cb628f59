/*
 * recon: premium reconciliation and lapse processor. Option parsing and
 * dispatch; the only place that prints a command's error and exits.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "jobs/jobs.h"

#define RECON_VERSION "0.1.0"

enum { OPT_DB = 256, OPT_AS_OF, OPT_OUT, OPT_INBOX, OPT_FORMAT, OPT_PROFILE, OPT_UNMASKED,
       OPT_FROM, OPT_TO, OPT_ARCHIVE, OPT_BEFORE, OPT_NO_CATCH_UP, OPT_ROWS, OPT_RECEIPT,
       OPT_HELP, OPT_VERSION, OPT_REGISTER_INBOX, OPT_FULL };

static const struct option long_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"as-of", required_argument, NULL, OPT_AS_OF},
    {"out", required_argument, NULL, OPT_OUT},
    {"inbox", required_argument, NULL, OPT_INBOX},
    {"register-inbox", required_argument, NULL, OPT_REGISTER_INBOX},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"unmasked", no_argument, NULL, OPT_UNMASKED},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"archive", required_argument, NULL, OPT_ARCHIVE},
    {"before", required_argument, NULL, OPT_BEFORE},
    {"no-catch-up", no_argument, NULL, OPT_NO_CATCH_UP},
    {"full", no_argument, NULL, OPT_FULL},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"receipt", required_argument, NULL, OPT_RECEIPT},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* A scheduler cannot compute a date in a unit file or a crontab line, so the
 * two days it needs have names; both are China-local, like every recon date. */
static recon_status parse_date_opt(const char *name, const char *value, date_t *out, err_t *err)
{
    if (strcmp(value, "today") == 0)
        *out = job_today_china();
    else if (strcmp(value, "yesterday") == 0)
        *out = job_today_china() - 1;
    else if (!date_parse(value, strlen(value), out))
        return err_set(err, RECON_EUSAGE,
                       "--%s: '%s' is not a valid date (YYYY-MM-DD); hint: today and "
                       "yesterday (China time) are accepted too",
                       name, value);
    return RECON_OK;
}

static recon_status parse_rows_opt(const char *value, long *out, err_t *err)
{
    long n = 0;
    size_t len = strlen(value);
    for (size_t i = 0; i < len; i++) {
        if (value[i] < '0' || value[i] > '9' || i >= 9)
            return err_set(err, RECON_EUSAGE,
                           "--rows: '%s' is not a number of rows; hint: 0 shows every row",
                           value);
        n = n * 10 + (value[i] - '0');
    }
    if (len == 0)
        return err_set(err, RECON_EUSAGE, "--rows: empty; hint: 0 shows every row");
    *out = n;
    return RECON_OK;
}

/* The environment as config_read looks it up. */
static const char *env_lookup(const char *name) { return getenv(name); }

static recon_status parse_command_line(int argc, char **argv, job_options *o, err_t *err)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", long_options, NULL)) != -1 ||
           (optind < argc && argv[optind][0] != '-' && o->arg_count >= 0)) {
        recon_status st = RECON_OK;
        if (c == -1) {
            /* a positional: keep it and go on reading options after it */
            o->args[o->arg_count++] = argv[optind++];
            continue;
        }
        switch (c) {
        case OPT_DB:
            o->db = optarg;
            break;
        case OPT_AS_OF:
            st = parse_date_opt("as-of", optarg, &o->as_of, err);
            break;
        case OPT_FROM:
            st = parse_date_opt("from", optarg, &o->from, err);
            break;
        case OPT_TO:
            st = parse_date_opt("to", optarg, &o->to, err);
            break;
        case OPT_BEFORE:
            st = parse_date_opt("before", optarg, &o->before, err);
            break;
        case OPT_ROWS:
            st = parse_rows_opt(optarg, &o->rows, err);
            break;
        case OPT_NO_CATCH_UP:
            o->no_catch_up = true;
            break;
        case OPT_RECEIPT:
            o->receipt = optarg;
            break;
        case OPT_ARCHIVE:
            o->archive = optarg;
            break;
        case OPT_OUT:
            o->out_dir = optarg;
            break;
        case OPT_REGISTER_INBOX:
            o->register_inbox = optarg;
            break;
        case OPT_INBOX:
            o->inbox = optarg;
            break;
        case OPT_FORMAT:
            o->format = optarg;
            break;
        case OPT_PROFILE:
            o->profile = optarg;
            break;
        case OPT_UNMASKED:
            o->unmasked = true;
            break;
        case OPT_FULL:
            o->full = true;
            break;
        case OPT_HELP:
        case 'h':
            fputs(job_usage_text, stdout);
            exit(0);
        case OPT_VERSION:
            printf("recon %s\n", RECON_VERSION);
            exit(0);
        default:
            return err_set(err, RECON_EUSAGE, "unknown or incomplete option '%s'; see recon --help",
                           argv[optind - 1]);
        }
        if (st != RECON_OK)
            return st;
    }
    while (optind < argc)
        o->args[o->arg_count++] = argv[optind++];
    return RECON_OK;
}

/* Consumes the first positional (a command word) if it equals word. */
static bool take_word(job_options *o, const char *word)
{
    if (o->arg_count == 0 || strcmp(o->args[0], word) != 0)
        return false;
    o->args++;
    o->arg_count--;
    return true;
}

static recon_status dispatch(job_options *o, err_t *err)
{
    if (o->arg_count == 0)
        return err_set(err, RECON_EUSAGE, "no command given; see recon --help");
    if (take_word(o, "init"))
        return cmd_init(o, err);
    if (take_word(o, "db")) {
        const char *action = o->arg_count ? o->args[0] : NULL;
        return cmd_db(o, action, err);
    }
    if (take_word(o, "policies")) {
        if (take_word(o, "load"))
            return cmd_policies_load(o, err);
        return err_set(err, RECON_EUSAGE, "usage: recon policies load FILE.csv");
    }
    if (take_word(o, "events")) {
        if (take_word(o, "load"))
            return cmd_events_load(o, err);
        return err_set(err, RECON_EUSAGE, "usage: recon events load FILE.csv");
    }
    if (take_word(o, "receipts")) {
        if (take_word(o, "load"))
            return cmd_receipts_load(o, err);
        return err_set(err, RECON_EUSAGE, "usage: recon receipts load FILE.csv");
    }
    if (take_word(o, "parse"))
        return cmd_parse(o, err);
    if (take_word(o, "profile")) {
        if (take_word(o, "check"))
            return cmd_profile_check(o, err);
        return err_set(err, RECON_EUSAGE,
                       "usage: recon profile check [--profile NAME|PATH] [--rows N] FILE");
    }
    if (take_word(o, "ingest"))
        return cmd_ingest(o, err);
    if (take_word(o, "process"))
        return cmd_process(o, err);
    if (take_word(o, "report"))
        return cmd_report(o, err);
    if (take_word(o, "nightly"))
        return cmd_nightly(o, err);
    if (take_word(o, "replay"))
        return cmd_replay(o, err);
    if (take_word(o, "retain"))
        return cmd_retain(o, err);
    if (take_word(o, "status"))
        return cmd_status(o, err);
    if (take_word(o, "decide"))
        return cmd_decide(o, err);
    if (take_word(o, "demo"))
        return cmd_demo(o, err);
    return err_set(err, RECON_EUSAGE, "unknown command '%s'; see recon --help", o->args[0]);
}

/* Commands that change state stop at a safe point on SIGINT/SIGTERM; the rest
 * (reading a file to stdout, showing a policy, starting or stopping the
 * embedded server) have nothing to roll back and keep the default action, so
 * Ctrl-C ends them at once. */
static bool stops_at_safe_points(const job_options *o)
{
    static const char *const quick[] = {"parse", "profile", "status", "db"};
    if (o->arg_count == 0)
        return false;
    for (size_t i = 0; i < sizeof quick / sizeof quick[0]; i++)
        if (strcmp(o->args[0], quick[i]) == 0)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    err_t err;
    err_clear(&err);
    recon_status st = log_configure(getenv("RECON_LOG"), &err);
    if (st != RECON_OK) {
        log_final(err.msg);
        return (int)st;
    }
    /* A person at a terminal sees progress; a log file or journald never does. */
    progress_enable(isatty(STDERR_FILENO) == 1 && !log_json());
    job_options o = {0};
    o.as_of = o.from = o.to = o.before = DATE_NONE;
    o.rows = -1;
    o.out = stdout;
    o.args = calloc((size_t)argc + 1, sizeof *o.args);
    if (o.args == NULL) {
        log_final("out of memory");
        return RECON_EINTERNAL;
    }
    char **args_base = o.args;
    st = config_read(&o.config, env_lookup, &err);
    if (st == RECON_OK)
        st = parse_command_line(argc, argv, &o, &err);
    if (st == RECON_OK && stops_at_safe_points(&o) && !interrupt_install(db_cancel_in_flight))
        st = err_set(&err, RECON_EINTERNAL, "cannot install the SIGINT/SIGTERM handlers");
    if (st == RECON_OK)
        st = dispatch(&o, &err);
    /* Whatever a step failed with after a stop request, the run was interrupted. */
    st = interrupt_outcome(st, &err);
    progress_end();
    if (fflush(stdout) != 0 && st == RECON_OK)
        st = err_set(&err, RECON_EOUTPUT, "cannot write to standard output");
    free(args_base);
    if (st != RECON_OK) {
        log_final(err.msg[0] ? err.msg : "failed");
        return (int)st;
    }
    return 0;
}
