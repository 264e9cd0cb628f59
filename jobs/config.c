/*
 * The settings' one reader. Why strict: a typo in a scheduler's environment
 * must stop the run with 64 before anything is stored, never silently change
 * a rule, a report's bytes or which credits count as premiums.
 */
#include "jobs/config.h"

#include <errno.h>
#include <regex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

static const char *value(const char *(*get)(const char *), const char *name)
{
    const char *v = get(name);
    return v && *v ? v : NULL;
}

/* A whole decimal number in [lo, hi], nothing else. */
static bool whole_number(const char *v, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

void config_default(recon_config *c)
{
    memset(c, 0, sizeof *c);
    eval_config_default(&c->rules);
    c->policy_pattern = CONFIG_POLICY_PATTERN_DEFAULT;
    c->settlement_lag_days = CONFIG_SETTLEMENT_LAG_DEFAULT;
    c->retention_years = CONFIG_RETENTION_DEFAULT_YEARS;
    c->max_input = CONFIG_MAX_INPUT_DEFAULT;
    c->report_level = CONFIG_REPORT_LEVEL_DEFAULT;
    c->four_eyes_below = CONFIG_FOUR_EYES_BELOW_DEFAULT;
    c->notice_days = WORKLIST_NOTICE_DAYS_DEFAULT;
}

/* The settings that are a whole number in a range or an amount: name, range, what the number
 * counts (for the message) and where it goes. */
typedef enum { SETTING_INT, SETTING_FEN } setting_kind;

typedef struct number_setting {
    const char *name;
    setting_kind kind;
    long long lo, hi;
    const char *what; /* "a number of days 0-27", "an amount like 0.05" */
    size_t offset;    /* of an int (SETTING_INT) or a fen_t (SETTING_FEN) in recon_config */
} number_setting;

#define STR_(x) #x
#define STR(x) STR_(x)

static const number_setting number_settings[] = {
    {"RECON_TOLERANCE", SETTING_FEN, 0, MONEY_MAX_FEN, "an amount like 0.05",
     offsetof(recon_config, rules.tolerance)},
    {"RECON_FIRST_PAYMENT_WINDOW", SETTING_INT, 0, 27, "a number of days 0-27",
     offsetof(recon_config, rules.first_payment_window)},
    {"RECON_FOUR_EYES_BELOW", SETTING_FEN, 0, MONEY_MAX_FEN, "an amount like 100.00",
     offsetof(recon_config, four_eyes_below)},
    {"RECON_SETTLEMENT_LAG_DAYS", SETTING_INT, 0, CONFIG_SETTLEMENT_LAG_MAX,
     "a number of days 0-" STR(CONFIG_SETTLEMENT_LAG_MAX),
     offsetof(recon_config, settlement_lag_days)},
    {"RECON_RETENTION_YEARS", SETTING_INT, 0, CONFIG_RETENTION_MAX_YEARS,
     "a number of years 0-" STR(CONFIG_RETENTION_MAX_YEARS),
     offsetof(recon_config, retention_years)},
    /* a typo must not silently change the archived files' size or bytes */
    {"RECON_REPORT_LEVEL", SETTING_INT, 1, 9, "a gzip level 1-9",
     offsetof(recon_config, report_level)},
    /* 0 would be the suspension day itself, past the point of warning */
    {"RECON_NOTICE_DAYS", SETTING_INT, 1, WORKLIST_NOTICE_DAYS_MAX,
     "a number of days 1-" STR(WORKLIST_NOTICE_DAYS_MAX), offsetof(recon_config, notice_days)},
};

static recon_status read_numbers(recon_config *c, const char *(*get)(const char *), err_t *err)
{
    for (size_t i = 0; i < sizeof number_settings / sizeof number_settings[0]; i++) {
        const number_setting *ns = &number_settings[i];
        const char *v = value(get, ns->name);
        if (v == NULL)
            continue;
        long n = 0;
        fen_t fen = 0;
        bool ok = ns->kind == SETTING_FEN
                      ? money_parse(v, strlen(v), &fen) == MONEY_OK && fen >= ns->lo &&
                            fen <= ns->hi
                      : whole_number(v, (long)ns->lo, (long)ns->hi, &n);
        if (!ok)
            return err_set(err, RECON_EUSAGE, "%s: '%s' is not %s", ns->name, v, ns->what);
        void *field = (char *)c + ns->offset;
        if (ns->kind == SETTING_FEN)
            *(fen_t *)field = fen;
        else
            *(int *)field = (int)n;
    }
    const char *v = value(get, "RECON_PAYMENT_IS_AGREEMENT");
    if (v != NULL) {
        if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0)
            return err_set(err, RECON_EUSAGE, "RECON_PAYMENT_IS_AGREEMENT: expected 0 or 1");
        c->rules.payment_is_agreement = strcmp(v, "1") == 0;
    }
    return RECON_OK;
}

static recon_status read_settlements(recon_config *c, const char *list, err_t *err)
{
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        const char *account = colon ? colon + 1 : p;
        size_t plen = colon ? (size_t)(colon - p) : 0;
        size_t alen = len - (colon ? plen + 1 : 0);
        if (colon && !((plen == 6 && memcmp(p, "wechat", 6) == 0) ||
                       (plen == 6 && memcmp(p, "alipay", 6) == 0)))
            return err_set(err, RECON_EUSAGE,
                           "RECON_SETTLEMENT_ACCOUNTS: provider '%.*s' is not wechat or alipay; "
                           "hint: ACCOUNT, wechat:ACCOUNT or alipay:ACCOUNT, comma-separated",
                           (int)plen, p);
        if (alen == 0 || alen > CONFIG_ACCOUNT_MAX)
            return err_set(err, RECON_EUSAGE,
                           "RECON_SETTLEMENT_ACCOUNTS: item %zu is %s; hint: ACCOUNT, "
                           "wechat:ACCOUNT or alipay:ACCOUNT, comma-separated",
                           c->settlement_count + 1, alen == 0 ? "empty" : "too long");
        if (c->settlement_count == CONFIG_SETTLEMENT_MAX)
            return err_set(err, RECON_EUSAGE, "RECON_SETTLEMENT_ACCOUNTS: more than %d accounts",
                           CONFIG_SETTLEMENT_MAX);
        config_settlement *s = &c->settlements[c->settlement_count++];
        memcpy(s->provider, p, plen);
        s->provider[plen] = '\0';
        memcpy(s->account, account, alen);
        s->account[alen] = '\0';
        p = end ? end + 1 : p + len;
    }
    return RECON_OK;
}

recon_status config_read(recon_config *c, const char *(*get)(const char *name), err_t *err)
{
    config_default(c);
    recon_status st = read_numbers(c, get, err);
    if (st != RECON_OK)
        return st;
    const char *v = value(get, "RECON_POLICY_PATTERN");
    if (v) {
        regex_t re;
        if (regcomp(&re, v, REG_EXTENDED) != 0)
            return err_set(err, RECON_EUSAGE, "RECON_POLICY_PATTERN: '%s' is not a valid pattern",
                           v);
        regfree(&re);
        c->policy_pattern = v;
    }
    if ((v = value(get, "RECON_SETTLEMENT_ACCOUNTS")) &&
        (st = read_settlements(c, v, err)) != RECON_OK)
        return st;
    if ((v = value(get, "RECON_MAX_INPUT"))) {
        char *end = NULL;
        errno = 0;
        unsigned long long bytes = strtoull(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || bytes == 0 || v[0] == '-')
            return err_set(err, RECON_EUSAGE,
                           "RECON_MAX_INPUT: '%s' is not a number of bytes above 0", v);
        c->max_input = (uint64_t)bytes;
    }
    if ((v = value(get, "RECON_EVALUATION"))) {
        if (strcmp(v, "full") != 0 && strcmp(v, "incremental") != 0)
            return err_set(err, RECON_EUSAGE,
                           "RECON_EVALUATION must be incremental or full, got '%s'", v);
        c->full_evaluation = strcmp(v, "full") == 0;
    }
    c->db = value(get, "RECON_DB");
    c->libpq_env = value(get, "PGHOST") != NULL || value(get, "PGDATABASE") != NULL;
    return RECON_OK;
}

bool config_is_settlement(const recon_config *c, const char *account)
{
    if (account == NULL || *account == '\0')
        return false;
    for (size_t i = 0; i < c->settlement_count; i++)
        if (strcmp(c->settlements[i].account, account) == 0)
            return true;
    return false;
}
