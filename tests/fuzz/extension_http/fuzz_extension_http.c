/*
 * libFuzzer target: liblambda-c-extension's HTTP head parser (sdk/extension/http.c), which
 * reads what the Extensions API and telemetry senders send. Checks that it never reads out
 * of bounds, that a head it accepts ends with a blank line inside the input, and that the
 * values it extracts are NUL-terminated and bounded.
 *
 *     make fuzz-targets && tests/fuzz/run.sh build fuzz 60 extension_http
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so that ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    for (int request = 0; request <= 1; request++) {
        lext_head h;
        long n = lext_parse_head(buf, size, request, &h);
        if (n > 0) {
            if ((size_t)n > size || n < 4 || memcmp(buf + n - 4, "\r\n\r\n", 4) != 0)
                abort();
            if (strlen(h.identifier) >= sizeof h.identifier || strlen(h.path) >= sizeof h.path ||
                strlen(h.method) >= sizeof h.method)
                abort();
            if (!request && (h.status < 0 || h.status > 999))
                abort();
        } else if (n < -1) {
            abort();
        }
    }
    free(buf);
    return 0;
}
