#include "base/zones.h"

#include <stdlib.h>

struct rg_zones {
    rg_tz_cache *cache;
    const rg_tz *company; /* owned by the cache */
};

rg_status rg_zones_new(const char *company_zone, const char *dir, rg_zones **out, rg_err *e)
{
    rg_status rc;
    *out = NULL;
    rg_zones *z = calloc(1, sizeof *z);
    if (!z || !(z->cache = rg_tz_cache_new(dir))) {
        free(z);
        return rg_err_set(e, RG_ENOMEM, "timezone", "out of memory");
    }
    if ((rc = rg_tz_cache_get(z->cache, company_zone ? company_zone : "", &z->company, e)) != RG_OK) {
        rg_zones_free(z);
        return rc;
    }
    *out = z;
    return RG_OK;
}

void rg_zones_free(rg_zones *z)
{
    if (!z)
        return;
    rg_tz_cache_free(z->cache);
    free(z);
}

const rg_tz *rg_zones_company(const rg_zones *z)
{
    return z->company;
}

const rg_tz *rg_zones_for(rg_zones *z, const char *customer_zone)
{
    const rg_tz *tz = NULL;
    if (customer_zone && customer_zone[0] && rg_tz_cache_get(z->cache, customer_zone, &tz, NULL) == RG_OK && tz)
        return tz;
    return z->company;
}
