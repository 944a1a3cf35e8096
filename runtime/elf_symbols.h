/*
 * elf_symbols.h - reads a handler file's dynamic symbols without loading it.
 *
 * Why: the ABI check must happen before dlopen. dlopen(RTLD_NOW) binds every undefined
 * symbol first, so a handler built for a newer ABI that calls a function this layer lacks
 * would fail with "undefined symbol" instead of Runtime.IncompatibleABI. Reading the marker
 * (lambda_handler_abi_version, a 4-byte object in the handler) from the file's .dynsym
 * costs a few preads and a scan of the dynamic symbols, no relocation. The same scan tells
 * whether the file defines lambda_function_init and lambda_function_shutdown, so that the
 * runtime asks dlsym only for what exists (a dlsym that fails formats an error message).
 *
 * Cold start: open + pread + close rather than open + fstat + mmap + close + munmap. Each
 * libc function the runtime calls first costs a lazy binding in the dynamic linker; pread
 * binds 3 functions where the mapping bound 5 (callgrind, exec to the first response of
 * hello: 1.5k instructions less).
 *
 * The file is untrusted input: every offset and size is checked against what pread could
 * read, the scan is linear in the number of symbols, and what is allocated is the section
 * header table, .dynsym and .dynstr, freed by lc_elf_close.
 * ELF64 in the host's byte order only (Lambda runs x86_64 and arm64, both little-endian).
 * Not thread-safe per object; distinct objects are independent.
 */
#ifndef LAMBDA_C_RUNTIME_ELF_SYMBOLS_H
#define LAMBDA_C_RUNTIME_ELF_SYMBOLS_H

#include <stddef.h>

typedef struct lc_elf {
    int fd;
    int fd_open; /* fd is ours to close (a zeroed object has none) */
    void *shdrs; /* Elf64_Shdr[shnum] */
    size_t shnum;
    void *dynsym; /* Elf64_Sym[count] */
    size_t count;
    char *dynstr; /* NUL-terminated */
    size_t dynstr_size;
} lc_elf;

/* Opens path and reads its dynamic symbol table. Returns 0, or -1 with a reason in why. */
int lc_elf_open(lc_elf *elf, const char *path, char *why, size_t why_cap);

/* Closes the file and frees what was read (safe on a zeroed or failed object). */
void lc_elf_close(lc_elf *elf);

/*
 * One pass over the dynamic symbols: defined[i], zeroed by the caller, is set to the index
 * of the definition of names[i] in the table, and stays 0 (the null symbol) when the file
 * does not define it. (Zeroed by the caller: a zeroing loop here is compiled to a memset
 * call, one more libc function bound at cold start.)
 */
void lc_elf_find(const lc_elf *elf, const char *const *names, size_t n, size_t *defined);

/*
 * The value of the 4-byte object defined by symbol index (from lc_elf_find, not 0): 1 and
 * *value set, -1 when the definition is malformed (why says how).
 */
int lc_elf_read_u32(const lc_elf *elf, size_t index, unsigned *value, char *why, size_t why_cap);

/* 1 when the file has an undefined (imported) symbol whose name starts with prefix. */
int lc_elf_imports_prefix(const lc_elf *elf, const char *prefix);

#endif
