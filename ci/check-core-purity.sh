#!/usr/bin/env bash
# check-core-purity.sh - fail when a file of the pure core reaches for the world.
#
# reference/core must only compute: no clock, no files, no sockets, no sleeping,
# no threads, no libc randomness. That is what lets the simulator run it on
# virtual time and replay a seed byte for byte. The build runs this check before
# compiling, so a core file that includes <time.h> or calls fopen() breaks `make`.
#
# Usage: check-core-purity.sh [DIR]   (default reference/core)
set -u
dir=${1:-reference/core}

headers='time|sys/time|unistd|fcntl|pthread|threads|sys/socket|netinet/[a-z_]+|arpa/inet|poll|sys/select|sys/epoll|signal|dirent|sys/stat|curl/curl|microhttpd|sqlite3'
calls='fopen|fdopen|freopen|fread|fwrite|fprintf|printf|puts|open|read|write|close|socket|connect|sleep|usleep|nanosleep|rand|srand|random|time|clock|clock_gettime|gettimeofday|pthread_create|thrd_create|fork|exec[lv]p?e?|system|getenv|kill|raise|signal'

status=0
for f in "$dir"/*.[ch]; do
	[ -e "$f" ] || continue
	# Strip // and /* */ comments and string literals before matching, so a
	# comment that mentions time() is not a violation.
	stripped=$(sed -e 's://.*$::' -e 's:"[^"]*"::g' "$f" | perl -0pe 's{/\*.*?\*/}{ "\n" x ($& =~ tr/\n//) }gse')
	hits=$(printf '%s\n' "$stripped" | grep -nE "#[[:space:]]*include[[:space:]]*<($headers)\.h>" || true)
	hits+=$'\n'$(printf '%s\n' "$stripped" | grep -nE "(^|[^A-Za-z0-9_.>])($calls)[[:space:]]*\(" | grep -vE "^[0-9]+:[[:space:]]*#" || true)
	if [ -n "${hits//$'\n'/}" ]; then
		while IFS= read -r line; do
			[ -n "$line" ] && echo "$f:${line%%:*}: core must stay pure (no clock, I/O, sleep, threads or libc rand): ${line#*:}" >&2
		done <<<"$hits"
		status=1
	fi
done
exit $status
