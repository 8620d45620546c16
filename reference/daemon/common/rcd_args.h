/*
 * rcd_args.h - the daemons' command lines: "--name VALUE" pairs and --help.
 *
 * Both daemons take only long options with one value each, so one small
 * table-driven parser serves both; each daemon then checks and converts the
 * values it got (numbers, formats, required options).
 */
#ifndef RCD_ARGS_H
#define RCD_ARGS_H

#include <stddef.h>
#include <stdio.h>

struct rcd_option {
	const char *name;   /* "--listen" */
	const char **value; /* where the value goes (left alone when absent) */
};

enum { RCD_ARGS_OK = 0, RCD_ARGS_HELP = 1, RCD_ARGS_BAD = 2 };

/* Fill the options from argv. Returns RCD_ARGS_OK; RCD_ARGS_HELP for
 * --help/-h after printing usage(stdout), or for --version after printing
 * "PROG BUILD" (git's description of the sources, as in rollcall's trace
 * headers); or RCD_ARGS_BAD after printing "PROG: why" and a hint to stderr
 * (unknown option, missing value). */
int rcd_parse_options(const char *prog, int argc, char **argv, const struct rcd_option *opts, size_t n_opts,
		      void (*usage)(FILE *out));

/* The exit status of a parse that did not return RCD_ARGS_OK: 0 after
 * --help, 2 after bad usage. */
int rcd_args_exit_status(int parse_result);

/* Print "PROG: <formatted message>" and a hint to stderr; returns RCD_ARGS_BAD. */
int rcd_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first option of the table whose value is still NULL, or NULL: for
 * required options, which are listed first by the caller. */
const char *rcd_missing_option(const struct rcd_option *opts, size_t n_required);

#endif
