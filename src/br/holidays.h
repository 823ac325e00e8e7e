/*
 * holidays — Brazilian holidays, bank business days and calendar files.
 *
 * Three questions are answered for any civil date of any year:
 *   - is it a national holiday (Lei 662/1949 as amended, Lei 6.802/1980,
 *     Lei 14.759/2023 for 20 November from 2024 on, and Good Friday)?
 *   - is it a bank business day (CMN Resolução 4.880/2020: not a weekend,
 *     not a national holiday, not Carnival Monday or Tuesday, not Corpus
 *     Christi; plus the last weekday of the year, on which FEBRABAN
 *     announces no banking hours and no clearing)? Due dates move by it.
 *   - is it a contact holiday (national holidays plus the state or city
 *     holidays of a calendar file)? Send windows close on it.
 * See docs/internals/calendar.md for the rules and their sources.
 *
 * An rg_calendar is the national rules plus the extra holidays of one or
 * more calendar files. It is owned (rg_calendar_new / rg_calendar_free,
 * NULL-safe) and read-only once loaded, so one may be shared by threads.
 * Every query accepts a NULL calendar, meaning the national rules alone.
 * Holiday names are borrowed: static strings for national days, and
 * strings owned by the calendar (valid until rg_calendar_free) for file
 * entries.
 *
 * Calendar file format (UTF-8, one holiday per line):
 *
 *     # São Paulo (capital)
 *     01-25        Aniversário de São Paulo     # every year (MM-DD)
 *     20/01        São Sebastião                # every year (DD/MM)
 *     07-09  bank  Revolução Constitucionalista # banks close too
 *     2026-06-05   Ponte de Corpus Christi      # that date only
 *     easter+60    Corpus Christi               # relative to Easter Sunday
 *
 * A line is a date, an optional scope word and a name. Dates: YYYY-MM-DD
 * or DD/MM/YYYY (that date only), MM-DD or DD/MM (every year; 02-29 only
 * in leap years), easter, easter+N or easter-N (N days from Easter Sunday,
 * 0..366). Scope: `contact` (the default: closes send windows only) or
 * `bank` (also a bank non-business day, so due dates move). The name is
 * the rest of the line (1..120 bytes of UTF-8). Blank lines and lines
 * starting with '#' are ignored, and " #" starts a trailing comment. A
 * bad line is an error naming file:line; nothing of a file with an error
 * is added.
 */
#ifndef RG_HOLIDAYS_H
#define RG_HOLIDAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/date.h"
#include "base/err.h"

typedef struct rg_calendar rg_calendar;

/* Flags of a listed holiday. */
#define RG_HOLIDAY_NATIONAL 0x1u /* a national holiday */
#define RG_HOLIDAY_BANK 0x2u     /* banks do not open: due dates move past it */
#define RG_HOLIDAY_CONTACT 0x4u  /* send windows close (unless `holidays: open`) */
#define RG_HOLIDAY_FILE 0x8u     /* came from a calendar file */

typedef struct rg_holiday {
    rg_date date;
    const char *name; /* borrowed, see above */
    unsigned flags;
} rg_holiday;

/* Easter Sunday of year y (Gregorian; the anonymous "Meeus/Jones/Butcher"
 * computus), for y >= 1583. */
rg_date rg_easter(int y);

/* True for a national holiday; *name (may be NULL) gets its pt-BR name,
 * or NULL when false. Carnival and Corpus Christi are not national
 * holidays (they are bank non-business days, see below). */
bool rg_is_national_holiday(rg_date d, const char **name);

rg_calendar *rg_calendar_new(void); /* NULL on allocation failure */
void rg_calendar_free(rg_calendar *cal);

/* Adds the holidays of calendar-file text text[0..len). `source` names
 * the text in errors ("feriados-sp.txt" gives "feriados-sp.txt:3"). On
 * error nothing is added. */
rg_status rg_calendar_parse(rg_calendar *cal, const char *text, size_t len, const char *source,
                            rg_err *e);

/* Reads the file at `path` (at most 1 MiB) and adds its holidays. */
rg_status rg_calendar_load(rg_calendar *cal, const char *path, rg_err *e);

/* Number of entries (lines) the calendar holds from files. */
size_t rg_calendar_size(const rg_calendar *cal);

/* A bank non-business day that is not a weekend day: national holidays,
 * Carnival Monday and Tuesday, Corpus Christi, the last weekday of the
 * year, and file holidays marked `bank`. *name (may be NULL) as above. */
bool rg_is_bank_holiday(const rg_calendar *cal, rg_date d, const char **name);

/* Monday to Friday and not a bank holiday. */
bool rg_is_bank_business_day(const rg_calendar *cal, rg_date d);

/* d itself when it is a bank business day, else the next one.
 * RG_DATE_NONE when none is found within 366 days (a calendar file that
 * closes every day) or d is RG_DATE_NONE. */
rg_date rg_next_bank_business_day(const rg_calendar *cal, rg_date d);

/* The date a payment is due for lateness: the nominal due date moved to
 * the next bank business day (itself when it is one). A payment on the
 * effective due date is on time. */
rg_date rg_effective_due_date(const rg_calendar *cal, rg_date nominal_due);

/* Counts n bank business days from d, not counting d: n = 1 is the first
 * business day after d, n = 0 is d itself, negative n counts backwards.
 * RG_DATE_NONE if a step finds no business day within 366 days. */
rg_date rg_add_bank_business_days(const rg_calendar *cal, rg_date d, int n);

/* A day on which send windows close (unless the cadence says `holidays:
 * open`): national holidays and every calendar-file holiday (either
 * scope). Bank-only days (Carnival, Corpus Christi, year end) are not
 * contact holidays unless a file says so. */
bool rg_is_contact_holiday(const rg_calendar *cal, rg_date d);

/* Same, with the holiday's name in *name (NULL when false). */
bool rg_contact_holiday_name(const rg_calendar *cal, rg_date d, const char **name);

/* Lists the holidays of `year` (national, bank-only and file ones) sorted
 * by date, national first on a shared date. Writes at most cap entries
 * and returns how many there are in all (call with cap 0 to size). */
size_t rg_holidays_of_year(const rg_calendar *cal, int year, rg_holiday *out, size_t cap);

#endif
