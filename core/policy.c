#include "core/policy.h"

#include <string.h>

static const char *const status_names[POLICY_STATUS_COUNT] = {
    "pending", "in_force", "grace", "suspended", "terminated", "expired", "not_effective",
    "cancelled",
};

const char *policy_status_name(policy_status s)
{
    if ((unsigned)s >= POLICY_STATUS_COUNT)
        return "unknown";
    return status_names[s];
}

bool policy_status_from_name(const char *name, policy_status *out)
{
    for (int i = 0; i < POLICY_STATUS_COUNT; i++)
        if (strcmp(status_names[i], name) == 0) {
            *out = (policy_status)i;
            return true;
        }
    return false;
}

bool policy_status_is_final(policy_status s)
{
    return s == STATUS_TERMINATED || s == STATUS_EXPIRED || s == STATUS_NOT_EFFECTIVE ||
           s == STATUS_CANCELLED;
}

const char *payment_mode_name(payment_mode m) { return m == PAYMENT_SINGLE ? "single" : "monthly"; }

bool payment_mode_from_name(const char *name, payment_mode *out)
{
    if (strcmp(name, "monthly") == 0)
        *out = PAYMENT_MONTHLY;
    else if (strcmp(name, "single") == 0)
        *out = PAYMENT_SINGLE;
    else
        return false;
    return true;
}

date_t policy_default_end(date_t start)
{
    /* "One year later" follows the same month arithmetic as 释义7, so a 29 February
     * start ends on 28 February: the anniversary rolls to 1 March, minus one day. */
    return date_add_months_clause(start, 12) - 1;
}

date_t policy_suspension_day(date_t earliest, const payment_holiday *holidays, size_t count)
{
    /* Holidays may overlap or adjoin in any order: move past each one that covers the day
     * until none does (each pass moves the day forward, so at most count passes). */
    date_t day = earliest;
    for (bool moved = true; moved;) {
        moved = false;
        for (size_t i = 0; i < count; i++)
            if (holidays[i].from <= day && day <= holidays[i].until) {
                day = holidays[i].until + 1;
                moved = true;
            }
    }
    return day;
}

bool policy_holiday_next(const char **s, payment_holiday *out)
{
    const char *p = *s;
    if (strlen(p) < 21 || p[10] != ':' || !date_parse(p, 10, &out->from) ||
        !date_parse(p + 11, 10, &out->until) || (p[21] != ',' && p[21] != '\0'))
        return false;
    *s = p + (p[21] == ',' ? 22 : 21);
    return true;
}
