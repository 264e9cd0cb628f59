/*
 * Why not open(DIR/NAME, O_TRUNC): recon often runs as root or as a service user over folders a
 * scheduler shares, and a link planted at a fixed name (the report, or a fixed temporary name
 * beside it) would make that open write wherever the link points. Every name here is resolved
 * relative to a directory descriptor that was checked after it was opened, and every file is a
 * new inode that this process created.
 */
#include "common/safefile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static recon_status check_dir_fd(int fd, const char *path, err_t *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot use %s: %s", path, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return err_set(err, RECON_EOUTPUT, "cannot use %s: not a directory", path);
    if (sb.st_uid != geteuid())
        return err_set(err, RECON_EOUTPUT,
                       "refusing %s: owned by uid %ld, not by the user running recon (uid %ld); "
                       "hint: remove it or give it to this user",
                       path, (long)sb.st_uid, (long)geteuid());
    if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return err_set(err, RECON_EOUTPUT,
                       "refusing %s: writable by group or others (mode %04o); hint: chmod go-w",
                       path, (unsigned)(sb.st_mode & 07777));
    return RECON_OK;
}

recon_status safefile_open_dir(const char *path, const char *shown, int *dirfd, err_t *err)
{
    *dirfd = -1;
    int fd = open(path[0] ? path : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        struct stat sb;
        if ((e == ELOOP || e == ENOTDIR) && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
            return err_set(err, RECON_EOUTPUT,
                           "refusing %s: a symbolic link, not a directory recon made; hint: "
                           "remove the link",
                           path);
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", shown ? shown : path,
                       strerror(e));
    }
    recon_status st = check_dir_fd(fd, path, err);
    if (st != RECON_OK) {
        close(fd);
        return st;
    }
    *dirfd = fd;
    return RECON_OK;
}

recon_status safefile_private_dir(const char *path, int *dirfd, err_t *err)
{
    *dirfd = -1;
    if (mkdir(path, SAFEFILE_DIR_MODE) != 0 && errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", path, strerror(errno));
    return safefile_open_dir(path, NULL, dirfd, err);
}

recon_status safefile_check_root(const char *path, err_t *err)
{
    if (mkdir(path, SAFEFILE_DIR_MODE) != 0 && errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", path, strerror(errno));
    struct stat sb;
    if (stat(path, &sb) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot use %s: %s", path, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return err_set(err, RECON_EOUTPUT, "cannot use %s: not a directory", path);
    if (sb.st_uid != geteuid() && sb.st_uid != 0)
        return err_set(err, RECON_EOUTPUT,
                       "refusing %s: owned by uid %ld, neither the user running recon (uid %ld) "
                       "nor root; hint: use an output folder of this user",
                       path, (long)sb.st_uid, (long)geteuid());
    if ((sb.st_mode & S_IWOTH) != 0 && (sb.st_mode & S_ISVTX) == 0)
        return err_set(err, RECON_EOUTPUT,
                       "refusing %s: writable by everyone without the sticky bit (mode %04o); "
                       "hint: chmod o-w or +t",
                       path, (unsigned)(sb.st_mode & 07777));
    return RECON_OK;
}

/* Six characters from [A-Za-z0-9]: the kernel's randomness, else time, pid and a counter. */
static void random_suffix(char out[7])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned counter;
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 20 ^ ++counter;
    }
    for (int i = 0; i < 6; i++) {
        out[i] = alphabet[v % 62];
        v /= 62;
    }
    out[6] = '\0';
}

recon_status safefile_create(int dirfd, const char *name, mode_t mode, const char *shown,
                             safefile_t *sf, err_t *err)
{
    sf->dirfd = dirfd;
    sf->fd = -1;
    sf->tmp[0] = '\0';
    sf->shown = shown;
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof sf->name || strchr(name, '/') != NULL ||
        strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return err_set(err, RECON_EINTERNAL, "invalid output file name for %s", shown);
    memcpy(sf->name, name, len + 1);
    for (int tries = 0; tries < 100; tries++) {
        char suffix[7];
        random_suffix(suffix);
        snprintf(sf->tmp, sizeof sf->tmp, ".%s.%s", name, suffix);
        int fd = openat(dirfd, sf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        mode);
        if (fd >= 0) {
            sf->fd = fd;
            return RECON_OK;
        }
        if (errno != EEXIST) {
            int e = errno;
            sf->tmp[0] = '\0';
            return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", shown, strerror(e));
        }
    }
    sf->tmp[0] = '\0';
    return err_set(err, RECON_EOUTPUT, "cannot write %s: no free temporary name", shown);
}

recon_status safefile_write(safefile_t *sf, const void *data, size_t len, err_t *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(sf->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", sf->shown, strerror(errno));
        }
        p += (size_t)n;
        len -= (size_t)n;
    }
    return RECON_OK;
}

recon_status safefile_commit(safefile_t *sf, err_t *err)
{
    recon_status st = RECON_OK;
    int fd = sf->fd;
    sf->fd = -1;
    /* Data reaches the disk before the name does, or a crash could leave a complete-looking
     * name over an empty or partial file. */
    if (fsync(fd) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", sf->shown, strerror(errno));
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", sf->shown, strerror(errno));
        goto fail;
    }
    if (renameat(sf->dirfd, sf->tmp, sf->dirfd, sf->name) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", sf->shown, strerror(errno));
        goto fail;
    }
    sf->tmp[0] = '\0';
    /* Some file systems cannot fsync a directory (EINVAL): nothing more can be done there. */
    if (fsync(sf->dirfd) != 0 && errno != EINVAL)
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", sf->shown, strerror(errno));
    return RECON_OK;
fail:
    safefile_discard(sf);
    return st;
}

void safefile_discard(safefile_t *sf)
{
    if (sf->fd >= 0) {
        close(sf->fd);
        sf->fd = -1;
    }
    if (sf->tmp[0] != '\0') {
        unlinkat(sf->dirfd, sf->tmp, 0);
        sf->tmp[0] = '\0';
    }
}

static bool temp_name(const char *n)
{
    size_t len = strlen(n);
    if (len < 9 || n[0] != '.' || n[len - 7] != '.')
        return false;
    for (size_t i = len - 6; i < len; i++)
        if (!isalnum((unsigned char)n[i]))
            return false;
    return true;
}

void safefile_sweep(int dirfd, long max_age)
{
    int fd = dup(dirfd);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return;
    }
    rewinddir(d);
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (!temp_name(e->d_name) ||
            fstatat(dirfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
            sb.st_uid != geteuid() || now - sb.st_mtime <= max_age)
            continue;
        unlinkat(dirfd, e->d_name, 0);
    }
    closedir(d);
}

recon_status safefile_write_whole(int dirfd, const char *name, mode_t mode, const char *shown,
                                  const void *data, size_t len, err_t *err)
{
    safefile_t sf;
    recon_status st = safefile_create(dirfd, name, mode, shown, &sf, err);
    if (st != RECON_OK)
        return st;
    if ((st = safefile_write(&sf, data, len, err)) != RECON_OK) {
        safefile_discard(&sf);
        return st;
    }
    return safefile_commit(&sf, err);
}
