/*
 * fees — late-payment charges (multa and juros de mora) in exact integers.
 *
 * The fine (multa) is charged once, on any lateness; interest is simple
 * interest pro rata die: principal x monthly rate x days late / 30. Each
 * component is computed exactly in 128-bit integers and rounded half-up
 * to the centavo once, at the end of that component; the total is the sum
 * of the rounded components. Rates are integers: fines and contract
 * interest in hundredths of a percent (200 = 2.00%, 100 = 1.00% a.m.),
 * the legal rate in millionths of a percent (the Banco Central publishes
 * the taxa legal with six decimals: 0.579200% a.m. = 579200).
 *
 * Days late count from the effective due date (the nominal due date moved
 * to the next bank business day, br/holidays): paying on it is on time.
 *
 * When a cadence states no contract interest rate, the legal rate of
 * Código Civil art. 406 (Lei 14.905/2024: Selic minus IPCA, methodology
 * CMN Resolução 5.171/2024) applies. Its monthly value is configuration
 * (the operator copies the published rate); this module never assumes a
 * rate, so asking for legal interest with no rate configured is an error,
 * never a silent 1% a.m.
 *
 * Pure functions; nothing is allocated. See docs/internals/fees.md.
 */
#ifndef RG_FEES_H
#define RG_FEES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "base/money.h"
#include "br/holidays.h"

/* CDC art. 52 §1: the fine on a consumer debt is at most 2% of the
 * installment. */
#define RG_FEE_FINE_MAX_PF 200

typedef enum rg_interest_basis {
    RG_INTEREST_CONTRACT = 0, /* the cadence/contract states the rate */
    RG_INTEREST_LEGAL = 1     /* no stated rate: taxa legal (CC art. 406) */
} rg_interest_basis;

typedef struct rg_fee_terms {
    int64_t fine_pct;           /* hundredths of a percent, 0..10000 */
    bool consumer;              /* the debtor is a consumer (PF): a fine above RG_FEE_FINE_MAX_PF
                                   is charged as RG_FEE_FINE_MAX_PF (CDC art. 52 §1), never more */
    rg_interest_basis basis;
    int64_t interest_month_pct; /* CONTRACT: hundredths of a percent a month, 0..10000 */
    bool legal_rate_set;        /* LEGAL: whether configuration gave the rate */
    int64_t legal_month_micro;  /* LEGAL: millionths of a percent a month, <= 100000000;
                                   a negative value counts as 0 (CC art. 406 §3) */
} rg_fee_terms;

typedef struct rg_fee_breakdown {
    rg_cents principal;
    rg_cents fine;
    rg_cents interest;
    rg_cents total; /* principal + fine + interest */
    int days_late;  /* as used: negative input counts as 0 */
    rg_interest_basis basis;
    int64_t rate_month_micro; /* the monthly rate applied, millionths of a percent */
    int64_t fine_pct;         /* the fine rate applied, hundredths of a percent */
    bool fine_capped;         /* the terms asked more than a consumer may be charged */
} rg_fee_breakdown;

/* principal x fine_pct / 10000, rounded half-up to the centavo. 0 when
 * principal or fine_pct is not positive. Charged once, on any lateness:
 * the caller applies it only when days late > 0. */
rg_cents rg_fee_fine(rg_cents principal, int64_t fine_pct);

/* principal x (rate/100 % a month) x days_late / 30, rounded half-up.
 * 0 when any argument is not positive. Saturates at INT64_MAX. */
rg_cents rg_fee_interest(rg_cents principal, int64_t interest_month_pct, int days_late);

/* Same with the rate in millionths of a percent a month (legal rate). */
rg_cents rg_fee_interest_micro(rg_cents principal, int64_t rate_month_micro, int days_late);

/* principal + fine + interest for a payment `days_late` days after the
 * effective due date, with the breakdown in *out (zeroed on failure).
 * days_late <= 0 is on time: no fine, no interest. RG_EINVAL for a
 * negative principal, a rate out of range, legal interest with no rate
 * configured, or a total beyond int64. */
rg_status rg_fee_updated_amount(rg_cents principal, const rg_fee_terms *terms, int days_late,
                                rg_fee_breakdown *out, rg_err *e);

/* Days from the effective due date of `nominal_due` (cal may be NULL:
 * national rules) to `on`; 0 when `on` is on or before it. */
int rg_fee_days_late(const rg_calendar *cal, rg_date nominal_due, rg_date on);

/* Whether a fine of fine_pct (hundredths of a percent) may be charged:
 * 0..RG_FEE_FINE_MAX_PF for consumers (PF, CDC art. 52 §1); 0..10000 for
 * companies (PJ), whose cap is the contract's. */
bool rg_fee_fine_allowed(bool kind_is_pf, int64_t fine_pct);

/* A monthly rate in percent with up to six decimals ("0,5792", "0.579200",
 * "1", optional trailing "%") -> millionths of a percent (579200). For the
 * configured legal rate. On false *out is 0 and *why says why. */
bool rg_rate_parse_micro(const char *s, size_t len, int64_t *out, const char **why);

#endif
