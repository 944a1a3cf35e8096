/*
 * elf_symbols.c - a handler file's dynamic symbols, read from the file (elf_symbols.h).
 */
#include "elf_symbols.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest section table, .dynsym or .dynstr read (a handler's are a few KiB to MiBs). */
#define LC_ELF_MAX_TABLE (256u * 1024 * 1024)

static int fail(char *why, size_t cap, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(why, cap, format, args);
    va_end(args);
    return -1;
}

/* 1 when [offset, offset + size) lies inside a buffer of total bytes. */
static int in_bounds(uint64_t offset, uint64_t size, uint64_t total)
{
    return offset <= total && size <= total - offset;
}

/* Reads exactly size bytes at offset; 0, or -1 (error, or the file is shorter). */
static int read_at(int fd, void *buf, size_t size, uint64_t offset)
{
    unsigned char *p = buf;
    while (size > 0) {
        if (offset > (uint64_t)INT64_MAX)
            return -1;
        ssize_t n = pread(fd, p, size, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

/* Allocates and reads size bytes at offset (size > 0); NULL when it cannot. */
static void *read_new(int fd, uint64_t size, uint64_t offset)
{
    if (size == 0 || size > LC_ELF_MAX_TABLE)
        return NULL;
    void *buf = malloc((size_t)size);
    if (buf && read_at(fd, buf, (size_t)size, offset) != 0) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

static const Elf64_Shdr *section(const lc_elf *elf, size_t index)
{
    return (const Elf64_Shdr *)elf->shdrs + index;
}

/* Checks the ELF header and reads the section header table. */
static int read_sections(lc_elf *elf, char *why, size_t cap)
{
    Elf64_Ehdr eh;
    if (read_at(elf->fd, &eh, sizeof eh, 0) != 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return fail(why, cap, "not an ELF file");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(why, cap, "not a 64-bit little-endian ELF file");
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
        !(elf->shdrs = read_new(elf->fd, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), eh.e_shoff)))
        return fail(why, cap, "malformed section header table");
    elf->shnum = eh.e_shnum;
    return 0;
}

/* Finds SHT_DYNSYM and reads it with the string table it links to. */
static int read_dynsym(lc_elf *elf, char *why, size_t cap)
{
    if (read_sections(elf, why, cap) != 0)
        return -1;
    for (size_t i = 0; i < elf->shnum; i++) {
        const Elf64_Shdr *sh = section(elf, i);
        if (sh->sh_type != SHT_DYNSYM)
            continue;
        if (sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_link >= elf->shnum ||
            !(elf->dynsym = read_new(elf->fd, sh->sh_size, sh->sh_offset)))
            return fail(why, cap, "malformed .dynsym");
        elf->count = sh->sh_size / sizeof(Elf64_Sym);
        const Elf64_Shdr *str = section(elf, sh->sh_link);
        if (!(elf->dynstr = read_new(elf->fd, str->sh_size, str->sh_offset)) ||
            elf->dynstr[str->sh_size - 1] != '\0')
            return fail(why, cap, "malformed .dynstr");
        elf->dynstr_size = str->sh_size;
        return 0;
    }
    return fail(why, cap, "no dynamic symbol table (not a shared object?)");
}

int lc_elf_open(lc_elf *elf, const char *path, char *why, size_t why_cap)
{
    memset(elf, 0, sizeof *elf);
    /* O_NONBLOCK: a FIFO in the handler's place must not block the open (pread then fails
     * on it, as it does on a folder). */
    elf->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (elf->fd < 0)
        return fail(why, why_cap, "cannot open %s: %m", path);
    elf->fd_open = 1;
    if (read_dynsym(elf, why, why_cap) != 0) {
        lc_elf_close(elf);
        return -1;
    }
    return 0;
}

void lc_elf_close(lc_elf *elf)
{
    if (elf->fd_open)
        close(elf->fd);
    free(elf->shdrs);
    free(elf->dynsym);
    free(elf->dynstr);
    memset(elf, 0, sizeof *elf);
}

static const char *symbol_name(const lc_elf *elf, const Elf64_Sym *sym)
{
    return sym->st_name < elf->dynstr_size ? elf->dynstr + sym->st_name : "";
}

void lc_elf_find(const lc_elf *elf, const char *const *names, size_t n, size_t *defined)
{
    const Elf64_Sym *syms = elf->dynsym;
    for (size_t i = 1; i < elf->count; i++) {
        if (syms[i].st_shndx == SHN_UNDEF)
            continue;
        const char *name = symbol_name(elf, &syms[i]);
        for (size_t k = 0; k < n; k++)
            if (!defined[k] && name[0] == names[k][0] && strcmp(name, names[k]) == 0)
                defined[k] = i;
    }
}

int lc_elf_read_u32(const lc_elf *elf, size_t index, unsigned *value, char *why, size_t why_cap)
{
    const Elf64_Sym *sym = (const Elf64_Sym *)elf->dynsym + index;
    const char *name = symbol_name(elf, sym);
    if (index == 0 || index >= elf->count || sym->st_size != 4 || sym->st_shndx >= elf->shnum)
        return fail(why, why_cap, "%s is not a 4-byte object", name);
    const Elf64_Shdr *sh = section(elf, sym->st_shndx);
    if (sh->sh_type == SHT_NOBITS) { /* zero-initialised */
        *value = 0;
        return 1;
    }
    uint64_t offset = sym->st_value - sh->sh_addr;
    uint32_t v;
    if (sym->st_value < sh->sh_addr || !in_bounds(offset, 4, sh->sh_size) ||
        read_at(elf->fd, &v, sizeof v, sh->sh_offset + offset) != 0)
        return fail(why, why_cap, "%s lies outside its section", name);
    *value = v;
    return 1;
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
