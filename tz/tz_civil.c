/* tz/tz_civil.c: the civil (proleptic Gregorian) calendar: dates to and from day numbers, weekdays, month
 * lengths, civil-time validity and civil time to and from milliseconds read as UTC. No zone: the lowest file
 * of tz/, which the zone rules (tz_zone.c) and the conversions (tz_convert.c) are built on. */
#include <stdbool.h>

#include "tz/tz_internal.h"

/* Days are counted in 400-year eras starting on March 1, so the leap day is the last day of a "year". */
int64_t tz_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2 ? 1 : 0);
    int64_t era = tz_floordiv(y, 400);
    int64_t yoe = y - era * 400;                               /* 0..399 */
    int64_t mp = (month + 9) % 12;                             /* March = 0 ... February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;       /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;       /* 0..146096 */
    return era * 146097 + doe - 719468;                        /* 719468 = days from 0000-03-01 to 1970-01-01 */
}

void tz_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = tz_floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (m <= 2 ? 1 : 0));
    *month = m;
    *day = d;
}

int tz_weekday(int year, int month, int day)
{
    int64_t d = tz_days_from_civil(year, month, day);
    return (int)tz_floormod(d + 3, 7) + 1; /* 1970-01-01 was a Thursday (4) */
}

int tz_days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    if (month == 2) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
    }
    return dim[month - 1];
}

int tz_civil_valid(const tz_civil_t *c)
{
    if (c == NULL || c->year < -1000000 || c->year > 1000000) return 0;
    if (c->month < 1 || c->month > 12 || c->day < 1 || c->day > tz_days_in_month(c->year, c->month)) return 0;
    if (c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59 || c->second < 0 || c->second > 59)
        return 0;
    return c->millisecond >= 0 && c->millisecond <= 999;
}

int64_t tz_civil_to_ms(const tz_civil_t *c)
{
    int64_t days = tz_days_from_civil(c->year, c->month, c->day);
    return days * TZ_MS_PER_DAY + c->hour * TZ_MS_PER_HOUR + c->minute * TZ_MS_PER_MINUTE +
           c->second * TZ_MS_PER_SECOND + c->millisecond;
}

void tz_ms_to_civil(int64_t ms, tz_civil_t *out)
{
    int64_t days = tz_floordiv(ms, TZ_MS_PER_DAY);
    int64_t rem = ms - days * TZ_MS_PER_DAY;
    tz_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(rem / TZ_MS_PER_HOUR);
    out->minute = (int)(rem / TZ_MS_PER_MINUTE % 60);
    out->second = (int)(rem / TZ_MS_PER_SECOND % 60);
    out->millisecond = (int)(rem % 1000);
}
