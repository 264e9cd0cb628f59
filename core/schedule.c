#include "core/schedule.h"

bool schedule_due_dates(const policy_terms *terms, date_t *due, size_t cap, size_t *count)
{
    size_t n = 0;
    if (terms->mode == PAYMENT_SINGLE) {
        if (cap < 1)
            return false;
        due[n++] = terms->start_date;
        *count = n;
        return true;
    }
    for (int k = 0;; k++) {
        date_t d = date_add_months_clause(terms->start_date, k);
        if (d > terms->end_date)
            break;
        if (n == cap)
            return false;
        due[n++] = d;
    }
    *count = n;
    return true;
}

date_t schedule_period_end(const policy_terms *terms, const date_t *due, size_t count, size_t k)
{
    if (k + 1 < count)
        return due[k + 1] - 1;
    return terms->end_date;
}
