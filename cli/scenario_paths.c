/*
 * scenario_paths.c - turn the PATH... arguments of `rollcall run` into a
 * sorted list of scenario files.
 *
 * A folder stands for every *.scn file under it (recursively), sorted by path
 * so that output and JUnit reports are in the same order on every machine.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario_paths.h"

static void push(struct rc_paths *ps, const char *path)
{
	if (ps->len == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->items = realloc(ps->items, ps->cap * sizeof *ps->items);
		if (!ps->items)
			abort();
	}
	ps->items[ps->len] = strdup(path);
	if (!ps->items[ps->len])
		abort();
	ps->len++;
}

static bool has_scn_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".scn") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct rc_paths *ps, const char *dir, char *err, size_t err_len)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, err_len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	size_t first = ps->len;
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = add_dir(ps, path, err, err_len);
		else if (has_scn_suffix(e->d_name))
			push(ps, path);
	}
	closedir(d);
	if (ps->len > first) /* an empty folder: items may still be NULL, which qsort must not get */
		qsort(ps->items + first, ps->len - first, sizeof *ps->items, cmp_str);
	return rc;
}

int rc_paths_collect(struct rc_paths *ps, char **args, int n, char *err, size_t err_len)
{
	memset(ps, 0, sizeof *ps);
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(args[i], &st) != 0) {
			snprintf(err, err_len, "%s: %s", args[i], strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			push(ps, args[i]);
			continue;
		}
		/* "scenarios/" and "scenarios" name the same files */
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", args[i]);
		size_t len = strlen(dir);
		while (len > 1 && dir[len - 1] == '/')
			dir[--len] = '\0';
		size_t before = ps->len;
		if (add_dir(ps, dir, err, err_len) != 0)
			return -1;
		if (ps->len == before) {
			snprintf(err, err_len, "%s: no .scn files in this folder", args[i]);
			return -1;
		}
	}
	return 0;
}

void rc_paths_free(struct rc_paths *ps)
{
	for (size_t i = 0; i < ps->len; i++)
		free(ps->items[i]);
	free(ps->items);
	memset(ps, 0, sizeof *ps);
}
