/*
 * test_conf_elf.c - conform's look at a program before it launches it under
 * libfaketime: statically linked (no PT_INTERP) or not, and the file execvp
 * would run.
 *
 * The ELF files are written here by hand, a header and program headers and
 * nothing else, in both classes; tests/conform/run.sh launches a real
 * statically linked program.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_elf.h"
#include "unit.h"

/* A file holding n bytes of data; its path in path. */
static void write_file(char *path, const void *data, size_t n)
{
	strcpy(path, "/tmp/rc-elf-XXXXXX");
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, data, n) == (ssize_t)n);
	close(fd);
}

static enum conf_exe_kind kind_of(const void *data, size_t n)
{
	char path[64];
	write_file(path, data, n);
	enum conf_exe_kind k = conf_exe_kind(path);
	unlink(path);
	return k;
}

/* A 64-bit executable with the given program header types (at most 3). */
struct elf64 {
	Elf64_Ehdr e;
	Elf64_Phdr ph[3];
};

static struct elf64 elf64(const uint32_t *types, int n)
{
	struct elf64 f;
	memset(&f, 0, sizeof f);
	memcpy(f.e.e_ident, ELFMAG, SELFMAG);
	f.e.e_ident[EI_CLASS] = ELFCLASS64;
	f.e.e_ident[EI_DATA] = ELFDATA2LSB;
	f.e.e_ident[EI_VERSION] = EV_CURRENT;
	f.e.e_type = ET_EXEC;
	f.e.e_machine = EM_X86_64;
	f.e.e_phoff = sizeof f.e;
	f.e.e_phentsize = sizeof f.ph[0];
	f.e.e_phnum = (uint16_t)n;
	for (int i = 0; i < n; i++)
		f.ph[i].p_type = types[i];
	return f;
}

static void test_elf64(void)
{
	static const uint32_t dynamic[] = { PT_PHDR, PT_INTERP, PT_LOAD }, statik[] = { PT_LOAD, PT_LOAD, PT_TLS };
	struct elf64 f = elf64(dynamic, 3);
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f), CONF_EXE_DYNAMIC);
	f = elf64(statik, 3);
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f), CONF_EXE_STATIC);
	f = elf64(statik, 0); /* no program header at all */
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f.e), CONF_EXE_STATIC);
	/* program headers past the end of the file: nothing runs that */
	f = elf64(dynamic, 3);
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f.e + sizeof f.ph[0]), CONF_EXE_OTHER);
	f.e.e_ident[EI_DATA] = ELFDATA2MSB; /* another byte order: not this machine's program */
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f), CONF_EXE_OTHER);
	CU_ASSERT_EQUAL(kind_of(&f, 20), CONF_EXE_OTHER); /* a header cut short */
}

static void test_elf32(void)
{
	struct {
		Elf32_Ehdr e;
		Elf32_Phdr ph[2];
		unsigned char pad[32]; /* a file at least as long as a 64-bit header */
	} f;
	memset(&f, 0, sizeof f);
	memcpy(f.e.e_ident, ELFMAG, SELFMAG);
	f.e.e_ident[EI_CLASS] = ELFCLASS32;
	f.e.e_ident[EI_DATA] = ELFDATA2LSB;
	f.e.e_phoff = sizeof f.e;
	f.e.e_phentsize = sizeof f.ph[0];
	f.e.e_phnum = 2;
	f.ph[0].p_type = PT_LOAD;
	f.ph[1].p_type = PT_INTERP;
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f), CONF_EXE_DYNAMIC);
	f.ph[1].p_type = PT_LOAD;
	CU_ASSERT_EQUAL(kind_of(&f, sizeof f), CONF_EXE_STATIC);
}

static void test_not_elf(void)
{
	static const char script[] = "#!/bin/sh\nexec build/bin/rollcall-coordd \"$@\"\n"
				     "# long enough to be read as a header, were it one .................\n";
	CU_ASSERT_EQUAL(kind_of(script, sizeof script - 1), CONF_EXE_OTHER);
	CU_ASSERT_EQUAL(conf_exe_kind("/nonexistent/program"), CONF_EXE_OTHER);
	CU_ASSERT_EQUAL(conf_exe_kind("/tmp"), CONF_EXE_OTHER);
	CU_ASSERT_EQUAL(conf_exe_kind("/proc/self/exe"), CONF_EXE_DYNAMIC); /* these tests, linked dynamically */
}

static void test_find(void)
{
	char buf[4096], dir[] = "/tmp/rc-elf-path-XXXXXX", prog[4200];
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(prog, sizeof prog, "%s/rc-elf-test-prog", dir);
	FILE *f = fopen(prog, "w");
	CU_ASSERT_FATAL(f != NULL);
	fclose(f);
	chmod(prog, 0755);
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL, path[4200];
	snprintf(path, sizeof path, "/nonexistent::%s", dir);
	setenv("PATH", path, 1);
	CU_ASSERT_TRUE(conf_exe_find("rc-elf-test-prog", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, prog);
	CU_ASSERT_FALSE(conf_exe_find("rc-elf-no-such-prog", buf, sizeof buf));
	CU_ASSERT_FALSE(conf_exe_find("", buf, sizeof buf));
	CU_ASSERT_TRUE(conf_exe_find(prog, buf, sizeof buf)); /* a path is taken as it is */
	CU_ASSERT_STRING_EQUAL(buf, prog);
	/* A folder of that name earlier in PATH is skipped, as execvp skips it. */
	char shadow[64], sub[128];
	snprintf(shadow, sizeof shadow, "%s/shadow", dir);
	snprintf(sub, sizeof sub, "%s/rc-elf-test-prog", shadow);
	CU_ASSERT_EQUAL(mkdir(shadow, 0755), 0);
	CU_ASSERT_EQUAL(mkdir(sub, 0755), 0);
	snprintf(path, sizeof path, "%s:%s", shadow, dir);
	setenv("PATH", path, 1);
	CU_ASSERT_TRUE(conf_exe_find("rc-elf-test-prog", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, prog);
	CU_ASSERT_FALSE(conf_exe_find(sub, buf, sizeof buf));
	rmdir(sub);
	rmdir(shadow);
	if (old)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	unlink(prog);
	rmdir(dir);
}

void rc_test_register_conf_elf(void)
{
	static CU_TestInfo tests[] = {
		{ "64-bit: PT_INTERP or statically linked", test_elf64 },
		{ "32-bit: PT_INTERP or statically linked", test_elf32 },
		{ "scripts, missing files, directories", test_not_elf },
		{ "the program execvp would run", test_find },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("conf_elf", tests);
}
