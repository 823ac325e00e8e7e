#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/zones.h"
#include "service/import.h"

static char dir[256];

static void cleanup(void)
{
    if (dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

const char *rg_test_tmpdir(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/regua-test-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    return dir;
}

const char *rg_test_path(const char *name)
{
    static char slots[8][512];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, 512, "%s/%s", rg_test_tmpdir(), name);
    return p;
}

const char *rg_test_write(const char *name, const char *text)
{
    const char *p = rg_test_path(name);
    FILE *f = fopen(p, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    return p;
}

static rg_zones *zones;

static void free_zones(void)
{
    rg_zones_free(zones);
}

rg_zones *rg_test_zones(void)
{
    if (!zones) {
        rg_err e;
        if (rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK)
            abort();
        atexit(free_zones);
    }
    return zones;
}

const rg_import_options *rg_test_import_options(bool skip_invalid, int64_t now)
{
    static rg_import_options slots[8];
    static int next;
    rg_import_options *o = &slots[next++ % 8];
    rg_import_options_init(o, rg_test_zones(), now);
    o->skip_invalid = skip_invalid;
    return o;
}
