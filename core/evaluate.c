/*
 * The policy state machine of rules.md. Status on a day is the status at the
 * end of that day, judged on all money received that day; the one exception is
 * suspension, which starts at 00:00 of D+31 and is judged on money received
 * through D+30. Nothing changes between "interesting" days (receipt days, due
 * dates and their +1/+31, agreements, cancellation, end + 1), so the machine is
 * stepped only over those days.
 */
#include "core/evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "common/names.h"

#define GRACE_DAYS POLICY_GRACE_DAYS

typedef struct eval_ctx {
    const eval_input *in;
    const eval_config *cfg;
    eval_result *out;
    date_t due[SCHEDULE_MAX_INSTALLMENTS];
    size_t n;              /* installments */
    size_t nr;             /* receipts counted (booking date <= as-of) */
    date_t suspended_on;   /* start of the current suspension */
    date_t last_receipt;   /* latest booking date counted, DATE_NONE if none */
    fen_t written_off;     /* write-offs counted, after their cap */
} eval_ctx;

void eval_config_default(eval_config *cfg)
{
    cfg->tolerance = 0;
    cfg->first_payment_window = 0;
    cfg->payment_is_agreement = false;
}

void eval_result_init(eval_result *r) { memset(r, 0, sizeof *r); }

void eval_result_free(eval_result *r)
{
    free(r->events);
    free(r->allocations);
    free(r->sorted);
    free(r->prefix);
    free(r->points);
    memset(r, 0, sizeof *r);
}

static const char *const installment_state_names[] = {
    [INSTALLMENT_PAID] = "paid",
    [INSTALLMENT_UNPAID] = "unpaid",
    [INSTALLMENT_FUTURE] = "future",
    [INSTALLMENT_VOID] = "void",
};

const char *installment_state_name(installment_state s)
{
    return NAME_OF(installment_state_names, s, "unknown");
}

const char *refund_reason_name(refund_reason r)
{
    return r == REFUND_CANCELLATION ? "cancellation" : "excess";
}

/* ---- money received over time ---------------------------------------------- */

static int receipt_cmp(const void *a, const void *b)
{
    const eval_receipt *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->amount != y->amount)
        return x->amount < y->amount ? -1 : 1;
    return 0;
}

/* Money received up to and including day t. */
static fen_t received_through(const eval_ctx *c, date_t t)
{
    size_t lo = 0, hi = c->nr;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->out->sorted[mid].date <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c->out->prefix[lo];
}

static fen_t premium_for(const eval_ctx *c, size_t k) { return (fen_t)k * c->in->terms.premium; }

/* Installments paid in full by an amount, oldest first (credit carries forward). */
static size_t covered_by(const eval_ctx *c, fen_t money)
{
    fen_t m = money + c->cfg->tolerance;
    if (m <= 0)
        return 0;
    fen_t k = m / c->in->terms.premium;
    return k > (fen_t)c->n ? c->n : (size_t)k;
}

static size_t covered_on(const eval_ctx *c, date_t t) { return covered_by(c, received_through(c, t)); }

/* Installments due on or before t. */
static size_t due_count(const eval_ctx *c, date_t t)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->due[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The receipt whose money first made installments 1..k paid in full. */
static const eval_receipt *completing_receipt(const eval_ctx *c, size_t k)
{
    fen_t target = premium_for(c, k) - c->cfg->tolerance;
    for (size_t i = 0; i < c->nr; i++)
        if (c->out->prefix[i + 1] >= target)
            return &c->out->sorted[i];
    return NULL;
}

/* ---- events ------------------------------------------------------------------ */

static recon_status push_event(eval_ctx *c, date_t t, policy_status to, const char *reason,
                               err_t *err)
{
    eval_result *r = c->out;
    if (!GROW(r->events, r->event_cap, r->event_count + 1))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    eval_event *e = &r->events[r->event_count++];
    e->date = t;
    e->from = r->status;
    e->to = to;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    r->status = to;
    r->status_since = t;
    return RECON_OK;
}

/* How a reason names the money that completed something. */
static const char *money_kind(const eval_receipt *rc) { return rc->write_off ? "write-off" : "receipt"; }

static void describe_paid(const eval_ctx *c, size_t k, char *buf, size_t cap)
{
    char due[DATE_STR_SIZE], day[DATE_STR_SIZE];
    const eval_receipt *rc = completing_receipt(c, k);
    date_format(c->due[k - 1], due);
    if (rc == NULL) {
        snprintf(buf, cap, "installment %zu due %s paid in full", k, due);
        return;
    }
    date_format(rc->date, day);
    if (c->in->terms.mode == PAYMENT_SINGLE)
        snprintf(buf, cap, "single premium due %s paid in full by %s %lld on %s", due,
                 money_kind(rc), (long long)rc->id, day);
    else
        snprintf(buf, cap, "installment %zu due %s paid in full by %s %lld on %s", k, due,
                 money_kind(rc), (long long)rc->id, day);
}

/* "received 10.00 of 30.00" toward installment k as of day t. */
static void describe_shortfall(const eval_ctx *c, size_t k, date_t t, char *buf, size_t cap)
{
    fen_t toward = received_through(c, t) - premium_for(c, k - 1);
    if (toward < 0)
        toward = 0;
    char got[MONEY_STR_SIZE], want[MONEY_STR_SIZE];
    money_format(toward, got);
    money_format(c->in->terms.premium, want);
    snprintf(buf, cap, "received %s of %s", got, want);
}

/* ---- one day of the state machine --------------------------------------------- */

static bool in_effect(policy_status s)
{
    return s == STATUS_IN_FORCE || s == STATUS_GRACE || s == STATUS_SUSPENDED;
}

static bool has_agreement(const eval_ctx *c, date_t from, date_t to)
{
    if (c->cfg->payment_is_agreement)
        return true;
    for (size_t i = 0; i < c->in->agreement_count; i++)
        if (c->in->agreements[i] >= from && c->in->agreements[i] <= to)
            return true;
    return false;
}

static date_t agreement_on_or_before(const eval_ctx *c, date_t from, date_t to)
{
    date_t best = DATE_NONE;
    for (size_t i = 0; i < c->in->agreement_count; i++) {
        date_t a = c->in->agreements[i];
        if (a >= from && a <= to && (best == DATE_NONE || a < best))
            best = a;
    }
    return best;
}

/* 第十八条 paragraphs 3-4: the first premium decides whether the policy takes effect. */
static recon_status step_take_effect(eval_ctx *c, date_t t, err_t *err)
{
    const policy_terms *p = &c->in->terms;
    char reason[EVAL_REASON_MAX], detail[96], day[DATE_STR_SIZE];
    if (t < p->start_date)
        return RECON_OK;
    if (covered_on(c, t) >= 1) {
        describe_paid(c, 1, reason, sizeof reason);
        return push_event(c, t, STATUS_IN_FORCE, reason, err);
    }
    date_t deadline = p->start_date + c->cfg->first_payment_window;
    if (t < deadline)
        return RECON_OK;
    describe_shortfall(c, 1, t, detail, sizeof detail);
    date_format(deadline, day);
    snprintf(reason, sizeof reason, "%s not paid in full by %s (%s)",
             p->mode == PAYMENT_SINGLE ? "single premium" : "installment 1", day, detail);
    return push_event(c, t, STATUS_NOT_EFFECTIVE, reason, err);
}

/* 第十一条 / 第十八条 paragraph 6: the period ends. */
static recon_status step_period_end(eval_ctx *c, date_t t, err_t *err)
{
    char reason[EVAL_REASON_MAX], end[DATE_STR_SIZE], due[DATE_STR_SIZE];
    date_format(c->in->terms.end_date, end);
    if (c->out->status == STATUS_SUSPENDED) {
        size_t k = covered_on(c, c->suspended_on - 1) + 1;
        date_format(c->due[k - 1], due);
        snprintf(reason, sizeof reason,
                 "still suspended at the end of the period %s (installment %zu due %s unpaid)",
                 end, k, due);
        return push_event(c, t, STATUS_TERMINATED, reason, err);
    }
    fen_t arrears = premium_for(c, c->n) - received_through(c, t);
    if (arrears > 0) {
        char amount[MONEY_STR_SIZE];
        money_format(arrears, amount);
        snprintf(reason, sizeof reason, "period ended %s with %zu installment(s) in arrears (%s)",
                 end, c->n - covered_on(c, t), amount);
    } else {
        snprintf(reason, sizeof reason, "period ended %s", end);
    }
    return push_event(c, t, STATUS_EXPIRED, reason, err);
}

/* 第十八条 paragraph 5: unpaid 30 days after its due date suspends from 00:00 of D+31,
 * judged on money received through the day before. */
static recon_status step_suspend(eval_ctx *c, date_t t, err_t *err)
{
    size_t k = covered_on(c, t - 1) + 1;
    if (k > c->n)
        return RECON_OK;
    date_t plain = c->due[k - 1] + GRACE_DAYS + 1;
    /* rules.md section 11: inside a payment holiday no suspension takes effect; one still
     * unpaid at its end takes effect the day after. */
    date_t day = policy_suspension_day(plain, c->in->holidays, c->in->holiday_count);
    if (day > t)
        return RECON_OK;
    /* detail: "received X of Y", two amounts within MONEY_MAX_FEN, well inside 64 bytes */
    char reason[EVAL_REASON_MAX], due[DATE_STR_SIZE], last[DATE_STR_SIZE], detail[64];
    char holiday[32] = "";
    date_format(c->due[k - 1], due);
    date_format(t - 1, last);
    describe_shortfall(c, k, t - 1, detail, sizeof detail);
    if (day != plain)
        snprintf(holiday, sizeof holiday, ", payment holiday to %s", last);
    snprintf(reason, sizeof reason,
             "installment %zu due %s not paid in full by %s (due date + 30 days%s; %s)", k, due,
             last, holiday, detail);
    c->suspended_on = t;
    return push_event(c, t, STATUS_SUSPENDED, reason, err);
}

/* 第二十九条: the cancellation request ends the policy from the day it is received. */
static recon_status step_cancel(eval_ctx *c, date_t t, err_t *err)
{
    eval_result *r = c->out;
    /* A policy that took effect and was cancelled on the same day was never in
     * force at the end of any day: only pending -> cancelled is an event. */
    if (r->event_count > 0 && r->events[r->event_count - 1].date == t &&
        r->events[r->event_count - 1].from == STATUS_PENDING &&
        r->events[r->event_count - 1].to == STATUS_IN_FORCE) {
        r->event_count--;
        r->status = STATUS_PENDING;
        r->status_since = DATE_NONE;
    }
    char reason[EVAL_REASON_MAX], day[DATE_STR_SIZE];
    date_format(t, day);
    snprintf(reason, sizeof reason, "cancellation request received %s", day);
    return push_event(c, t, STATUS_CANCELLED, reason, err);
}

/* 第十八条 paragraph 6 (interpretation in rules.md section 5): reinstated on the later
 * of the agreement and the day the money covers every installment due so far. */
static recon_status step_reinstate(eval_ctx *c, date_t t, err_t *err)
{
    if (!has_agreement(c, c->suspended_on, t))
        return RECON_OK;
    size_t owed = due_count(c, t);
    if (covered_on(c, t) < owed)
        return RECON_OK;
    size_t first = covered_on(c, c->suspended_on - 1) + 1;
    char reason[EVAL_REASON_MAX], day[DATE_STR_SIZE], agreed[32] = "";
    fen_t back = premium_for(c, owed) - premium_for(c, first - 1);
    char amount[MONEY_STR_SIZE];
    money_format(back, amount);
    const eval_receipt *rc = completing_receipt(c, owed);
    if (rc != NULL)
        date_format(rc->date, day);
    date_t a = agreement_on_or_before(c, c->suspended_on, t);
    if (a != DATE_NONE) {
        char ad[DATE_STR_SIZE];
        date_format(a, ad);
        snprintf(agreed, sizeof agreed, "; agreement %s", ad);
    }
    if (rc != NULL)
        snprintf(reason, sizeof reason,
                 "reinstated: back premium for installments %zu-%zu (%s) covered by %s %lld on "
                 "%s%s",
                 first, owed, amount, money_kind(rc), (long long)rc->id, day, agreed);
    else
        snprintf(reason, sizeof reason, "reinstated: back premium for installments %zu-%zu (%s)%s",
                 first, owed, amount, agreed);
    return push_event(c, t, STATUS_IN_FORCE, reason, err);
}

/* Grace: overdue but covered, D+1 .. D+30, judged at the end of the day. */
static recon_status step_grace(eval_ctx *c, date_t t, err_t *err)
{
    size_t k = covered_on(c, t) + 1;
    bool overdue = k <= c->n && c->due[k - 1] < t;
    char reason[EVAL_REASON_MAX];
    if (overdue && c->out->status == STATUS_IN_FORCE) {
        char due[DATE_STR_SIZE], detail[96];
        date_format(c->due[k - 1], due);
        describe_shortfall(c, k, t, detail, sizeof detail);
        snprintf(reason, sizeof reason, "installment %zu due %s unpaid (%s)", k, due, detail);
        return push_event(c, t, STATUS_GRACE, reason, err);
    }
    if (!overdue && c->out->status == STATUS_GRACE) {
        /* Name the newest installment that was overdue: paying it paid them all. */
        describe_paid(c, due_count(c, t - 1), reason, sizeof reason);
        return push_event(c, t, STATUS_IN_FORCE, reason, err);
    }
    return RECON_OK;
}

static recon_status step_day(eval_ctx *c, date_t t, err_t *err)
{
    eval_result *r = c->out;
    const policy_terms *p = &c->in->terms;
    recon_status st = RECON_OK;
    bool cancel_today = c->in->cancellation == t;

    if (r->status == STATUS_PENDING && (st = step_take_effect(c, t, err)) != RECON_OK)
        return st;
    if (in_effect(r->status) && t == p->end_date + 1)
        return step_period_end(c, t, err);
    if ((r->status == STATUS_IN_FORCE || r->status == STATUS_GRACE) &&
        (st = step_suspend(c, t, err)) != RECON_OK)
        return st;
    if (cancel_today && (r->status == STATUS_PENDING || in_effect(r->status)))
        return step_cancel(c, t, err);
    if (r->status == STATUS_SUSPENDED && (st = step_reinstate(c, t, err)) != RECON_OK)
        return st;
    if (r->status == STATUS_IN_FORCE || r->status == STATUS_GRACE)
        st = step_grace(c, t, err);
    return st;
}

/* ---- setup -------------------------------------------------------------------- */

static int date_cmp(const void *a, const void *b)
{
    date_t x = *(const date_t *)a, y = *(const date_t *)b;
    return (x > y) - (x < y);
}

static recon_status reserve_scratch(eval_result *r, size_t receipts, size_t points, err_t *err)
{
    /* sorted and prefix share one room */
    size_t sorted_cap = r->scratch_cap, prefix_cap = r->scratch_cap;
    if (!GROW(r->sorted, sorted_cap, receipts + 1) || !GROW(r->prefix, prefix_cap, receipts + 1) ||
        !GROW(r->points, r->points_cap, points))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    r->scratch_cap = sorted_cap < prefix_cap ? sorted_cap : prefix_cap;
    return RECON_OK;
}

/* Bounded terms keep every premium_for(k <= n) within 120 x 10^14 fen: its products
 * and the differences the steps take of them can then never overflow. */
static recon_status validate_terms(const policy_terms *p, const eval_config *cfg, err_t *err)
{
    if (p->start_date == DATE_NONE || p->end_date == DATE_NONE || p->end_date < p->start_date)
        return err_set(err, RECON_EDATA, "end date before start date");
    if (p->premium <= 0)
        return err_set(err, RECON_EDATA, "premium must be positive");
    if (!money_within_bound(p->premium)) {
        char amount[MONEY_STR_SIZE];
        money_format(p->premium, amount);
        return err_set(err, RECON_EDATA,
                       "premium %s is beyond 1000000000000.00, the largest amount recon accepts; "
                       "not evaluated; hint: correct the policy in the register and load it again",
                       amount);
    }
    if (p->net_premium < 0 || p->net_premium > p->premium)
        return err_set(err, RECON_EDATA, "net premium must be between 0 and the premium");
    if (cfg->tolerance < 0 || !money_within_bound(cfg->tolerance))
        return err_set(err, RECON_EDATA, "tolerance must be between 0 and 1000000000000.00");
    return RECON_OK;
}

#define NAMED_RECEIPTS 5

/* Refuses money that could overflow a sum: the counted receipts' amounts, in absolute
 * value, must add up within MONEY_MAX_SUM_FEN. Every running total, credit, refund or
 * difference of the evaluation is then exact in 64 bits. Names the largest receipts. */
static recon_status check_money(const eval_ctx *c, err_t *err)
{
    const eval_receipt *r = c->out->sorted;
    fen_t total = 0;
    bool ok = true;
    for (size_t i = 0; i < c->nr && ok; i++)
        ok = money_add_magnitude(&total, r[i].amount);
    if (ok)
        return RECON_OK;
    /* The few largest by magnitude; among equal ones the earliest (date, then id). */
    size_t top[NAMED_RECEIPTS], nt = 0;
    for (size_t i = 0; i < c->nr; i++) {
        uint64_t mag = r[i].amount < 0 ? 0 - (uint64_t)r[i].amount : (uint64_t)r[i].amount;
        size_t at = nt;
        while (at > 0) {
            fen_t o = r[top[at - 1]].amount;
            uint64_t omag = o < 0 ? 0 - (uint64_t)o : (uint64_t)o;
            if (omag >= mag)
                break;
            at--;
        }
        if (at >= NAMED_RECEIPTS)
            continue;
        if (nt < NAMED_RECEIPTS)
            nt++;
        for (size_t k = nt - 1; k > at; k--)
            top[k] = top[k - 1];
        top[at] = i;
    }
    char names[NAMED_RECEIPTS * 48] = "";
    size_t o = 0;
    for (size_t k = 0; k < nt && o < sizeof names; k++) {
        char amount[MONEY_STR_SIZE];
        money_format(r[top[k]].amount, amount);
        o += (size_t)snprintf(names + o, sizeof names - o, "%s%lld (%s)", k ? ", " : "",
                              (long long)r[top[k]].id, amount);
    }
    return err_set(err, RECON_EDATA,
                   "the money of its %zu receipts adds up beyond 2^62 fen, more than recon sums "
                   "safely; not evaluated; largest: receipt%s %s%s; hint: correct or remove these "
                   "receipts (no amount may exceed 1000000000000.00)",
                   c->nr, nt > 1 ? "s" : "", names, c->nr > nt ? ", ..." : "");
}

static size_t collect_points(eval_ctx *c)
{
    const eval_input *in = c->in;
    date_t *pt = c->out->points;
    size_t n = 0;
    pt[n++] = in->terms.start_date;
    pt[n++] = in->terms.start_date + c->cfg->first_payment_window;
    pt[n++] = in->terms.end_date + 1;
    if (in->cancellation != DATE_NONE)
        pt[n++] = in->cancellation;
    for (size_t k = 0; k < c->n; k++) {
        pt[n++] = c->due[k] + 1;
        pt[n++] = c->due[k] + GRACE_DAYS + 1;
    }
    for (size_t i = 0; i < c->nr; i++) {
        pt[n++] = c->out->sorted[i].date;
        pt[n++] = c->out->sorted[i].date + 1; /* money taken back shows the next day */
    }
    for (size_t i = 0; i < in->agreement_count; i++)
        pt[n++] = in->agreements[i];
    for (size_t i = 0; i < in->holiday_count; i++)
        pt[n++] = in->holidays[i].until + 1; /* a suspension held back takes effect */
    qsort(pt, n, sizeof *pt, date_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (pt[i] <= in->as_of && (u == 0 || pt[u - 1] != pt[i]))
            pt[u++] = pt[i];
    return u;
}

/* ---- results after the as-of date is reached ---------------------------------- */

/* Installments the policy may keep money for; money beyond them is refunded. */
static size_t owed_installments(const eval_ctx *c)
{
    const eval_result *r = c->out;
    date_t cancel = c->in->cancellation;
    switch (r->status) {
    case STATUS_NOT_EFFECTIVE:
        return 0;
    case STATUS_TERMINATED:
        /* Cover ended at the suspension; later installments were never earned. */
        return covered_on(c, c->suspended_on - 1);
    case STATUS_CANCELLED: {
        if (cancel < c->in->terms.start_date)
            return 0;
        size_t current = due_count(c, cancel);
        size_t paid = covered_on(c, cancel);
        return paid < current ? paid : current;
    }
    default:
        return c->n;
    }
}

static recon_status push_allocation(eval_result *r, const eval_receipt *rc, int installment,
                                    fen_t amount, err_t *err)
{
    if (amount == 0 || rc->write_off)
        return RECON_OK;
    if (!GROW(r->allocations, r->allocation_cap, r->allocation_count + 1))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    r->allocations[r->allocation_count++] = (eval_allocation){rc->id, installment, amount};
    return RECON_OK;
}

/* Oldest unpaid installment first; money beyond what the policy may keep is
 * unapplied (installment 0). Money taken back comes off the newest money first. */
static recon_status allocate(eval_ctx *c, size_t owed, err_t *err)
{
    eval_result *r = c->out;
    fen_t premium = c->in->terms.premium;
    fen_t unapplied = 0;
    size_t k = 0; /* first installment not yet full */
    recon_status st = RECON_OK;
    for (size_t i = 0; i < c->nr && st == RECON_OK; i++) {
        const eval_receipt *rc = &r->sorted[i];
        fen_t amount = rc->amount;
        while (amount > 0 && k < owed) {
            fen_t room = premium - r->installments[k].paid;
            fen_t take = amount < room ? amount : room;
            r->installments[k].paid += take;
            if ((st = push_allocation(r, rc, (int)k + 1, take, err)) != RECON_OK)
                return st;
            amount -= take;
            if (r->installments[k].paid == premium)
                k++;
        }
        if (amount > 0) {
            unapplied += amount;
            st = push_allocation(r, rc, 0, amount, err);
            continue;
        }
        fen_t back = -amount;
        fen_t from_unapplied = back < unapplied ? back : unapplied;
        unapplied -= from_unapplied;
        back -= from_unapplied;
        if ((st = push_allocation(r, rc, 0, -from_unapplied, err)) != RECON_OK)
            return st;
        while (back > 0) {
            size_t j = k < owed ? k + 1 : owed; /* one past the newest money */
            while (j > 0 && r->installments[j - 1].paid == 0)
                j--;
            if (j == 0)
                break;
            eval_installment *it = &r->installments[j - 1];
            fen_t take = back < it->paid ? back : it->paid;
            it->paid -= take;
            back -= take;
            k = j - 1;
            if ((st = push_allocation(r, rc, (int)j, -take, err)) != RECON_OK)
                return st;
        }
        if (back > 0) { /* more taken back than was ever received */
            unapplied -= back;
            st = push_allocation(r, rc, 0, -back, err);
        }
    }
    return st;
}

static void fill_installments(eval_ctx *c, size_t owed)
{
    eval_result *r = c->out;
    size_t covered = covered_by(c, r->received);
    if (covered > owed)
        covered = owed;
    r->paid_installments = 0;
    for (size_t k = 0; k < c->n; k++) {
        eval_installment *it = &r->installments[k];
        it->number = (int)k + 1;
        it->due_date = c->due[k];
        it->period_end = schedule_period_end(&c->in->terms, c->due, c->n, k);
        it->amount = c->in->terms.premium;
        it->paid_date = DATE_NONE;
        it->paid_by = -1;
        if (k >= owed) {
            it->state = INSTALLMENT_VOID;
        } else if (k < covered) {
            it->state = INSTALLMENT_PAID;
            const eval_receipt *rc = completing_receipt(c, k + 1);
            if (rc != NULL) {
                it->paid_date = rc->date;
                it->paid_by = rc->id;
            }
            r->paid_installments++;
        } else if (it->due_date > c->in->as_of) {
            it->state = INSTALLMENT_FUTURE;
        } else {
            it->state = INSTALLMENT_UNPAID;
        }
    }
}

static void add_refund(eval_result *r, refund_reason reason, fen_t amount, date_t due_by,
                       const char *detail)
{
    eval_refund *f = &r->refunds[r->refund_count++];
    f->reason = reason;
    f->amount = amount;
    f->due_by = due_by;
    snprintf(f->detail, sizeof f->detail, "%s", detail);
}

/* 第二十九条 and 释义10: unearned net premium of the current period, half-up to the fen. */
static void cancellation_refund(eval_ctx *c)
{
    const policy_terms *p = &c->in->terms;
    date_t cancel = c->in->cancellation;
    if (c->out->status != STATUS_CANCELLED || cancel < p->start_date)
        return;
    size_t current = due_count(c, cancel);
    if (covered_on(c, cancel) < current)
        return; /* nothing is refunded for a period whose installment was not paid */
    date_t from = c->due[current - 1];
    date_t to = schedule_period_end(p, c->due, c->n, current - 1);
    int64_t n = to - from + 1, m = cancel - from + 1;
    fen_t amount = money_mul_div_round(p->net_premium, n - m, n);
    if (amount <= 0)
        return;
    char detail[EVAL_REASON_MAX], a[DATE_STR_SIZE], b[DATE_STR_SIZE], net[MONEY_STR_SIZE];
    date_format(from, a);
    date_format(to, b);
    money_format(p->net_premium, net);
    snprintf(detail, sizeof detail, "unearned net premium: %s x (1 - %lld/%lld), period %s..%s",
             net, (long long)m, (long long)n, a, b);
    add_refund(c->out, REFUND_CANCELLATION, amount, cancel + 30, detail);
}

static void excess_refund(eval_ctx *c, size_t owed)
{
    eval_result *r = c->out;
    fen_t excess = r->received - premium_for(c, owed);
    /* forgiven money was never received: it is not paid back */
    if (excess > r->received - c->written_off)
        excess = r->received - c->written_off;
    if (excess <= 0)
        return;
    date_t base = c->last_receipt;
    if (policy_status_is_final(r->status) && r->status_since > base)
        base = r->status_since;
    char detail[EVAL_REASON_MAX], kept[MONEY_STR_SIZE];
    money_format(premium_for(c, owed), kept);
    snprintf(detail, sizeof detail, "received beyond the %s the policy can keep (%s)", kept,
             policy_status_name(r->status));
    add_refund(r, REFUND_EXCESS, excess, base + 30, detail);
}

static void summarise(eval_ctx *c, size_t owed)
{
    eval_result *r = c->out;
    date_t as_of = c->in->as_of;
    fen_t due_so_far = premium_for(c, due_count(c, as_of));
    /* An installment due today can still be paid today: it is not yet in arrears. */
    fen_t overdue = premium_for(c, due_count(c, as_of - 1));
    fen_t kept = r->received < premium_for(c, owed) ? r->received : premium_for(c, owed);
    r->arrears = 0;
    r->credit = 0;
    if (in_effect(r->status)) {
        r->arrears = overdue > r->received ? overdue - r->received : 0;
        r->credit = kept > due_so_far ? kept - due_so_far : 0;
    } else if (r->status == STATUS_EXPIRED) {
        fen_t all = premium_for(c, c->n);
        r->arrears = all > r->received ? all - r->received : 0;
    } else if (r->status == STATUS_PENDING) {
        r->credit = kept;
    }
    r->oldest_unpaid_due_date = DATE_NONE;
    r->next_due_date = DATE_NONE;
    r->days_overdue = 0;
    bool open = in_effect(r->status) || r->status == STATUS_PENDING;
    for (size_t k = 0; k < r->installment_count; k++) {
        const eval_installment *it = &r->installments[k];
        if (it->state == INSTALLMENT_UNPAID && r->oldest_unpaid_due_date == DATE_NONE &&
            (open || r->status == STATUS_EXPIRED))
            r->oldest_unpaid_due_date = it->due_date;
        if (it->state == INSTALLMENT_FUTURE && r->next_due_date == DATE_NONE && open)
            r->next_due_date = it->due_date;
    }
    if (r->oldest_unpaid_due_date != DATE_NONE)
        r->days_overdue = (int)(as_of - r->oldest_unpaid_due_date);
}

static void consider(date_t *next, date_t as_of, date_t d)
{
    if (d != DATE_NONE && d > as_of && (*next == DATE_NONE || d < *next))
        *next = d;
}

/* Every date the evaluation compares with as_of (collect_points, the due dates
 * of fill_installments and summarise, the receipts counted by their date): the
 * result is the same on every day before the first of them after as_of. */
static date_t next_change(const eval_ctx *c)
{
    const eval_input *in = c->in;
    date_t as_of = in->as_of, next = DATE_NONE;
    consider(&next, as_of, in->terms.start_date);
    consider(&next, as_of, in->terms.start_date + c->cfg->first_payment_window);
    consider(&next, as_of, in->terms.end_date + 1);
    if (in->cancellation != DATE_NONE)
        consider(&next, as_of, in->cancellation);
    for (size_t k = 0; k < c->n; k++) {
        consider(&next, as_of, c->due[k]);
        consider(&next, as_of, c->due[k] + 1);
        consider(&next, as_of, c->due[k] + GRACE_DAYS + 1);
    }
    for (size_t i = 0; i < in->receipt_count; i++) {
        consider(&next, as_of, in->receipts[i].date);
        consider(&next, as_of, in->receipts[i].date + 1);
    }
    for (size_t i = 0; i < in->agreement_count; i++)
        consider(&next, as_of, in->agreements[i]);
    for (size_t i = 0; i < in->holiday_count; i++) {
        consider(&next, as_of, in->holidays[i].from);
        consider(&next, as_of, in->holidays[i].until + 1);
    }
    return next;
}

recon_status eval_policy(const eval_input *in, const eval_config *cfg, eval_result *out,
                         err_t *err)
{
    recon_status st = validate_terms(&in->terms, cfg, err);
    if (st != RECON_OK)
        return st;
    eval_ctx c = {.in = in, .cfg = cfg, .out = out, .suspended_on = DATE_NONE,
                  .last_receipt = DATE_NONE};
    if (!schedule_due_dates(&in->terms, c.due, SCHEDULE_MAX_INSTALLMENTS, &c.n))
        return err_set(err, RECON_EDATA, "policy period longer than %d installments",
                       SCHEDULE_MAX_INSTALLMENTS);

    size_t points = 4 + 2 * c.n + 2 * in->receipt_count + in->agreement_count +
                    in->holiday_count;
    if ((st = reserve_scratch(out, in->receipt_count, points, err)) != RECON_OK)
        return st;
    /* Only money received by the as-of date counts; input order never matters. */
    for (size_t i = 0; i < in->receipt_count; i++)
        if (in->receipts[i].date <= in->as_of)
            out->sorted[c.nr++] = in->receipts[i];
    qsort(out->sorted, c.nr, sizeof *out->sorted, receipt_cmp);
    if ((st = check_money(&c, err)) != RECON_OK)
        return st;
    out->prefix[0] = 0;
    for (size_t i = 0; i < c.nr; i++) {
        out->prefix[i + 1] = out->prefix[i];
        eval_receipt *w = &out->sorted[i];
        if (w->write_off) { /* forgives only what is due and unpaid on its day */
            fen_t unpaid = premium_for(&c, due_count(&c, w->date)) - out->prefix[i];
            if (unpaid < 0)
                unpaid = 0;
            if (w->amount > unpaid)
                w->amount = unpaid;
            c.written_off += w->amount;
        }
        if (!money_add(&out->prefix[i + 1], out->sorted[i].amount))
            return err_set(err, RECON_EINTERNAL, "money received overflows despite its bound");
    }
    if (c.nr > 0)
        c.last_receipt = out->sorted[c.nr - 1].date;

    out->status = STATUS_PENDING;
    out->status_since = DATE_NONE;
    out->event_count = 0;
    out->allocation_count = 0;
    out->refund_count = 0;
    out->received = out->prefix[c.nr];
    out->installment_count = c.n;
    memset(out->installments, 0, c.n * sizeof out->installments[0]);

    size_t np = collect_points(&c);
    for (size_t i = 0; i < np && !policy_status_is_final(out->status); i++)
        if ((st = step_day(&c, out->points[i], err)) != RECON_OK)
            return st;

    size_t owed = owed_installments(&c);
    if ((st = allocate(&c, owed, err)) != RECON_OK)
        return st;
    fill_installments(&c, owed);
    cancellation_refund(&c);
    excess_refund(&c, owed);
    summarise(&c, owed);
    out->next_change = next_change(&c);
    return RECON_OK;
}
