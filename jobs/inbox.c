/*
 * Listing the inbox a scheduler's transfer job fills. The order is the byte
 * order of names, never the directory's or the locale's, so a night ingests
 * its files in the same order every time it runs and receipt numbers repeat.
 * The inbox is shared with whoever delivers files, so nothing in it is
 * trusted to be what its name suggests: entries are judged by lstat, opened
 * without following links or blocking, and checked again on the descriptor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/grow.h"
#include "common/names.h"
#include "common/sha256.h"
#include "jobs/nightly.h"
#include "jobs/pipeline.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inbox_kind kind_of(mode_t mode)
{
    if (S_ISREG(mode))
        return INBOX_REGULAR;
    if (S_ISLNK(mode))
        return INBOX_LINK;
    if (S_ISFIFO(mode))
        return INBOX_FIFO;
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return INBOX_DEVICE;
    if (S_ISSOCK(mode))
        return INBOX_SOCKET;
    if (S_ISDIR(mode))
        return INBOX_DIRECTORY;
    return INBOX_OTHER;
}

static const char *const inbox_kind_names[] = {
    [INBOX_REGULAR] = "a regular file",
    [INBOX_LINK] = "a symbolic link",
    [INBOX_FIFO] = "a FIFO",
    [INBOX_DEVICE] = "a device",
    [INBOX_SOCKET] = "a socket",
    [INBOX_DIRECTORY] = "a directory",
};

const char *inbox_kind_text(inbox_kind kind)
{
    return NAME_OF(inbox_kind_names, kind, "not a regular file");
}

recon_status inbox_open(const char *path, int *fd, inbox_kind *kind, err_t *err)
{
    *fd = -1;
    struct stat before, opened;
    char shown[ERR_MSG_MAX];
    job_escape(path, shown, sizeof shown);
    if (lstat(path, &before) != 0)
        return err_set(err, RECON_ENOINPUT, "%s: cannot open: %s", shown, strerror(errno));
    *kind = kind_of(before.st_mode);
    if (*kind != INBOX_REGULAR)
        return RECON_OK;
    int f = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (f < 0) {
        if (errno == ELOOP) { /* replaced by a link since the lstat */
            *kind = INBOX_LINK;
            return RECON_OK;
        }
        return err_set(err, RECON_ENOINPUT, "%s: cannot open: %s", shown, strerror(errno));
    }
    if (fstat(f, &opened) != 0) {
        int e = errno;
        close(f);
        return err_set(err, RECON_ENOINPUT, "%s: cannot open: %s", shown, strerror(e));
    }
    if (!S_ISREG(opened.st_mode) || opened.st_dev != before.st_dev ||
        opened.st_ino != before.st_ino) {
        /* Swapped between the lstat and the open: judged by what was opened. */
        *kind = S_ISREG(opened.st_mode) ? INBOX_OTHER : kind_of(opened.st_mode);
        close(f);
        return RECON_OK;
    }
    /* Reads of a regular file never block; clearing the flag keeps it that way for any
     * library that checks it. */
    int flags = fcntl(f, F_GETFL);
    if (flags >= 0)
        fcntl(f, F_SETFL, flags & ~O_NONBLOCK);
    *fd = f;
    return RECON_OK;
}

recon_status inbox_hash_fd(int fd, const char *shown, char out[SHA256_HEX_SIZE], err_t *err)
{
    sha256_ctx c;
    recon_status st = sha256_init(&c, err);
    if (st != RECON_OK)
        return st;
    unsigned char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sha256_free(&c);
            return err_set(err, RECON_ENOINPUT, "%s: cannot read: %s", shown, strerror(errno));
        }
        if (n == 0)
            break;
        sha256_update(&c, chunk, (size_t)n);
    }
    unsigned char digest[SHA256_DIGEST_SIZE];
    if ((st = sha256_final(&c, digest, err)) != RECON_OK)
        return st;
    sha256_hex(digest, out);
    /* Left at the start, for whoever reads the file next through this descriptor. */
    if (lseek(fd, 0, SEEK_SET) != 0)
        return err_set(err, RECON_ENOINPUT, "%s: cannot read: %s", shown, strerror(errno));
    return RECON_OK;
}

recon_status inbox_sha256(const char *path, char out[SHA256_HEX_SIZE], err_t *err)
{
    int fd = -1;
    inbox_kind kind;
    recon_status st = inbox_open(path, &fd, &kind, err);
    if (st != RECON_OK)
        return st;
    const char *name = job_base_name(path);
    if (fd < 0)
        return job_refusal_sha(inbox_kind_text(kind), name, NULL, out, err);
    char shown[ERR_MSG_MAX];
    job_escape(path, shown, sizeof shown);
    st = inbox_hash_fd(fd, shown, out, err);
    close(fd);
    if (st != RECON_OK)
        return st;
    char why[128];
    if (!job_name_ok(name, why, sizeof why)) {
        char content[SHA256_HEX_SIZE];
        memcpy(content, out, sizeof content);
        return job_refusal_sha("name", name, content, out, err);
    }
    return RECON_OK;
}

void inbox_free(inbox_files *files)
{
    for (size_t i = 0; i < files->count; i++)
        free(files->paths[i]);
    free(files->paths);
    files->paths = NULL;
    files->count = 0;
}

recon_status inbox_list(const char *dir, inbox_files *files, err_t *err)
{
    files->paths = NULL;
    files->count = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return err_set(err, RECON_ENOINPUT, "cannot read inbox %s: %s", dir, strerror(errno));
    size_t cap = 0;
    recon_status st = RECON_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.' || ends_with(name, ".tmp") || ends_with(name, ".part"))
            continue;
        size_t len = strlen(dir) + strlen(name) + 2;
        char *path = malloc(len);
        if (path == NULL) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, name);
        /* Links, FIFOs, devices and sockets are listed so that the night refuses them with a
         * reason (never reading them); folders are not deliveries. */
        struct stat sb;
        if (lstat(path, &sb) != 0 || S_ISDIR(sb.st_mode)) {
            free(path);
            errno = 0;
            continue;
        }
        if (!GROW(files->paths, cap, files->count + 1)) {
            free(path);
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        files->paths[files->count++] = path;
        errno = 0;
    }
    if (st == RECON_OK && errno != 0)
        st = err_set(err, RECON_ENOINPUT, "cannot read inbox %s: %s", dir, strerror(errno));
    closedir(d);
    if (st != RECON_OK) {
        inbox_free(files);
        return st;
    }
    /* Sorting full paths sorts names: they share the directory prefix. */
    if (files->count > 1)
        qsort(files->paths, files->count, sizeof *files->paths, by_name);
    return RECON_OK;
}

/* The header's first two names, unquoted and trimmed, joined by ','. */
static void header_start(const char *line, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    int fields = 0;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        char c = line[i];
        if (c == ',' && ++fields == 2)
            break;
        if (c == '"' || c == ' ' || c == '\t')
            continue;
        out[o++] = c;
    }
    out[o] = '\0';
}

recon_status inbox_content_of(int fd, const char *shown, inbox_content *content, err_t *err)
{
    *content = INBOX_CONTENT_OTHER;
    char head[512];
    ssize_t n;
    do
        n = pread(fd, head, sizeof head, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_set(err, RECON_ENOINPUT, "%s: cannot read: %s", shown, strerror(errno));
    size_t len = (size_t)n, start = 0;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    size_t end = start;
    while (end < len && head[end] != '\n' && head[end] != '\r')
        end++;
    char first[128];
    header_start(head + start, end - start, first, sizeof first);
    if (strcmp(first, "policy_no,holder_name") == 0)
        *content = INBOX_CONTENT_POLICIES;
    else if (strcmp(first, "policy_no,event") == 0)
        *content = INBOX_CONTENT_EVENTS;
    else if (strcmp(first, "decided_on,receipt_id") == 0)
        *content = INBOX_CONTENT_DECISIONS;
    return RECON_OK;
}

bool inbox_misdelivered(inbox_content content, const char *shown, err_t *reason)
{
    switch (content) {
    case INBOX_CONTENT_POLICIES:
        err_set(reason, RECON_EDATA,
                "%s: a policy register file (header policy_no,holder_name,...), not a "
                "statement; refused; hint: give it to --register-inbox (or recon policies load)",
                shown);
        return true;
    case INBOX_CONTENT_EVENTS:
        err_set(reason, RECON_EDATA,
                "%s: an events file (header policy_no,event,date), not a statement; refused; "
                "hint: give it to --register-inbox (or recon events load)",
                shown);
        return true;
    case INBOX_CONTENT_DECISIONS:
        err_set(reason, RECON_EDATA,
                "%s: a decisions file (header decided_on,receipt_id,...); refused; hint: "
                "decisions enter only through `recon decide`, run by a person",
                shown);
        return true;
    case INBOX_CONTENT_OTHER:
        break;
    }
    return false;
}
