#include "model/event.h"

#include <string.h>

static const struct {
    const char *name;
    rg_event_scope scope;
    rg_event_origin origin;
    const char *desc;
} types[RG_EV__COUNT] = {
#define RG_EVENT(id, name, scope, origin, desc) [RG_EV_##id] = {name, RG_EVS_##scope, RG_EVO_##origin, desc},
#include "model/event_types.def"
#undef RG_EVENT
};

const char *rg_event_type_name(rg_event_type t)
{
    return (unsigned)t < RG_EV__COUNT ? types[t].name : NULL;
}

bool rg_event_type_parse(const char *s, size_t len, rg_event_type *out)
{
    for (unsigned i = 0; i < RG_EV__COUNT; i++) {
        if (strlen(types[i].name) == len && memcmp(types[i].name, s, len) == 0) {
            *out = (rg_event_type)i;
            return true;
        }
    }
    return false;
}

rg_event_scope rg_event_type_scope(rg_event_type t)
{
    return (unsigned)t < RG_EV__COUNT ? types[t].scope : RG_EVS_INVOICE;
}

rg_event_origin rg_event_type_origin(rg_event_type t)
{
    return (unsigned)t < RG_EV__COUNT ? types[t].origin : RG_EVO_REGUA;
}

const char *rg_event_type_description(rg_event_type t)
{
    return (unsigned)t < RG_EV__COUNT ? types[t].desc : "";
}
