#include "core/date.h"

#include <string.h>

bool date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && date_is_leap(year))
        return 29;
    return days[month - 1];
}

bool date_valid(int year, int month, int day)
{
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR || month < 1 || month > 12 || day < 1)
        return false;
    return day <= date_days_in_month(year, month);
}

/* Howard Hinnant's days-from-civil: exact integer arithmetic, no tables. */
date_t date_from_ymd(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int mp = (month + 9) % 12;
    int doy = (153 * mp + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (date_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(date_t d, int *year, int *month, int *day)
{
    int z = d + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int dd = doy - (153 * mp + 2) / 5 + 1;
    int mm = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (mm <= 2);
    *month = mm;
    *day = dd;
}

bool date_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool date_parse(const char *s, size_t len, date_t *out)
{
    int y, m, d;
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!date_digits(s, 4, &y) || !date_digits(s + 5, 2, &m) || !date_digits(s + 8, 2, &d))
        return false;
    if (!date_valid(y, m, d))
        return false;
    *out = date_from_ymd(y, m, d);
    return true;
}

bool date_parse_compact(const char *s, size_t len, date_t *out)
{
    int y, m, d;
    if (len != 8 || !date_digits(s, 4, &y) || !date_digits(s + 4, 2, &m) ||
        !date_digits(s + 6, 2, &d))
        return false;
    if (!date_valid(y, m, d))
        return false;
    *out = date_from_ymd(y, m, d);
    return true;
}

bool date_parse_datetime(const char *s, size_t len, unsigned flags, date_t *out)
{
    static const int maxv[3] = {23, 59, 59};
    date_t d;
    if (len < 11 || s[10] != ' ' || !date_parse(s, 10, &d))
        return false;
    size_t i = 11;
    for (int part = 0; part < 3; part++) {
        if (part == 2 && i == len && (flags & DATE_TIME_SECONDS_OPTIONAL))
            break;
        if (part > 0) {
            if (i < len && s[i] == ':')
                i++;
            else if ((flags & DATE_TIME_WIDE_COLON) && len - i >= 3 &&
                     memcmp(s + i, "\xEF\xBC\x9A", 3) == 0)
                i += 3;
            else
                return false;
        }
        int v;
        if (len - i < 2 || !date_digits(s + i, 2, &v) || v > maxv[part])
            return false;
        i += 2;
    }
    if (i != len)
        return false;
    *out = d;
    return true;
}

void date_format(date_t d, char out[DATE_STR_SIZE])
{
    if (d == DATE_NONE) {
        out[0] = '\0';
        return;
    }
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    /* Years are bounded by date_valid, so four digits always suffice. */
    out[0] = (char)('0' + (y / 1000) % 10);
    out[1] = (char)('0' + (y / 100) % 10);
    out[2] = (char)('0' + (y / 10) % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + dd / 10);
    out[9] = (char)('0' + dd % 10);
    out[10] = '\0';
}

date_t date_add_months_clause(date_t d, int months)
{
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    int index = y * 12 + (m - 1) + months;
    int ny = index / 12;
    int nm = index % 12 + 1;
    if (day <= date_days_in_month(ny, nm))
        return date_from_ymd(ny, nm, day);
    /* 释义7: a month without the start's day falls due on the 1st of the next month. */
    return date_from_ymd(ny, nm, date_days_in_month(ny, nm)) + 1;
}
