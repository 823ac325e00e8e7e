/*
 * zones — which zone a local date is taken in: the customer's IANA zone
 * when it has one, else the company's (`timezone` in regua.yaml, default
 * America/Sao_Paulo). With rg_tz_date() and rg_tz_parse_moment() (tz.h)
 * this is how every command, import and service turns an instant into
 * "today" and a bare date into an instant.
 *
 * Ownership: rg_zones_new returns an owned set, released with
 * rg_zones_free (NULL-safe). Every zone it hands out stays valid until
 * then. A set may be shared by threads (its cache has its own lock).
 */
#ifndef RG_ZONES_H
#define RG_ZONES_H

#include "base/err.h"
#include "base/tz.h"

typedef struct rg_zones rg_zones;

/* Loads the company's zone (from the system tz database, or from `dir`
 * when not NULL). RG_EINVAL / RG_ENOTFOUND / RG_EIO as rg_tz_load, with
 * "timezone" as where; *out is NULL on failure. */
rg_status rg_zones_new(const char *company_zone, const char *dir, rg_zones **out, rg_err *e);
void rg_zones_free(rg_zones *z);

/* The company's zone. */
const rg_tz *rg_zones_company(const rg_zones *z);

/* The customer's zone (`customer_zone`, e.g. rg_customer.timezone); the
 * company's when it is NULL, empty, or names a zone that does not load
 * (the importer refuses such names, so that only happens with data
 * written by hand). */
const rg_tz *rg_zones_for(rg_zones *z, const char *customer_zone);

#endif
