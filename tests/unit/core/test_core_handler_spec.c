/*
 * runtime/lc_handler_spec.c: the Handler setting "FILE.SYMBOL" -> FILE (relative to the task
 * root, without ".so") and SYMBOL (a C identifier), and the reason for each refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "handler_spec.h"

static void assert_good(const char *handler, const char *file, const char *symbol)
{
    lc_handler_spec spec;
    memset(&spec, 0x55, sizeof spec);
    char why[256] = "untouched";
    if (!lc_handler_spec_parse(handler, &spec, why, sizeof why))
        fail_msg("\"%s\" refused: %s", handler, why);
    assert_string_equal(spec.file, file);
    assert_string_equal(spec.symbol, symbol);
}

static void assert_bad(const char *handler, const char *reason)
{
    lc_handler_spec spec;
    char why[256] = "";
    if (lc_handler_spec_parse(handler, &spec, why, sizeof why))
        fail_msg("\"%s\" accepted", handler ? handler : "(null)");
    assert_string_equal(why, reason);
}

static void test_good_handlers(void **state)
{
    (void)state;
    assert_good("hello.handler", "hello", "handler");
    assert_good("lib/app.route", "lib/app", "route");
    assert_good("a.b.c", "a.b", "c"); /* the last '.' separates */
    assert_good("x.y", "x", "y");
    assert_good("deep/er/dir/mod.fn_2", "deep/er/dir/mod", "fn_2");
    assert_good("Hello-World_1.Handler", "Hello-World_1", "Handler");
    assert_good("h._private", "h", "_private");
    assert_good("h.__", "h", "__");
    assert_good("./hello.handler", "./hello", "handler");
}

static void test_bad_handlers(void **state)
{
    (void)state;
    assert_bad(NULL, "the Handler setting is empty");
    assert_bad("", "the Handler setting is empty");
    assert_bad("hello", "expected FILE.SYMBOL, e.g. hello.handler");
    assert_bad(".handler", "expected FILE.SYMBOL, e.g. hello.handler");
    assert_bad("hello.", "expected FILE.SYMBOL, e.g. hello.handler");
    assert_bad(".", "expected FILE.SYMBOL, e.g. hello.handler");
    assert_bad("/abs.x", "the file part must be a path inside the task root");
    assert_bad("/var/task/hello.handler", "the file part must be a path inside the task root");
    assert_bad("../up.x", "the file part must be a path inside the task root");
    assert_bad("lib/../../up.x", "the file part must be a path inside the task root");
    assert_bad("lib/.x", "the file part must be a path inside the task root");
    assert_bad("hello.1abc", "'1abc' is not a C identifier");
    assert_bad("hello.ha-ndler", "'ha-ndler' is not a C identifier");
    assert_bad("hello.han dler", "'han dler' is not a C identifier");
    assert_bad("hello.handler ", "'handler ' is not a C identifier");
    assert_bad("hello.h\xc3\xa9", "'h\xc3\xa9' is not a C identifier");
    assert_bad("lib/app.route/x", "'route/x' is not a C identifier");
}

static void test_length_limits(void **state)
{
    (void)state;
    char handler[2048];
    lc_handler_spec spec;
    char why[256];

    /* FILE of 511 bytes fits (file[512] with its NUL); 512 does not. */
    memset(handler, 'f', 511);
    strcpy(handler + 511, ".sym");
    assert_int_equal(lc_handler_spec_parse(handler, &spec, why, sizeof why), 1);
    assert_int_equal(strlen(spec.file), 511);
    memset(handler, 'f', 512);
    strcpy(handler + 512, ".sym");
    assert_int_equal(lc_handler_spec_parse(handler, &spec, why, sizeof why), 0);
    assert_string_equal(why, "the Handler setting is too long");

    /* SYMBOL of 255 bytes fits; 256 does not. */
    strcpy(handler, "f.");
    memset(handler + 2, 's', 255);
    handler[2 + 255] = '\0';
    assert_int_equal(lc_handler_spec_parse(handler, &spec, why, sizeof why), 1);
    assert_int_equal(strlen(spec.symbol), 255);
    memset(handler + 2, 's', 256);
    handler[2 + 256] = '\0';
    assert_int_equal(lc_handler_spec_parse(handler, &spec, why, sizeof why), 0);
    assert_string_equal(why, "the Handler setting is too long");
}

static void test_reason_truncated_to_its_buffer(void **state)
{
    (void)state;
    lc_handler_spec spec;
    char why[8];
    memset(why, 'Z', sizeof why);
    assert_int_equal(lc_handler_spec_parse("hello", &spec, why, sizeof why), 0);
    assert_string_equal(why, "expecte"); /* 7 bytes and the NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_handlers),
        cmocka_unit_test(test_bad_handlers),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_reason_truncated_to_its_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
