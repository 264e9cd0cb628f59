/*
 * Every RECON_* setting, read from the environment once (by main, before any
 * command runs), validated once (a bad value is exit 64 naming the variable),
 * and passed down as plain values: no code below jobs/main.c reads the
 * environment. A recon_config is a plain value; its strings point into the
 * environment, which outlives the run.
 */
#ifndef RECON_JOBS_CONFIG_H
#define RECON_JOBS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/evaluate.h"
#include "core/worklist.h"

#define CONFIG_POLICY_PATTERN_DEFAULT "P[0-9]{13}"
#define CONFIG_SETTLEMENT_LAG_DEFAULT 1
#define CONFIG_SETTLEMENT_LAG_MAX 31
#define CONFIG_RETENTION_DEFAULT_YEARS 5
#define CONFIG_RETENTION_MAX_YEARS 100
#define CONFIG_MAX_INPUT_DEFAULT ((uint64_t)8 << 30)
#define CONFIG_REPORT_LEVEL_DEFAULT 6
#define CONFIG_SETTLEMENT_MAX 64
#define CONFIG_ACCOUNT_MAX 64
#define CONFIG_FOUR_EYES_BELOW_DEFAULT 10000 /* fen: 100.00 */

/* A provider settlement account of RECON_SETTLEMENT_ACCOUNTS: `ACCOUNT`
 * (provider "") or `wechat:ACCOUNT` / `alipay:ACCOUNT`. */
typedef struct config_settlement {
    char provider[8];
    char account[CONFIG_ACCOUNT_MAX + 1];
} config_settlement;

typedef struct recon_config {
    eval_config rules;            /* RECON_TOLERANCE, RECON_FIRST_PAYMENT_WINDOW,
                                   * RECON_PAYMENT_IS_AGREEMENT */
    const char *policy_pattern;   /* RECON_POLICY_PATTERN (POSIX extended; checked to compile) */
    config_settlement settlements[CONFIG_SETTLEMENT_MAX]; /* RECON_SETTLEMENT_ACCOUNTS */
    size_t settlement_count;
    int settlement_lag_days;      /* RECON_SETTLEMENT_LAG_DAYS, 0-31 */
    int retention_years;          /* RECON_RETENTION_YEARS, 0-100 */
    uint64_t max_input;           /* RECON_MAX_INPUT, bytes of one decompressed input */
    int report_level;             /* RECON_REPORT_LEVEL, gzip 1-9 */
    fen_t four_eyes_below;        /* RECON_FOUR_EYES_BELOW: a refund or write-off of this
                                   * much or more waits for a second person's approval */
    int notice_days;              /* RECON_NOTICE_DAYS, 1-30: suspension_soon this many days
                                   * before the suspension */
    bool full_evaluation;         /* RECON_EVALUATION=full (default incremental): every night
                                   * evaluates every policy, as process --full */
    const char *db;               /* RECON_DB, NULL when unset or empty */
    bool libpq_env;               /* PGHOST or PGDATABASE set: connect through libpq's variables */
} recon_config;

/* The defaults of every setting, as if the environment held none. */
void config_default(recon_config *c);

/* Reads and checks every setting; RECON_EUSAGE naming the first bad one (with
 * what it accepts). get is getenv, or a test's lookup. */
recon_status config_read(recon_config *c, const char *(*get)(const char *name), err_t *err);

/* Whether account is a provider settlement account (any provider). */
bool config_is_settlement(const recon_config *c, const char *account);

#endif
