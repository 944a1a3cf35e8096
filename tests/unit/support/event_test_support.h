/*
 * Shared helpers for the event binding tests (tests/unit/test_event_*.c): the sample
 * events of tests/events/ (run the tests from the repository root), test JSON, and the
 * fixture of an event read and parsed.
 *
 * Every family's handle H has H_parse(root, &out) and H_free(out) (lambda_sqs_event,
 * lambda_http_request ...): EVENT_TEST_FAMILY(H) defines, for that family,
 *
 *     fixture        { json_object *root; H *ev; }
 *     open_event     reads a sample event and parses it (asserting LAMBDA_OK)
 *     parse_event    the same from JSON text
 *     close_event    frees both
 *     expect_parse   parses JSON text ("null" for a NULL root) expecting a code: on
 *                    success frees the event, on failure asserts *out was reset to NULL
 *
 * The file must include cmocka.h (with its prerequisites) first.
 */
#ifndef LAMBDA_C_EVENT_TEST_SUPPORT_H
#define LAMBDA_C_EVENT_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lambda-c/error.h"

/* The sample event tests/events/name; fails the test when it cannot be read. */
static inline json_object *ets_load(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/events/%s", name);
    json_object *root = json_object_from_file(path);
    if (!root)
        fail_msg("cannot read %s (run the tests from the repository root)", path);
    return root;
}

/* text parsed; "null" gives NULL, anything else that is not JSON fails the test. */
static inline json_object *ets_parse(const char *text)
{
    json_object *root = json_tokener_parse(text);
    if (!root && strcmp(text, "null") != 0)
        fail_msg("bad test JSON: %s", text);
    return root;
}

#define EVENT_TEST_FAMILY(H)                                            \
    typedef struct fixture {                                            \
        json_object *root;                                              \
        H *ev;                                                          \
    } fixture;                                                          \
                                                                        \
    static inline fixture fixture_of(json_object *root)                 \
    {                                                                   \
        fixture f = { root, NULL };                                     \
        assert_int_equal(H##_parse(f.root, &f.ev), LAMBDA_OK);          \
        assert_non_null(f.ev);                                          \
        return f;                                                       \
    }                                                                   \
                                                                        \
    static inline fixture open_event(const char *name)                  \
    {                                                                   \
        return fixture_of(ets_load(name));                              \
    }                                                                   \
                                                                        \
    static inline fixture parse_event(const char *text)                 \
    {                                                                   \
        return fixture_of(ets_parse(text));                             \
    }                                                                   \
                                                                        \
    static inline void close_event(fixture *f)                          \
    {                                                                   \
        H##_free(f->ev);                                                \
        json_object_put(f->root);                                       \
    }                                                                   \
                                                                        \
    static inline void expect_parse(const char *text, lambda_code code) \
    {                                                                   \
        json_object *root = ets_parse(text);                            \
        H *ev = (H *)&ev; /* must be reset to NULL */                   \
        assert_int_equal(H##_parse(root, &ev), code);                   \
        if (code == LAMBDA_OK)                                          \
            H##_free(ev);                                               \
        else                                                            \
            assert_null(ev);                                            \
        json_object_put(root);                                          \
    }

#endif
