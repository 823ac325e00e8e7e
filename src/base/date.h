/*
 * date — civil dates and UTC instants, as distinct types.
 *
 * rg_date is a civil (calendar) date with no time zone: the number of days
 * since 1970-01-01 (proleptic Gregorian). Due dates, issue dates and
 * holidays are rg_date. rg_instant is a UTC instant in whole seconds since
 * the Unix epoch: when something happened or is planned to happen. Turning
 * one into the other needs a time zone (see base/tz.h). Nothing here reads
 * the clock; see base/clock.h.
 */
#ifndef RG_DATE_H
#define RG_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t rg_date;
typedef int64_t rg_instant;

#define RG_DATE_NONE INT32_MIN
#define RG_INSTANT_NONE INT64_MIN

rg_date rg_date_from_ymd(int y, int m, int d);
void rg_date_to_ymd(rg_date date, int *y, int *m, int *d);
bool rg_date_valid_ymd(int y, int m, int d);
int rg_days_in_month(int y, int m);

/* 0 = Sunday ... 6 = Saturday. */
int rg_date_weekday(rg_date d);

/* Accepts "YYYY-MM-DD" and "DD/MM/YYYY" (exactly, digits only). */
bool rg_date_parse(const char *s, size_t len, rg_date *out);

/* "2026-12-10"; buf of at least 11 bytes. */
char *rg_date_format_iso(rg_date d, char *buf, size_t n);
/* "10/12/2026"; buf of at least 11 bytes. */
char *rg_date_format_br(rg_date d, char *buf, size_t n);

/* Civil date + time of day <-> seconds as if the date were in UTC. */
rg_instant rg_instant_from_civil(rg_date d, int hour, int min, int sec);
rg_date rg_instant_utc_date(rg_instant t);
int rg_instant_utc_seconds_of_day(rg_instant t);

/* ISO-8601: "2026-12-10T09:30:00Z", "2026-12-10T09:30:00-03:00",
 * "2026-12-10T09:30Z", fractional seconds ignored, "2026-12-10 09:30:00"
 * (a space for T) and a bare date "2026-12-10". Without an offset the time
 * is taken as UTC. */
bool rg_instant_parse(const char *s, size_t len, rg_instant *out);

/* "2026-12-10T12:30:00Z"; buf of at least 21 bytes. */
char *rg_instant_format(rg_instant t, char *buf, size_t n);

#endif
