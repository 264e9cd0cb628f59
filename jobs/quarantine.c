/*
 * OUT/quarantine/: where finance finds, in the morning, each file a night
 * refused and why. The inbox itself is left as delivered (it is what a replay
 * reads). A refusal is recorded in the database before its copy is made, so a
 * run that could not write the copy (a full disk) is repaired by the next run,
 * which finds the refusal recorded and the copy or reason missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safefile.h"
#include "jobs/pipeline.h"

/* Whether dirfd already holds name as a regular file; anything else there (a planted link)
 * is replaced by the rename, never written through. */
static bool present(int dirfd, const char *name)
{
    struct stat sb;
    return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
}

/* Copies the open source into dir/name through a unique temporary. */
static recon_status copy_fd(int in, mode_t mode, int dirfd, const char *name, const char *shown,
                            const char *src_shown, err_t *err)
{
    safefile_t sf;
    recon_status st = safefile_create(dirfd, name, mode, shown, &sf, err);
    if (st != RECON_OK)
        return st;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = err_set(err, RECON_ENOINPUT, "%s: cannot read: %s", src_shown, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if ((st = safefile_write(&sf, chunk, (size_t)n, err)) != RECON_OK)
            break;
    }
    if (st != RECON_OK) {
        safefile_discard(&sf);
        return st;
    }
    return safefile_commit(&sf, err);
}

recon_status quarantine_keep(const char *out_dir, const char *path, const char *reason,
                             bool unread, bool only_missing, bool *restored, err_t *err)
{
    if (restored)
        *restored = false;
    char dir[4096], qname[JOB_QNAME_SIZE], rname[JOB_QNAME_SIZE + 8];
    char shown[4096 + JOB_QNAME_SIZE + 8], src_shown[4 * 4096];
    int dirfd = -1;
    recon_status st = job_out_dir(out_dir, "quarantine", dir, sizeof dir, &dirfd, err);
    if (st != RECON_OK)
        return st;
    safefile_sweep(dirfd, JOB_STALE_TEMP_SECONDS);
    job_escape(path, src_shown, sizeof src_shown);
    if ((st = job_quarantine_name(job_base_name(path), qname, err)) != RECON_OK)
        goto out;
    snprintf(rname, sizeof rname, "%s.reason", qname);

    if (!unread && !(only_missing && present(dirfd, qname))) {
        int in = -1;
        inbox_kind kind;
        err_t ignored;
        /* An entry that cannot be opened (or is no longer a regular file) keeps its reason
         * only: the copy is never made through a link. */
        if (inbox_open(path, &in, &kind, &ignored) == RECON_OK && in >= 0) {
            struct stat sb;
            /* Never more open than the source, and never readable by others. */
            mode_t mode = fstat(in, &sb) == 0 ? (sb.st_mode & 0640) : 0600;
            snprintf(shown, sizeof shown, "%s/%s", dir, qname);
            st = copy_fd(in, mode, dirfd, qname, shown, src_shown, err);
            close(in);
            if (st != RECON_OK)
                goto out;
            if (restored)
                *restored = true;
        }
    }
    if (!(only_missing && present(dirfd, rname))) {
        char text[ERR_MSG_MAX + 2];
        /* Named as the inbox lists it, not by the path one run used. */
        snprintf(text, sizeof text, "%s\n", job_reason_by_name(src_shown, reason));
        snprintf(shown, sizeof shown, "%s/%s", dir, rname);
        if ((st = safefile_write_whole(dirfd, rname, SAFEFILE_MODE, shown, text, strlen(text),
                                       err)) != RECON_OK)
            goto out;
        if (restored)
            *restored = true;
    }
out:
    close(dirfd);
    return st;
}
