#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
