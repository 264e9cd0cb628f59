/*
 * rtime: run a command and report its wall time and peak RSS (getrusage of the
 * child, so a shell pipeline's tools are not mixed in).
 *
 *   rtime OUTFILE [--stdout FILE] [--stdin FILE] [--timeout SECONDS] -- COMMAND [ARGS...]
 *
 * Appends one line "wall_s maxrss_kib user_s sys_s exit_code" to OUTFILE and exits
 * with the command's status; past the timeout the command gets SIGTERM (SIGKILL 10 s
 * later) and the exit code is 124, as timeout(1) reports it. Standard output of the command goes to FILE (or is
 * inherited), so the bench can time a command whose output it keeps or discards.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
    (void)sig;
    alarmed = 1;
}

static double tv(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: rtime OUTFILE [--stdout FILE] [--stdin FILE] -- COMMAND [ARGS...]\n",
              stderr);
        return 64;
    }
    const char *report = argv[1], *out = NULL, *in = NULL;
    unsigned timeout = 0;
    int i = 2;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--stdout") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--stdin") == 0 && i + 1 < argc)
            in = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            timeout = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "rtime: unknown option %s\n", argv[i]);
            return 64;
        }
    }
    if (i + 1 >= argc) {
        fputs("rtime: no command\n", stderr);
        return 64;
    }
    char **cmd = argv + i + 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("rtime: fork");
        return 71;
    }
    if (pid == 0) {
        if (out) {
            int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 1) < 0) {
                perror(out);
                _exit(73);
            }
            close(fd);
        }
        if (in) {
            int fd = open(in, O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0) {
                perror(in);
                _exit(66);
            }
            close(fd);
        }
        execvp(cmd[0], cmd);
        perror(cmd[0]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    bool timed_out = false, killed = false;
    if (timeout > 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
        sigaction(SIGALRM, &sa, NULL);
        alarm(timeout);
    }
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("rtime: wait4");
            return 71;
        }
        if (alarmed) {
            alarmed = 0;
            if (!timed_out) {
                timed_out = true;
                kill(pid, SIGTERM);
                alarm(10);
            } else if (!killed) {
                killed = true;
                kill(pid, SIGKILL);
            }
        }
    }
    alarm(0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (timed_out)
        code = 124;
    FILE *f = fopen(report, "a");
    if (f == NULL) {
        perror(report);
        return 73;
    }
    fprintf(f, "%.3f %ld %.3f %.3f %d\n", wall, ru.ru_maxrss, tv(ru.ru_utime), tv(ru.ru_stime),
            code);
    fclose(f);
    return code;
}
