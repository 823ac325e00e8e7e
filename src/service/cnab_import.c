#include "service/cnab_import.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "service/payments.h"

/* ---- content hash ---- */

/* The first 16 hex digits of BLAKE2b-256 over the file without its CR bytes
 * and without the line feeds, CRs and DOS end-of-file bytes (0x1A) at its
 * end: the same records give the same hash whatever the line endings. */
static rg_status content_hash(const char *data, size_t len, char out[17], rg_err *e)
{
    out[0] = '\0';
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "cnab", "libsodium failed to initialise");
    size_t end = len;
    while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == '\r' || data[end - 1] == 0x1a))
        end--;
    crypto_generichash_state st;
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    const char *p = data, *stop = data + end;
    while (p < stop) {
        const char *cr = memchr(p, '\r', (size_t)(stop - p));
        const char *q = cr ? cr : stop;
        if (q > p)
            crypto_generichash_update(&st, (const unsigned char *)p, (size_t)(q - p));
        p = q + 1;
    }
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 17, h, 8);
    return RG_OK;
}

/* ---- report ---- */

void rg_cnab_import_report_free(rg_cnab_import_report *r)
{
    if (!r)
        return;
    free(r->file_name);
    free(r->items);
    free(r->corrupt);
    free(r->trailer_issues);
    memset(r, 0, sizeof *r);
    r->generated = RG_DATE_NONE;
}

bool rg_cnab_import_clean(const rg_cnab_import_report *r)
{
    return r->n_corrupt_total == 0 && r->totals.ok;
}

const char *rg_cnab_outcome_name(rg_cnab_outcome o)
{
    switch (o) {
    case RG_CNABI_RECORDED:
        return "recorded";
    case RG_CNABI_ALREADY:
        return "already_recorded";
    case RG_CNABI_DUPLICATE:
        return "duplicate";
    case RG_CNABI_UNMATCHED:
        return "unmatched";
    case RG_CNABI_OCCURRENCE:
        return "occurrence";
    }
    return "occurrence";
}

static rg_status push_corrupt(rg_cnab_import_report *r, size_t *cap, const rg_cnab_diag *d, rg_err *e)
{
    r->n_corrupt_total++;
    if (r->n_corrupt >= RG_CNAB_MAX_DIAGS)
        return RG_OK;
    if (r->n_corrupt == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        rg_cnab_diag *p = realloc(r->corrupt, nc * sizeof *p);
        if (!p)
            return rg_err_set(e, RG_ENOMEM, "cnab", "out of memory for the report");
        r->corrupt = p;
        *cap = nc;
    }
    r->corrupt[r->n_corrupt++] = *d;
    return RG_OK;
}

static int diag_by_line(const void *a, const void *b)
{
    const rg_cnab_diag *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

/* Splits the parser's diagnostics: trailer findings (warnings and the
 * missing trailer) go to trailer_issues, every other error is a corrupt line. */
static rg_status take_diags(rg_cnab_import_report *r, const rg_cnab_file *f, size_t *corrupt_cap, rg_err *e)
{
    size_t n_trailer = 0;
    for (size_t i = 0; i < f->n_diags; i++)
        if (f->diags[i].severity == RG_CNAB_WARNING || !strcmp(f->diags[i].field, "trailer"))
            n_trailer++;
    if (n_trailer) {
        r->trailer_issues = calloc(n_trailer, sizeof *r->trailer_issues);
        if (!r->trailer_issues)
            return rg_err_set(e, RG_ENOMEM, "cnab", "out of memory for the report");
    }
    for (size_t i = 0; i < f->n_diags; i++) {
        const rg_cnab_diag *d = &f->diags[i];
        rg_status rc;
        if (d->severity == RG_CNAB_WARNING || !strcmp(d->field, "trailer"))
            r->trailer_issues[r->n_trailer_issues++] = *d;
        else if ((rc = push_corrupt(r, corrupt_cap, d, e)) != RG_OK)
            return rc;
    }
    /* diagnostics the parser could not keep (past its cap) were lines too */
    r->n_corrupt_total += f->n_diags_total - f->n_diags;
    return RG_OK;
}

/* ---- matching ---- */

/* By nosso número; an invoice whose boleto is from another bank is not
 * this line's (nosso números are only unique within a bank). */
static rg_status find_by_nosso(rg_store *s, const rg_cnab_file *f, const char *nosso, rg_invoice *inv, rg_err *le)
{
    rg_status rc = rg_store_invoice_find_for_bank(s, nosso, NULL, inv, le);
    if (rc == RG_OK && inv->boleto_bank[0] && strcmp(inv->boleto_bank, f->bank) != 0)
        return RG_ENOTFOUND;
    return rc;
}

/* The invoice an entry refers to: nosso número (leading zeros ignored);
 * for Bradesco, whose 12-character nosso número carries its check digit,
 * also the 11 digits without it; else the document number as external id. */
static rg_status find_invoice(rg_store *s, const rg_cnab_file *f, const rg_cnab_entry *en, rg_invoice *inv,
                              bool *found, rg_err *e)
{
    rg_err le;
    rg_status rc;
    *found = false;
    rc = find_by_nosso(s, f, en->nosso_numero, inv, &le);
    if (rc == RG_ENOTFOUND && f->layout == RG_CNAB_400 && !strcmp(f->bank, "237") &&
        strlen(en->nosso_numero) == 12) {
        char base[12];
        memcpy(base, en->nosso_numero, 11);
        base[11] = '\0';
        rc = find_by_nosso(s, f, base, inv, &le);
    }
    if (rc == RG_ENOTFOUND && en->documento[0])
        rc = rg_store_invoice_find_for_bank(s, NULL, en->documento, inv, &le);
    if (rc == RG_OK) {
        *found = true;
        return RG_OK;
    }
    if (rc == RG_ENOTFOUND)
        return RG_OK;
    if (e)
        *e = le;
    return rc;
}

/* ---- duplicates from another file ---- */

typedef struct dup_ctx {
    const char *own_prefix; /* "cnab:HASH:" of this file */
    size_t own_len;
    const char *own_ref;    /* "cnab:HASH:LINE" of this entry */
    rg_cents amount;
    rg_date paid_on;        /* the credit date, where the company is */
    const rg_tz *tz;
    bool already;           /* this very payment is recorded */
    bool found;             /* the same payment from another file is recorded */
    char reference[RG_CNABI_REF_MAX];
} dup_ctx;

/* Looks at an invoice's payments for this entry's own reference (then it
 * is already recorded, and nothing needs writing) or for a cnab payment of
 * another file with the same amount and date (where the company is). */
static rg_status dup_fn(void *ctx, const rg_payment *p)
{
    dup_ctx *d = ctx;
    if (p->source != RG_PAY_CNAB || strncmp(p->reference, "cnab:", 5) != 0)
        return RG_OK;
    if (!strncmp(p->reference, d->own_prefix, d->own_len)) {
        if (strcmp(p->reference, d->own_ref) != 0)
            return RG_OK;
        d->already = true;
        return RG_ECONFLICT; /* stops the iteration */
    }
    if (p->amount != d->amount || rg_tz_date(d->tz, p->paid_at) != d->paid_on)
        return RG_OK;
    d->found = true;
    rg_strlcpy(d->reference, p->reference, sizeof d->reference);
    return RG_ECONFLICT;
}

/* ---- the import ---- */

/* The bank's date is a civil date where the company is: its local noon. */
static rg_instant paid_at_for(const rg_cnab_file *f, const rg_cnab_entry *en, const rg_tz *tz, rg_instant now)
{
    rg_date d = en->credit_date;
    if (d == RG_DATE_NONE)
        d = en->occurrence_date;
    if (d == RG_DATE_NONE)
        d = f->generated;
    return d == RG_DATE_NONE ? now : rg_tz_to_utc(tz, d, 12 * 60 * 60);
}

static rg_status process_entry(const rg_event_env *env, const rg_cnab_file *f, const rg_cnab_entry *en,
                               const char *prefix, rg_instant now, rg_cnab_import_report *r, size_t *corrupt_cap,
                               rg_err *e)
{
    rg_store *s = env->store;
    rg_zones *zones = env->zones;
    rg_status rc;
    if (en->kind == RG_CNAB_LIQUIDATION && en->paid <= 0 && en->face_value <= 0) {
        rg_cnab_diag d;
        memset(&d, 0, sizeof d);
        d.line = en->line;
        d.severity = RG_CNAB_ERROR;
        rg_strlcpy(d.field, "valor_pago", sizeof d.field);
        snprintf(d.msg, sizeof d.msg,
                 "occurrence %s is a liquidation but neither the amount paid nor the face value is given;"
                 " nothing recorded",
                 en->occurrence);
        return push_corrupt(r, corrupt_cap, &d, e);
    }
    rg_cnab_import_item *it = &r->items[r->n_items++];
    memset(it, 0, sizeof *it);
    it->line = en->line;
    it->kind = en->kind;
    rg_strlcpy(it->occurrence, en->occurrence, sizeof it->occurrence);
    rg_strlcpy(it->nosso_numero, en->nosso_numero, sizeof it->nosso_numero);
    rg_strlcpy(it->documento, en->documento, sizeof it->documento);
    rg_strlcpy(it->reasons, en->reasons, sizeof it->reasons);
    it->face_value = en->face_value;
    it->discount = en->discount + en->rebate;
    it->paid_at = RG_INSTANT_NONE;

    rg_invoice inv;
    bool found;
    if ((rc = find_invoice(s, f, en, &inv, &found, e)) != RG_OK)
        return rc;
    if (found) {
        it->matched = true;
        rg_strlcpy(it->invoice, inv.external_id, sizeof it->invoice);
        it->was_open = inv.status == RG_INV_OPEN;
        it->status = inv.status;
        it->balance = rg_invoice_balance(&inv);
    }

    if (en->kind != RG_CNAB_LIQUIDATION) {
        it->outcome = RG_CNABI_OCCURRENCE;
        it->amount = en->face_value;
        r->occurrences[en->kind].count++;
        r->occurrences[en->kind].cents += en->face_value;
        return RG_OK;
    }

    /* valor pago; a liquidation reported without it settles the face value */
    it->amount = en->paid > 0 ? en->paid : en->face_value;
    it->paid_at = paid_at_for(f, en, rg_zones_company(zones), now);
    snprintf(it->reference, sizeof it->reference, "%s%zu", prefix, en->line);
    if (!found) {
        it->outcome = RG_CNABI_UNMATCHED;
        r->unmatched.count++;
        r->unmatched.cents += it->amount;
        return RG_OK;
    }

    if (inv.paid > 0) {
        dup_ctx d;
        memset(&d, 0, sizeof d);
        d.own_prefix = prefix;
        d.own_len = strlen(prefix);
        d.own_ref = it->reference;
        d.amount = it->amount;
        d.tz = rg_zones_company(zones);
        d.paid_on = rg_tz_date(d.tz, it->paid_at);
        rc = rg_store_payment_each(s, inv.id, dup_fn, &d, e);
        if (rc != RG_OK && !(rc == RG_ECONFLICT && (d.found || d.already)))
            return rc;
        if (d.already) {
            it->outcome = RG_CNABI_ALREADY;
            r->already.count++;
            r->already.cents += it->amount;
            return RG_OK;
        }
        if (d.found) {
            it->outcome = RG_CNABI_DUPLICATE;
            rg_strlcpy(it->duplicate_of, d.reference, sizeof it->duplicate_of);
            r->duplicate.count++;
            r->duplicate.cents += it->amount;
            return RG_OK;
        }
    }

    rg_payment p;
    rg_payment_init(&p);
    p.source = RG_PAY_CNAB;
    rg_strlcpy(p.invoice_external_id, inv.external_id, sizeof p.invoice_external_id);
    p.amount = it->amount;
    p.paid_at = it->paid_at;
    rg_strlcpy(p.method, "boleto", sizeof p.method);
    rg_strlcpy(p.reference, it->reference, sizeof p.reference);
    rg_payment_outcome out;
    if ((rc = rg_payment_record(env, &p, now, &out, e)) != RG_OK)
        return rc;
    it->status = out.status;
    it->balance = out.balance;
    if (!out.recorded) {
        it->outcome = RG_CNABI_ALREADY;
        r->already.count++;
        r->already.cents += it->amount;
        return RG_OK;
    }
    it->outcome = RG_CNABI_RECORDED;
    r->recorded.count++;
    r->recorded.cents += it->amount;
    if (!it->was_open)
        r->not_open++;
    else if (out.status == RG_INV_PAID)
        r->paid_in_full++;
    else
        r->partial++;
    return RG_OK;
}

static void report_init(rg_cnab_import_report *r, unsigned flags)
{
    memset(r, 0, sizeof *r);
    r->generated = RG_DATE_NONE;
    r->dry_run = (flags & RG_CNABI_DRY_RUN) != 0;
    r->accept_partial = (flags & RG_CNABI_ACCEPT_PARTIAL) != 0;
}

rg_status rg_cnab_import_buffer(const rg_event_env *env, const char *name, const char *data, size_t len,
                                unsigned flags, rg_instant now, rg_cnab_import_report *report, rg_err *e)
{
    rg_store *s = env->store;
    rg_cnab_import_report *r = report;
    rg_cnab_file *f = NULL;
    bool in_tx = false;
    size_t corrupt_cap = 0;
    char prefix[32];
    rg_status rc;
    bool keep_report = false;
    report_init(r, flags);
    if (!(r->file_name = rg_strdup(name ? name : ""))) {
        rc = rg_err_set(e, RG_ENOMEM, "cnab", "out of memory");
        goto out;
    }
    if ((rc = rg_cnab_parse(data, len, name, &f, e)) != RG_OK)
        goto out;
    if ((rc = content_hash(data, len, r->hash, e)) != RG_OK)
        goto out;
    r->layout = f->layout;
    rg_strlcpy(r->bank, f->bank, sizeof r->bank);
    r->generated = f->generated;
    r->n_lines = f->n_lines;
    r->totals = f->totals;
    /* a file cut in transfer (mid-line or between lines) lacks its trailer */
    r->incomplete = !f->totals.present;
    if ((rc = take_diags(r, f, &corrupt_cap, e)) != RG_OK)
        goto out;
    if (f->n_entries && !(r->items = calloc(f->n_entries, sizeof *r->items))) {
        rc = rg_err_set(e, RG_ENOMEM, "cnab", "out of memory for %zu entries", f->n_entries);
        goto out;
    }

    snprintf(prefix, sizeof prefix, "cnab:%s:", r->hash);
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        goto out;
    in_tx = true;
    for (size_t i = 0; i < f->n_entries; i++)
        if ((rc = process_entry(env, f, &f->entries[i], prefix, now, r, &corrupt_cap, e)) != RG_OK)
            goto out;
    if (r->n_corrupt > 1)
        qsort(r->corrupt, r->n_corrupt, sizeof *r->corrupt, diag_by_line);
    if (r->incomplete && !r->accept_partial) {
        /* the report stays: it shows what the file holds; nothing is kept */
        keep_report = true;
        size_t at = f->totals.line ? f->totals.line : f->n_lines + 1;
        char where[300];
        snprintf(where, sizeof where, "%s:%zu", r->file_name, at);
        rc = rg_err_set(e, RG_EINVAL, where,
                        "%s: the file is incomplete (cut in transfer?); nothing was recorded — ask the bank"
                        " for the whole file, or import it with --accept-partial to record its complete lines",
                        f->totals.line ? "the trailer record ('9') cannot be read" : "no trailer record ('9')");
        goto out;
    }
    if (!r->dry_run) {
        if ((rc = rg_store_commit(s, e)) != RG_OK)
            goto out;
        in_tx = false;
        r->committed = true;
    }

out:
    if (in_tx)
        rg_store_rollback(s);
    if (rc != RG_OK && !keep_report) {
        /* a failed import keeps only the file name: nothing it counted happened */
        char *keep = r->file_name;
        r->file_name = NULL;
        rg_cnab_import_report_free(r);
        report_init(r, flags);
        r->file_name = keep;
    }
    rg_cnab_file_free(f);
    return rc;
}

rg_status rg_cnab_import_file(const rg_event_env *env, const char *path, unsigned flags, rg_instant now,
                              rg_cnab_import_report *report, rg_err *e)
{
    report_init(report, flags);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        report->file_name = rg_strdup(path);
        return rg_err_set(e, RG_EIO, path, "cannot open: %s", strerror(errno));
    }
    rg_buf b = RG_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        rg_buf_append(&b, chunk, n);
    bool err = ferror(fp);
    fclose(fp);
    if (err || b.oom) {
        rg_buf_free(&b);
        report->file_name = rg_strdup(path);
        return rg_err_set(e, err ? RG_EIO : RG_ENOMEM, path, "cannot read the file");
    }
    rg_status rc = rg_cnab_import_buffer(env, path, b.p ? b.p : "", b.len, flags, now, report, e);
    rg_buf_free(&b);
    return rc;
}

/* ---- JSON ---- */

static json_t *date_json(rg_date d)
{
    char b[16];
    return d == RG_DATE_NONE ? json_null() : json_string(rg_date_format_iso(d, b, sizeof b));
}

static json_t *instant_json(rg_instant t)
{
    char b[32];
    return t == RG_INSTANT_NONE ? json_null() : json_string(rg_instant_format(t, b, sizeof b));
}

static json_t *opt_string(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *item_json(const rg_cnab_import_item *it)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I}", "line", (json_int_t)it->line,
                          "outcome", rg_cnab_outcome_name(it->outcome), "kind", rg_cnab_kind_name(it->kind),
                          "occurrence", it->occurrence, "nosso_numero", opt_string(it->nosso_numero),
                          "documento", opt_string(it->documento), "invoice", opt_string(it->invoice),
                          "amount_cents", (json_int_t)it->amount, "face_value_cents",
                          (json_int_t)it->face_value);
    if (!o)
        return NULL;
    if (it->kind == RG_CNAB_LIQUIDATION) {
        json_object_set_new(o, "paid_at", instant_json(it->paid_at));
        json_object_set_new(o, "reference", json_string(it->reference));
        if (it->discount)
            json_object_set_new(o, "discount_cents", json_integer(it->discount));
    }
    if (it->outcome == RG_CNABI_DUPLICATE)
        json_object_set_new(o, "duplicate_of", json_string(it->duplicate_of));
    if (it->outcome == RG_CNABI_RECORDED)
        json_object_set_new(o, "invoice_was_open", json_boolean(it->was_open));
    if (it->matched) {
        json_object_set_new(o, "status", json_string(rg_invoice_status_name(it->status)));
        json_object_set_new(o, "balance_cents", json_integer(it->balance));
    }
    if (it->reasons[0])
        json_object_set_new(o, "reasons", json_string(it->reasons));
    return o;
}

/* {"count", "amount_cents" (or face_value_cents), "items": [...]} for one outcome (and kind) */
static json_t *group_json(const rg_cnab_import_report *r, const rg_cnab_import_sum *sum, rg_cnab_outcome o,
                          int kind, const char *cents_name)
{
    json_t *items = json_array();
    for (size_t i = 0; items && i < r->n_items; i++) {
        const rg_cnab_import_item *it = &r->items[i];
        if (it->outcome == o && (kind < 0 || (int)it->kind == kind) &&
            json_array_append_new(items, item_json(it)) != 0) {
            json_decref(items); /* an entry JSON cannot hold: the report is not written at all */
            return NULL;
        }
    }
    return json_pack("{s:I, s:I, s:o}", "count", (json_int_t)sum->count, cents_name, (json_int_t)sum->cents,
                     "items", items);
}

static json_t *diags_json(const rg_cnab_diag *d, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)d[i].line, "field",
                                               d[i].field, "message", d[i].msg)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

void *rg_cnab_import_report_json(const rg_cnab_import_report *r)
{
    json_t *recorded = group_json(r, &r->recorded, RG_CNABI_RECORDED, -1, "amount_cents");
    if (recorded) {
        json_object_set_new(recorded, "invoices_paid", json_integer(r->paid_in_full));
        json_object_set_new(recorded, "partial", json_integer(r->partial));
        json_object_set_new(recorded, "invoice_not_open", json_integer(r->not_open));
    }
    json_t *occ = json_object();
    static const rg_cnab_kind kinds[] = {RG_CNAB_ENTRY_CONFIRMED, RG_CNAB_REJECTED, RG_CNAB_WRITE_OFF,
                                         RG_CNAB_OTHER};
    for (size_t k = 0; occ && k < sizeof kinds / sizeof kinds[0]; k++)
        json_object_set_new(occ, rg_cnab_kind_name(kinds[k]),
                            group_json(r, &r->occurrences[kinds[k]], RG_CNABI_OCCURRENCE, (int)kinds[k],
                                       "face_value_cents"));
    const rg_cnab_totals *t = &r->totals;
    json_t *trailer = json_pack("{s:b, s:b, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "present", t->present,
                                "ok", t->ok, "line", t->present ? json_integer((json_int_t)t->line) : json_null(),
                                "declared_count", (json_int_t)t->declared_count, "counted",
                                (json_int_t)t->counted, "declared_total_cents", (json_int_t)t->declared_total,
                                "summed_cents", (json_int_t)t->summed, "declared_records",
                                t->declared_records >= 0 ? json_integer(t->declared_records) : json_null(),
                                "records", t->records >= 0 ? json_integer(t->records) : json_null(), "issues",
                                diags_json(r->trailer_issues, r->n_trailer_issues));
    json_t *corrupt = json_pack("{s:I, s:o}", "count", (json_int_t)r->n_corrupt_total, "items",
                                diags_json(r->corrupt, r->n_corrupt));
    char layout[16];
    snprintf(layout, sizeof layout, "CNAB %d", (int)r->layout);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "file", r->file_name ? r->file_name : "", "hash", r->hash, "layout", layout, "bank",
                     r->bank, "generated", date_json(r->generated), "lines", (json_int_t)r->n_lines,
                     "entries", (json_int_t)r->n_items, "dry_run", r->dry_run, "committed", r->committed,
                     "incomplete", r->incomplete,
                     "clean", rg_cnab_import_clean(r), "recorded", recorded, "already_recorded",
                     group_json(r, &r->already, RG_CNABI_ALREADY, -1, "amount_cents"), "duplicates",
                     group_json(r, &r->duplicate, RG_CNABI_DUPLICATE, -1, "amount_cents"), "unmatched",
                     group_json(r, &r->unmatched, RG_CNABI_UNMATCHED, -1, "amount_cents"),
                     "other_occurrences", occ, "corrupt_lines", corrupt, "trailer", trailer);
}
