/* Common includes for the cmocka unit tests. */
#ifndef RG_TEST_H
#define RG_TEST_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

/* A scratch directory for the test program, created once, removed at exit. */
const char *rg_test_tmpdir(void);
/* Path inside the scratch dir; returned buffer is static per call slot (8). */
const char *rg_test_path(const char *name);
/* Writes text to a file in the scratch dir and returns its path. */
const char *rg_test_write(const char *name, const char *text);

/* The zones of a company in America/Sao_Paulo, loaded once for the whole
 * program (freed at exit). */
struct rg_zones;
struct rg_zones *rg_test_zones(void);
/* Import options with those zones (a static slot, one of 8 in turn). */
struct rg_import_options;
const struct rg_import_options *rg_test_import_options(_Bool skip_invalid, int64_t now);
#endif
