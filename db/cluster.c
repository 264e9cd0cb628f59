#include "db/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/sha256.h"
#include "db/client.h"

#define SOCKET_NAME "/.s.PGSQL.5432"
#define OUTPUT_CAP 4096

/* Runs argv (no shell) as the cluster's user, capturing up to OUTPUT_CAP bytes of
 * its output so that nothing it prints reaches the terminal. */
static recon_status run_program(const cluster_t *c, char *const argv[], buf_t *output,
                                int *exit_code, err_t *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return err_set(err, RECON_EINTERNAL, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return err_set(err, RECON_EINTERNAL, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        if (c->drop_privileges) {
            if (setgroups(0, NULL) != 0 || setgid(c->gid) != 0 || setuid(c->uid) != 0) {
                fprintf(stderr, "cannot switch to the postgres user: %s\n", strerror(errno));
                _exit(126);
            }
        }
        if (chdir("/") != 0)
            _exit(126);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char chunk[1024];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        if (output && output->len < OUTPUT_CAP)
            buf_append(output, chunk, (size_t)n);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return err_set(err, RECON_EINTERNAL, "waitpid: %s", strerror(errno));
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return RECON_OK;
}

/* The last non-empty line of a program's output, for one-line error messages. */
static const char *last_line(buf_t *b)
{
    if (b->len == 0)
        return "(no output)";
    while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
        b->data[--b->len] = '\0';
    char *nl = strrchr(b->data, '\n');
    return nl ? nl + 1 : b->data;
}

static bool is_executable(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, X_OK) == 0;
}

static bool has_server(const char *dir)
{
    return is_executable(dir, "initdb") && is_executable(dir, "pg_ctl") &&
           is_executable(dir, "postgres");
}

static recon_status find_bindir(cluster_t *c, err_t *err)
{
    /* pg_config --bindir first (it may come from libpq-dev without a server). */
    static const char *const pg_config_paths[] = {"/usr/bin/pg_config", "/usr/local/bin/pg_config"};
    for (size_t i = 0; i < 2; i++) {
        if (access(pg_config_paths[i], X_OK) != 0)
            continue;
        buf_t out = BUF_INIT;
        int code = 0;
        char *argv[] = {(char *)pg_config_paths[i], "--bindir", NULL};
        cluster_t plain = *c;
        plain.drop_privileges = false;
        if (run_program(&plain, argv, &out, &code, err) == RECON_OK && code == 0 && out.len > 0) {
            while (out.len > 0 && (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == ' '))
                out.data[--out.len] = '\0';
            if (out.len < sizeof c->bindir && has_server(out.data)) {
                snprintf(c->bindir, sizeof c->bindir, "%s", out.data);
                buf_free(&out);
                return RECON_OK;
            }
        }
        buf_free(&out);
    }
    glob_t g;
    if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) == 0) {
        /* newest version last in sorted order ("9" > "15" lexically, so compare numbers) */
        long best = -1;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            const char *v = g.gl_pathv[i] + strlen("/usr/lib/postgresql/");
            long ver = strtol(v, NULL, 10);
            if (ver > best && has_server(g.gl_pathv[i])) {
                best = ver;
                snprintf(c->bindir, sizeof c->bindir, "%s", g.gl_pathv[i]);
            }
        }
        globfree(&g);
        if (best >= 0)
            return RECON_OK;
    }
    return err_set(err, RECON_EUNAVAIL,
                   "postgresql server not found (no initdb/pg_ctl in pg_config --bindir or "
                   "/usr/lib/postgresql/*/bin); hint: apt-get install postgresql");
}

/* Runs a child as the cluster's user (no supplementary groups, as the server
 * runs) and asks the kernel whether that user may use path with mode: the truth,
 * where reading modes and ACLs ourselves would only be a guess. */
static recon_status cluster_user_can(const cluster_t *c, const char *path, int mode, bool *ok,
                                     err_t *err)
{
    *ok = false;
    pid_t pid = fork();
    if (pid < 0)
        return err_set(err, RECON_EINTERNAL, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (c->drop_privileges &&
            (setgroups(0, NULL) != 0 || setgid(c->gid) != 0 || setuid(c->uid) != 0))
            _exit(2);
        _exit(access(path, mode) == 0 ? 0 : 1);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return err_set(err, RECON_EINTERNAL, "waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 2)
        return err_set(err, RECON_EUNAVAIL, "cannot switch to the postgres user to check %s", path);
    *ok = WEXITSTATUS(status) == 0;
    return RECON_OK;
}

/* pg_ctl hands the server's options to /bin/sh inside double quotes, and the
 * socket directory goes into postgresql.conf inside single quotes: a path that
 * holds one of these characters would be cut or reinterpreted, so it is refused. */
static bool plain_path(const char *p)
{
    for (; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f || strchr("\"'\\$`,", ch) != NULL)
            return false;
    }
    return true;
}

static bool has_control(const char *p)
{
    for (; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
            return true;
    return false;
}

static bool file_exists(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof path && lstat(path, &st) == 0;
}

/* Reads a small file (never through a link) into out, NUL-terminated; *found is
 * false when it is absent. */
static recon_status read_small(const char *dir, const char *name, char *out, size_t cap,
                               bool *found, err_t *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *found = false;
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return RECON_OK;
        return err_set(err, RECON_EUNAVAIL, "cannot read %s: %s", path, strerror(errno));
    }
    size_t len = 0;
    ssize_t r;
    while (len + 1 < cap && (r = read(fd, out + len, cap - 1 - len)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return err_set(err, RECON_EUNAVAIL, "cannot read %s: %s", path, strerror(e));
        }
        len += (size_t)r;
    }
    close(fd);
    out[len] = '\0';
    *found = true;
    return RECON_OK;
}

/* A home whose cluster lives under RECON_CLUSTER_ROOT holds CLUSTER_LOCATION naming
 * that data directory. Found in a home about to get a new, empty cluster, it means
 * the home was copied or moved: the database stays with the original, so recon
 * stops and says where it is rather than silently starting empty. */
static recon_status check_location_pointer(const cluster_t *c, const char *keyed, err_t *err)
{
    char where[PATH_MAX], recorded[PATH_MAX];
    bool found = false, have_record = false;
    recon_status st = read_small(c->home, CLUSTER_LOCATION, where, sizeof where, &found, err);
    if (st != RECON_OK || !found)
        return st;
    where[strcspn(where, "\n")] = '\0';
    if (strcmp(where, keyed) == 0 || !file_exists(where, "PG_VERSION"))
        return RECON_OK;
    if ((st = read_small(where, CLUSTER_HOME_RECORD, recorded, sizeof recorded, &have_record,
                         err)) != RECON_OK)
        return st;
    recorded[strcspn(recorded, "\n")] = '\0';
    if (have_record && strcmp(recorded, c->home) == 0)
        return err_set(err, RECON_EUNAVAIL,
                       "the database of RECON_HOME %s is in %s, outside RECON_CLUSTER_ROOT %s; "
                       "hint: set RECON_CLUSTER_ROOT back to the folder that holds it, or remove "
                       "%s/" CLUSTER_LOCATION " to start an empty database",
                       c->home, where, c->root, c->home);
    struct stat sb;
    bool original_gone = have_record && stat(recorded, &sb) != 0;
    return err_set(err, RECON_EUNAVAIL,
                   "RECON_HOME %s was %s from %s, whose database stays in %s; hint: %s%s, or remove "
                   "%s/" CLUSTER_LOCATION " to start an empty database here",
                   c->home, original_gone ? "moved" : "copied",
                   have_record ? recorded : "another home", where,
                   original_gone ? "to keep it, stop its server and rename that folder to "
                                 : "use the original home",
                   original_gone ? keyed : "", c->home);
}

/* Root only: the cluster stays in RECON_HOME/pg when postgres can reach it (or
 * already has a cluster there), else moves to RECON_CLUSTER_ROOT/KEY. An existing
 * cluster in the home that postgres can no longer reach is an error, not a reason
 * to start a second, empty one elsewhere. */
static recon_status choose_location(cluster_t *c, err_t *err)
{
    bool ok = false;
    recon_status st;
    if (file_exists(c->datadir, "PG_VERSION")) {
        if ((st = cluster_user_can(c, c->datadir, X_OK, &ok, err)) != RECON_OK)
            return st;
        if (ok)
            return RECON_OK;
        return err_set(err, RECON_EUNAVAIL,
                       "the embedded database in %s belongs to the postgres user, which can no "
                       "longer reach it; hint: give postgres search access (chmod o+x) to %s and "
                       "its parent directories again",
                       c->datadir, c->home);
    }
    const char *root = getenv("RECON_CLUSTER_ROOT");
    if (root == NULL || *root == '\0')
        root = CLUSTER_ROOT_DEFAULT;
    if (root[0] != '/')
        return err_set(err, RECON_EUSAGE, "RECON_CLUSTER_ROOT must be an absolute path, not %s",
                       root);
    if (strlen(root) >= sizeof c->root)
        return err_set(err, RECON_EUSAGE, "RECON_CLUSTER_ROOT path too long");
    snprintf(c->root, sizeof c->root, "%s", root);
    char hex[SHA256_HEX_SIZE];
    if ((st = sha256_buf_hex(c->home, strlen(c->home), hex, err)) != RECON_OK)
        return st;
    memcpy(c->key, hex, 16);
    c->key[16] = '\0';
    char keyed[sizeof c->datadir];
    int n = snprintf(keyed, sizeof keyed, "%s/%s", c->root, c->key);
    if (n < 0 || (size_t)n >= sizeof keyed)
        return err_set(err, RECON_EUSAGE, "RECON_CLUSTER_ROOT path too long");
    if (!file_exists(keyed, "PG_VERSION")) {
        if ((st = check_location_pointer(c, keyed, err)) != RECON_OK)
            return st;
        if ((st = cluster_user_can(c, c->home, X_OK, &ok, err)) != RECON_OK)
            return st;
        if (ok)
            return RECON_OK;
    }
    c->in_root = true;
    memcpy(c->datadir, keyed, (size_t)n + 1);
    return RECON_OK;
}

recon_status cluster_locate(cluster_t *c, err_t *err)
{
    memset(c, 0, sizeof *c);
    const char *home = getenv("RECON_HOME");
    if (home == NULL || *home == '\0')
        home = "var";
    if (mkdir(home, 0755) != 0 && errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", home, strerror(errno));
    char resolved[PATH_MAX];
    if (realpath(home, resolved) == NULL)
        return err_set(err, RECON_EOUTPUT, "cannot resolve %s: %s", home, strerror(errno));
    if (strlen(resolved) >= sizeof c->home)
        return err_set(err, RECON_EUSAGE, "RECON_HOME path too long");
    if (has_control(resolved))
        return err_set(err, RECON_EUSAGE,
                       "RECON_HOME path holds a control character; hint: use a plainer path");
    memcpy(c->home, resolved, strlen(resolved) + 1);
    snprintf(c->datadir, sizeof c->datadir, "%s/pg", c->home);
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (pw == NULL)
            return err_set(err, RECON_EUNAVAIL,
                           "running as root needs the postgres system user to run the embedded "
                           "database; hint: apt-get install postgresql");
        c->drop_privileges = true;
        c->uid = pw->pw_uid;
        c->gid = pw->pw_gid;
        recon_status st = choose_location(c, err);
        if (st != RECON_OK)
            return st;
    } else {
        c->uid = geteuid();
        c->gid = getegid();
    }
    memcpy(c->sockdir, c->datadir, strlen(c->datadir) + 1);
    if (strlen(c->sockdir) + strlen(SOCKET_NAME) >= 107)
        return err_set(err, RECON_EUSAGE,
                       "cluster path %s is too long for a Unix socket; hint: set %s to a "
                       "shorter directory",
                       c->sockdir, c->in_root ? "RECON_CLUSTER_ROOT" : "RECON_HOME");
    if (!plain_path(c->datadir))
        return err_set(err, RECON_EUSAGE,
                       "cluster path %s holds a quote, backslash, $, ` or comma, which the "
                       "server's command line cannot carry; hint: set %s to a plainer directory",
                       c->datadir, c->in_root ? "RECON_CLUSTER_ROOT" : "RECON_HOME");
    return find_bindir(c, err);
}

void cluster_conninfo(const cluster_t *c, const char *dbname, char *out, size_t cap)
{
    char quoted[PATH_MAX * 2];
    size_t o = 0;
    for (const char *p = c->sockdir; *p && o + 2 < sizeof quoted; p++) {
        if (*p == '\'' || *p == '\\')
            quoted[o++] = '\\';
        quoted[o++] = *p;
    }
    quoted[o] = '\0';
    snprintf(out, cap, "host='%s' port=5432 dbname=%s user=postgres", quoted, dbname);
}

static recon_status pg_ctl(const cluster_t *c, const char *action, buf_t *out, int *code,
                           err_t *err)
{
    char prog[PATH_MAX], log[PATH_MAX], opts[PATH_MAX + 64];
    snprintf(prog, sizeof prog, "%s/pg_ctl", c->bindir);
    snprintf(log, sizeof log, "%s/server.log", c->datadir);
    /* The socket directory is given on every start, so a copied data directory
     * listens in its own place whatever its postgresql.conf still says. pg_ctl
     * passes these options through /bin/sh; plain_path keeps the quoting exact.
     * random_page_cost: the cluster lives on local disk and its working set in memory, where
     * an index probe costs little more than a page read in order; at the default of 4 the
     * planner read all of receipts or status_events to find an incremental night's few
     * thousand rows. Given on every start, so clusters made before it have it too. */
    snprintf(opts, sizeof opts, "-k \"%s\" -c random_page_cost=1.1", c->sockdir);
    char *argv[16];
    int n = 0;
    argv[n++] = prog;
    argv[n++] = "-D";
    argv[n++] = (char *)c->datadir;
    if (strcmp(action, "start") == 0) {
        argv[n++] = "-l";
        argv[n++] = log;
        argv[n++] = "-o";
        argv[n++] = opts;
        argv[n++] = "-w";
        argv[n++] = "-t";
        argv[n++] = "120";
    } else if (strcmp(action, "stop") == 0) {
        argv[n++] = "-m";
        argv[n++] = "fast";
        argv[n++] = "-w";
    }
    argv[n++] = (char *)action;
    argv[n] = NULL;
    return run_program(c, argv, out, code, err);
}

/* Replaces dir/name with one line of text: a unique temporary (mkstemp), synced,
 * renamed over the name, so a reader never sees half a path and no planted link
 * is followed. give: the file goes to the cluster's user (as root). */
static recon_status write_line_file(const cluster_t *c, const char *dir, const char *name,
                                    const char *text, mode_t mode, bool give, err_t *err)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    bool ok = fchmod(fd, mode) == 0 && (!give || fchown(fd, c->uid, c->gid) == 0) &&
              write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", path, strerror(e));
    }
    return RECON_OK;
}

/* The data directory records the resolved RECON_HOME it belongs to. */
static recon_status write_home_record(const cluster_t *c, err_t *err)
{
    return write_line_file(c, c->datadir, CLUSTER_HOME_RECORD, c->home, 0600, c->drop_privileges,
                           err);
}

/* Checks the data directory belongs to this RECON_HOME. A home copied or moved
 * while stopped is adopted (*adopt: the record is rewritten at start; the socket
 * follows the data directory); a copy whose postmaster.pid names a live server of
 * another directory is refused, since pg_ctl would take that server for its own. */
static recon_status check_belongs(const cluster_t *c, bool *adopt, err_t *err)
{
    *adopt = false;
    char recorded[PATH_MAX], pidfile[PATH_MAX + 64];
    bool have_record = false, have_pid = false;
    recon_status st = read_small(c->datadir, CLUSTER_HOME_RECORD, recorded, sizeof recorded, &have_record, err);
    if (st == RECON_OK)
        st = read_small(c->datadir, "postmaster.pid", pidfile, sizeof pidfile, &have_pid, err);
    if (st != RECON_OK)
        return st;
    char *nl = strchr(recorded, '\n');
    if (nl)
        *nl = '\0';
    if (have_pid) {
        /* postmaster.pid: line 1 the server's pid, line 2 its data directory */
        char *end = NULL;
        long pid = strtol(pidfile, &end, 10);
        const char *dir = end && *end == '\n' ? end + 1 : "";
        size_t dirlen = strcspn(dir, "\n");
        bool elsewhere = dirlen != strlen(c->datadir) || strncmp(dir, c->datadir, dirlen) != 0;
        if (elsewhere && dirlen < PATH_MAX) {
            /* the same folder under another spelling (a link) is not a copy */
            char other[PATH_MAX];
            struct stat a, b;
            memcpy(other, dir, dirlen);
            other[dirlen] = '\0';
            if (stat(other, &a) == 0 && stat(c->datadir, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino)
                elsewhere = false;
        }
        if (pid > 0 && elsewhere && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
            return err_set(err, RECON_EUNAVAIL,
                           "%s is a copy of the embedded database of %s, whose server (pid %ld) "
                           "still runs on the original; hint: stop it (RECON_HOME=%s recon db "
                           "stop) and copy the home again",
                           c->datadir, have_record ? recorded : "another RECON_HOME", pid,
                           have_record ? recorded : "ORIGINAL");
    }
    if (!have_record) {
        *adopt = true; /* made by an older recon: record it at the next start */
        return RECON_OK;
    }
    if (strcmp(recorded, c->home) == 0)
        return RECON_OK;
    struct stat sb;
    if (c->in_root && stat(recorded, &sb) == 0)
        return err_set(err, RECON_EUNAVAIL,
                       "%s belongs to RECON_HOME %s, not %s; hint: set RECON_CLUSTER_ROOT to "
                       "another directory",
                       c->datadir, recorded, c->home);
    *adopt = true;
    return RECON_OK;
}

static recon_status state_of(cluster_t *c, int *state, bool *adopt, err_t *err)
{
    *adopt = false;
    if (!file_exists(c->datadir, "PG_VERSION")) {
        *state = 2;
        return RECON_OK;
    }
    recon_status st = check_belongs(c, adopt, err);
    if (st != RECON_OK)
        return st;
    buf_t out = BUF_INIT;
    int code = 0;
    st = pg_ctl(c, "status", &out, &code, err);
    buf_free(&out);
    if (st != RECON_OK)
        return st;
    *state = code == 0 ? 0 : 1;
    return RECON_OK;
}

recon_status cluster_state(cluster_t *c, int *state, err_t *err)
{
    bool adopt = false;
    return state_of(c, state, &adopt, err);
}

static recon_status write_config(const cluster_t *c, err_t *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/postgresql.conf", c->datadir);
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "a");
    if (f == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", path, strerror(e));
    }
    fprintf(f,
            "\n# recon embedded cluster: Unix socket only, private to its owner\n"
            "listen_addresses = ''\n"
            "# recon passes the socket directory on every start (-k), so a copied data\n"
            "# directory listens in its own place; this line serves a manual pg_ctl start\n"
            "unix_socket_directories = '%s'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 40\n"
            "log_min_messages = warning\n"
            "# One node, no replicas: a table emptied and refilled in one transaction\n"
            "# (process's snapshot tables) skips the WAL and is synced at commit instead\n"
            "wal_level = minimal\n"
            "max_wal_senders = 0\n"
            "# a nightly writes a few GB: fewer forced checkpoints in the middle of it\n"
            "max_wal_size = 4GB\n"
            "shared_buffers = 256MB\n",
            c->sockdir);
    if (fclose(f) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", path, strerror(errno));
    return RECON_OK;
}

/* Root only: RECON_CLUSTER_ROOT (made root-owned 0755 if missing; refused when a
 * link, not root's, or writable by others) and its KEY folder, owned by postgres,
 * 0700, made relative to the opened root so nothing can be swapped in between. */
static recon_status prepare_root(const cluster_t *c, err_t *err)
{
    if (mkdir(c->root, 0755) == 0) {
        if (chmod(c->root, 0755) != 0)
            return err_set(err, RECON_EOUTPUT, "cannot set the mode of %s: %s", c->root,
                           strerror(errno));
        log_info("created RECON_CLUSTER_ROOT %s", c->root);
    } else if (errno != EEXIST) {
        return err_set(err, RECON_EOUTPUT,
                       "cannot create RECON_CLUSTER_ROOT %s: %s; hint: create its parent "
                       "directory or set RECON_CLUSTER_ROOT",
                       c->root, strerror(errno));
    }
    int dfd = open(c->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return err_set(err, RECON_EOUTPUT,
                       "RECON_CLUSTER_ROOT %s is not a directory or is a symbolic link (%s); "
                       "hint: point it at a real directory owned by root",
                       c->root, strerror(errno));
    recon_status st = RECON_OK;
    struct stat sb;
    bool ok = false;
    if (fstat(dfd, &sb) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot stat %s: %s", c->root, strerror(errno));
        goto done;
    }
    if (sb.st_uid != 0 || (sb.st_mode & S_IWOTH) || ((sb.st_mode & S_IWGRP) && sb.st_gid != 0)) {
        st = err_set(err, RECON_EOUTPUT,
                     "RECON_CLUSTER_ROOT %s must belong to root and be writable by nobody else "
                     "(owner uid %ld, mode %04o); hint: chown root:root and chmod 0755 it",
                     c->root, (long)sb.st_uid, (unsigned)(sb.st_mode & 07777));
        goto done;
    }
    if ((st = cluster_user_can(c, c->root, X_OK, &ok, err)) != RECON_OK)
        goto done;
    if (!ok) {
        st = err_set(err, RECON_EUNAVAIL,
                     "the postgres user cannot reach RECON_CLUSTER_ROOT %s; hint: give it search "
                     "access (chmod o+x) to that directory and its parents",
                     c->root);
        goto done;
    }
    if (mkdirat(dfd, c->key, 0700) == 0) {
        if (fchownat(dfd, c->key, c->uid, c->gid, AT_SYMLINK_NOFOLLOW) != 0 ||
            fchmodat(dfd, c->key, 0700, 0) != 0) {
            st = err_set(err, RECON_EOUTPUT, "cannot give %s to the postgres user: %s", c->datadir,
                         strerror(errno));
            goto done;
        }
    } else if (errno != EEXIST) {
        st = err_set(err, RECON_EOUTPUT, "cannot create %s: %s", c->datadir, strerror(errno));
        goto done;
    }
    if (fstatat(dfd, c->key, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(sb.st_mode) ||
        sb.st_uid != c->uid) {
        st = err_set(err, RECON_EOUTPUT,
                     "%s is not a directory of the postgres user; hint: remove it and run again",
                     c->datadir);
        goto done;
    }
done:
    close(dfd);
    return st;
}

/* In the home: the pg folder is made here and given to postgres (as root), since
 * only a folder recon creates may change hands. */
static recon_status prepare_home_datadir(const cluster_t *c, err_t *err)
{
    if (mkdir(c->datadir, 0700) == 0) {
        if (c->drop_privileges && chown(c->datadir, c->uid, c->gid) != 0)
            return err_set(err, RECON_EOUTPUT, "cannot give %s to the postgres user: %s",
                           c->datadir, strerror(errno));
        return RECON_OK;
    }
    if (errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", c->datadir, strerror(errno));
    struct stat sb;
    if (lstat(c->datadir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != c->uid)
        return err_set(err, RECON_EOUTPUT,
                       "%s exists but is not a directory owned by %s; hint: remove it and run "
                       "again",
                       c->datadir, c->drop_privileges ? "the postgres user" : "you");
    return RECON_OK;
}

static recon_status initdb(cluster_t *c, err_t *err)
{
    recon_status st = c->in_root ? prepare_root(c, err) : prepare_home_datadir(c, err);
    if (st != RECON_OK)
        return st;
    char prog[PATH_MAX];
    snprintf(prog, sizeof prog, "%s/initdb", c->bindir);
    char *argv[] = {prog, "-D", c->datadir, "-E", "UTF8", "--locale=C", "-A", "trust",
                    "-U", "postgres", NULL};
    buf_t out = BUF_INIT;
    int code = 0;
    st = run_program(c, argv, &out, &code, err);
    if (st == RECON_OK && code != 0) {
        if (c->drop_privileges && strstr(out.data ? out.data : "", "ermission denied"))
            st = err_set(err, RECON_EUNAVAIL,
                         "initdb failed: the postgres user cannot use %s; hint: give it search "
                         "access to the parent directories, or set RECON_CLUSTER_ROOT",
                         c->datadir);
        else
            st = err_set(err, RECON_EUNAVAIL, "initdb failed: %s", last_line(&out));
    }
    buf_free(&out);
    if (st != RECON_OK)
        return st;
    log_info("created embedded cluster in %s for RECON_HOME %s", c->datadir, c->home);
    if ((st = write_config(c, err)) != RECON_OK)
        return st;
    return write_home_record(c, err);
}

static recon_status ensure_database(const cluster_t *c, err_t *err)
{
    char conninfo[PATH_MAX * 2 + 64];
    cluster_conninfo(c, "postgres", conninfo, sizeof conninfo);
    db_t *db = NULL;
    recon_status st = db_connect(conninfo, &db, err);
    if (st != RECON_OK)
        return st;
    PGresult *res = NULL;
    const char *params[] = {CLUSTER_DBNAME};
    st = db_query(db, "SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", 1, params, 1,
                  &res, err);
    if (st == RECON_OK) {
        bool exists = PQntuples(res) > 0;
        PQclear(res);
        if (!exists)
            st = db_exec(db, "CREATE DATABASE " CLUSTER_DBNAME " ENCODING 'UTF8' TEMPLATE template0",
                         err);
    }
    db_close(db);
    return st;
}

/* Root's home learns where its cluster lives (see check_location_pointer). */
static recon_status write_location_pointer(const cluster_t *c, err_t *err)
{
    char current[PATH_MAX];
    bool found = false;
    recon_status st = read_small(c->home, CLUSTER_LOCATION, current, sizeof current, &found, err);
    if (st != RECON_OK)
        return st;
    current[strcspn(current, "\n")] = '\0';
    if (found && strcmp(current, c->datadir) == 0)
        return RECON_OK;
    return write_line_file(c, c->home, CLUSTER_LOCATION, c->datadir, 0644, false, err);
}

recon_status cluster_ensure_running(cluster_t *c, err_t *err)
{
    char lockpath[PATH_MAX];
    snprintf(lockpath, sizeof lockpath, "%s/pg.lock", c->home);
    int lock = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (lock < 0)
        return err_set(err, RECON_EOUTPUT, "cannot open %s: %s", lockpath, strerror(errno));
    /* Two commands starting at once: one creates and starts, the other waits. */
    while (flock(lock, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(lock);
            return err_set(err, RECON_EINTERNAL, "cannot lock %s: %s", lockpath, strerror(errno));
        }
    int state = 0;
    bool adopt = false;
    recon_status st = state_of(c, &state, &adopt, err);
    if (st == RECON_OK && state == 2) {
        st = initdb(c, err);
        state = 1;
    } else if (st == RECON_OK && adopt) {
        st = write_home_record(c, err);
        if (st == RECON_OK)
            log_info("embedded cluster in %s now belongs to RECON_HOME %s", c->datadir, c->home);
    }
    if (st == RECON_OK && state == 1) {
        buf_t out = BUF_INIT;
        int code = 0;
        st = pg_ctl(c, "start", &out, &code, err);
        if (st == RECON_OK && code != 0)
            st = err_set(err, RECON_EUNAVAIL,
                         "embedded database failed to start: %s; see %s/server.log",
                         last_line(&out), c->datadir);
        buf_free(&out);
        if (st == RECON_OK)
            log_info("started embedded cluster in %s (socket in %s)", c->datadir, c->sockdir);
    }
    if (st == RECON_OK)
        st = ensure_database(c, err);
    if (st == RECON_OK && c->in_root)
        st = write_location_pointer(c, err);
    flock(lock, LOCK_UN);
    close(lock);
    return st;
}

recon_status cluster_stop(cluster_t *c, bool *was_running, err_t *err)
{
    int state = 0;
    *was_running = false;
    recon_status st = cluster_state(c, &state, err);
    if (st != RECON_OK || state != 0)
        return st;
    buf_t out = BUF_INIT;
    int code = 0;
    st = pg_ctl(c, "stop", &out, &code, err);
    if (st == RECON_OK && code != 0)
        st = err_set(err, RECON_EUNAVAIL, "embedded database failed to stop: %s", last_line(&out));
    buf_free(&out);
    *was_running = st == RECON_OK;
    return st;
}
