/*
 * elf_symbols.h - reads a handler file's dynamic symbols without loading it.
 *
 * Why: the ABI check must happen before dlopen. dlopen(RTLD_NOW) binds every undefined
 * symbol first, so a handler built for a newer ABI that calls a function this layer lacks
 * would fail with "undefined symbol" instead of Runtime.IncompatibleABI. Reading the marker
 * (lambda_handler_abi_version, a 4-byte object in the handler) from the file's .dynsym
 * costs one mmap and a scan of the dynamic symbols, no relocation.
 *
 * The file is untrusted input: every offset and size is checked against the mapping, the
 * scan is linear in the number of symbols, and nothing is allocated but the mapping.
 * ELF64 in the host's byte order only (Lambda runs x86_64 and arm64, both little-endian).
 * Not thread-safe per object; distinct objects are independent.
 */
#ifndef LAMBDA_C_RUNTIME_ELF_SYMBOLS_H
#define LAMBDA_C_RUNTIME_ELF_SYMBOLS_H

#include <stddef.h>

typedef struct lc_elf {
    const unsigned char *data; /* the read-only mapping of the whole file */
    size_t size;
    const void *dynsym; /* Elf64_Sym[count] */
    size_t count;
    const char *dynstr;
    size_t dynstr_size;
} lc_elf;

/* Maps path and finds its dynamic symbol table. Returns 0, or -1 with a reason in why. */
int lc_elf_open(lc_elf *elf, const char *path, char *why, size_t why_cap);

/* Unmaps the file (safe on a zeroed or failed object). */
void lc_elf_close(lc_elf *elf);

/*
 * The value of the 4-byte object name that the file defines: 1 and *value set, 0 when the
 * file does not define it, -1 when the definition is malformed (why says how).
 */
int lc_elf_read_u32(const lc_elf *elf, const char *name, unsigned *value, char *why,
                    size_t why_cap);

/* 1 when the file has an undefined (imported) symbol whose name starts with prefix. */
int lc_elf_imports_prefix(const lc_elf *elf, const char *prefix);

#endif
