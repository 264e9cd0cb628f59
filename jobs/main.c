/*
 * recon: premium reconciliation and lapse processor. Option parsing and
 * dispatch; the only place that prints a command's error and exits.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"
#include "jobs/jobs.h"

#define RECON_VERSION "0.1.0"

/* Every option, what its value is and where it goes; getopt's table is built from this one. */
typedef enum { ARG_TEXT, ARG_DATE, ARG_FLAG, ARG_ROWS } arg_kind;

typedef struct option_spec {
    const char *name;
    arg_kind kind;
    size_t offset; /* in job_options */
} option_spec;

static const option_spec options[] = {
    {"db", ARG_TEXT, offsetof(job_options, db)},
    {"as-of", ARG_DATE, offsetof(job_options, as_of)},
    {"out", ARG_TEXT, offsetof(job_options, out_dir)},
    {"inbox", ARG_TEXT, offsetof(job_options, inbox)},
    {"register-inbox", ARG_TEXT, offsetof(job_options, register_inbox)},
    {"format", ARG_TEXT, offsetof(job_options, format)},
    {"profile", ARG_TEXT, offsetof(job_options, profile)},
    {"unmasked", ARG_FLAG, offsetof(job_options, unmasked)},
    {"from", ARG_DATE, offsetof(job_options, from)},
    {"to", ARG_DATE, offsetof(job_options, to)},
    {"archive", ARG_TEXT, offsetof(job_options, archive)},
    {"before", ARG_DATE, offsetof(job_options, before)},
    {"no-catch-up", ARG_FLAG, offsetof(job_options, no_catch_up)},
    {"full", ARG_FLAG, offsetof(job_options, full)},
    {"rows", ARG_ROWS, offsetof(job_options, rows)},
    {"receipt", ARG_TEXT, offsetof(job_options, receipt)},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])
enum { OPT_FIRST = 256, OPT_HELP = OPT_FIRST + (int)OPTION_COUNT, OPT_VERSION };

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

static recon_status set_option(job_options *o, const option_spec *spec, const char *value,
                               err_t *err)
{
    void *field = (char *)o + spec->offset;
    switch (spec->kind) {
    case ARG_TEXT:
        *(const char **)field = value;
        return RECON_OK;
    case ARG_DATE:
        return parse_date_opt(spec->name, value, field, err);
    case ARG_FLAG:
        *(bool *)field = true;
        return RECON_OK;
    case ARG_ROWS:
        return parse_rows_opt(value, field, err);
    }
    return err_set(err, RECON_EINTERNAL, "option --%s: unknown kind", spec->name);
}

static recon_status parse_command_line(int argc, char **argv, job_options *o, err_t *err)
{
    struct option long_options[OPTION_COUNT + 3];
    for (size_t i = 0; i < OPTION_COUNT; i++)
        long_options[i] = (struct option){options[i].name,
                                          options[i].kind == ARG_FLAG ? no_argument
                                                                      : required_argument,
                                          NULL, OPT_FIRST + (int)i};
    long_options[OPTION_COUNT] = (struct option){"help", no_argument, NULL, OPT_HELP};
    long_options[OPTION_COUNT + 1] = (struct option){"version", no_argument, NULL, OPT_VERSION};
    long_options[OPTION_COUNT + 2] = (struct option){NULL, 0, NULL, 0};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", long_options, NULL)) != -1 ||
           (optind < argc && argv[optind][0] != '-' && o->arg_count >= 0)) {
        if (c == -1) {
            /* a positional: keep it and go on reading options after it */
            o->args[o->arg_count++] = argv[optind++];
            continue;
        }
        if (c == OPT_HELP || c == 'h') {
            fputs(job_usage_text, stdout);
            exit(0);
        }
        if (c == OPT_VERSION) {
            printf("recon %s\n", RECON_VERSION);
            exit(0);
        }
        if (c < OPT_FIRST || c >= OPT_HELP)
            return err_set(err, RECON_EUSAGE, "unknown or incomplete option '%s'; see recon --help",
                           argv[optind - 1]);
        recon_status st = set_option(o, &options[c - OPT_FIRST], optarg, err);
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

/* Every command but db (which takes its action as a word): its word, the second word it
 * needs (NULL: none) and, for those, the usage shown when that word is missing. */
static const struct {
    const char *word, *sub, *usage;
    recon_status (*run)(const job_options *o, err_t *err);
} commands[] = {
    {"init", NULL, NULL, cmd_init},
    {"policies", "load", "usage: recon policies load FILE.csv", cmd_policies_load},
    {"events", "load", "usage: recon events load FILE.csv", cmd_events_load},
    {"receipts", "load", "usage: recon receipts load FILE.csv", cmd_receipts_load},
    {"parse", NULL, NULL, cmd_parse},
    {"profile", "check", "usage: recon profile check [--profile NAME|PATH] [--rows N] FILE",
     cmd_profile_check},
    {"ingest", NULL, NULL, cmd_ingest},
    {"process", NULL, NULL, cmd_process},
    {"report", NULL, NULL, cmd_report},
    {"nightly", NULL, NULL, cmd_nightly},
    {"replay", NULL, NULL, cmd_replay},
    {"retain", NULL, NULL, cmd_retain},
    {"status", NULL, NULL, cmd_status},
    {"decide", NULL, NULL, cmd_decide},
    {"demo", NULL, NULL, cmd_demo},
};

static recon_status dispatch(job_options *o, err_t *err)
{
    if (o->arg_count == 0)
        return err_set(err, RECON_EUSAGE, "no command given; see recon --help");
    if (take_word(o, "db")) {
        const char *action = o->arg_count ? o->args[0] : NULL;
        return cmd_db(o, action, err);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!take_word(o, commands[i].word))
            continue;
        if (commands[i].sub != NULL && !take_word(o, commands[i].sub))
            return err_set(err, RECON_EUSAGE, "%s", commands[i].usage);
        return commands[i].run(o, err);
    }
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
