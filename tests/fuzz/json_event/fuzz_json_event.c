/*
 * The event parse (lambda_event_json: the strict RFC 8259 check, the memory budget, then
 * json-c) over any bytes, as the loop hands them over (followed by a NUL). Invariants: the
 * answer agrees with the strict check; a parsed tree serialises back to valid UTF-8 JSON; a
 * refusal comes with an error text; the work (the check and the budget) is linear.
 */
#include "fuzz_support.h"

#include "core/runtime/invocation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = fz_string(data, size);
    lambda_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data = copy;
    ev.size = size;
    json_object *root = NULL;
    uint64_t start = fz_work();
    lambda_code rc = lambda_event_json(&ev, &root);
    fz_linear("lambda_event_json", fz_work() - start, size, 20000, 60, 0);
    int valid = fz_valid_json(copy, size);
    if (rc == LAMBDA_OK) {
        FZ_CHECK(valid);
        FZ_CHECK(lambda_event_json_error(&ev) == NULL);
        size_t len;
        const char *text = json_object_to_json_string_length(
            root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        FZ_CHECK(text && fz_valid_json(text, len));
    } else {
        FZ_CHECK(root == NULL);
        FZ_CHECK(rc == LAMBDA_E_INVALID_JSON || rc == LAMBDA_E_TOO_LARGE ||
                 rc == LAMBDA_E_NO_MEMORY);
        FZ_CHECK(rc != LAMBDA_E_INVALID_JSON || !valid);
        const char *why = lambda_event_json_error(&ev);
        FZ_CHECK(why && *why && fz_utf8(why));
    }
    json_object_put(ev.json);
    free(copy);
    return 0;
}
