/* regua simulate: the forecast of what the cadences will do, with no side effect. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine_cli.h"
#include "engine/engine.h"
#include "service/holds.h"
#include "service/json_model.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_simulate = {
    "simulate",
    "regua simulate [--from DATE] [--days N] [--json]",
    "Forecast, day by day, what the cadences will send — changing nothing",
    "Copies the database to a temporary file and ticks that copy at every window opening of\n"
    "each day (the very same planner and engine as 'regua tick', with every channel simulated),\n"
    "and at the moment of each trigger timer already waiting (an event recorded earlier: the\n"
    "offer 3 h after a portal visit), assuming nobody pays and nothing else happens. Starts now\n"
    "(or at the first opening of --from) for --days days\n"
    "(default 30) and prints each message, then the counts per day and channel (days where the\n"
    "company is), then the pending promises — an invoice's, or the customer's whole debt\n"
    "(\"invoice_external_id\": null in --json) —: each one's deadline (the promised date plus\n"
    "grace), the steps it pauses, and whether it breaks within the days simulated (nobody\n"
    "paying, it does at its deadline: promise.broken, and the paused steps resume).\n"
    "If any cadence file or template does not load, it exits 1 naming it.",
    run,
};

typedef struct collect_ctx {
    rg_cli *cli;
    int64_t min_id;
    json_t *messages;
    json_t *counts; /* "date|channel" -> n */
    bool json;
    rg_err *e;
} collect_ctx;

static rg_status collect(void *p, const rg_message *m)
{
    collect_ctx *cc = p;
    if (m->id <= cc->min_id)
        return RG_OK;
    char planned[32], day[16];
    rg_instant_format(m->planned_for, planned, sizeof planned);
    rg_date_format_iso(rg_tz_date(rg_cli_tz(cc->cli), m->planned_for), day, sizeof day);
    char key[64];
    snprintf(key, sizeof key, "%s|%s", day, m->channel[0] ? m->channel : "-");
    json_t *n = json_object_get(cc->counts, key);
    json_object_set_new(cc->counts, key, json_integer(n ? json_integer_value(n) + 1 : 1));
    if (cc->json) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)m->id);
        return rg_json_append(cc->messages,
                              json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "planned_for", planned,
                                        "customer_external_id", m->customer_external_id, "invoice_external_ids",
                                        rg_invoice_ids_json(m->invoice_external_ids), "cadence", m->cadence, "step",
                                        m->source_id, "source_kind", m->source_kind, "channel", m->channel, "template", m->template_name, "status",
                                        rg_message_status_name(m->status), "body", m->body ? m->body : ""),
                              "simulated message", id, cc->e);
    } else {
        char local[40];
        FILE *f = cc->cli->out;
        fprintf(f, "%s  ", rg_cli_time(cc->cli, m->planned_for, local, sizeof local));
        rg_cli_cell(f, m->customer_external_id, 10, false);
        rg_cli_cell(f, m->invoice_external_ids, 14, false);
        rg_cli_cell(f, m->channel[0] ? m->channel : "-", 10, false);
        rg_cli_cell(f, m->source_id, 14, false);
        rg_cli_cell(f, m->template_name, 18, false);
        fprintf(f, "%s%s%s\n", rg_message_status_name(m->status), m->reason[0] ? ": " : "", m->reason);
    }
    return RG_OK;
}

static int cmp_instant(const void *a, const void *b)
{
    rg_instant x = *(const rg_instant *)a, y = *(const rg_instant *)b;
    return x < y ? -1 : x > y;
}

/* The pending promises as the simulation starts, with their deadlines and
 * the steps they pause. */
typedef struct promises_ctx {
    rg_cli *cli;
    rg_store *store;
    json_t *list;
    rg_err *e;
} promises_ctx;

typedef struct pauses_ctx {
    int64_t promise_id;
    json_t *steps;
} pauses_ctx;

static rg_status pause_of(void *p, const rg_hold *h)
{
    pauses_ctx *pc = p;
    if (h->promise_id == pc->promise_id)
        json_array_append_new(pc->steps, json_string(h->step[0] ? h->step : "*"));
    return RG_OK;
}

/* The holds of one of the customer's open invoices that a whole-debt promise keeps. */
static rg_status pauses_of_invoice(void *p, const rg_invoice *inv)
{
    promises_ctx *pc = ((void **)p)[0];
    pauses_ctx *pa = ((void **)p)[1];
    return rg_store_hold_each(pc->store, inv->id, true, pause_of, pa, pc->e);
}

static rg_status pending_promise(void *p, const rg_promise *pr)
{
    promises_ctx *pc = p;
    rg_invoice inv;
    rg_customer c;
    rg_status rc;
    memset(&inv, 0, sizeof inv);
    if (pr->invoice_id && (rc = rg_store_invoice_get_by_id(pc->store, pr->invoice_id, &inv, pc->e)) != RG_OK)
        return rc;
    if ((rc = rg_store_customer_get_by_id(pc->store, pr->customer_id, &c, pc->e)) != RG_OK)
        return rc;
    rg_instant deadline = rg_promise_deadline(rg_zones_for(pc->cli->zones, c.timezone), pr->promised_date,
                                              pr->grace_days);
    pauses_ctx pa = {pr->id, json_array()};
    void *both[2] = {pc, &pa};
    /* a promise about the whole debt holds on each open invoice of the customer */
    rc = pr->invoice_id ? rg_store_hold_each(pc->store, inv.id, true, pause_of, &pa, pc->e)
                        : rg_store_customer_open_invoices(pc->store, c.id, pauses_of_invoice, both, pc->e);
    if (rc != RG_OK) {
        json_decref(pa.steps);
        return rc;
    }
    /* the same step held on several invoices is named once */
    json_t *steps = json_array();
    for (size_t i = 0; i < json_array_size(pa.steps); i++) {
        const char *st = json_string_value(json_array_get(pa.steps, i));
        bool seen = false;
        for (size_t k = 0; k < json_array_size(steps) && !seen; k++)
            seen = !strcmp(st, json_string_value(json_array_get(steps, k)));
        if (!seen)
            json_array_append_new(steps, json_string(st));
    }
    json_decref(pa.steps);
    char d[16], amount[32], dl[32];
    return rg_json_append(pc->list,
                          json_pack("{s:o, s:s, s:I, s:s, s:s, s:I, s:s, s:o}", "invoice_external_id",
                                    pr->invoice_id ? json_string(inv.external_id) : json_null(),
                                    "customer_external_id", c.external_id, "promise_id", (json_int_t)pr->id,
                                    "promised_date", rg_date_format_iso(pr->promised_date, d, sizeof d), "amount",
                                    rg_money_format_plain(pr->amount, amount, sizeof amount), "grace_days",
                                    (json_int_t)pr->grace_days, "deadline",
                                    rg_instant_format(deadline, dl, sizeof dl), "pauses", steps),
                          pr->invoice_id ? "promise of invoice" : "promise of customer",
                          pr->invoice_id ? inv.external_id : c.external_id, pc->e);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"from", true, "DATE", "first day (default: today)", false, NULL},
        {"days", true, "N", "how many days (default 30)", false, NULL},
        {"json", false, NULL, "print JSON: the messages and the counts per day and channel", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_simulate, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    rg_instant now = rg_cli_now(cli);
    rg_date from = rg_tz_date(rg_cli_tz(cli), now);
    int64_t days = 30;
    const char *v;
    bool from_given = false;
    if ((v = rg_cli_opt(opts, "from")->value)) {
        if (!rg_cli_date(cli, "simulate", "from", v, &from))
            return 2;
        from_given = true;
    }
    if ((v = rg_cli_opt(opts, "days")->value) && !rg_parse_i64(rg_slice_cstr(v), 1, 366, &days))
        return rg_cli_usage_error(cli, "simulate", "--days takes a whole number from 1 to 366");
    rg_store *real = rg_cli_store(cli);
    if (!real)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    char tmp[] = "/tmp/regua-simulate-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rg_err_set(&e, RG_EIO, "simulate", "cannot create a temporary file");
        return rg_cli_fail(cli, &e);
    }
    close(fd);
    unlink(tmp); /* VACUUM INTO wants a new file */
    int rc = 0;
    rg_store *copy = NULL;
    rg_engine *eng = NULL;
    json_t *messages = json_array(), *counts = json_object(), *promises = json_array();
    if (rg_store_snapshot(real, tmp, &e) != RG_OK || rg_store_open(tmp, &copy, &e) != RG_OK) {
        rc = rg_cli_fail(cli, &e);
        goto out;
    }
    rg_store *saved = cli->store;
    cli->store = copy;
    rc = rg_cli_engine_open(cli, true, RG_CLI_ENGINE_STRICT, &eng);
    cli->store = saved;
    if (rc != 0)
        goto out;
    int64_t min_id;
    if (rg_store_message_max_id(copy, &min_id, &e) != RG_OK) {
        rc = rg_cli_fail(cli, &e);
        goto out;
    }
    promises_ctx pc = {cli, copy, promises, &e};
    if (rg_store_promise_each_pending(copy, 0, pending_promise, &pc, &e) != RG_OK) {
        rc = rg_cli_fail(cli, &e);
        goto out;
    }
    /* the first tick plans every open invoice (whatever the copy's agenda
     * says, e.g. a re-plan still under way); the others follow the agenda */
    rg_instant last = RG_INSTANT_NONE;
    if (!from_given) {
        rg_tick_stats st;
        if (rg_engine_tick_full(eng, now, &st, &e) != RG_OK) {
            rc = rg_cli_fail(cli, &e);
            goto out;
        }
        last = now;
    }
    /* the trigger timers already waiting fire at their moment (a tick
     * then), or at the next opening when it falls outside the window */
    rg_timer_list waiting = {0};
    struct {
        rg_instant *v;
        size_t n;
    } timers = {NULL, 0};
    rg_status trc = rg_store_timer_due(copy, INT64_MAX - 1, 0, 0, rg_timer_list_keep, &waiting, &e);
    if (trc == RG_OK && waiting.n && !(timers.v = malloc(waiting.n * sizeof *timers.v)))
        trc = RG_ENOMEM;
    if (trc != RG_OK) {
        free(waiting.v);
        if (trc == RG_ENOMEM)
            rg_err_set(&e, RG_ENOMEM, "simulate", "out of memory");
        rc = rg_cli_fail(cli, &e);
        goto out;
    }
    for (size_t i = 0; i < waiting.n; i++)
        timers.v[timers.n++] = waiting.v[i].fire_at;
    free(waiting.v);
    if (timers.n)
        qsort(timers.v, timers.n, sizeof *timers.v, cmp_instant);
    size_t ti = 0;
    for (int64_t d = 0; d < days && rc == 0; d++) {
        rg_instant at[128 + 64];
        size_t n = rg_engine_openings(eng, from + (rg_date)d, at, 128, &e);
        rg_instant next[128];
        size_t m = rg_engine_openings(eng, from + (rg_date)d + 1, next, 128, &e);
        rg_instant day_end = m ? next[0] : rg_instant_from_civil(from + (rg_date)d + 2, 0, 0, 0);
        /* the timers due before the next day's first opening */
        while (ti < timers.n && timers.v[ti] < day_end && n < sizeof at / sizeof at[0])
            at[n++] = timers.v[ti++];
        qsort(at, n, sizeof *at, cmp_instant);
        for (size_t k = 0; k < n; k++) {
            if (last != RG_INSTANT_NONE && at[k] <= last)
                continue;
            rg_tick_stats st;
            if ((last == RG_INSTANT_NONE ? rg_engine_tick_full : rg_engine_tick)(eng, at[k], &st, &e) != RG_OK) {
                rc = rg_cli_fail(cli, &e);
                break;
            }
            last = at[k];
        }
    }
    free(timers.v);
    if (rc != 0)
        goto out;
    bool json = rg_cli_opt(opts, "json")->set;
    collect_ctx cc = {cli, min_id, messages, counts, json, &e};
    rg_message_filter f;
    rg_message_filter_init(&f);
    f.after_id = min_id;
    if (rg_store_message_each(copy, &f, collect, &cc, &e) != RG_OK) {
        rc = rg_cli_fail(cli, &e);
        goto out;
    }
    json_t *per_day = json_array();
    const char *key;
    json_t *val;
    void *iter = json_object_iter(counts);
    /* keys are "date|channel"; jansson keeps insertion order, which is planned order */
    while (iter) {
        key = json_object_iter_key(iter);
        val = json_object_iter_value(iter);
        const char *bar = strchr(key, '|');
        json_array_append_new(per_day, json_pack("{s:s#, s:s, s:I}", "date", key, (int)(bar - key), "channel", bar + 1,
                                                 "count", (json_int_t)json_integer_value(val)));
        iter = json_object_iter_next(counts, iter);
    }
    /* whether each promise broke within the days simulated (nobody paid) */
    rg_instant end = last;
    for (size_t i = 0; i < json_array_size(promises); i++) {
        json_t *o = json_array_get(promises, i);
        rg_instant dl;
        const char *t = json_string_value(json_object_get(o, "deadline"));
        bool broken = t && rg_instant_parse(t, strlen(t), &dl) && end != RG_INSTANT_NONE && dl <= end;
        json_object_set_new(o, "breaks", json_boolean(broken));
    }
    if (json) {
        rc = rg_cli_print_json(cli, json_pack("{s:O, s:o, s:O}", "messages", messages, "per_day", per_day,
                                              "promises", promises));
    } else {
        fprintf(cli->out, "\nper day and channel:\n");
        for (size_t i = 0; i < json_array_size(per_day); i++) {
            json_t *o = json_array_get(per_day, i);
            fprintf(cli->out, "  %s  %-10s %lld\n", json_string_value(json_object_get(o, "date")),
                    json_string_value(json_object_get(o, "channel")),
                    (long long)json_integer_value(json_object_get(o, "count")));
        }
        json_decref(per_day);
        if (json_array_size(promises))
            fprintf(cli->out, "\npending promises:\n");
        for (size_t i = 0; i < json_array_size(promises); i++) {
            json_t *o = json_array_get(promises, i);
            rg_instant dl = RG_INSTANT_NONE;
            const char *t = json_string_value(json_object_get(o, "deadline"));
            char local[40], steps[256] = "";
            if (t)
                rg_instant_parse(t, strlen(t), &dl);
            json_t *st = json_object_get(o, "pauses");
            for (size_t k = 0; k < json_array_size(st); k++)
                snprintf(steps + strlen(steps), sizeof steps - strlen(steps), "%s%s", k ? ", " : "",
                         json_string_value(json_array_get(st, k)));
            char who[128];
            const char *iv = json_string_value(json_object_get(o, "invoice_external_id"));
            snprintf(who, sizeof who, iv ? "%s" : "%s (whole debt)",
                     iv ? iv : json_string_value(json_object_get(o, "customer_external_id")));
            fprintf(cli->out, "  %s  promised %s, deadline %s, pauses %s: %s\n", who,
                    json_string_value(json_object_get(o, "promised_date")), rg_cli_time(cli, dl, local, sizeof local),
                    steps[0] ? steps : "nothing",
                    json_is_true(json_object_get(o, "breaks")) ? "broken then unless paid (promise.broken; the paused steps resume)"
                                                               : "still pending at the end");
        }
    }
out:
    rg_engine_close(eng);
    rg_store_close(copy);
    json_decref(messages);
    json_decref(counts);
    json_decref(promises);
    unlink(tmp);
    char side[600];
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
    return rc;
}
