#include "br/fees.h"

#include <string.h>

#define FINE_PCT_MAX 10000            /* 100.00% */
#define CONTRACT_PCT_MAX 10000        /* 100.00% a month */
#define LEGAL_MICRO_MAX 100000000LL   /* 100.000000% a month */

/* num / den rounded half-up, for num >= 0 and den > 0; saturates. */
static rg_cents div_half_up(__int128 num, __int128 den)
{
    __int128 q = (num * 2 + den) / (den * 2);
    return q > INT64_MAX ? INT64_MAX : (rg_cents)q;
}

rg_cents rg_fee_fine(rg_cents principal, int64_t fine_pct)
{
    if (principal <= 0 || fine_pct <= 0)
        return 0;
    return div_half_up((__int128)principal * fine_pct, 10000);
}

rg_cents rg_fee_interest_micro(rg_cents principal, int64_t rate_month_micro, int days_late)
{
    if (principal <= 0 || rate_month_micro <= 0 || days_late <= 0)
        return 0;
    /* principal x (rate / 1e6 / 100) x days / 30 */
    return div_half_up((__int128)principal * rate_month_micro * days_late,
                       (__int128)3000000000LL);
}

rg_cents rg_fee_interest(rg_cents principal, int64_t interest_month_pct, int days_late)
{
    if (interest_month_pct <= 0 || interest_month_pct > INT64_MAX / 10000)
        return interest_month_pct <= 0 ? 0 : INT64_MAX;
    return rg_fee_interest_micro(principal, interest_month_pct * 10000, days_late);
}

rg_status rg_fee_updated_amount(rg_cents principal, const rg_fee_terms *t, int days_late,
                                rg_fee_breakdown *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    if (!t)
        return rg_err_set(e, RG_EINVAL, "fees", "no fee terms given");
    if (principal < 0)
        return rg_err_set(e, RG_EINVAL, "fees", "principal is negative (%lld centavos)",
                          (long long)principal);
    if (t->fine_pct < 0 || t->fine_pct > FINE_PCT_MAX)
        return rg_err_set(e, RG_EINVAL, "fees.fine_pct",
                          "fine of %lld hundredths of a percent is outside 0..10000 (0-100%%)",
                          (long long)t->fine_pct);
    int64_t micro;
    if (t->basis == RG_INTEREST_CONTRACT) {
        if (t->interest_month_pct < 0 || t->interest_month_pct > CONTRACT_PCT_MAX)
            return rg_err_set(e, RG_EINVAL, "fees.interest_month_pct",
                              "interest of %lld hundredths of a percent a month is outside "
                              "0..10000 (0-100%% a.m.)",
                              (long long)t->interest_month_pct);
        micro = t->interest_month_pct * 10000;
    } else if (t->basis == RG_INTEREST_LEGAL) {
        if (!t->legal_rate_set)
            return rg_err_set(e, RG_EINVAL, "fees.interest",
                              "no contract interest rate and no legal rate configured: set the "
                              "taxa legal (CC art. 406, Lei 14.905/2024) or state "
                              "interest_month_pct");
        if (t->legal_month_micro > LEGAL_MICRO_MAX)
            return rg_err_set(e, RG_EINVAL, "fees.legal_rate",
                              "legal rate of %lld millionths of a percent a month is above 100%%",
                              (long long)t->legal_month_micro);
        micro = t->legal_month_micro < 0 ? 0 : t->legal_month_micro; /* CC art. 406 §3 */
    } else {
        return rg_err_set(e, RG_EINVAL, "fees", "unknown interest basis %d", (int)t->basis);
    }
    int days = days_late > 0 ? days_late : 0;
    /* CDC art. 52 §1 holds whatever the terms say (an override stored
     * before imports refused it, a cadence that skipped lint) */
    int64_t fine_pct = t->fine_pct;
    bool capped = t->consumer && fine_pct > RG_FEE_FINE_MAX_PF;
    if (capped)
        fine_pct = RG_FEE_FINE_MAX_PF;
    rg_cents fine = days > 0 ? rg_fee_fine(principal, fine_pct) : 0;
    rg_cents interest = rg_fee_interest_micro(principal, micro, days);
    __int128 total = (__int128)principal + fine + interest;
    if (interest == INT64_MAX || total > INT64_MAX)
        return rg_err_set(e, RG_EINVAL, "fees", "updated amount does not fit in 64 bits");
    out->principal = principal;
    out->fine = fine;
    out->interest = interest;
    out->total = (rg_cents)total;
    out->days_late = days;
    out->basis = t->basis;
    out->rate_month_micro = micro;
    out->fine_pct = fine_pct;
    out->fine_capped = capped;
    return RG_OK;
}

int rg_fee_days_late(const rg_calendar *cal, rg_date nominal_due, rg_date on)
{
    if (nominal_due == RG_DATE_NONE || on == RG_DATE_NONE)
        return 0;
    rg_date eff = rg_effective_due_date(cal, nominal_due);
    if (eff == RG_DATE_NONE)
        eff = nominal_due;
    int64_t d = (int64_t)on - eff;
    return d <= 0 ? 0 : d > INT32_MAX ? INT32_MAX : (int)d;
}

bool rg_fee_fine_allowed(bool kind_is_pf, int64_t fine_pct)
{
    if (fine_pct < 0)
        return false;
    return fine_pct <= (kind_is_pf ? RG_FEE_FINE_MAX_PF : FINE_PCT_MAX);
}

bool rg_rate_parse_micro(const char *s, size_t len, int64_t *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *out = 0;
    size_t i = 0, n = s ? len : 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n > i && s[n - 1] == '%') {
        n--;
        while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
    }
    if (i == n) {
        *why = "empty rate";
        return false;
    }
    int64_t whole = 0, frac = 0;
    int wd = 0, fd = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, wd++) {
        if (wd >= 3) {
            *why = "rate above 100% a month";
            return false;
        }
        whole = whole * 10 + (s[i] - '0');
    }
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
            if (fd >= 6) {
                *why = "more than six decimal places";
                return false;
            }
            frac = frac * 10 + (s[i] - '0');
        }
        if (fd == 0) {
            *why = "expected digits after the decimal separator";
            return false;
        }
    }
    if (wd == 0 || i != n) {
        *why = "expected a percentage like 0,579200 or 1.5";
        return false;
    }
    for (; fd < 6; fd++)
        frac *= 10;
    int64_t v = whole * 1000000 + frac;
    if (v > LEGAL_MICRO_MAX) {
        *why = "rate above 100% a month";
        return false;
    }
    *out = v;
    return true;
}
