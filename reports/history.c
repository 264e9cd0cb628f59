/*
 * OUT/index.html (reports/page.h): the history of the nights under OUT. Each night's figures
 * come from the block its own page carries, read with bounded, checked parsing: OUT is treated
 * as hostile (no link followed, at most PAGE_FIGURES_SCAN bytes read per night, a line out of
 * place skips the night and the page says why).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safefile.h"
#include "core/date.h"
#include "core/money.h"
#include "reports/page.h"

#define HISTORY_MAX 4000 /* nights shown: more than ten years */

typedef struct night {
    char day[DATE_STR_SIZE];
    page_figures f;
    bool workbook;
    const char *skipped; /* why the night is not shown; NULL when it is */
} night;

/* One "NAME VALUE\n" line at *p; advances *p past it. */
static bool figure_line(const char **p, const char *end, const char *name, long long *value)
{
    size_t nl = strlen(name);
    const char *s = *p;
    if ((size_t)(end - s) < nl + 2 || memcmp(s, name, nl) != 0 || s[nl] != ' ')
        return false;
    s += nl + 1;
    const char *digits = s;
    if (s < end && *s == '-')
        s++;
    const char *first = s;
    while (s < end && *s >= '0' && *s <= '9' && s - first < 19)
        s++;
    if (s == first || s >= end || *s != '\n')
        return false;
    long long v = 0;
    for (const char *q = first; q < s; q++) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *q - '0', &v))
            return false;
    }
    *value = *digits == '-' ? -v : v;
    *p = s + 1;
    return true;
}

const char *page_figures_parse(const char *text, size_t len, const char *day, page_figures *out)
{
    const char *end = text + len;
    const char *p = memmem(text, len, PAGE_FIGURES_BEGIN, strlen(PAGE_FIGURES_BEGIN));
    if (p == NULL)
        return "no figures block in its index.html";
    p += strlen(PAGE_FIGURES_BEGIN);
    if ((size_t)(end - p) < 5 + DATE_STR_SIZE || memcmp(p, "date ", 5) != 0 ||
        strlen(day) != DATE_STR_SIZE - 1 ||
        memcmp(p + 5, day, DATE_STR_SIZE - 1) != 0 || p[5 + DATE_STR_SIZE - 1] != '\n')
        return "its figures block is for another date";
    p += 5 + DATE_STR_SIZE;
    for (size_t i = 0; i < PAGE_FIGURES; i++)
        if (!figure_line(&p, end, page_figure_names[i], &out->v[i]))
            return "its figures block is malformed";
    for (size_t i = 0; i < PAGE_STATUSES; i++) {
        char name[48];
        snprintf(name, sizeof name, "status %s", page_statuses[i]);
        if (!figure_line(&p, end, name, &out->status[i]) || out->status[i] < 0)
            return "its figures block is malformed";
    }
    if ((size_t)(end - p) < strlen(PAGE_FIGURES_END) ||
        memcmp(p, PAGE_FIGURES_END, strlen(PAGE_FIGURES_END)) != 0)
        return "its figures block is malformed";
    return NULL;
}

/* Reads night n's page under outfd, never through a link. */
static void read_night(int outfd, night *n)
{
    char text[PAGE_FIGURES_SCAN];
    int dfd = openat(outfd, n->day, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        n->skipped = "not a directory (or a link)";
        return;
    }
    int fd = openat(dfd, PAGE_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        n->skipped = "no index.html (a night reported before pages existed, or not a file)";
    } else {
        size_t len = 0;
        ssize_t r;
        while (len < sizeof text && (r = read(fd, text + len, sizeof text - len)) != 0) {
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            len += (size_t)r;
        }
        n->skipped = page_figures_parse(text, len, n->day, &n->f);
    }
    if (fd >= 0)
        close(fd);
    char wb[64];
    snprintf(wb, sizeof wb, "recon-%s.xlsx", n->day);
    n->workbook = fstatat(dfd, wb, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
    close(dfd);
}

static int night_cmp(const void *a, const void *b)
{
    return strcmp(((const night *)a)->day, ((const night *)b)->day);
}

/* The names under OUT that are dates, sorted; the latest HISTORY_MAX kept. */
static recon_status list_nights(int outfd, const char *out_dir, night **out, size_t *count,
                                size_t *dropped, err_t *err)
{
    int fd = dup(outfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return err_set(err, RECON_EOUTPUT, "cannot list %s: %s", out_dir, strerror(errno));
    }
    size_t n = 0, cap = 0;
    night *v = NULL;
    struct dirent *e;
    recon_status st = RECON_OK;
    while ((e = readdir(d)) != NULL) {
        date_t dt;
        if (strlen(e->d_name) != DATE_STR_SIZE - 1 ||
            !date_parse(e->d_name, DATE_STR_SIZE - 1, &dt))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            night *nv = realloc(v, ncap * sizeof *nv);
            if (nv == NULL) {
                st = err_set(err, RECON_EINTERNAL, "out of memory");
                break;
            }
            v = nv;
            cap = ncap;
        }
        memset(&v[n], 0, sizeof v[n]);
        memcpy(v[n].day, e->d_name, DATE_STR_SIZE);
        n++;
    }
    closedir(d);
    if (st != RECON_OK) {
        free(v);
        return st;
    }
    if (n > 0)
        qsort(v, n, sizeof *v, night_cmp);
    *dropped = n > HISTORY_MAX ? n - HISTORY_MAX : 0;
    if (*dropped)
        memmove(v, v + *dropped, HISTORY_MAX * sizeof *v);
    *out = v;
    *count = n - *dropped;
    return RECON_OK;
}

static void money_cell(svg_out *o, long long fen)
{
    char m[MONEY_STR_SIZE];
    money_format(fen, m);
    svg_printf(o, "<td class=\"n\">%s</td>", m);
}

static void history_charts(svg_out *o, const night *v, size_t n)
{
    const char **x = calloc(n ? n : 1, sizeof *x);
    long long *col = calloc((n ? n : 1) * (PAGE_STATUSES + 3), sizeof *col);
    if (x == NULL || col == NULL) {
        o->failed = true;
        goto out;
    }
    svg_series s[PAGE_STATUSES];
    size_t ns = 0;
    for (size_t k = 0; k < PAGE_STATUSES; k++) {
        long long *series = col + n * k;
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            series[i] = v[i].f.status[k];
            any |= series[i] != 0;
        }
        if (any)
            s[ns++] = (svg_series){page_status_labels[k], series};
    }
    long long *suspense = col + n * PAGE_STATUSES, *money = suspense + n, *refused = money + n;
    for (size_t i = 0; i < n; i++) {
        x[i] = v[i].day;
        suspense[i] = v[i].f.v[2];
        money[i] = v[i].f.v[0];
        refused[i] = v[i].f.v[6];
    }
    svg_printf(o, "<div class=\"grid\">\n");
    svg_chart c1 = {"h-status", "保单状态变化 Policies by status over time",
                    "Number of policies in each status at the end of each night, stacked.",
                    SVG_COUNT};
    svg_stacked(o, &c1, x, n, s, ns);
    svg_chart c2 = {"h-suspense", "挂账余额 Suspense balance over time",
                    "Money in suspense at the end of each night, in yuan.", SVG_FEN};
    svg_line(o, &c2, x, n, suspense);
    svg_chart c3 = {"h-money", "每日到账 Money in per night",
                    "Money received on each night's statements (duplicates left out), in yuan.",
                    SVG_FEN};
    svg_columns(o, &c3, x, n, money);
    svg_chart c4 = {"h-refused", "每日拒收文件 Refused files per night",
                    "Statement files refused on each night (kept in the quarantine folder).",
                    SVG_COUNT};
    svg_columns(o, &c4, x, n, refused);
    svg_printf(o, "</div>\n");
out:
    free(x);
    free(col);
}

static void history_body(svg_out *o, const night *all, size_t total, size_t dropped)
{
    night *v = calloc(total ? total : 1, sizeof *v);
    if (v == NULL) {
        o->failed = true;
        return;
    }
    size_t n = 0, skipped = 0;
    for (size_t i = 0; i < total; i++) {
        if (all[i].skipped == NULL)
            v[n++] = all[i];
        else
            skipped++;
    }
    svg_printf(o, "<main>\n<h1>recon 对账历史 Reconciliation history</h1>\n"
                  "<p class=\"note\">本页每晚根据各晚页面中的数字重写，不属于任何一晚的 "
                  "MANIFEST.sha256（它随新的夜晚而变化）。 This page is rewritten every night "
                  "from the figures in each night's own page; it is not part of any night's "
                  "MANIFEST.sha256, because it changes as nights are added. Each night's own "
                  "page and files are the record.</p>\n");
    if (n > 0)
        history_charts(o, v, n);
    svg_printf(o, "<h2>各晚 Nights</h2>\n<div class=\"tw\"><table><caption class=\"note\">"
                  "%zu 晚 nights, newest first</caption><thead><tr>"
                  "<th scope=\"col\">日期 night</th><th scope=\"col\">工作簿 workbook</th>"
                  "<th scope=\"col\" class=\"n\">到账 money in</th>"
                  "<th scope=\"col\" class=\"n\">挂账 suspense</th>"
                  "<th scope=\"col\" class=\"n\">应退款 refunds</th>"
                  "<th scope=\"col\" class=\"n\">保单 policies</th>"
                  "<th scope=\"col\" class=\"n\">拒收 refused</th></tr></thead><tbody>\n",
               n);
    for (size_t j = n; j-- > 0;) {
        const night *e = &v[j];
        svg_printf(o, "<tr><th scope=\"row\"><a href=\"%s/index.html\">%s</a></th>", e->day,
                   e->day);
        if (e->workbook)
            svg_printf(o, "<td><a href=\"%s/recon-%s.xlsx\">xlsx</a></td>", e->day, e->day);
        else
            svg_printf(o, "<td></td>");
        money_cell(o, e->f.v[0]);
        money_cell(o, e->f.v[2]);
        money_cell(o, e->f.v[3]);
        svg_printf(o, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n", e->f.v[4],
                   e->f.v[6]);
    }
    svg_printf(o, "</tbody></table></div>\n");
    if (skipped || dropped) {
        svg_printf(o, "<h2>未显示 Not shown</h2>\n<ul>\n");
        if (dropped)
            svg_printf(o, "<li>%zu earlier nights (only the latest %d are shown)</li>\n", dropped,
                       HISTORY_MAX);
        for (size_t i = 0; i < total; i++)
            if (all[i].skipped)
                svg_printf(o, "<li>%s: %s</li>\n", all[i].day, all[i].skipped);
        svg_printf(o, "</ul>\n");
    }
    svg_printf(o, "</main>\n</body>\n</html>\n");
    free(v);
}

recon_status page_write_history(const char *out_dir, err_t *err)
{
    int outfd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (outfd < 0)
        return err_set(err, RECON_EOUTPUT, "cannot open %s: %s", out_dir, strerror(errno));
    night *v = NULL;
    size_t n = 0, dropped = 0;
    svg_out o = {BUF_INIT, false};
    recon_status st = list_nights(outfd, out_dir, &v, &n, &dropped, err);
    if (st == RECON_OK) {
        for (size_t i = 0; i < n; i++)
            read_night(outfd, &v[i]);
        page_head(&o, "recon 对账历史");
        svg_printf(&o, "</head>\n<body>\n");
        history_body(&o, v, n, dropped);
        char shown[4200];
        snprintf(shown, sizeof shown, "%s/%s", out_dir, PAGE_NAME);
        st = o.failed ? err_set(err, RECON_EINTERNAL, "out of memory")
                      : safefile_write_whole(outfd, PAGE_NAME, SAFEFILE_MODE, shown, o.buf.data,
                                             o.buf.len, err);
    }
    free(v);
    buf_free(&o.buf);
    close(outfd);
    return st;
}
