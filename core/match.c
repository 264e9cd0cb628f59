#include "core/match.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 4
#define CANDIDATE_MAX 64

typedef struct candidates {
    char v[MAX_CANDIDATES][CANDIDATE_MAX];
    size_t n;
    bool overflow;
} candidates;

static void add_candidate(candidates *c, const char *s, size_t len)
{
    if (len >= CANDIDATE_MAX)
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->v[i]) == len && memcmp(c->v[i], s, len) == 0)
            return;
    if (c->n == MAX_CANDIDATES) {
        c->overflow = true;
        return;
    }
    memcpy(c->v[c->n], s, len);
    c->v[c->n][len] = '\0';
    c->n++;
}

/* Every distinct policy number the pattern finds in text. */
static void scan(const regex_t *re, const char *text, candidates *c)
{
    const char *p = text;
    regmatch_t m;
    while (*p && regexec(re, p, 1, &m, p == text ? 0 : REG_NOTBOL) == 0) {
        if (m.rm_eo == m.rm_so)
            break;
        add_candidate(c, p + m.rm_so, (size_t)(m.rm_eo - m.rm_so));
        p += m.rm_eo;
    }
}

struct match_rules {
    regex_t re;
    match_settlement_fn is_settlement;
    const void *ctx;
};

recon_status match_rules_new(match_rules **out, const char *pattern,
                             match_settlement_fn is_settlement, const void *ctx, err_t *err)
{
    *out = NULL;
    match_rules *m = calloc(1, sizeof *m);
    if (m == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (regcomp(&m->re, pattern, REG_EXTENDED) != 0) {
        free(m);
        return err_set(err, RECON_EUSAGE, "RECON_POLICY_PATTERN: '%s' is not a valid pattern",
                       pattern);
    }
    m->is_settlement = is_settlement;
    m->ctx = ctx;
    *out = m;
    return RECON_OK;
}

void match_rules_free(match_rules *m)
{
    if (m == NULL)
        return;
    regfree(&m->re);
    free(m);
}

void match_decide(const match_rules *m, const match_fields *f, match_decision *d)
{
    candidates c = {0};
    d->result = NULL;
    d->policy_no[0] = '\0';
    d->note[0] = '\0';
    if (strcmp(f->currency, "CNY") != 0) {
        d->result = "currency";
        snprintf(d->note, sizeof d->note, "currency %s is not applied", f->currency);
        return;
    }
    if (m->is_settlement && *f->payer_account && m->is_settlement(m->ctx, f->payer_account)) {
        d->result = "settlement";
        snprintf(d->note, sizeof d->note, "credit from a payment-provider settlement account");
        return;
    }
    scan(&m->re, f->creditor_reference, &c);
    scan(&m->re, f->end_to_end_id, &c);
    scan(&m->re, f->merchant_order_no, &c);
    const char *how = "reference";
    if (c.n == 0) {
        scan(&m->re, f->remittance, &c);
        how = "remittance text";
    }
    if (c.n > 1 || c.overflow) {
        d->result = "ambiguous";
        snprintf(d->note, sizeof d->note, "%s names %s and %s", how, c.v[0], c.v[1]);
    } else if (c.n == 1) {
        d->result = f->reversal ? "reversal" : "identified";
        memcpy(d->policy_no, c.v[0], sizeof c.v[0]);
        snprintf(d->note, sizeof d->note, "policy number in %s", how);
    } else if (f->reversal) {
        d->result = "reversal";
    }
    /* result NULL: the payer account decides, against the register */
}
