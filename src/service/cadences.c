#include "service/cadences.h"

#include <jansson.h>
#include <stdio.h>

#include "render/template_file.h"
#include "service/json_model.h"

rg_status rg_cadences_open(const rg_config *config, rg_engine **out, rg_err *e)
{
    rg_engine_options o = {NULL, config, true, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    *out = NULL;
    rg_status rc = rg_engine_open(&o, out, &d, e);
    if (rc == RG_OK && rg_engine_load_errors(*out) > 0) {
        const char *first = NULL;
        for (size_t i = 0; i < d.n && !first; i++)
            if (d.items[i].severity == RG_SEV_ERROR)
                first = d.items[i].file;
        size_t n = rg_engine_load_errors(*out);
        rc = rg_err_set(e, RG_EINVAL, first ? first : "cadences",
                        "%zu problem(s) keep cadences or templates from loading (regua cadence lint %s)", n,
                        config->cadences_dir);
        rg_engine_close(*out);
        *out = NULL;
    }
    rg_diags_free(&d);
    return rc;
}

static json_t *strlist_json(const rg_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

static json_t *cadence_json(const rg_cadence *c, bool full)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:b, s:i, s:i}", "cadence", c->name, "version", c->version, "file",
                          c->file ? c->file : "", "priority", (json_int_t)c->match.priority, "consolidate",
                          c->consolidate, "steps", (int)c->n_steps, "triggers", (int)c->n_triggers);
    if (!full || !o)
        return o;
    json_object_set_new(o, "allow_contact_outside_hours",
                        c->allow_contact_outside_hours ? json_string(c->allow_contact_outside_hours) : json_null());
    json_t *steps = json_array();
    for (size_t i = 0; i < c->n_steps; i++) {
        const rg_cadence_step *st = &c->steps[i];
        char at[16];
        snprintf(at, sizeof at, "D%s%d", st->at_days > 0 ? "+" : st->at_days < 0 ? "" : "", st->at_days);
        json_t *s = json_pack("{s:s, s:s, s:s}", "id", st->id, "at", at, "action", rg_step_action_name(st->action));
        if (s && st->send.present) {
            json_object_set_new(s, "channels", strlist_json(&st->send.channels));
            json_object_set_new(s, "template", json_string(st->send.template_name ? st->send.template_name : ""));
        }
        if (s && st->requires_notice)
            json_object_set_new(s, "requires_notice", json_string(st->requires_notice));
        json_array_append_new(steps, s);
    }
    json_object_set_new(o, "steps", steps);
    json_t *tr = json_array();
    for (size_t i = 0; i < c->n_triggers; i++)
        json_array_append_new(tr, json_pack("{s:s, s:s, s:I}", "id", c->triggers[i].id, "on",
                                            rg_event_type_name(c->triggers[i].on), "wait_seconds",
                                            (json_int_t)c->triggers[i].wait_seconds));
    json_object_set_new(o, "triggers", tr);
    return o;
}

void *rg_cadence_list_json(const rg_cadence_set *set)
{
    json_t *a = json_array();
    for (size_t i = 0; a && set && i < set->n; i++) {
        if (json_array_append_new(a, cadence_json(set->items[i], false)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

typedef struct versions_ctx {
    json_t *array;
    rg_err *e;
} versions_ctx;

static rg_status one_version(void *p, const char *version, rg_instant first_seen, const char *reason)
{
    versions_ctx *vc = p;
    char when[48];
    return rg_json_append(vc->array,
                          json_pack("{s:s, s:s, s:s?}", "version", version, "first_seen",
                                    rg_instant_format(first_seen, when, sizeof when), "allow_contact_outside_hours",
                                    reason),
                          "cadence version", version, vc->e);
}

rg_status rg_cadence_show_json(rg_store *s, const rg_cadence *c, void **out, rg_err *e)
{
    *out = NULL;
    json_t *o = cadence_json(c, true);
    versions_ctx vc = {json_array(), e};
    if (!o || !vc.array) {
        json_decref(o);
        json_decref(vc.array);
        return rg_err_set(e, RG_ENOMEM, "cadence", "out of memory");
    }
    rg_status rc = s ? rg_store_cadence_versions(s, c->name, one_version, &vc, e) : RG_OK;
    if (rc != RG_OK) {
        json_decref(o);
        json_decref(vc.array);
        return rc;
    }
    if (json_object_set_new(o, "versions_run", vc.array) != 0) {
        json_decref(o);
        return rg_err_set(e, RG_ENOMEM, "cadence", "out of memory");
    }
    *out = o;
    return RG_OK;
}

rg_status rg_cadences_lint(const rg_config *config, const rg_cadence_lint_input *in, rg_diags *d, size_t *files,
                           rg_err *templates_err)
{
    rg_template_set *templates = NULL;
    rg_err_clear(templates_err);
    if (rg_template_set_load(config->templates_dir, &templates, templates_err) != RG_OK)
        templates = NULL; /* every template counts as missing; the caller says why */
    else
        rg_err_clear(templates_err);
    rg_lint_install li = {config, templates, true};
    rg_lint_env env = rg_engine_lint_env(&li);
    rg_status rc;
    if (in->text) {
        if (files)
            *files = 1;
        rc = rg_cadence_lint_text(in->text, in->len, in->name, in->format, &env, d);
    } else {
        rc = rg_cadence_lint_paths(in->paths, in->n_paths, &env, d, files);
    }
    rg_template_set_free(templates);
    return rc;
}

void *rg_cadence_lint_json(const rg_diags *d, size_t files)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < d->n; i++) {
        const rg_diag *g = &d->items[i];
        json_t *one = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}", "file", g->file, "line", g->line, "column",
                                g->column, "severity", rg_severity_name(g->severity), "rule", g->rule, "message",
                                g->message);
        if (json_array_append_new(a, one) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:o}", "files", (json_int_t)files, "errors",
                     (json_int_t)rg_diags_count(d, 0, RG_SEV_ERROR), "warnings",
                     (json_int_t)rg_diags_count(d, 0, RG_SEV_WARNING), "infos",
                     (json_int_t)rg_diags_count(d, 0, RG_SEV_INFO), "diagnostics", a);
}
