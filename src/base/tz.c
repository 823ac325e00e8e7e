#include "base/tz.h"

#include "base/buf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Instants are clamped to +/-T_CLAMP before civil arithmetic. */
#define T_CLAMP 100000000000000LL
/* RFC 8536 §3.2: utoff SHOULD lie in [-89999, 93599] (-24:59:59..+25:59:59). */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599

/* One date rule of a POSIX TZ string: 'J' Julian day 1..365 without Feb 29,
 * 'D' zero-based day 0..365 counting Feb 29, 'M' month.week.weekday. */
typedef struct tz_rule {
    char kind;
    int16_t a; /* J/D: day number; M: month */
    int16_t b; /* M: week 1..5 (5 = last) */
    int16_t c; /* M: weekday 0..6, 0 = Sunday */
    int32_t time; /* local seconds after midnight, -167h..167h */
} tz_rule;

/* A POSIX TZ rule, offsets in seconds east of UTC. */
typedef struct tz_posix {
    int32_t std_off;
    int32_t dst_off;
    bool has_dst;
    tz_rule start; /* DST starts, in local standard time */
    tz_rule end;   /* DST ends, in local daylight time */
} tz_posix;

struct rg_tz {
    char name[RG_TZ_NAME_MAX + 1];
    size_t ntrans;
    int64_t *trans;      /* strictly ascending UTC instants */
    uint8_t *trans_type; /* index into type_off, per transition */
    size_t ntypes;
    int32_t *type_off;   /* seconds east, per local time type */
    bool has_footer;
    tz_posix footer;
};

static const rg_tz utc_zone = {
    "UTC", 0, NULL, NULL, 0, NULL, true, {0, 0, false, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}};

const rg_tz *rg_tz_utc(void)
{
    return &utc_zone;
}

static int64_t clamp_t(int64_t t)
{
    if (t > T_CLAMP)
        return T_CLAMP;
    if (t < -T_CLAMP)
        return -T_CLAMP;
    return t;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* ---------------------------------------------------------------------- */
/* POSIX TZ rules                                                          */

static rg_date rule_date(const tz_rule *r, int y)
{
    rg_date jan1 = rg_date_from_ymd(y, 1, 1);
    switch (r->kind) {
    case 'J': {
        rg_date d = jan1 + r->a - 1;
        if (is_leap(y) && r->a >= 60)
            d++;
        return d;
    }
    case 'D':
        return jan1 + r->a;
    default: {
        rg_date first = rg_date_from_ymd(y, r->a, 1);
        int wd = rg_date_weekday(first);
        int day = 1 + (r->c - wd + 7) % 7 + (r->b - 1) * 7;
        while (day > rg_days_in_month(y, r->a))
            day -= 7;
        return first + day - 1;
    }
    }
}

/* The UTC instant of rule r in year y, its local time read with offset `off`. */
static int64_t rule_utc(const tz_rule *r, int y, int32_t off)
{
    return (int64_t)rule_date(r, y) * 86400 + r->time - off;
}

static int year_of(int64_t local_t)
{
    int y, m, d;
    rg_date_to_ymd((rg_date)floor_div(local_t, 86400), &y, &m, &d);
    return y;
}

static int32_t posix_offset(const tz_posix *p, int64_t t)
{
    if (!p->has_dst)
        return p->std_off;
    t = clamp_t(t);
    int y = year_of(t + p->std_off);
    int64_t s = rule_utc(&p->start, y, p->std_off);
    int64_t e = rule_utc(&p->end, y, p->dst_off);
    bool dst = s < e ? (s <= t && t < e) : !(e <= t && t < s);
    return dst ? p->dst_off : p->std_off;
}

/* The first rule instant > t, or RG_INSTANT_NONE. */
static int64_t posix_next(const tz_posix *p, int64_t t)
{
    if (!p->has_dst || t >= T_CLAMP)
        return RG_INSTANT_NONE;
    int64_t tc = clamp_t(t);
    int y = year_of(tc + p->std_off);
    int64_t best = RG_INSTANT_NONE;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        /* The rule's two instants, and the start of the year in local
         * standard time: posix_offset decides per year, so a rule whose
         * order flips between years (e.g. "M3.2.0,M3.2.6") changes the
         * offset there too. Well-formed zones never do. */
        int64_t ny = (int64_t)rg_date_from_ymd(yy + 1, 1, 1) * 86400 - p->std_off;
        int64_t v[3] = {rule_utc(&p->start, yy, p->std_off), rule_utc(&p->end, yy, p->dst_off),
                        ny};
        for (int i = 0; i < 3; i++) {
            if (v[i] <= t || (best != RG_INSTANT_NONE && v[i] >= best))
                continue;
            if (i == 2 && posix_offset(p, ny - 1) == posix_offset(p, ny))
                continue;
            best = v[i];
        }
    }
    return best;
}

typedef struct px_cursor {
    const char *p;
    const char *end;
} px_cursor;

static bool px_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool px_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool px_name(px_cursor *c)
{
    const char *p = c->p;
    if (p < c->end && *p == '<') {
        const char *st = ++p;
        while (p < c->end && *p != '>') {
            if (!px_alpha(*p) && !px_digit(*p) && *p != '+' && *p != '-')
                return false;
            p++;
        }
        if (p >= c->end || p - st < 3)
            return false;
        p++;
    } else {
        const char *st = p;
        while (p < c->end && px_alpha(*p))
            p++;
        if (p - st < 3)
            return false;
    }
    c->p = p;
    return true;
}

static bool px_num(px_cursor *c, int maxdigits, int *out)
{
    int v = 0, n = 0;
    while (c->p < c->end && px_digit(*c->p) && n < maxdigits) {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n == 0 || (c->p < c->end && px_digit(*c->p)))
        return false;
    *out = v;
    return true;
}

/* [+-]h[hh][:mm[:ss]] -> signed seconds; hours at most max_h. */
static bool px_hms(px_cursor *c, int max_h, bool allow_sign, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
        if (!allow_sign)
            return false;
        sign = *c->p == '-' ? -1 : 1;
        c->p++;
    }
    if (!px_num(c, 3, &h) || h > max_h)
        return false;
    if (c->p < c->end && *c->p == ':') {
        c->p++;
        if (!px_num(c, 2, &m) || m > 59)
            return false;
        if (c->p < c->end && *c->p == ':') {
            c->p++;
            if (!px_num(c, 2, &s) || s > 59)
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool px_rule(px_cursor *c, tz_rule *r)
{
    int a = 0, b = 0, d = 0;
    memset(r, 0, sizeof *r);
    if (c->p >= c->end)
        return false;
    if (*c->p == 'J') {
        c->p++;
        if (!px_num(c, 3, &a) || a < 1 || a > 365)
            return false;
        r->kind = 'J';
    } else if (*c->p == 'M') {
        c->p++;
        if (!px_num(c, 2, &a) || a < 1 || a > 12)
            return false;
        if (c->p >= c->end || *c->p++ != '.' || !px_num(c, 1, &b) || b < 1 || b > 5)
            return false;
        if (c->p >= c->end || *c->p++ != '.' || !px_num(c, 1, &d) || d > 6)
            return false;
        r->kind = 'M';
    } else {
        if (!px_num(c, 3, &a) || a > 365)
            return false;
        r->kind = 'D';
    }
    r->a = (int16_t)a;
    r->b = (int16_t)b;
    r->c = (int16_t)d;
    r->time = 7200;
    if (c->p < c->end && *c->p == '/') {
        c->p++;
        if (!px_hms(c, 167, true, &r->time))
            return false;
    }
    return true;
}

/* Parses s[0..n) into *p; on failure *why says what was expected. */
static bool posix_parse(const char *s, size_t n, tz_posix *p, const char **why)
{
    px_cursor c = {s, s + n};
    int32_t v;
    memset(p, 0, sizeof *p);
    if (!px_name(&c)) {
        *why = "expected a standard-time name (3+ letters or <...>)";
        return false;
    }
    if (!px_hms(&c, 24, true, &v)) {
        *why = "expected the standard offset ([+-]hh[:mm[:ss]], hours 0..24)";
        return false;
    }
    p->std_off = -v; /* POSIX offsets are positive west of Greenwich */
    if (c.p == c.end)
        return true;
    if (!px_name(&c)) {
        *why = "expected a daylight-time name (3+ letters or <...>)";
        return false;
    }
    p->has_dst = true;
    p->dst_off = p->std_off + 3600;
    if (c.p < c.end && *c.p != ',') {
        if (!px_hms(&c, 24, true, &v)) {
            *why = "expected the daylight offset ([+-]hh[:mm[:ss]], hours 0..24)";
            return false;
        }
        p->dst_off = -v;
    }
    if (c.p == c.end) {
        *why = "daylight time without a rule (expected \",start[/time],end[/time]\")";
        return false;
    }
    if (*c.p++ != ',' || !px_rule(&c, &p->start)) {
        *why = "expected the DST start rule (Jn, n or Mm.w.d, optional /time)";
        return false;
    }
    if (c.p >= c.end || *c.p++ != ',' || !px_rule(&c, &p->end)) {
        *why = "expected the DST end rule (Jn, n or Mm.w.d, optional /time)";
        return false;
    }
    if (c.p != c.end) {
        *why = "unexpected text after the DST end rule";
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------------- */
/* Zones                                                                   */

bool rg_tz_name_valid(const char *name, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!name || !*name) {
        *why = "empty zone name";
        return false;
    }
    size_t n = strlen(name);
    if (n > RG_TZ_NAME_MAX) {
        *why = "zone name longer than 128 bytes";
        return false;
    }
    if (strstr(name, "..")) {
        *why = "zone name contains \"..\"";
        return false;
    }
    if (name[0] == '/') {
        *why = "zone name starts with '/' (give a name like America/Sao_Paulo, not a path)";
        return false;
    }
    if (name[n - 1] == '/' || strstr(name, "//")) {
        *why = "zone name has an empty component";
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!px_alpha(ch) && !px_digit(ch) && ch != '_' && ch != '+' && ch != '-' && ch != '/') {
            *why = "zone name may only contain letters, digits, '_', '+', '-' and '/'";
            return false;
        }
    }
    return true;
}

void rg_tz_free(rg_tz *tz)
{
    if (!tz || tz == &utc_zone)
        return;
    free(tz->trans);
    free(tz->trans_type);
    free(tz->type_off);
    free(tz);
}

const char *rg_tz_name(const rg_tz *tz)
{
    return tz ? tz->name : "";
}

static rg_tz *tz_alloc(const char *name)
{
    rg_tz *tz = calloc(1, sizeof *tz);
    if (tz)
        snprintf(tz->name, sizeof tz->name, "%s", name ? name : "");
    return tz;
}

rg_status rg_tz_from_posix(const char *tzstring, rg_tz **out, rg_err *e)
{
    const char *why = NULL;
    *out = NULL;
    if (!tzstring)
        return rg_err_set(e, RG_EINVAL, "tz", "no TZ string given");
    rg_tz *tz = tz_alloc(tzstring);
    if (!tz)
        return rg_err_set(e, RG_ENOMEM, "tz", "out of memory");
    if (!posix_parse(tzstring, strlen(tzstring), &tz->footer, &why)) {
        rg_tz_free(tz);
        return rg_err_set(e, RG_EINVAL, "tz", "TZ string \"%s\": %s", tzstring, why);
    }
    tz->has_footer = true;
    *out = tz;
    return RG_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_hdr {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_hdr;

static void read_hdr(const unsigned char *p, tzif_hdr *h)
{
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
}

/* Bytes of the data block that follows header h, with tsize-byte times. */
static uint64_t block_len(const tzif_hdr *h, unsigned tsize)
{
    return (uint64_t)h->timecnt * tsize + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Fills tz from the data block at p (length already checked). */
static rg_status read_block(rg_tz *tz, const tzif_hdr *h, const unsigned char *p, unsigned tsize,
                            rg_err *e)
{
    const char *nm = tz->name;
    if (h->typecnt == 0 || h->typecnt > 256)
        return rg_err_set(e, RG_EINVAL, "tz", "zone %s: %u local time types (expected 1..256)",
                          nm, h->typecnt);
    if (h->charcnt == 0)
        return rg_err_set(e, RG_EINVAL, "tz", "zone %s: no time zone designations", nm);
    if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt))
        return rg_err_set(e, RG_EINVAL, "tz",
                          "zone %s: isstd/isut counts (%u, %u) must be 0 or the type count %u",
                          nm, h->isstdcnt, h->isutcnt, h->typecnt);
    if (h->leapcnt != 0)
        return rg_err_set(e, RG_EINVAL, "tz",
                          "zone %s: has %u leap-second records; leap-second zones (\"right/\") "
                          "are not supported, use the POSIX zone of the same name",
                          nm, h->leapcnt);
    tz->ntrans = h->timecnt;
    tz->ntypes = h->typecnt;
    tz->trans = malloc(sizeof *tz->trans * (h->timecnt ? h->timecnt : 1));
    tz->trans_type = malloc(h->timecnt ? h->timecnt : 1);
    tz->type_off = malloc(sizeof *tz->type_off * h->typecnt);
    if (!tz->trans || !tz->trans_type || !tz->type_off)
        return rg_err_set(e, RG_ENOMEM, "tz", "out of memory");
    const unsigned char *q = p;
    for (uint32_t i = 0; i < h->timecnt; i++, q += tsize) {
        tz->trans[i] = tsize == 8 ? be64(q) : (int64_t)(int32_t)be32(q);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
            return rg_err_set(e, RG_EINVAL, "tz",
                              "zone %s: transition %u is not after transition %u", nm, i, i - 1);
    }
    for (uint32_t i = 0; i < h->timecnt; i++, q++) {
        if (*q >= h->typecnt)
            return rg_err_set(e, RG_EINVAL, "tz",
                              "zone %s: transition %u names local time type %u of %u", nm, i,
                              *q, h->typecnt);
        tz->trans_type[i] = *q;
    }
    for (uint32_t i = 0; i < h->typecnt; i++, q += 6) {
        int32_t off = (int32_t)be32(q);
        if (off < UTOFF_MIN || off > UTOFF_MAX)
            return rg_err_set(e, RG_EINVAL, "tz",
                              "zone %s: local time type %u has UT offset %d s (expected %d..%d)",
                              nm, i, off, UTOFF_MIN, UTOFF_MAX);
        if (q[4] > 1)
            return rg_err_set(e, RG_EINVAL, "tz", "zone %s: local time type %u: isdst is %u",
                              nm, i, q[4]);
        if (q[5] >= h->charcnt)
            return rg_err_set(e, RG_EINVAL, "tz",
                              "zone %s: local time type %u: designation index %u past %u", nm,
                              i, q[5], h->charcnt);
        tz->type_off[i] = off;
    }
    return RG_OK;
}

rg_status rg_tz_parse(const unsigned char *data, size_t len, const char *name, rg_tz **out,
                      rg_err *e)
{
    rg_status st = RG_OK;
    rg_tz *tz = NULL;
    tzif_hdr h;
    *out = NULL;
    if (!name)
        name = "";
    if (len < 44 || memcmp(data, "TZif", 4) != 0) {
        st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: not a TZif file (no \"TZif\" header)", name);
        goto out;
    }
    tz = tz_alloc(name);
    if (!tz) {
        st = rg_err_set(e, RG_ENOMEM, "tz", "out of memory");
        goto out;
    }
    unsigned char version = data[4];
    read_hdr(data, &h);
    uint64_t v1len = block_len(&h, 4);
    if (v1len > len - 44) {
        st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: truncated TZif file (version 1 block)",
                        name);
        goto out;
    }
    if (version == 0) {
        st = read_block(tz, &h, data + 44, 4, e);
        goto out;
    }
    size_t off2 = 44 + (size_t)v1len;
    if (len - off2 < 44 || memcmp(data + off2, "TZif", 4) != 0) {
        st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: missing the version 2+ header", name);
        goto out;
    }
    read_hdr(data + off2, &h);
    uint64_t v2len = block_len(&h, 8);
    if (v2len > len - off2 - 44) {
        st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: truncated TZif file (64-bit block)", name);
        goto out;
    }
    st = read_block(tz, &h, data + off2 + 44, 8, e);
    if (st != RG_OK)
        goto out;
    size_t foot = off2 + 44 + (size_t)v2len;
    if (foot >= len || data[foot] != '\n') {
        st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: missing the footer after the 64-bit block",
                        name);
        goto out;
    }
    const unsigned char *fs = data + foot + 1;
    const unsigned char *fe = memchr(fs, '\n', len - foot - 1);
    if (!fe) {
        st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: footer is not terminated by a newline",
                        name);
        goto out;
    }
    if (fe > fs) {
        const char *why = NULL;
        if (!posix_parse((const char *)fs, (size_t)(fe - fs), &tz->footer, &why)) {
            int fl = (int)(fe - fs > 64 ? 64 : fe - fs);
            st = rg_err_set(e, RG_EINVAL, "tz", "zone %s: footer TZ string \"%.*s\": %s", name,
                            fl, (const char *)fs, why);
            goto out;
        }
        tz->has_footer = true;
    }
out:
    if (st != RG_OK) {
        rg_tz_free(tz);
        tz = NULL;
    }
    *out = tz;
    return st;
}

/* Index of the last transition <= t; requires ntrans > 0 and t >= trans[0]. */
static size_t last_le(const rg_tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->ntrans; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int32_t rg_tz_offset_at(const rg_tz *tz, rg_instant t)
{
    if (!tz)
        return 0;
    if (tz->ntrans == 0) {
        if (tz->has_footer)
            return posix_offset(&tz->footer, t);
        return tz->ntypes ? tz->type_off[0] : 0;
    }
    if (t < tz->trans[0])
        return tz->type_off[0];
    if (t >= tz->trans[tz->ntrans - 1] && tz->has_footer)
        return posix_offset(&tz->footer, t);
    return tz->type_off[tz->trans_type[last_le(tz, t)]];
}

rg_instant rg_tz_next_transition(const rg_tz *tz, rg_instant t)
{
    if (!tz)
        return RG_INSTANT_NONE;
    if (tz->ntrans > 0 && t < tz->trans[tz->ntrans - 1]) {
        if (t < tz->trans[0])
            return tz->trans[0];
        return tz->trans[last_le(tz, t) + 1];
    }
    if (!tz->has_footer)
        return RG_INSTANT_NONE;
    return posix_next(&tz->footer, t);
}

void rg_tz_local(const rg_tz *tz, rg_instant utc, rg_date *date, int *seconds_of_day)
{
    int64_t t = clamp_t(utc);
    int64_t lt = t + rg_tz_offset_at(tz, t);
    int64_t days = floor_div(lt, 86400);
    if (date)
        *date = (rg_date)days;
    if (seconds_of_day)
        *seconds_of_day = (int)(lt - days * 86400);
}

rg_instant rg_tz_to_utc(const rg_tz *tz, rg_date date, int seconds_of_day)
{
    int64_t L = clamp_t((int64_t)date * 86400 + seconds_of_day);
    /* Walk the spans of constant offset that can hold a preimage of L:
     * t + off(t) == L needs t in [L - UTOFF_MAX, L - UTOFF_MIN]. The first
     * span holding one gives the earliest instant (overlap rule); a span
     * boundary that jumps over L is a gap, answered by the boundary. */
    int64_t a = L - UTOFF_MAX - 1;
    int64_t hi = L - UTOFF_MIN + 1;
    int64_t gap = RG_INSTANT_NONE;
    for (;;) {
        int32_t o = rg_tz_offset_at(tz, a);
        int64_t b = rg_tz_next_transition(tz, a);
        int64_t cand = L - o;
        if (cand >= a && (b == RG_INSTANT_NONE || cand < b))
            return cand;
        if (b == RG_INSTANT_NONE || b > hi)
            break;
        int32_t o2 = rg_tz_offset_at(tz, b);
        if (gap == RG_INSTANT_NONE && b + o <= L && L < b + o2)
            gap = b;
        a = b;
    }
    if (gap != RG_INSTANT_NONE)
        return gap;
    return L - rg_tz_offset_at(tz, L); /* unreachable with offsets in range */
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                 */

rg_status rg_tz_load_dir(const char *dir, const char *name, rg_tz **out, rg_err *e)
{
    rg_status st = RG_OK;
    const char *why = NULL;
    unsigned char *data = NULL;
    FILE *f = NULL;
    char path[4096];
    *out = NULL;
    if (!rg_tz_name_valid(name, &why)) {
        st = rg_err_set(e, RG_EINVAL, "tz", "bad time zone name \"%.*s\": %s", 160,
                        name ? name : "", why);
        goto out;
    }
    if (!dir)
        dir = RG_TZ_DIR_DEFAULT;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        st = rg_err_set(e, RG_EINVAL, "tz", "time zone path too long");
        goto out;
    }
    f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            st = rg_err_set(e, RG_ENOTFOUND, "tz", "unknown time zone \"%s\": %s does not exist",
                            name, path);
        else
            st = rg_err_set(e, RG_EIO, "tz", "time zone \"%s\": cannot open %s: %s", name, path,
                            strerror(errno));
        goto out;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = rg_err_set(e, RG_ENOTFOUND, "tz",
                        "unknown time zone \"%s\": %s is not a zone file (a directory?)", name,
                        path);
        goto out;
    }
    if (sb.st_size > RG_TZ_FILE_MAX) {
        st = rg_err_set(e, RG_EINVAL, "tz", "time zone \"%s\": %s is larger than %d bytes", name,
                        path, RG_TZ_FILE_MAX);
        goto out;
    }
    size_t cap = (size_t)sb.st_size + 1; /* one more to notice a file that grew */
    data = malloc(cap);
    if (!data) {
        st = rg_err_set(e, RG_ENOMEM, "tz", "out of memory");
        goto out;
    }
    size_t n = fread(data, 1, cap, f);
    if (ferror(f)) {
        st = rg_err_set(e, RG_EIO, "tz", "time zone \"%s\": cannot read %s", name, path);
        goto out;
    }
    if (n == cap) {
        st = rg_err_set(e, RG_EIO, "tz", "time zone \"%s\": %s changed while being read", name,
                        path);
        goto out;
    }
    st = rg_tz_parse(data, n, name, out, e);
out:
    if (f)
        fclose(f);
    free(data);
    return st;
}

rg_status rg_tz_load(const char *name, rg_tz **out, rg_err *e)
{
    return rg_tz_load_dir(RG_TZ_DIR_DEFAULT, name, out, e);
}

/* ---------------------------------------------------------------------- */
/* Cache                                                                   */

#define CACHE_MAX_FAILURES 1024

typedef struct cache_ent {
    struct cache_ent *next;
    uint64_t hash;
    rg_tz *tz;       /* NULL for a remembered failure */
    rg_err *err;     /* the failure, when tz is NULL */
    char name[];
} cache_ent;

struct rg_tz_cache {
    pthread_mutex_t mu;
    char *dir;
    cache_ent **b;
    size_t nb;
    size_t n;
    size_t nfail;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

rg_tz_cache *rg_tz_cache_new(const char *dir)
{
    rg_tz_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->dir = rg_strdup(dir ? dir : RG_TZ_DIR_DEFAULT);
    c->nb = 64;
    c->b = calloc(c->nb, sizeof *c->b);
    if (!c->dir || !c->b || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->dir);
        free(c->b);
        free(c);
        return NULL;
    }
    return c;
}

void rg_tz_cache_free(rg_tz_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nb; i++) {
        cache_ent *p = c->b[i];
        while (p) {
            cache_ent *nx = p->next;
            rg_tz_free(p->tz);
            free(p->err);
            free(p);
            p = nx;
        }
    }
    pthread_mutex_destroy(&c->mu);
    free(c->b);
    free(c->dir);
    free(c);
}

size_t rg_tz_cache_size(const rg_tz_cache *c)
{
    return c ? c->n : 0;
}

static void cache_grow(rg_tz_cache *c)
{
    size_t nb = c->nb * 2;
    cache_ent **b = calloc(nb, sizeof *b);
    if (!b)
        return; /* keep the longer chains; still correct */
    for (size_t i = 0; i < c->nb; i++) {
        cache_ent *p = c->b[i];
        while (p) {
            cache_ent *nx = p->next;
            p->next = b[p->hash & (nb - 1)];
            b[p->hash & (nb - 1)] = p;
            p = nx;
        }
    }
    free(c->b);
    c->b = b;
    c->nb = nb;
}

rg_status rg_tz_cache_get(rg_tz_cache *c, const char *name, const rg_tz **out, rg_err *e)
{
    const char *why = NULL;
    rg_status st = RG_OK;
    rg_tz *tz = NULL;
    cache_ent *ent = NULL;
    rg_err *ecopy = NULL;
    rg_err le;
    *out = NULL;
    if (!c)
        return rg_err_set(e, RG_EINVAL, "tz", "no time zone cache");
    if (!rg_tz_name_valid(name, &why))
        return rg_err_set(e, RG_EINVAL, "tz", "bad time zone name \"%.*s\": %s", 160,
                          name ? name : "", why);
    uint64_t h = fnv1a(name);
    pthread_mutex_lock(&c->mu);
    for (cache_ent *p = c->b[h & (c->nb - 1)]; p; p = p->next) {
        if (p->hash == h && strcmp(p->name, name) == 0) {
            if (p->tz) {
                *out = p->tz;
            } else {
                st = p->err->code;
                if (e)
                    *e = *p->err;
            }
            goto out;
        }
    }
    rg_err_clear(&le);
    st = rg_tz_load_dir(c->dir, name, &tz, &le);
    if (st != RG_OK && e)
        *e = le;
    if (st != RG_OK && (st == RG_ENOMEM || c->nfail >= CACHE_MAX_FAILURES))
        goto out; /* not remembered */
    size_t nl = strlen(name);
    ent = malloc(sizeof *ent + nl + 1);
    ecopy = st != RG_OK ? malloc(sizeof *ecopy) : NULL;
    if (!ent || (st != RG_OK && !ecopy)) {
        free(ent);
        free(ecopy);
        if (st == RG_OK) {
            rg_tz_free(tz);
            st = rg_err_set(e, RG_ENOMEM, "tz", "out of memory");
        }
        goto out;
    }
    memcpy(ent->name, name, nl + 1);
    ent->hash = h;
    ent->tz = tz;
    ent->err = ecopy;
    if (ecopy)
        *ecopy = le;
    ent->next = c->b[h & (c->nb - 1)];
    c->b[h & (c->nb - 1)] = ent;
    c->n++;
    if (!tz)
        c->nfail++;
    if (c->n > c->nb)
        cache_grow(c);
    *out = tz;
out:
    pthread_mutex_unlock(&c->mu);
    return st;
}

rg_date rg_tz_date(const rg_tz *tz, rg_instant utc)
{
    rg_date d;
    rg_tz_local(tz, utc, &d, NULL);
    return d;
}

bool rg_tz_parse_moment(const rg_tz *tz, const char *s, size_t len, rg_instant *out)
{
    rg_date d;
    if (len == 10 && rg_date_parse(s, len, &d)) {
        *out = rg_tz_to_utc(tz, d, 12 * 60 * 60);
        return true;
    }
    return rg_instant_parse(s, len, out);
}

char *rg_tz_format(const rg_tz *tz, rg_instant t, char *buf, size_t n)
{
    rg_date d;
    int sod, y, m, day;
    int32_t off = rg_tz_offset_at(tz, clamp_t(t));
    rg_tz_local(tz, t, &d, &sod);
    rg_date_to_ymd(d, &y, &m, &day);
    int32_t a = off < 0 ? -off : off;
    snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d %c%02d:%02d", y, m, day, sod / 3600, sod / 60 % 60, sod % 60,
             off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
    return buf;
}
