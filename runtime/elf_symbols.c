/*
 * elf_symbols.c - a handler file's dynamic symbols, read from the file (elf_symbols.h).
 */
#include "elf_symbols.h"

#include <elf.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *why, size_t cap, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(why, cap, format, args);
    va_end(args);
    return -1;
}

/* 1 when [offset, offset + size) lies inside a buffer of total bytes. */
static int in_bounds(uint64_t offset, uint64_t size, size_t total)
{
    return offset <= total && size <= total - offset;
}

static const Elf64_Shdr *section(const lc_elf *elf, size_t index)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
    return (const Elf64_Shdr *)(elf->data + eh->e_shoff) + index;
}

/* Checks the ELF header and the section header table; returns the section count or -1. */
static long check_header(const lc_elf *elf, char *why, size_t cap)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
    if (elf->size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return fail(why, cap, "not an ELF file");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(why, cap, "not a 64-bit little-endian ELF file");
    if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), elf->size))
        return fail(why, cap, "malformed section header table");
    return eh->e_shnum;
}

/* Finds SHT_DYNSYM and the string table it links to. */
static int find_dynsym(lc_elf *elf, char *why, size_t cap)
{
    long count = check_header(elf, why, cap);
    if (count < 0)
        return -1;
    for (long i = 0; i < count; i++) {
        const Elf64_Shdr *sh = section(elf, (size_t)i);
        if (sh->sh_type != SHT_DYNSYM)
            continue;
        if (sh->sh_entsize != sizeof(Elf64_Sym) ||
            !in_bounds(sh->sh_offset, sh->sh_size, elf->size) || sh->sh_link >= (uint64_t)count)
            return fail(why, cap, "malformed .dynsym");
        const Elf64_Shdr *str = section(elf, sh->sh_link);
        if (!in_bounds(str->sh_offset, str->sh_size, elf->size) || str->sh_size == 0 ||
            elf->data[str->sh_offset + str->sh_size - 1] != '\0')
            return fail(why, cap, "malformed .dynstr");
        elf->dynsym = elf->data + sh->sh_offset;
        elf->count = sh->sh_size / sizeof(Elf64_Sym);
        elf->dynstr = (const char *)elf->data + str->sh_offset;
        elf->dynstr_size = str->sh_size;
        return 0;
    }
    return fail(why, cap, "no dynamic symbol table (not a shared object?)");
}

int lc_elf_open(lc_elf *elf, const char *path, char *why, size_t why_cap)
{
    memset(elf, 0, sizeof *elf);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(why, why_cap, "cannot open %s: %m", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        close(fd);
        return fail(why, why_cap, "%s is not a regular, non-empty file", path);
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return fail(why, why_cap, "cannot map %s: %m", path);
    elf->data = map;
    elf->size = (size_t)st.st_size;
    if (find_dynsym(elf, why, why_cap) != 0) {
        lc_elf_close(elf);
        return -1;
    }
    return 0;
}

void lc_elf_close(lc_elf *elf)
{
    if (elf->data)
        munmap((void *)elf->data, elf->size);
    memset(elf, 0, sizeof *elf);
}

static const char *symbol_name(const lc_elf *elf, const Elf64_Sym *sym)
{
    return sym->st_name < elf->dynstr_size ? elf->dynstr + sym->st_name : "";
}

int lc_elf_read_u32(const lc_elf *elf, const char *name, unsigned *value, char *why, size_t why_cap)
{
    const Elf64_Sym *syms = elf->dynsym;
    for (size_t i = 1; i < elf->count; i++) {
        const Elf64_Sym *sym = &syms[i];
        if (sym->st_shndx == SHN_UNDEF || strcmp(symbol_name(elf, sym), name) != 0)
            continue;
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf->data;
        if (sym->st_size != 4 || sym->st_shndx >= eh->e_shnum)
            return fail(why, why_cap, "%s is not a 4-byte object", name);
        const Elf64_Shdr *sh = section(elf, sym->st_shndx);
        if (sh->sh_type == SHT_NOBITS) { /* zero-initialised */
            *value = 0;
            return 1;
        }
        uint64_t offset = sym->st_value - sh->sh_addr;
        if (sym->st_value < sh->sh_addr || offset > sh->sh_size || sh->sh_size - offset < 4 ||
            !in_bounds(sh->sh_offset + offset, 4, elf->size))
            return fail(why, why_cap, "%s lies outside its section", name);
        uint32_t v;
        memcpy(&v, elf->data + sh->sh_offset + offset, sizeof v);
        *value = v;
        return 1;
    }
    return 0;
}

int lc_elf_imports_prefix(const lc_elf *elf, const char *prefix)
{
    const Elf64_Sym *syms = elf->dynsym;
    size_t len = strlen(prefix);
    for (size_t i = 1; i < elf->count; i++) {
        if (syms[i].st_shndx == SHN_UNDEF && strncmp(symbol_name(elf, &syms[i]), prefix, len) == 0)
            return 1;
    }
    return 0;
}
