/*
 * scenario_paths.c - turn the PATH... arguments of `rollcall run` into a
 * sorted list of scenario files.
 *
 * A folder stands for every *.scn file under it (recursively), sorted by path
 * so that output and JUnit reports are in the same order on every machine.
 * Symbolic links are followed, but each folder is read once: a link back to
 * an ancestor (or two links to one folder) lists nothing twice.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario_paths.h"

static bool has_scn_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".scn") == 0;
}

static char *xstrdup(const char *s)
{
	char *copy = strdup(s);
	if (!copy)
		abort();
	return copy;
}

/* The names are given once a whole argument is listed (name_from), as the
 * files of a folder are sorted only then. */
static void push(struct rc_paths *ps, const char *path)
{
	if (ps->len == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->items = realloc(ps->items, ps->cap * sizeof *ps->items);
		ps->names = realloc(ps->names, ps->cap * sizeof *ps->names);
		if (!ps->items || !ps->names)
			abort();
	}
	ps->items[ps->len] = xstrdup(path);
	ps->names[ps->len] = NULL;
	ps->len++;
}

/* Name items[from..len) by their paths from offset skip on, without .scn. */
static void name_from(struct rc_paths *ps, size_t from, size_t skip)
{
	for (size_t i = from; i < ps->len; i++) {
		char *name = xstrdup(ps->items[i] + skip);
		if (has_scn_suffix(name))
			name[strlen(name) - 4] = '\0';
		ps->names[i] = name;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folders read so far, by device and inode. */
struct visited {
	struct { dev_t dev; ino_t ino; } *items;
	size_t len, cap;
};

/* Whether the folder st was read before; remembers it if not. */
static bool seen_before(struct visited *v, const struct stat *st)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->items[i].dev == st->st_dev && v->items[i].ino == st->st_ino)
			return true;
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->items = realloc(v->items, v->cap * sizeof *v->items);
		if (!v->items)
			abort();
	}
	v->items[v->len].dev = st->st_dev;
	v->items[v->len].ino = st->st_ino;
	v->len++;
	return false;
}

static int visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* By byte, not strcoll: the same order in every locale. */
static int cmp_entry(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int add_dir(struct rc_paths *ps, struct visited *v, const char *dir, char *err, size_t err_len);

/* One entry of a folder: a scenario file, a folder not read before, or
 * nothing (other files, dangling links). */
static int add_entry(struct rc_paths *ps, struct visited *v, const char *dir, const char *name, char *err,
		     size_t err_len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return seen_before(v, &st) ? 0 : add_dir(ps, v, path, err, err_len);
	if (has_scn_suffix(name))
		push(ps, path);
	return 0;
}

/* Adds the scenario files under dir. Entries are taken in name order, so
 * that when two links reach one folder, the same name lists it everywhere. */
static int add_dir(struct rc_paths *ps, struct visited *v, const char *dir, char *err, size_t err_len)
{
	struct dirent **names;
	int n = scandir(dir, &names, visible, cmp_entry);
	if (n < 0) {
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	size_t first = ps->len;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0)
			rc = add_entry(ps, v, dir, names[i]->d_name, err, err_len);
		free(names[i]);
	}
	free(names);
	if (ps->len > first) /* an empty folder: items may still be NULL, which qsort must not get */
		qsort(ps->items + first, ps->len - first, sizeof *ps->items, cmp_str);
	return rc;
}

/* One argument: a file as it is, a folder as its scenario files. Each
 * argument has its own visited set, so "run a a" still runs a's files twice,
 * once per argument. */
static int add_arg(struct rc_paths *ps, const char *arg, char *err, size_t err_len)
{
	struct stat st;
	if (stat(arg, &st) != 0) {
		snprintf(err, err_len, "%s: %s", arg, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		push(ps, arg);
		const char *slash = strrchr(arg, '/');
		name_from(ps, ps->len - 1, slash ? (size_t)(slash + 1 - arg) : 0);
		return 0;
	}
	/* "scenarios/" and "scenarios" name the same files */
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", arg);
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	struct visited v = { 0 };
	seen_before(&v, &st);
	size_t before = ps->len;
	int rc = add_dir(ps, &v, dir, err, err_len);
	free(v.items);
	name_from(ps, before, len + 1); /* past "DIR/" (add_entry joins with a slash, the root too) */
	if (rc == 0 && ps->len == before) {
		snprintf(err, err_len, "%s: no .scn files in this folder", arg);
		rc = -1;
	}
	return rc;
}

int rc_paths_collect(struct rc_paths *ps, char **args, int n, char *err, size_t err_len)
{
	memset(ps, 0, sizeof *ps);
	int rc = 0;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = add_arg(ps, args[i], err, err_len);
	return rc;
}

void rc_paths_free(struct rc_paths *ps)
{
	for (size_t i = 0; i < ps->len; i++) {
		free(ps->items[i]);
		free(ps->names[i]);
	}
	free(ps->items);
	free(ps->names);
	memset(ps, 0, sizeof *ps);
}
