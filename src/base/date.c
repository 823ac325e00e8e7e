#include "base/date.h"

#include <stdio.h>

/* Howard Hinnant's days_from_civil / civil_from_days. */
rg_date rg_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2u) / 5u + (unsigned)d - 1u;
    const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return (rg_date)(era * 146097 + (int)doe - 719468);
}

void rg_date_to_ymd(rg_date date, int *y, int *m, int *d)
{
    int z = date + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    const int yy = (int)yoe + era * 400;
    const unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    const unsigned mp = (5u * doy + 2u) / 153u;
    const unsigned dd = doy - (153u * mp + 2u) / 5u + 1u;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (mm <= 2);
    *m = (int)mm;
    *d = (int)dd;
}

int rg_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

bool rg_date_valid_ymd(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= rg_days_in_month(y, m);
}

int rg_date_weekday(rg_date d)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)((d % 7 + 7 + 4) % 7);
    return w;
}

static bool digits(const char *s, size_t n, int *out)
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

bool rg_date_parse(const char *s, size_t len, rg_date *out)
{
    int y, m, d;
    *out = RG_DATE_NONE;
    if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
            return false;
    } else if (len == 10 && s[2] == '/' && s[5] == '/') {
        if (!digits(s, 2, &d) || !digits(s + 3, 2, &m) || !digits(s + 6, 4, &y))
            return false;
    } else {
        return false;
    }
    if (!rg_date_valid_ymd(y, m, d))
        return false;
    *out = rg_date_from_ymd(y, m, d);
    return true;
}

char *rg_date_format_iso(rg_date d, char *buf, size_t n)
{
    int y, m, dd;
    rg_date_to_ymd(d, &y, &m, &dd);
    if (y < 0 || y > 9999 || n < 11) {
        snprintf(buf, n, "%04d-%02d-%02d", y, m, dd);
        return buf;
    }
    /* what the snprintf above writes, without it (a list page writes
     * three per invoice) */
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + dd / 10);
    buf[9] = (char)('0' + dd % 10);
    buf[10] = '\0';
    return buf;
}

char *rg_date_format_br(rg_date d, char *buf, size_t n)
{
    int y, m, dd;
    rg_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, n, "%02d/%02d/%04d", dd, m, y);
    return buf;
}

rg_instant rg_instant_from_civil(rg_date d, int hour, int min, int sec)
{
    return (rg_instant)d * 86400 + hour * 3600 + min * 60 + sec;
}

rg_date rg_instant_utc_date(rg_instant t)
{
    rg_instant days = t / 86400;
    if (t % 86400 < 0)
        days--;
    return (rg_date)days;
}

int rg_instant_utc_seconds_of_day(rg_instant t)
{
    int s = (int)(t % 86400);
    return s < 0 ? s + 86400 : s;
}

bool rg_instant_parse(const char *s, size_t len, rg_instant *out)
{
    rg_date d;
    *out = RG_INSTANT_NONE;
    if (len < 10 || !rg_date_parse(s, 10, &d) || s[4] != '-')
        return false;
    if (len == 10) {
        *out = rg_instant_from_civil(d, 0, 0, 0);
        return true;
    }
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return false;
    size_t i = 11;
    int hh, mm, ss = 0;
    if (len < i + 5 || !digits(s + i, 2, &hh) || s[i + 2] != ':' || !digits(s + i + 3, 2, &mm))
        return false;
    i += 5;
    if (i < len && s[i] == ':') {
        if (len < i + 3 || !digits(s + i + 1, 2, &ss))
            return false;
        i += 3;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t start = i;
            while (i < len && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i == start)
                return false;
        }
    }
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    int offset = 0;
    if (i < len) {
        if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            int oh, om = 0;
            int sign = s[i] == '-' ? -1 : 1;
            i++;
            if (len < i + 2 || !digits(s + i, 2, &oh))
                return false;
            i += 2;
            if (i < len && s[i] == ':')
                i++;
            if (i < len) {
                if (len < i + 2 || !digits(s + i, 2, &om))
                    return false;
                i += 2;
            }
            if (i != len || oh > 23 || om > 59)
                return false;
            offset = sign * (oh * 3600 + om * 60);
        } else {
            return false;
        }
    }
    if (i != len)
        return false;
    *out = rg_instant_from_civil(d, hh, mm, ss) - offset;
    return true;
}

char *rg_instant_format(rg_instant t, char *buf, size_t n)
{
    int y, m, d;
    rg_date_to_ymd(rg_instant_utc_date(t), &y, &m, &d);
    int sod = rg_instant_utc_seconds_of_day(t);
    if (y >= 0 && y <= 9999 && n >= 21) {
        /* what the snprintf below writes, without it (the log driver and
         * the outbox format one per message) */
        int v[6] = {y, m, d, sod / 3600, sod / 60 % 60, sod % 60};
        static const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
        char *p = buf;
        *p++ = (char)('0' + y / 1000);
        *p++ = (char)('0' + y / 100 % 10);
        *p++ = (char)('0' + y / 10 % 10);
        *p++ = (char)('0' + y % 10);
        *p++ = sep[0];
        for (int k = 1; k < 6; k++) {
            *p++ = (char)('0' + v[k] / 10);
            *p++ = (char)('0' + v[k] % 10);
            *p++ = sep[k];
        }
        *p = '\0';
        return buf;
    }
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, sod / 3600, sod / 60 % 60, sod % 60);
    return buf;
}
