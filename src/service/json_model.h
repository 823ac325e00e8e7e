/*
 * json_model — the JSON shape of the core objects, shared by the CLI's
 * --json output and the REST API so both say the same thing. Each function
 * returns a new jansson reference (json_t *, as void * to keep jansson out
 * of this header's users) or NULL on out of memory.
 */
#ifndef RG_JSON_MODEL_H
#define RG_JSON_MODEL_H

#include "model/model.h"

void *rg_customer_json(const rg_customer *c);
void *rg_invoice_json(const rg_invoice *inv);
void *rg_payment_json(const rg_payment *p);

#endif
