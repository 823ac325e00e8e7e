#include "test.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "config/yaml.h"
#include "config/yaml_quoted.h"

/* The value of key `a` in a one-pair document, through regua's loader. */
static char *value_of(const char *doc, size_t *out_len)
{
    rg_yaml y;
    rg_err e;
    rg_err_clear(&e);
    if (rg_yaml_load(&y, "t.yaml", doc, strlen(doc), &e) != RG_OK)
        fail_msg("%s: %s: %s", doc, e.where, e.msg);
    void *it = NULL;
    struct fy_node *k, *v;
    assert_true(rg_yaml_map_next(rg_yaml_root(&y), &it, &k, &v));
    size_t len;
    const char *s = rg_yaml_scalar(v, &len);
    assert_non_null(s);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    copy[len] = '\0';
    *out_len = len;
    rg_yaml_free(&y);
    return copy;
}

static void expect_scalar(const char *doc, const char *want)
{
    size_t len;
    char *got = value_of(doc, &len);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
    free(got);
}

/* The same value through libfyaml's own formatter, for inputs that do not
 * hit its chunk-array leak. */
static void expect_same_as_libfyaml(const char *doc)
{
    struct fy_document *d = fy_document_build_from_string(NULL, doc, strlen(doc));
    assert_non_null(d);
    struct fy_node *v = fy_node_by_path(fy_document_root(d), "/a", (size_t)-1, FYNWF_DONT_FOLLOW);
    assert_non_null(v);
    size_t len;
    const char *want = fy_node_get_scalar(v, &len);
    size_t got_len;
    char *got = value_of(doc, &got_len);
    if (got_len != len || memcmp(got, want, len) != 0)
        fail_msg("%s: got [%s], libfyaml says [%.*s]", doc, got, (int)len, want);
    free(got);
    fy_document_destroy(d);
}

static void test_single_quoted(void **state)
{
    (void)state;
    expect_scalar("a: 'it''s'\n", "it's");
    expect_scalar("a: ''\n", "");
    expect_scalar("a: '  both ends  '\n", "  both ends  ");
    /* the input that made libfyaml 0.7.12 leak (upstream #233) */
    expect_scalar("a: ''''''''''''\n", "'''''");
    expect_scalar("a: 'x''''''''''''''''''''''''''''''''''''''''x'\n",
                 "x''''''''''''''''''''x");
    expect_scalar("a: 'one\n  two'\n", "one two");
    expect_scalar("a: 'one   \n\n\n  two'\n", "one\n\ntwo");
    expect_scalar("a: 'CNPJ 11.222.333/0001-81'\n", "CNPJ 11.222.333/0001-81");
}

static void test_double_quoted(void **state)
{
    (void)state;
    expect_scalar("a: \"tab\\there\"\n", "tab\there");
    expect_scalar("a: \"\\u00e9 \\xe9 \\U0001F600\"\n", "\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80");
    expect_scalar("a: \"\\\"q\\\" \\\\ \\/\"\n", "\"q\" \\ /");
    expect_scalar("a: \"\\N\\_\\L\\P\"\n", "\xc2\x85\xc2\xa0\xe2\x80\xa8\xe2\x80\xa9");
    expect_scalar("a: \"joined \\\n   here\"\n", "joined here");
    expect_scalar("a: \"keep \t\\\n  x\"\n", "keep \tx");
    expect_scalar("a: \"l1\n\n\n\n\n\n\n\n\n\n\n\n  l2\"\n", "l1\n\n\n\n\n\n\n\n\n\n\nl2");
    /* YAML 1.2 spec, example 7.5 */
    expect_scalar("a: \"folded \n  to a space,\t\n \n  to a line feed, or \t\\\n   \\ \tnon-content\"\n",
                 "folded to a space,\nto a line feed, or \t \tnon-content");
    expect_scalar("{\"a\": \"json \\u00e7\\n\"}", "json \xc3\xa7\n");
    expect_scalar("a: \"\\r\\n\"\n", "\r\n");
}

static void test_matches_libfyaml(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "a: 'plain'\n",
        "a: 'it''s'\n",
        "a: ' lead and trail '\n",
        "a: 'one\n  two\n  three'\n",
        "a: 'para\n\n  next'\n",
        "a: \"x\\ty\\nz\"\n",
        "a: \"\\u00e9\\x41\\U0001F600\"\n",
        "a: \"a \\\n  b\"\n",
        "a: \"one\n  two \n\n  three\"\n",
        "a: \"trailing  \n  next\"\n",
        "a: \"\\ lead\"\n",
        "a: \"\\0x\"\n",
        "a: \"\\a\\b\\v\\f\\e\\ \\/\"\n",
        "a: 'x\r\n  y'\n",
        "a: \"end\n  \"\n",
        "a: '\n  start'\n",
        "a: \"\"\n",
        "{\"a\": \"\\\"json\\\"\"}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        expect_same_as_libfyaml(docs[i]);
}

static void test_keys_and_plain_scalars(void **state)
{
    (void)state;
    rg_yaml y;
    rg_err e;
    const char *doc = "'quoted key': [plain, 'it''s', \"d\\tq\", {k: 'v'}]\n";
    assert_int_equal(rg_yaml_load(&y, "t.yaml", doc, strlen(doc), &e), RG_OK);
    void *it = NULL;
    struct fy_node *k, *v;
    assert_true(rg_yaml_map_next(rg_yaml_root(&y), &it, &k, &v));
    size_t len;
    const char *s = rg_yaml_scalar(k, &len);
    assert_int_equal(len, 10);
    assert_memory_equal(s, "quoted key", 10);
    assert_int_equal(rg_yaml_line(k), 1);
    void *sit = NULL;
    const char *want[] = {"plain", "it's", "d\tq"};
    for (int i = 0; i < 3; i++) {
        struct fy_node *item = rg_yaml_seq_next(v, &sit);
        s = rg_yaml_scalar(item, &len);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(s, want[i], len);
    }
    struct fy_node *map = rg_yaml_seq_next(v, &sit);
    void *mit = NULL;
    assert_true(rg_yaml_map_next(map, &mit, &k, &v));
    s = rg_yaml_scalar(v, &len);
    assert_int_equal(len, 1);
    assert_int_equal(s[0], 'v');
    rg_yaml_free(&y);
}

static void test_decoder_alone(void **state)
{
    (void)state;
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "prefix:");
    rg_yaml_unquote(RG_YAML_SINGLE_QUOTED, "a''b  \n  c", 10, &b);
    assert_string_equal(rg_buf_cstr(&b), "prefix:a'b c");
    rg_buf_reset(&b);
    /* escapes the parser would refuse are kept as written, never read past the end */
    rg_yaml_unquote(RG_YAML_DOUBLE_QUOTED, "\\q \\x4", 6, &b);
    assert_string_equal(rg_buf_cstr(&b), "\\q \\x4");
    rg_buf_reset(&b);
    rg_yaml_unquote(RG_YAML_DOUBLE_QUOTED, "x\\", 2, &b);
    assert_string_equal(rg_buf_cstr(&b), "x\\");
    rg_buf_reset(&b);
    rg_yaml_unquote(RG_YAML_DOUBLE_QUOTED, "\\ud800", 6, &b);
    assert_string_equal(rg_buf_cstr(&b), "\xef\xbf\xbd");
    rg_buf_free(&b);
}

/* rg_yaml_load's error for text (where and message). */
static void expect_load_error(const char *text, size_t len, const char *where, const char *msg)
{
    rg_yaml y;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_yaml_load(&y, "t.yaml", text, len, &e), RG_EINVAL);
    if (strcmp(e.where, where) != 0 || !strstr(e.msg, msg))
        fail_msg("want %s: ...%s...; got %s: %s", where, msg, e.where, e.msg);
    rg_yaml_free(&y);
}

/* A flat mapping of n keys "kI: I", one per line, after a first line. */
static char *many_keys(size_t n, size_t *len)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "cadence: x\n");
    for (size_t i = 0; i < n; i++)
        rg_buf_printf(&b, "k%zu: %zu\n", i, i);
    assert_false(b.oom);
    *len = b.len;
    return rg_buf_detach(&b);
}

/* Duplicate keys are found by regua (by their decoded text), in every
 * mapping; the same key in two mappings is fine. */
static void test_duplicate_keys(void **state)
{
    (void)state;
    const char *dup = "a: 1\nb:\n  x: 1\n  y: 2\n  'x': 3\n";
    expect_load_error(dup, strlen(dup), "t.yaml:5", "duplicate key 'x' (first at line 3)");
    const char *dq = "\"k\\u0041\": 1\nkA: 2\n";
    expect_load_error(dq, strlen(dq), "t.yaml:2", "duplicate key 'kA' (first at line 1)");
    const char *seq = "list:\n  - {a: 1, b: 2}\n  - {a: 3, a: 4}\n";
    expect_load_error(seq, strlen(seq), "t.yaml:3", "duplicate key 'a'");
    const char *complex = "? [a, b]\n: 1\n";
    expect_load_error(complex, strlen(complex), "t.yaml:1", "a key must be a single value");
    rg_yaml y;
    rg_err e;
    const char *fine = "a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n";
    assert_int_equal(rg_yaml_load(&y, "t.yaml", fine, strlen(fine), &e), RG_OK);
    rg_yaml_free(&y);
}

/* The caps: 10,000 keys in a file and 1 MiB, each refused with the line
 * where it is passed and the limit named. 40,000 keys took libfyaml's own
 * duplicate check 75 s; now the document is built in linear time and
 * refused (docs/BENCHMARKS.md has the figures). */
static void test_caps(void **state)
{
    (void)state;
    size_t len;
    char *text = many_keys(RG_YAML_MAX_KEYS - 1, &len); /* + "cadence": exactly the limit */
    rg_yaml y;
    rg_err e;
    assert_int_equal(rg_yaml_load(&y, "t.yaml", text, len, &e), RG_OK);
    rg_yaml_free(&y);
    free(text);
    text = many_keys(40000, &len);
    expect_load_error(text, len, "t.yaml:10001", "more than 10000 keys in one file (the limit for a YAML file)");
    free(text);
    /* a file over 1 MiB: the line where the limit is passed */
    size_t big = RG_YAML_MAX_BYTES + 100;
    char *huge = malloc(big);
    assert_non_null(huge);
    memcpy(huge, "a: ", 3);
    memset(huge + 3, 'x', big - 3);
    for (size_t i = 1023; i < big; i += 1024)
        huge[i] = '\n'; /* lines of 1,024 bytes: byte 1 MiB is on line 1025 */
    expect_load_error(huge, big, "t.yaml:1025", "the file has 1048676 bytes; a YAML file may have at most 1048576");
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_quoted),
        cmocka_unit_test(test_double_quoted),
        cmocka_unit_test(test_matches_libfyaml),
        cmocka_unit_test(test_keys_and_plain_scalars),
        cmocka_unit_test(test_decoder_alone),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
