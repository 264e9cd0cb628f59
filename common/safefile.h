/*
 * Output files that no planted link can redirect: a directory is opened without following a
 * final symlink and checked on its descriptor, and each file is written to a fresh temporary
 * created O_CREAT|O_EXCL|O_NOFOLLOW beside its final name, fsynced, renamed over the final name
 * and the directory fsynced. The caller owns the safefile_t and its descriptors until
 * safefile_commit or safefile_discard, which always release them.
 */
#ifndef RECON_COMMON_SAFEFILE_H
#define RECON_COMMON_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/err.h"

/* Mode of reports, manifests and reasons (umask limits it further): they hold personal data. */
#define SAFEFILE_MODE 0640
/* Mode of the directories recon creates under OUT. */
#define SAFEFILE_DIR_MODE 0750

/* Opens path as a directory, not through a symlink in its last component, and checks it on the
 * descriptor: owned by the running user and writable by nobody else. RECON_EOUTPUT: "cannot
 * write SHOWN: <strerror>" when it cannot be opened (shown: the file about to be written, or
 * NULL for path), a refusal naming path otherwise. On success *dirfd is the caller's to close. */
recon_status safefile_open_dir(const char *path, const char *shown, int *dirfd, err_t *err);

/* Creates path (one component under an existing parent) mode SAFEFILE_DIR_MODE when missing,
 * then safefile_open_dir. Refuses an existing link, non-directory, or a directory owned by
 * another user or writable by group or others. */
recon_status safefile_private_dir(const char *path, int *dirfd, err_t *err);

/* Whether dir (followed, when a link: a scheduler may point --out at one it made) is a
 * directory that others cannot tamper with: owned by the running user or root, and not
 * world-writable unless sticky. Created SAFEFILE_DIR_MODE when missing. RECON_EOUTPUT
 * naming it otherwise. */
recon_status safefile_check_root(const char *path, err_t *err);

typedef struct safefile {
    int dirfd;       /* borrowed from the caller; not closed here */
    int fd;          /* the temporary, -1 once closed */
    char tmp[300];   /* its name inside the directory, "" once renamed or removed */
    char name[256];  /* the final name */
    const char *shown; /* path for messages (DIR/NAME), owned by the caller */
} safefile_t;

/* Creates ".NAME.XXXXXX" (random, O_EXCL|O_NOFOLLOW, mode & ~umask) in dirfd. name is one
 * path component. shown names the file in messages and must outlive sf. */
recon_status safefile_create(int dirfd, const char *name, mode_t mode, const char *shown,
                             safefile_t *sf, err_t *err);

/* Writes all of data, retrying short writes and EINTR. RECON_EOUTPUT on failure. */
recon_status safefile_write(safefile_t *sf, const void *data, size_t len, err_t *err);

/* fsync, close, rename over NAME (a link there is replaced, never followed), fsync the
 * directory. On failure the temporary is removed. */
recon_status safefile_commit(safefile_t *sf, err_t *err);

/* Closes and removes the temporary, if any. Safe to call twice. */
void safefile_discard(safefile_t *sf);

/* Removes temporaries ("." NAME "." and six letters or digits; regular files of this user)
 * last changed more than max_age seconds ago: what a killed run left behind. Younger ones may
 * belong to a run still writing. Best effort: failures are ignored. */
void safefile_sweep(int dirfd, long max_age);

/* Writes len bytes to NAME in dirfd through safefile_create/commit. */
recon_status safefile_write_whole(int dirfd, const char *name, mode_t mode, const char *shown,
                                  const void *data, size_t len, err_t *err);

#endif
