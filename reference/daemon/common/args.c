/*
 * args.c - the option parser of rcd_args.h.
 */
#include "rcd_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build_id.h"

int rcd_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(try --help)\n");
	return RCD_ARGS_BAD;
}

int rcd_parse_options(const char *prog, int argc, char **argv, const struct rcd_option *opts, size_t n_opts,
		      void (*usage)(FILE *out))
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return RCD_ARGS_HELP;
		}
		if (!strcmp(a, "--version")) {
			printf("%s %s\n", prog, RC_BUILD_ID);
			return RCD_ARGS_HELP;
		}
		size_t k = 0;
		while (k < n_opts && strcmp(a, opts[k].name) != 0)
			k++;
		if (k == n_opts)
			return rcd_usage_error(prog, "unknown option %s", a);
		if (i + 1 >= argc)
			return rcd_usage_error(prog, "%s needs a value", a);
		*opts[k].value = argv[++i];
	}
	return RCD_ARGS_OK;
}

const char *rcd_missing_option(const struct rcd_option *opts, size_t n_required)
{
	for (size_t k = 0; k < n_required; k++)
		if (!*opts[k].value || !**opts[k].value)
			return opts[k].name;
	return NULL;
}

int rcd_args_exit_status(int parse_result)
{
	return parse_result == RCD_ARGS_HELP ? 0 : 2;
}
