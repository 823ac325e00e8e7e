#include "engine/progress.h"

#include <string.h>

void rg_progress_parse(const char *text, rg_progress *out)
{
    out->n = 0;
    out->since = RG_INSTANT_NONE;
    if (!text)
        return;
    const char *p = text;
    while (*p && out->n < RG_PROGRESS_MAX) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (*p == '@') {
            /* the instant the invoice started on the cadence */
            int64_t v;
            if (rg_parse_i64((rg_slice){p + 1, len - 1}, INT64_MIN + 1, INT64_MAX, &v))
                out->since = v;
            p += len + (end ? 1 : 0);
            continue;
        }
        const char *eq = memchr(p, '=', len);
        const char *at = memchr(p, '@', len);
        if (eq && (size_t)(eq - p) <= RG_STEP_ID_MAX && eq > p && (size_t)(eq + 2 - p) <= len &&
            (!at || at == eq + 2) && (at || (size_t)(eq + 2 - p) == len)) {
            rg_progress_item *it = &out->items[out->n];
            memcpy(it->step_id, p, (size_t)(eq - p));
            it->step_id[eq - p] = '\0';
            it->state = eq[1];
            int64_t v = RG_INSTANT_NONE;
            rg_slice num = {at ? at + 1 : NULL, at ? len - (size_t)(at + 1 - p) : 0};
            if (!at || rg_parse_i64(num, INT64_MIN + 1, INT64_MAX, &v)) {
                it->at = v;
                out->n++;
            }
        }
        p += len + (end ? 1 : 0);
    }
}

/* "@N" as printf's "@%lld" writes it (without printf: the tick formats a
 * progress for every invoice). */
static void put_at(rg_buf *out, int64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
    do {
        tmp[--i] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    if (v < 0)
        tmp[--i] = '-';
    tmp[--i] = '@';
    rg_buf_append(out, tmp + i, sizeof tmp - i);
}

void rg_progress_format(const rg_progress *p, rg_buf *out)
{
    bool first = true;
    if (p->since != RG_INSTANT_NONE) {
        put_at(out, p->since);
        first = false;
    }
    for (size_t i = 0; i < p->n; i++) {
        const rg_progress_item *it = &p->items[i];
        if (!first)
            rg_buf_putc(out, ';');
        first = false;
        rg_buf_puts(out, it->step_id);
        rg_buf_putc(out, '=');
        rg_buf_putc(out, it->state);
        /* only a done step's instant matters (a listing's notice); skipped ones stay short */
        if (it->state == RG_STEP_DONE && it->at != RG_INSTANT_NONE)
            put_at(out, it->at);
    }
}

const rg_progress_item *rg_progress_find(const rg_progress *p, const char *step_id)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->items[i].step_id, step_id))
            return &p->items[i];
    return NULL;
}

bool rg_progress_set(rg_progress *p, const char *step_id, char state, rg_instant at)
{
    rg_progress_item *it = (rg_progress_item *)rg_progress_find(p, step_id);
    if (!it) {
        if (p->n == RG_PROGRESS_MAX || strlen(step_id) > RG_STEP_ID_MAX)
            return false;
        it = &p->items[p->n++];
        rg_strlcpy(it->step_id, step_id, sizeof it->step_id);
    }
    it->state = state;
    it->at = at;
    return true;
}

bool rg_progress_unset(rg_progress *p, const char *step_id)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->items[i].step_id, step_id))
            continue;
        memmove(&p->items[i], &p->items[i + 1], (p->n - i - 1) * sizeof p->items[0]);
        p->n--;
        return true;
    }
    return false;
}

const char *rg_step_state_reason(char state)
{
    switch (state) {
    case RG_STEP_DONE: return "done";
    case RG_STEP_SUPERSEDED: return "superseded";
    case RG_STEP_NO_NOTICE: return "no-notice";
    case RG_STEP_SUPPRESSED: return "suppressed";
    case RG_STEP_ADDED_AFTER: return "added-after-passed";
    case RG_STEP_NOT_BY_LETTER: return "notice-not-by-letter";
    case RG_STEP_NO_PHONE: return "no-phone";
    }
    return "unknown";
}

const char *rg_step_state_text(char state)
{
    switch (state) {
    case RG_STEP_DONE: return "done";
    case RG_STEP_SUPERSEDED: return "skipped: superseded (a later step became due, or the invoice moved past it)";
    case RG_STEP_NO_NOTICE: return "skipped: the notice it requires was never sent";
    case RG_STEP_SUPPRESSED: return "suppressed: no channel could carry it";
    case RG_STEP_ADDED_AFTER: return "skipped: added after the invoice passed it";
    case RG_STEP_NOT_BY_LETTER:
        return "not requested: the notice did not go by letter (consumer: STJ, REsp 2.056.285/RS)";
    case RG_STEP_NO_PHONE: return "skipped: the customer has no phone to call";
    }
    return "unknown";
}

void rg_progress_copy(rg_progress *dst, const rg_progress *src)
{
    dst->since = src->since;
    dst->n = src->n;
    memcpy(dst->items, src->items, src->n * sizeof src->items[0]);
}
