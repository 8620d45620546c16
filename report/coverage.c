/*
 * coverage.c - read a gcovr JSON report into the files, line counts and
 * executed functions of one checklist item (see coverage.h).
 */
#include "coverage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"

static bool flag(json_t *line, const char *key)
{
	return json_is_true(json_object_get(line, key));
}

static void count_lines(json_t *lines, struct rpt_cov_file *f)
{
	size_t i;
	json_t *line;
	json_array_foreach(lines, i, line) {
		if (flag(line, "gcovr/noncode") || flag(line, "gcovr/excluded"))
			continue;
		f->lines_total++;
		if (json_integer_value(json_object_get(line, "count")) > 0)
			f->lines_hit++;
	}
}

static int by_line(const void *a, const void *b)
{
	const struct rpt_cov_function *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void add_functions(json_t *functions, struct rpt_cov_file *f)
{
	size_t i, cap = 0;
	json_t *fn;
	json_array_foreach(functions, i, fn) {
		const char *name = json_string_value(json_object_get(fn, "name"));
		long long calls = json_integer_value(json_object_get(fn, "execution_count"));
		if (!name)
			continue;
		f->functions_total++;
		if (calls <= 0)
			continue;
		rpt_grow(&f->functions, &cap, f->n_functions + 1, sizeof *f->functions);
		f->functions[f->n_functions++] = (struct rpt_cov_function){
			.name = rpt_xstrdup(name),
			.line = (int)json_integer_value(json_object_get(fn, "lineno")),
			.calls = calls,
		};
	}
	if (f->n_functions > 1)
		qsort(f->functions, f->n_functions, sizeof *f->functions, by_line);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct rpt_cov_file *)a)->path, ((const struct rpt_cov_file *)b)->path);
}

json_t *rpt_json_load(const char *path, char *err, size_t err_len)
{
	char *text = rpt_read_file(path, err, err_len);
	if (!text)
		return NULL;
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	free(text);
	if (!root)
		snprintf(err, err_len, "%s:%d: %s", path, jerr.line, jerr.text);
	return root;
}

int rpt_coverage_load(const char *path, const char *prefix, struct rpt_coverage *out, char *err,
		      size_t err_len)
{
	*out = (struct rpt_coverage){ 0 };
	json_t *root = rpt_json_load(path, err, err_len);
	if (!root)
		return -1;
	json_t *files = json_object_get(root, "files");
	if (!json_is_array(files)) {
		snprintf(err, err_len, "%s: not a gcovr JSON report (no \"files\" array)", path);
		json_decref(root);
		return -1;
	}
	size_t i, cap = 0;
	json_t *file;
	json_array_foreach(files, i, file) {
		const char *name = json_string_value(json_object_get(file, "file"));
		if (!name || (prefix && strncmp(name, prefix, strlen(prefix)) != 0))
			continue;
		struct rpt_cov_file f = { 0 };
		count_lines(json_object_get(file, "lines"), &f);
		if (f.lines_hit == 0)
			continue;
		f.path = rpt_xstrdup(name);
		add_functions(json_object_get(file, "functions"), &f);
		rpt_grow(&out->files, &cap, out->n_files + 1, sizeof *out->files);
		out->files[out->n_files++] = f;
		out->lines_hit += f.lines_hit;
	}
	json_decref(root);
	if (out->n_files > 1)
		qsort(out->files, out->n_files, sizeof *out->files, by_path);
	out->measured = true;
	return 0;
}

void rpt_coverage_free(struct rpt_coverage *cov)
{
	for (size_t i = 0; i < cov->n_files; i++) {
		for (size_t k = 0; k < cov->files[i].n_functions; k++)
			free(cov->files[i].functions[k].name);
		free(cov->files[i].functions);
		free(cov->files[i].path);
	}
	free(cov->files);
	*cov = (struct rpt_coverage){ 0 };
}
