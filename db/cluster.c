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
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
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
    memcpy(c->home, resolved, strlen(resolved) + 1);
    int n = snprintf(c->datadir, sizeof c->datadir, "%s/pg", c->home);
    if (n < 0 || (size_t)n + strlen(SOCKET_NAME) >= 107)
        return err_set(err, RECON_EUSAGE,
                       "cluster path %s is too long for a Unix socket; hint: set RECON_HOME to a "
                       "shorter directory",
                       c->home);
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (pw == NULL)
            return err_set(err, RECON_EUNAVAIL,
                           "running as root needs the postgres system user to run the embedded "
                           "database; hint: apt-get install postgresql");
        c->drop_privileges = true;
        c->uid = pw->pw_uid;
        c->gid = pw->pw_gid;
    } else {
        c->uid = geteuid();
        c->gid = getegid();
    }
    return find_bindir(c, err);
}

void cluster_conninfo(const cluster_t *c, const char *dbname, char *out, size_t cap)
{
    char quoted[PATH_MAX * 2];
    size_t o = 0;
    for (const char *p = c->datadir; *p && o + 2 < sizeof quoted; p++) {
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
    char prog[PATH_MAX], log[PATH_MAX];
    snprintf(prog, sizeof prog, "%s/pg_ctl", c->bindir);
    snprintf(log, sizeof log, "%s/server.log", c->datadir);
    char *argv[16];
    int n = 0;
    argv[n++] = prog;
    argv[n++] = "-D";
    argv[n++] = (char *)c->datadir;
    if (strcmp(action, "start") == 0) {
        argv[n++] = "-l";
        argv[n++] = log;
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

recon_status cluster_state(cluster_t *c, int *state, err_t *err)
{
    char version[PATH_MAX];
    snprintf(version, sizeof version, "%s/PG_VERSION", c->datadir);
    if (access(version, F_OK) != 0) {
        *state = 2;
        return RECON_OK;
    }
    buf_t out = BUF_INIT;
    int code = 0;
    recon_status st = pg_ctl(c, "status", &out, &code, err);
    buf_free(&out);
    if (st != RECON_OK)
        return st;
    *state = code == 0 ? 0 : 1;
    return RECON_OK;
}

static recon_status write_config(const cluster_t *c, err_t *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/postgresql.conf", c->datadir);
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", path, strerror(errno));
    fprintf(f,
            "\n# recon embedded cluster: Unix socket only, private to its owner\n"
            "listen_addresses = ''\n"
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
            c->datadir);
    if (fclose(f) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", path, strerror(errno));
    return RECON_OK;
}

static recon_status initdb(cluster_t *c, err_t *err)
{
    if (mkdir(c->datadir, 0700) != 0 && errno != EEXIST)
        return err_set(err, RECON_EOUTPUT, "cannot create %s: %s", c->datadir, strerror(errno));
    if (c->drop_privileges && chown(c->datadir, c->uid, c->gid) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot give %s to the postgres user: %s", c->datadir,
                       strerror(errno));
    char prog[PATH_MAX];
    snprintf(prog, sizeof prog, "%s/initdb", c->bindir);
    char *argv[] = {prog, "-D", c->datadir, "-E", "UTF8", "--locale=C", "-A", "trust",
                    "-U", "postgres", NULL};
    buf_t out = BUF_INIT;
    int code = 0;
    recon_status st = run_program(c, argv, &out, &code, err);
    if (st == RECON_OK && code != 0) {
        if (c->drop_privileges && strstr(out.data ? out.data : "", "ermission denied"))
            st = err_set(err, RECON_EUNAVAIL,
                         "initdb failed: the postgres user cannot use %s; hint: set RECON_HOME "
                         "to a directory it can reach, e.g. /var/tmp/recon",
                         c->datadir);
        else
            st = err_set(err, RECON_EUNAVAIL, "initdb failed: %s", last_line(&out));
    }
    buf_free(&out);
    if (st != RECON_OK)
        return st;
    log_info("created embedded cluster in %s", c->datadir);
    return write_config(c, err);
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

recon_status cluster_ensure_running(cluster_t *c, err_t *err)
{
    char lockpath[PATH_MAX];
    snprintf(lockpath, sizeof lockpath, "%s/pg.lock", c->home);
    int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0)
        return err_set(err, RECON_EOUTPUT, "cannot open %s: %s", lockpath, strerror(errno));
    /* Two commands starting at once: one creates and starts, the other waits. */
    while (flock(lock, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(lock);
            return err_set(err, RECON_EINTERNAL, "cannot lock %s: %s", lockpath, strerror(errno));
        }
    int state = 0;
    recon_status st = cluster_state(c, &state, err);
    if (st == RECON_OK && state == 2) {
        st = initdb(c, err);
        state = 1;
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
            log_info("started embedded cluster in %s", c->datadir);
    }
    if (st == RECON_OK)
        st = ensure_database(c, err);
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
