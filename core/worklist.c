#include "core/worklist.h"

#include <string.h>

static const char *const ageing_names[WORKLIST_AGEING_BUCKETS] = {"current", "1-30", "31-60",
                                                                  "61-90", "90+"};
static const char *const suspense_names[WORKLIST_SUSPENSE_BUCKETS] = {"0-7", "8-30", "31-90",
                                                                      "90+"};

/* The last day of each bucket but the open-ended last one, as the names say. */
static const long long ageing_last[WORKLIST_AGEING_BUCKETS - 1] = {0, 30, 60, 90};
static const long long suspense_last[WORKLIST_SUSPENSE_BUCKETS - 1] = {7, 30, 90};

static size_t bucket_of(long long days, const long long *last, size_t n)
{
    size_t i = 0;
    while (i < n && days > last[i])
        i++;
    return i;
}

size_t worklist_ageing(int days_overdue)
{
    return bucket_of(days_overdue, ageing_last, WORKLIST_AGEING_BUCKETS - 1);
}

size_t worklist_suspense_age(long long days)
{
    return bucket_of(days, suspense_last, WORKLIST_SUSPENSE_BUCKETS - 1);
}

const char *worklist_ageing_name(size_t bucket)
{
    return bucket < WORKLIST_AGEING_BUCKETS ? ageing_names[bucket] : "unknown";
}

const char *worklist_suspense_age_name(size_t bucket)
{
    return bucket < WORKLIST_SUSPENSE_BUCKETS ? suspense_names[bucket] : "unknown";
}

bool worklist_ageing_from_name(const char *name, size_t *bucket)
{
    for (size_t i = 0; i < WORKLIST_AGEING_BUCKETS; i++)
        if (strcmp(name, ageing_names[i]) == 0) {
            *bucket = i;
            return true;
        }
    return false;
}

bool worklist_suspension_soon(date_t due, date_t end_date, const payment_holiday *holidays,
                              size_t holiday_count, int notice_days, date_t night,
                              date_t *suspends_on)
{
    if (due == DATE_NONE || night == DATE_NONE ||
        due > worklist_suspension_soon_due_by(notice_days, night))
        return false;
    date_t day = policy_suspension_day(due + POLICY_GRACE_DAYS + 1, holidays, holiday_count);
    if (day > end_date || day - notice_days != night)
        return false;
    *suspends_on = day;
    return true;
}

date_t worklist_suspension_soon_due_by(int notice_days, date_t night)
{
    return night + notice_days - POLICY_GRACE_DAYS - 1;
}
