/* Calendar dates. */
#include "util/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int hf_date_parse(hf_date *out, const char *s, hf_error *err)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return hf_error_set(err, "'%s' is not a date of the form YYYY-MM-DD", s);
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return hf_error_set(err, "'%s' is not a date of the form YYYY-MM-DD", s);
    hf_date d;
    d.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    d.month = (s[5] - '0') * 10 + (s[6] - '0');
    d.day = (s[8] - '0') * 10 + (s[9] - '0');
    if (d.month < 1 || d.month > 12)
        return hf_error_set(err, "'%s' has no month %d", s, d.month);
    int dim = days[d.month - 1] + (d.month == 2 && leap(d.year));
    if (d.day < 1 || d.day > dim)
        return hf_error_set(err, "'%s' is not a day of that month", s);
    *out = d;
    return 0;
}

hf_date hf_date_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    hf_date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    return d;
}

int hf_date_cmp(hf_date a, hf_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

void hf_date_format(hf_date d, char out[11])
{
    unsigned y = (unsigned)d.year % 10000u, m = (unsigned)d.month % 100u, dd = (unsigned)d.day % 100u;
    snprintf(out, 11, "%04u-%02u-%02u", y, m, dd);
}

long long hf_date_epoch(hf_date d)
{
    /* days from civil (Howard Hinnant's algorithm), proleptic Gregorian */
    int y = d.year - (d.month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = (long long)era * 146097 + (long long)doe - 719468;
    return days * 86400;
}
