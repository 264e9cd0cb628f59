/*
 * Writer of deterministic gzip-compressed report files (CSV or plain text); the gzcsv_t owns
 * its temp file until gzcsv_close publishes it under its final name or gzcsv_abort removes it.
 *
 * Why deterministic: interface.md promises that the same inputs give byte-identical files, so
 * the gzip headers carry no timestamp and no file name, and the compression level and the cut
 * of the input into gzip members (every GZCSV_MEMBER bytes, each member compressed on its own)
 * are fixed whatever the compression thread's timing (the bytes are stable for a given
 * libdeflate version; another version may choose other matches).
 * Why temp + rename: a crash or a failed run must never leave a truncated report under its
 * final name, because auditors take whatever is there as complete.
 */
#ifndef RECON_REPORTS_GZCSV_H
#define RECON_REPORTS_GZCSV_H

#include <stddef.h>

#include "common/err.h"
#include "common/sha256.h"

/* Default deflate level. performance.md: zlib's level 6 costs ~4x the CPU of level 1 (3.85 s
 * vs 0.95 s for a 200 MB report) for files ~25% smaller; libdeflate at 6 costs about a third
 * of zlib's 6. Reports are read by finance and archived for
 * years by auditors, so the smaller file wins; and `replay --archive` compares report bytes
 * with archived ones, which another level would all change. Compression runs in a thread of its
 * own beside the database work (gzcsv.c), so the level costs CPU more than time.
 * RECON_REPORT_LEVEL=1..9 overrides it (jobs/config refuses any other value at start). */
#define GZCSV_LEVEL_DEFAULT 6

/* Input bytes per gzip member. Each member starts with an empty 32 KiB window, so a larger
 * piece compresses a little better (1 MiB loses well under 1% against one stream) and costs
 * memory: GZCSV_BLOCKS (3, gzcsv.c) pieces plus one compressed piece per open writer. */
#define GZCSV_MEMBER (1024 * 1024)

typedef struct gzcsv gzcsv_t;

/* Starts a new temporary DIR/.NAME.XXXXXX (common/safefile.h: DIR opened without following a
 * link and owned by this user, the file created O_EXCL|O_NOFOLLOW mode 0640 minus umask, so a
 * link planted at any name cannot redirect the write). NAME is a plain file name without '/'.
 * RECON_EOUTPUT "cannot write DIR/NAME: <strerror>" when the file cannot be created, or a
 * refusal naming DIR; RECON_EINTERNAL for a level outside 1-9 (gzip level, from
 * recon_config.report_level). On success *out owns the file. */
recon_status gzcsv_open(const char *dir, const char *name, int level, gzcsv_t **out, err_t *err);

/* Appends one CSV record of n fields, RFC 4180 quoting (a field is quoted when it holds a
 * comma, quote, CR or LF; quotes are doubled), ended by "\n". A NULL field is written empty.
 * The strings stay owned by the caller. After any error the writer only accepts abort. */
recon_status gzcsv_row(gzcsv_t *g, const char *const *fields, size_t n, err_t *err);

/* Same as gzcsv_row; named separately so call sites read as "header, then rows". */
recon_status gzcsv_header(gzcsv_t *g, const char *const *fields, size_t n, err_t *err);

/* Appends raw bytes (for summary.txt.gz); the caller supplies any newlines. */
recon_status gzcsv_write_text(gzcsv_t *g, const char *text, size_t len, err_t *err);

/* Finishes the gzip file (always at least one member, so an empty report is a valid file), fsyncs the file, renames the temporary to DIR/NAME (replacing an
 * older NAME atomically), fsyncs DIR, and writes the lowercase hex SHA-256 of the compressed
 * bytes into hex_out (may be NULL). Always frees g; on failure the temp file is removed. */
recon_status gzcsv_close(gzcsv_t *g, char hex_out[SHA256_HEX_SIZE], err_t *err);

/* Discards the report: removes the temp file and frees g. NULL is allowed. */
void gzcsv_abort(gzcsv_t *g);

/* Writes len bytes to DIR/NAME with the same guarantees (unique temporary, fsync, rename, fsync
 * DIR); used for the uncompressed MANIFEST.sha256 and INPUTS.sha256. RECON_EOUTPUT as above. */
recon_status report_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                                 err_t *err);

#endif
