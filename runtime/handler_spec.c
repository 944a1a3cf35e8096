#include "handler_spec.h"

#include <stdio.h>
#include <string.h>

static int is_identifier(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* 1 when s contains "..". A loop, not strstr: each libc function the runtime calls first
 * costs a lazy binding at cold start (elf_symbols.h). */
static int has_dot_dot(const char *s)
{
    for (; *s; s++)
        if (s[0] == '.' && s[1] == '.')
            return 1;
    return 0;
}

int lc_handler_spec_parse(const char *handler, lc_handler_spec *spec, char *why, size_t why_cap)
{
    if (!handler || !*handler) {
        snprintf(why, why_cap, "the Handler setting is empty");
        return 0;
    }
    const char *dot = NULL; /* the last '.' (by hand: strrchr was one more lazy binding) */
    for (const char *p = handler; *p; p++)
        if (*p == '.')
            dot = p;
    if (!dot || dot == handler || !dot[1]) {
        snprintf(why, why_cap, "expected FILE.SYMBOL, e.g. hello.handler");
        return 0;
    }
    size_t file_len = (size_t)(dot - handler);
    size_t symbol_len = strlen(dot + 1);
    if (file_len >= sizeof spec->file || symbol_len >= sizeof spec->symbol) {
        snprintf(why, why_cap, "the Handler setting is too long");
        return 0;
    }
    memcpy(spec->file, handler, file_len);
    spec->file[file_len] = '\0';
    memcpy(spec->symbol, dot + 1, symbol_len + 1);
    if (!is_identifier(spec->symbol)) {
        snprintf(why, why_cap, "'%s' is not a C identifier", spec->symbol);
        return 0;
    }
    if (spec->file[0] == '/' || has_dot_dot(spec->file) || spec->file[file_len - 1] == '/') {
        snprintf(why, why_cap, "the file part must be a path inside the task root");
        return 0;
    }
    return 1;
}
