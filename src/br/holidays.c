#include "br/holidays.h"

#include "base/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CAL_FILE_MAX (1024 * 1024)
#define NAME_MAX_BYTES 120
#define SEARCH_DAYS 366
#define ADD_DAYS_MAX 36500

/* Fixed-date national holidays. Lei 662/1949 (as amended by Lei
 * 10.607/2002), Lei 6.802/1980 (12 October), Lei 14.759/2023 (20 November,
 * national from 2024). */
typedef struct fixed_holiday {
    int month, day, from_year;
    const char *name;
} fixed_holiday;

static const fixed_holiday FIXED[] = {
    {1, 1, 0, "Confraternização Universal"},
    {4, 21, 0, "Tiradentes"},
    {5, 1, 0, "Dia do Trabalho"},
    {9, 7, 0, "Independência do Brasil"},
    {10, 12, 1980, "Nossa Senhora Aparecida"},
    {11, 2, 0, "Finados"},
    {11, 15, 0, "Proclamação da República"},
    {11, 20, 2024, "Dia Nacional de Zumbi e da Consciência Negra"},
    {12, 25, 0, "Natal"},
};

static const char GOOD_FRIDAY[] = "Paixão de Cristo";
static const char CARNIVAL_MON[] = "Carnaval (segunda-feira)";
static const char CARNIVAL_TUE[] = "Carnaval (terça-feira)";
static const char CORPUS_CHRISTI[] = "Corpus Christi";
static const char YEAR_END[] = "Último dia útil do ano (sem expediente bancário)";

enum { ENT_DATE, ENT_YEARLY, ENT_EASTER };

typedef struct cal_ent {
    int kind;
    rg_date date;   /* ENT_DATE */
    int month, day; /* ENT_YEARLY */
    int offset;     /* ENT_EASTER: days from Easter Sunday */
    bool bank;
    char *name;
} cal_ent;

struct rg_calendar {
    cal_ent *v;
    size_t n;
};

/* Dates outside years 1..9999 are no holiday and no business day. */
static bool in_range(rg_date d)
{
    return d >= -719162 /* 0001-01-01 */ && d <= 2932896 /* 9999-12-31 */;
}

rg_date rg_easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return rg_date_from_ymd(y, month, day);
}

static const char *national(rg_date d, int y, int m, int dd)
{
    for (size_t i = 0; i < sizeof FIXED / sizeof FIXED[0]; i++)
        if (FIXED[i].month == m && FIXED[i].day == dd && y >= FIXED[i].from_year)
            return FIXED[i].name;
    if ((m == 3 || m == 4) && d == rg_easter(y) - 2)
        return GOOD_FRIDAY;
    return NULL;
}

/* The last Monday-to-Friday of year y. */
static rg_date year_end_day(int y)
{
    rg_date d = rg_date_from_ymd(y, 12, 31);
    int wd = rg_date_weekday(d);
    return wd == 6 ? d - 1 : wd == 0 ? d - 2 : d;
}

/* Bank non-business days that are not national holidays. */
static const char *bank_only(rg_date d, int y, int m)
{
    if (m >= 2 && m <= 6) {
        rg_date e = rg_easter(y);
        if (d == e - 48)
            return CARNIVAL_MON;
        if (d == e - 47)
            return CARNIVAL_TUE;
        if (d == e + 60)
            return CORPUS_CHRISTI;
    }
    if (m == 12 && d == year_end_day(y))
        return YEAR_END;
    return NULL;
}

static bool ent_matches(const cal_ent *x, rg_date d, int y, int m, int dd, rg_date easter[3])
{
    switch (x->kind) {
    case ENT_DATE:
        return x->date == d;
    case ENT_YEARLY:
        return x->month == m && x->day == dd;
    default:
        for (int i = 0; i < 3; i++) {
            if (easter[i] == RG_DATE_NONE)
                easter[i] = rg_easter(y - 1 + i);
            if (easter[i] + x->offset == d)
                return true;
        }
        return false;
    }
}

/* The first file entry on d (only `bank` ones when want_bank). */
static const char *file_holiday(const rg_calendar *cal, rg_date d, int y, int m, int dd,
                                bool want_bank)
{
    if (!cal)
        return NULL;
    rg_date easter[3] = {RG_DATE_NONE, RG_DATE_NONE, RG_DATE_NONE};
    for (size_t i = 0; i < cal->n; i++) {
        const cal_ent *x = &cal->v[i];
        if (want_bank && !x->bank)
            continue;
        if (ent_matches(x, d, y, m, dd, easter))
            return x->name;
    }
    return NULL;
}

bool rg_is_national_holiday(rg_date d, const char **name)
{
    const char *n = NULL;
    if (in_range(d)) {
        int y, m, dd;
        rg_date_to_ymd(d, &y, &m, &dd);
        n = national(d, y, m, dd);
    }
    if (name)
        *name = n;
    return n != NULL;
}

bool rg_is_bank_holiday(const rg_calendar *cal, rg_date d, const char **name)
{
    const char *n = NULL;
    if (in_range(d)) {
        int y, m, dd;
        rg_date_to_ymd(d, &y, &m, &dd);
        n = national(d, y, m, dd);
        if (!n)
            n = bank_only(d, y, m);
        if (!n)
            n = file_holiday(cal, d, y, m, dd, true);
    }
    if (name)
        *name = n;
    return n != NULL;
}

bool rg_is_bank_business_day(const rg_calendar *cal, rg_date d)
{
    if (!in_range(d))
        return false;
    int wd = rg_date_weekday(d);
    return wd != 0 && wd != 6 && !rg_is_bank_holiday(cal, d, NULL);
}

rg_date rg_next_bank_business_day(const rg_calendar *cal, rg_date d)
{
    if (!in_range(d))
        return RG_DATE_NONE;
    for (int i = 0; i <= SEARCH_DAYS; i++)
        if (rg_is_bank_business_day(cal, d + i))
            return d + i;
    return RG_DATE_NONE;
}

rg_date rg_effective_due_date(const rg_calendar *cal, rg_date nominal_due)
{
    return rg_next_bank_business_day(cal, nominal_due);
}

rg_date rg_add_bank_business_days(const rg_calendar *cal, rg_date d, int n)
{
    if (!in_range(d) || n > ADD_DAYS_MAX || n < -ADD_DAYS_MAX)
        return RG_DATE_NONE;
    int step = n < 0 ? -1 : 1;
    int left = n < 0 ? -n : n;
    while (left > 0) {
        int i = 1;
        for (; i <= SEARCH_DAYS; i++)
            if (rg_is_bank_business_day(cal, d + step * i))
                break;
        if (i > SEARCH_DAYS)
            return RG_DATE_NONE;
        d += step * i;
        left--;
    }
    return d;
}

bool rg_contact_holiday_name(const rg_calendar *cal, rg_date d, const char **name)
{
    const char *n = NULL;
    if (in_range(d)) {
        int y, m, dd;
        rg_date_to_ymd(d, &y, &m, &dd);
        n = national(d, y, m, dd);
        if (!n)
            n = file_holiday(cal, d, y, m, dd, false);
    }
    if (name)
        *name = n;
    return n != NULL;
}

bool rg_is_contact_holiday(const rg_calendar *cal, rg_date d)
{
    return rg_contact_holiday_name(cal, d, NULL);
}

size_t rg_holidays_of_year(const rg_calendar *cal, int year, rg_holiday *out, size_t cap)
{
    size_t n = 0;
    if (year < 1 || year > 9999)
        return 0;
    rg_date first = rg_date_from_ymd(year, 1, 1), last = rg_date_from_ymd(year, 12, 31);
    for (rg_date d = first; d <= last; d++) {
        int y, m, dd;
        rg_date_to_ymd(d, &y, &m, &dd);
        const char *nm = national(d, y, m, dd);
        if (nm) {
            if (n < cap)
                out[n] = (rg_holiday){d, nm, RG_HOLIDAY_NATIONAL | RG_HOLIDAY_BANK |
                                                 RG_HOLIDAY_CONTACT};
            n++;
        }
        nm = bank_only(d, y, m);
        if (nm) {
            if (n < cap)
                out[n] = (rg_holiday){d, nm, RG_HOLIDAY_BANK};
            n++;
        }
        if (!cal)
            continue;
        rg_date easter[3] = {RG_DATE_NONE, RG_DATE_NONE, RG_DATE_NONE};
        for (size_t i = 0; i < cal->n; i++) {
            const cal_ent *x = &cal->v[i];
            if (!ent_matches(x, d, y, m, dd, easter))
                continue;
            if (n < cap)
                out[n] = (rg_holiday){d, x->name,
                                      RG_HOLIDAY_FILE | RG_HOLIDAY_CONTACT |
                                          (x->bank ? RG_HOLIDAY_BANK : 0u)};
            n++;
        }
    }
    return n;
}

/* ---------------------------------------------------------------------- */
/* Calendar objects and files                                              */

rg_calendar *rg_calendar_new(void)
{
    return calloc(1, sizeof(rg_calendar));
}

static void free_entries(cal_ent *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
}

void rg_calendar_free(rg_calendar *cal)
{
    if (!cal)
        return;
    free_entries(cal->v, cal->n);
    free(cal->v);
    free(cal);
}

size_t rg_calendar_size(const rg_calendar *cal)
{
    return cal ? cal->n : 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static bool two_digits(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static rg_status date_spec(rg_slice tok, cal_ent *x, const char *where, rg_err *e)
{
    const char *s = tok.p;
    size_t n = tok.n;
    if (n >= 6 && strncasecmp(s, "easter", 6) == 0) {
        int64_t off = 0;
        if (n > 6 && ((s[6] != '+' && s[6] != '-') || n == 7 || n > 10 ||
                      !rg_parse_i64((rg_slice){s + 6, n - 6}, -366, 366, &off)))
            return rg_err_set(e, RG_EINVAL, where,
                              "expected easter, easter+N or easter-N with N in 0..366, found "
                              "\"%.*s\"",
                              (int)(n > 40 ? 40 : n), s);
        x->kind = ENT_EASTER;
        x->offset = (int)off;
        return RG_OK;
    }
    if (n == 10 && (s[4] == '-' || s[2] == '/')) {
        if (!rg_date_parse(s, n, &x->date))
            return rg_err_set(e, RG_EINVAL, where, "\"%.10s\" is not a valid date", s);
        x->kind = ENT_DATE;
        return RG_OK;
    }
    if (n == 5 && (s[2] == '-' || s[2] == '/')) {
        int a, b;
        if (!two_digits(s, &a) || !two_digits(s + 3, &b))
            return rg_err_set(e, RG_EINVAL, where, "\"%.5s\" is not MM-DD or DD/MM", s);
        int m = s[2] == '-' ? a : b, d = s[2] == '-' ? b : a;
        if (m < 1 || m > 12 || d < 1 || d > rg_days_in_month(2000, m))
            return rg_err_set(e, RG_EINVAL, where,
                              "\"%.5s\" is not a day of the year (%s: month %d, day %d)", s,
                              s[2] == '-' ? "MM-DD" : "DD/MM", m, d);
        x->kind = ENT_YEARLY;
        x->month = m;
        x->day = d;
        return RG_OK;
    }
    return rg_err_set(e, RG_EINVAL, where,
                      "expected a date (YYYY-MM-DD, DD/MM/YYYY, MM-DD, DD/MM or easter+N), "
                      "found \"%.*s\"",
                      (int)(n > 40 ? 40 : n), s);
}

/* Parses one line (no newline); *blank when it holds no entry. */
static rg_status parse_line(const char *p, size_t n, const char *where, cal_ent *x, bool *blank,
                            rg_err *e)
{
    memset(x, 0, sizeof *x);
    *blank = false;
    /* Cut a comment: '#' at the start or after a space or tab. */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '#' && (i == 0 || is_ws(p[i - 1]))) {
            n = i;
            break;
        }
    }
    size_t i = 0;
    while (i < n && is_ws(p[i]))
        i++;
    while (n > i && is_ws(p[n - 1]))
        n--;
    if (i == n) {
        *blank = true;
        return RG_OK;
    }
    size_t t0 = i;
    while (i < n && !is_ws(p[i]))
        i++;
    rg_status st = date_spec((rg_slice){p + t0, i - t0}, x, where, e);
    if (st != RG_OK)
        return st;
    while (i < n && is_ws(p[i]))
        i++;
    size_t w0 = i;
    while (i < n && !is_ws(p[i]))
        i++;
    rg_slice word = {p + w0, i - w0};
    if (rg_slice_eq_nocase(word, "bank") || rg_slice_eq_nocase(word, "contact")) {
        x->bank = rg_slice_eq_nocase(word, "bank");
        while (i < n && is_ws(p[i]))
            i++;
    } else {
        i = w0;
    }
    if (i == n)
        return rg_err_set(e, RG_EINVAL, where, "missing the holiday name after the date%s",
                          i > w0 ? " and scope" : "");
    if (n - i > NAME_MAX_BYTES)
        return rg_err_set(e, RG_EINVAL, where, "holiday name is %zu bytes (at most %d)", n - i,
                          NAME_MAX_BYTES);
    for (size_t k = i; k < n;) {
        unsigned char c = (unsigned char)p[k];
        if (c < 0x20 || c == 0x7F)
            return rg_err_set(e, RG_EINVAL, where,
                              "holiday name contains a control character (byte %zu)", k + 1);
        size_t l = utf8_len((const unsigned char *)p + k, n - k);
        if (l == 0)
            return rg_err_set(e, RG_EINVAL, where, "holiday name is not valid UTF-8 (byte %zu)",
                              k + 1);
        k += l;
    }
    x->name = rg_slice_dup((rg_slice){p + i, n - i});
    if (!x->name)
        return rg_err_set(e, RG_ENOMEM, where, "out of memory");
    return RG_OK;
}

rg_status rg_calendar_parse(rg_calendar *cal, const char *text, size_t len, const char *source,
                            rg_err *e)
{
    rg_status st = RG_OK;
    cal_ent *v = NULL;
    size_t n = 0, cap = 0;
    char where[160];
    if (!cal)
        return rg_err_set(e, RG_EINVAL, source ? source : "calendar", "no calendar");
    if (!source)
        source = "calendar";
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t pos = 0;
    for (int lineno = 1; pos < len; lineno++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t ll = end - pos;
        if (ll > 0 && text[pos + ll - 1] == '\r')
            ll--;
        snprintf(where, sizeof where, "%s:%d", source, lineno);
        if (memchr(text + pos, '\0', ll)) {
            st = rg_err_set(e, RG_EINVAL, where, "line contains a NUL byte");
            goto out;
        }
        cal_ent x;
        bool blank;
        st = parse_line(text + pos, ll, where, &x, &blank, e);
        if (st != RG_OK)
            goto out;
        pos = end + 1;
        if (blank)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            cal_ent *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                free(x.name);
                st = rg_err_set(e, RG_ENOMEM, where, "out of memory");
                goto out;
            }
            v = nv;
            cap = nc;
        }
        v[n++] = x;
    }
    if (n > 0) {
        cal_ent *nv = realloc(cal->v, (cal->n + n) * sizeof *nv);
        if (!nv) {
            st = rg_err_set(e, RG_ENOMEM, source, "out of memory");
            goto out;
        }
        memcpy(nv + cal->n, v, n * sizeof *nv);
        cal->v = nv;
        cal->n += n;
        n = 0; /* moved */
    }
out:
    free_entries(v, n);
    free(v);
    return st;
}

rg_status rg_calendar_load(rg_calendar *cal, const char *path, rg_err *e)
{
    rg_status st = RG_OK;
    FILE *f = NULL;
    char *buf = NULL;
    if (!path)
        return rg_err_set(e, RG_EINVAL, "calendar", "no calendar file given");
    f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            st = rg_err_set(e, RG_ENOTFOUND, path, "calendar file does not exist");
        else
            st = rg_err_set(e, RG_EIO, path, "cannot open calendar file: %s", strerror(errno));
        goto out;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = rg_err_set(e, RG_EINVAL, path, "not a regular file");
        goto out;
    }
    if (sb.st_size > CAL_FILE_MAX) {
        st = rg_err_set(e, RG_EINVAL, path, "calendar file larger than %d bytes", CAL_FILE_MAX);
        goto out;
    }
    size_t cap = (size_t)sb.st_size + 1; /* one more to notice a file that grew */
    buf = malloc(cap);
    if (!buf) {
        st = rg_err_set(e, RG_ENOMEM, path, "out of memory");
        goto out;
    }
    size_t n = fread(buf, 1, cap, f);
    if (ferror(f)) {
        st = rg_err_set(e, RG_EIO, path, "cannot read calendar file");
        goto out;
    }
    if (n == cap) {
        st = rg_err_set(e, RG_EIO, path, "calendar file changed while being read");
        goto out;
    }
    st = rg_calendar_parse(cal, buf, n, path, e);
out:
    if (f)
        fclose(f);
    free(buf);
    return st;
}
