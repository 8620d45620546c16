/*
 * rc_file.h - whole files: read one into memory, replace one atomically.
 *
 * Why this library exists: the scenario language, the reports, exploration,
 * conformance and the daemons all read whole input files and replace whole
 * output files. Each layer used to carry its own loop with its own idea of a
 * folder, a read error or a half-written file; this is the one place those
 * rules live (build/lib/librc_common.a, below every layer but the pure core,
 * which never touches files). Layers keep thin wrappers for their own error
 * conventions (scn_read_file: errno; rpt_read_file: "PATH: reason" in a
 * buffer; rcd_read_file: the daemons' "cannot open/read PATH: reason").
 *
 * Contract, for both calls:
 *   - On failure errno holds the real reason (a read error keeps the errno
 *     read(2) gave; a folder is EISDIR), and when err is not NULL a one-line
 *     message is written into it (err_cap bytes, always NUL-terminated).
 *   - Nothing is fatal: out of memory is a failure with ENOMEM.
 *   - No global state but a counter for temporary names; safe after fork().
 */
#ifndef RC_FILE_H
#define RC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Why rc_file_read() failed; RC_FILE_OK (0) on success, so callers that only
 * care about success test `!= 0`. */
enum rc_file_status {
	RC_FILE_OK = 0,
	RC_FILE_OPEN,	 /* open(2) failed (missing, no permission, ...) */
	RC_FILE_READ,	 /* it opened but cannot be read: a folder, an I/O error, no memory */
	RC_FILE_TOO_BIG, /* longer than max_bytes (errno EFBIG) */
	RC_FILE_HAS_NUL, /* holds a NUL byte and RC_FILE_TEXT was asked (errno EILSEQ) */
};

/* rc_file_read() flags. */
#define RC_FILE_TEXT 1u /* refuse content holding a NUL byte: "not a text file" */
/* Never block for long (the daemons: a hung read stops a server). A FIFO is
 * opened without waiting for a writer, and one without a writer reads as
 * empty; a pipe's writer gets RC_FILE_PIPE_WAIT_MS, counted both on
 * CLOCK_REALTIME (which tests move with libfaketime) and in polls (so a clock
 * set back cannot stretch it), to send its end of file, else the read fails
 * with EAGAIN. Without the flag a pipe is read as slowly as its writer
 * writes, as a command-line tool given <(command) should. */
#define RC_FILE_NO_HANG 2u
#define RC_FILE_PIPE_WAIT_MS 1000

/* Read the whole file at path.
 *
 * On success returns RC_FILE_OK, sets *data to the content in malloc'd
 * memory with a NUL after the last byte (the caller frees it) and *len (when
 * len is not NULL) to the number of bytes, NULs inside included. A regular
 * file that does not grow while it is read lands in one allocation, never
 * copied, so a caller holding a secret can wipe it before free().
 *
 * max_bytes: 0 for no limit; otherwise a file longer than max_bytes fails
 * with RC_FILE_TOO_BIG (a file of exactly max_bytes is read).
 *
 * A folder is refused (RC_FILE_READ, EISDIR) rather than read as empty;
 * devices and pipes are read to their end like files.
 *
 * On failure *data is NULL, *len 0, and err says "PATH: reason", where reason
 * is strerror(errno), "larger than N bytes", "not a text file (contains
 * NUL bytes)" or "its writer sent no end of file within N ms". */
int rc_file_read(const char *path, size_t max_bytes, unsigned flags, char **data, size_t *len, char *err,
		 size_t err_cap);

/* rc_file_replace() flags. */
#define RC_FILE_NO_SYNC 1u /* skip both fsyncs: a scratch file nobody needs after a crash */
/* (No flag is needed not to hang: a FIFO without a reader at path is always
 * a failure, ENXIO, rather than an open() that waits for one for ever.
 * RC_FILE_NO_HANG, a reading flag, is ignored here.) */

/* Replace the file at path with len bytes of data, whole or not at all.
 *
 * The data goes into a new temporary file in the same folder (created with
 * mode, less the umask, as open(2) would), which is fsync'ed, renamed over
 * path, and then the folder is fsync'ed so the rename itself survives a
 * crash (RC_FILE_NO_SYNC skips both fsyncs). A reader therefore sees the old
 * file or the new one, never a mix or a truncated file.
 *
 * Returns 0, or -1 with errno and err ("cannot write PATH: reason"). When
 * the failure came before the rename (no space, a file size limit, a folder
 * that cannot be written, path being a folder), path is untouched and the
 * temporary file is removed. If only the final fsync of the folder fails,
 * err says "cannot sync the folder of PATH: reason": the new content is in
 * place but might not survive a power loss.
 *
 * Something at path that is neither a regular file nor a folder (/dev/stdout,
 * a FIFO) is written in place, without a temporary file or fsync: renaming
 * over it would replace the device with a file. It is opened without
 * waiting: a FIFO nobody reads fails at once with ENXIO. A path naming one of this
 * process's descriptors (/dev/stdout, /dev/fd/N, /proc/self/fd/N) is written
 * to that descriptor, where it stands, even when it is a regular file (output
 * redirected to one): renaming over the path would replace the link, not
 * write where the descriptor goes. */
int rc_file_replace(const char *path, const void *data, size_t len, mode_t mode, unsigned flags, char *err,
		    size_t err_cap);

/* Whether rc_file_replace(path, ...) could write path now, asked before a
 * long job whose result goes there, so that it fails now rather than after:
 *   - a regular file, or none yet: the temporary file the write would use
 *     is created, given one byte (posix_fallocate: a full disk or quota
 *     fails with ENOSPC or EDQUOT) and removed at once; the one sure test,
 *     as root passes every permission check and /proc or a read-only
 *     mount still refuse;
 *   - a FIFO must be writable (access(2); it is not opened, as a reader
 *     waiting on it would take the close for its end of file, so a FIFO
 *     without a reader is found only when written);
 *   - a character device must be writable and be a terminal or /dev/null
 *     (opened without waiting to ask, never written); any other device
 *     (/dev/full, a disk) or a socket is refused with ENOTSUP, as it would
 *     not keep the output;
 *   - a descriptor of this process it names (/dev/stdout) is taken as it is.
 * Returns 0, or -1 with errno and err ("cannot write PATH: reason"). */
int rc_file_check_replace(const char *path, char *err, size_t err_cap);

/* The same for output too large to hold in memory (a simulator trace),
 * written as it is made: rc_file_writer_open picks the way rc_file_replace
 * would (a temporary file next to path, the device in place, or this
 * process's descriptor that path names) and gives the descriptor to write
 * to in w->fd; rc_file_writer_commit closes it (fsync'ed, renamed over path,
 * the folder fsync'ed, as above); rc_file_writer_abort closes it and
 * removes the temporary file, leaving path as it was (errno kept). Both
 * return 0, or -1 with errno and err as rc_file_replace; a writer that
 * failed to open needs neither. */
struct rc_file_writer {
	int fd;		  /* write here */
	const char *path; /* borrowed: the caller keeps it until commit or abort */
	char *tmp;	  /* the temporary file, or NULL when written in place */
	bool borrowed;	  /* fd is one of the process's own: never closed */
	unsigned flags;
};
int rc_file_writer_open(struct rc_file_writer *w, const char *path, mode_t mode, unsigned flags, char *err,
			size_t err_cap);
int rc_file_writer_commit(struct rc_file_writer *w, char *err, size_t err_cap);
void rc_file_writer_abort(struct rc_file_writer *w);

/* Create the folder path and every missing folder above it, as `mkdir -p`
 * (mode 0777 less the umask). A folder already there is success; anything
 * else already there (a regular file given as an output folder, say) fails
 * with ENOTDIR, so a caller never goes on to write files "into" it.
 * Returns 0, or -1 with errno and err ("cannot create PATH: reason", PATH
 * the part that failed). */
int rc_file_mkdirs(const char *path, char *err, size_t err_cap);

/* Whether name (a file name, no folder) is a temporary file rc_file_replace
 * makes for the file named base in the same folder: "BASE.PID-N.tmp". One
 * left behind belongs to a writer killed between creating and renaming it; a
 * program that alone writes base (it holds a lock) may remove such files. */
bool rc_file_is_temp_of(const char *name, const char *base);

#endif
