/*
 * conf_elf.c - is a launched program statically linked (conf_elf.h)?
 *
 * Only the ELF header and the program headers are read: a program has a
 * dynamic loader exactly when one of them is PT_INTERP. p_type is the first
 * word of a program header in both classes, so only the header's fields
 * differ between 32 and 64 bits.
 */
#include "conf_elf.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the program headers are, from the ELF header e (class 32 or 64). */
static void program_headers(const unsigned char *e, uint64_t *off, uint16_t *size, uint16_t *n)
{
	if (e[EI_CLASS] == ELFCLASS64) {
		memcpy(off, e + offsetof(Elf64_Ehdr, e_phoff), sizeof *off);
		memcpy(size, e + offsetof(Elf64_Ehdr, e_phentsize), sizeof *size);
		memcpy(n, e + offsetof(Elf64_Ehdr, e_phnum), sizeof *n);
	} else {
		uint32_t off32;
		memcpy(&off32, e + offsetof(Elf32_Ehdr, e_phoff), sizeof off32);
		*off = off32;
		memcpy(size, e + offsetof(Elf32_Ehdr, e_phentsize), sizeof *size);
		memcpy(n, e + offsetof(Elf32_Ehdr, e_phnum), sizeof *n);
	}
}

static bool native_elf(const unsigned char *e)
{
	const uint16_t one = 1;
	unsigned char order = *(const unsigned char *)&one ? ELFDATA2LSB : ELFDATA2MSB;
	return memcmp(e, ELFMAG, SELFMAG) == 0 && (e[EI_CLASS] == ELFCLASS32 || e[EI_CLASS] == ELFCLASS64) &&
	       e[EI_DATA] == order;
}

enum conf_exe_kind conf_exe_kind(const char *path)
{
	unsigned char e[sizeof(Elf64_Ehdr)];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return CONF_EXE_OTHER;
	enum conf_exe_kind kind = CONF_EXE_OTHER;
	if (pread(fd, e, sizeof e, 0) == (ssize_t)sizeof e && native_elf(e)) {
		uint64_t off;
		uint16_t size, n;
		program_headers(e, &off, &size, &n);
		/* PN_XNUM: the count is elsewhere; such a file is left to the loader */
		kind = size >= sizeof(uint32_t) && n != PN_XNUM ? CONF_EXE_STATIC : CONF_EXE_OTHER;
		for (uint16_t i = 0; i < n && kind == CONF_EXE_STATIC; i++) {
			uint32_t type;
			if (pread(fd, &type, sizeof type, (off_t)(off + (uint64_t)i * size)) != (ssize_t)sizeof type)
				kind = CONF_EXE_OTHER; /* cut short: not a program anything runs */
			else if (type == PT_INTERP)
				kind = CONF_EXE_DYNAMIC;
		}
	}
	close(fd);
	return kind;
}

/* What execvp would run: an executable file. access(X_OK) alone also
 * passes a folder, which execvp skips (EACCES) for the next PATH entry. */
static bool runnable(const char *path)
{
	struct stat st;
	return access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool conf_exe_find(const char *name, char *buf, size_t cap)
{
	if (!name[0])
		return false;
	if (strchr(name, '/')) {
		snprintf(buf, cap, "%s", name);
		return runnable(buf);
	}
	const char *path = getenv("PATH"), *dir = path ? path : "/bin:/usr/bin";
	for (;;) {
		size_t len = strcspn(dir, ":");
		/* an empty entry is the current directory, as for execvp */
		if (snprintf(buf, cap, "%.*s/%s", len ? (int)len : 1, len ? dir : ".", name) < (int)cap &&
		    runnable(buf))
			return true;
		if (!dir[len])
			return false;
		dir += len + 1;
	}
}
