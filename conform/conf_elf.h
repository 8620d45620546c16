/*
 * conf_elf.h - whether libfaketime can reach a program conform launches.
 *
 * conform moves a launched target's clock by preloading libfaketime
 * (LD_PRELOAD), which is the dynamic loader's work. A statically linked
 * program (no PT_INTERP program header: no loader runs) ignores LD_PRELOAD
 * without a word and runs on the real clock, so every timer would fire at
 * the wrong virtual time and timing scenarios would fail far from the
 * cause. conform looks at the program before it runs anything.
 */
#ifndef CONF_ELF_H
#define CONF_ELF_H

#include <stdbool.h>
#include <stddef.h>

enum conf_exe_kind {
	CONF_EXE_OTHER,   /* not an ELF file of this machine's byte order (a script: its
			     interpreter is dynamic in practice), or unreadable */
	CONF_EXE_DYNAMIC, /* an ELF file naming a program interpreter */
	CONF_EXE_STATIC,  /* an ELF file without one */
};

/* What the file at path is. */
enum conf_exe_kind conf_exe_kind(const char *path);

/* The file execvp would run for name (looked up in PATH when it has no
 * '/'), into buf; false when there is none. */
bool conf_exe_find(const char *name, char *buf, size_t cap);

#endif
