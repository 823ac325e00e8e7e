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
#endif
