/*
 * The event parse (lambda_event_json: the strict RFC 8259 check, the memory budget and the
 * json-c tree in one pass) over any bytes, as the loop hands them over (followed by a NUL).
 * Invariants: the answer agrees with the check alone; a parsed tree is the one json-c's own
 * parser builds from the same text, and serialises back to valid UTF-8 JSON; a refusal comes
 * with an error text; the work is linear.
 */
#include "fuzz_support.h"

#include "core/runtime/invocation.h"

/* Whether json-c's parser builds the same tree from the text (valid JSON, NUL-terminated). */
static int same_as_json_c(const char *text, size_t size, json_object *root)
{
    json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1);
    FZ_CHECK(tok);
    json_object *theirs = json_tokener_parse_ex(tok, text, (int)size + 1);
    int ok = json_tokener_get_error(tok) == json_tokener_success && json_object_equal(root, theirs);
    json_object_put(theirs);
    json_tokener_free(tok);
    return ok;
}

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
        FZ_CHECK(same_as_json_c(copy, size, root));
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
