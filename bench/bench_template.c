/*
 * bench_template — loads a templates directory (default: templates/), then
 * times compiling every file (rg_template_set_add from memory) and
 * rendering every template with the sample (three invoices), printing
 * operations per second. Usage: bench_template [dir] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "render/template_file.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "templates";
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
    if (rounds < 1)
        return 2;
    rg_err e;
    rg_template_set *set = NULL;
    if (rg_template_set_load(dir, &set, &e)) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 1;
    }
    size_t n = rg_template_set_count(set);

    /* compile: re-add every file's source into fresh sets */
    double t0 = now_s();
    long compiled = 0;
    for (long r = 0; r < rounds; r++) {
        rg_template_set *s2 = NULL;
        if (rg_template_set_new(&s2, &e))
            return 1;
        for (size_t i = 0; i < n; i++) {
            const rg_message_template *mt = rg_template_set_at(set, i);
            const rg_template *parts[2] = {rg_message_template_body(mt), rg_message_template_html(mt)};
            for (int k = 0; k < 2; k++) {
                if (!parts[k])
                    continue;
                size_t len;
                const char *src = rg_template_source(parts[k], &len);
                char file[96];
                snprintf(file, sizeof file, "%s.%s", rg_message_template_name(mt),
                         k ? "email.html" : "log"); /* as plain text: the body only */
                if (rg_template_set_add(s2, file, src, len, &e))
                    return 1;
                compiled++;
            }
        }
        rg_template_set_free(s2);
    }
    double t1 = now_s();

    /* render every template with the sample */
    long rendered = 0;
    size_t bytes = 0;
    for (long r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            rg_rendered m;
            if (rg_message_render(rg_template_set_at(set, i), rg_render_vars_sample(), &m, &e)) {
                fprintf(stderr, "%s: %s\n", e.where, e.msg);
                return 1;
            }
            bytes += strlen(m.text) + (m.html ? strlen(m.html) : 0);
            rg_rendered_free(&m);
            rendered++;
        }
    }
    double t2 = now_s();
    printf("templates: %zu in %s\n", n, dir);
    printf("compile: %ld template files in %.3f s = %.0f files/s\n", compiled, t1 - t0, compiled / (t1 - t0));
    printf("render:  %ld messages in %.3f s = %.0f messages/s (%.1f MB of text)\n", rendered, t2 - t1,
           rendered / (t2 - t1), bytes / 1e6);
    rg_template_set_free(set);
    return 0;
}
