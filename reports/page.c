#include "reports/page.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safefile.h"
#include "core/currency.h"
#include "core/money.h"
#include "reports/readback.h"

const char *const page_statuses[PAGE_STATUSES] = {
    "pending", "in_force", "grace", "suspended", "terminated", "expired", "not_effective",
    "cancelled"};
const char *const page_status_labels[PAGE_STATUSES] = {
    "待生效 pending", "有效 in_force", "宽限期 grace", "中止 suspended", "终止 terminated",
    "满期 expired", "未生效 not_effective", "已撤销 cancelled"};
const char *const page_figure_names[PAGE_FIGURES] = {
    "money_in", "allocated", "suspense", "refunds", "policies", "files", "refused"};

/* Statement formats by channel: what finance calls the way the money came. */
#define CHANNELS 5
static const char *const channel_labels[CHANNELS] = {"银行 bank", "微信支付 WeChat",
                                                     "支付宝 Alipay", "银联 UnionPay",
                                                     "其他 other"};

static size_t channel_of(const char *format)
{
    if (strcmp(format, "wechat") == 0)
        return 1;
    if (strcmp(format, "alipay") == 0)
        return 2;
    if (strcmp(format, "unionpay") == 0)
        return 3;
    if (strncmp(format, "camt", 4) == 0 || strcmp(format, "mt940") == 0 ||
        strcmp(format, "bankcsv") == 0)
        return 0;
    return 4;
}

void page_head(svg_out *o, const char *title)
{
    svg_printf(o,
               "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action "
               "'none'\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    svg_text(o, title);
    svg_printf(
        o, "</title>\n<style>\n"
           "body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Microsoft YaHei\","
           "\"PingFang SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\",sans-serif;"
           "margin:0;padding:12px;color:#1a1a1a;background:#fff;line-height:1.5}\n"
           "main{max-width:1240px;margin:0 auto}\nh1{font-size:1.5em;margin:.3em 0}\n"
           "h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.4em}\n"
           ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%%,420px),"
           "1fr));gap:12px}\n"
           ".chart{margin:0;border:1px solid #ddd;border-radius:6px;padding:8px}\n"
           "figcaption{font-weight:bold;margin-bottom:4px}\n"
           "svg{display:block;max-width:100%%;height:auto}\nsvg text{font-size:13px;"
           "fill:#1a1a1a}\nsvg .g{stroke:#ddd}\n"
           ".kpi{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;"
           "margin:0}\n.kpi div{border:1px solid #ddd;border-radius:6px;padding:6px 10px}\n"
           ".kpi dt{color:#555;font-size:.9em}\n.kpi dd{margin:0;font-size:1.3em;"
           "font-weight:bold;font-variant-numeric:tabular-nums}\n"
           ".tw{overflow-x:auto}\ntable{border-collapse:collapse;width:100%%}\n"
           "th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;"
           "vertical-align:top;overflow-wrap:anywhere}\nth{background:#f3f3f3}\n"
           "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
           ".note{color:#555;font-size:.9em}\n"
           "</style>\n");
}

/* ---- the day's CSV files read back ---- */

#define FIELD_MAX 384

/* A page shows a bounded part of a long text, cut between UTF-8 characters. */
static void copy_cut(char out[FIELD_MAX], const char *s)
{
    size_t len = strlen(s);
    size_t cut = len < FIELD_MAX ? len : FIELD_MAX - 1;
    while (cut < len && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(out, s, cut);
    out[cut] = '\0';
}

/* The largest rows by amount, largest first; among equal amounts the earlier row stays. */
#define TOP_ROWS 10
#define TOP_COLS 6

typedef struct top_list {
    size_t n;
    unsigned long long mag[TOP_ROWS];
    char f[TOP_ROWS][TOP_COLS][FIELD_MAX];
} top_list;

static void top_offer(top_list *t, fen_t v, char **f, const size_t *cols)
{
    unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    if (t->n == TOP_ROWS && mag <= t->mag[TOP_ROWS - 1])
        return;
    size_t at = t->n < TOP_ROWS ? t->n : TOP_ROWS - 1;
    while (at > 0 && t->mag[at - 1] < mag) {
        t->mag[at] = t->mag[at - 1];
        memcpy(t->f[at], t->f[at - 1], sizeof t->f[at]);
        at--;
    }
    t->mag[at] = mag;
    for (size_t c = 0; c < TOP_COLS; c++)
        copy_cut(t->f[at][c], f[cols[c]]);
    if (t->n < TOP_ROWS)
        t->n++;
}

typedef struct day_back {
    const store_report_lines *files;
    fen_t channel_fen[CHANNELS];
    long long channel_count[CHANNELS];
    top_list suspense; /* the day's receipts left in suspense */
    top_list exceptions;
} day_back;

/* A report read back for the page: the data rows of FILE (its header skipped), each at least
 * need fields wide and handed on with the amount of column col in fen. */
typedef struct amount_rows {
    day_back *d;
    const char *name;
    size_t need, col;
    recon_status (*take)(day_back *d, char **f, fen_t amount, err_t *err);
} amount_rows;

static recon_status amount_row(void *ctx, long row, char **f, size_t n, err_t *err)
{
    const amount_rows *a = ctx;
    fen_t v = 0;
    if (row == 0)
        return RECON_OK;
    if (n < a->need || money_parse(f[a->col], strlen(f[a->col]), &v) != MONEY_OK)
        return err_set(err, RECON_EINTERNAL, "page: %s has a row the page cannot read", a->name);
    return a->take(a->d, f, v, err);
}

/* receipts.csv.gz: receipt_id 0, file 2, amount 4, currency 5, direction 6, payer 7, outcome 9,
 * note 12. The channels chart is in yuan: money in another currency is the summary's. */
static recon_status take_receipt(day_back *d, char **f, fen_t v, err_t *err)
{
    if (strcmp(f[6], "credit") == 0 && strcmp(f[9], "duplicate") != 0 &&
        strcmp(f[5], CURRENCY_BOOK) == 0) {
        size_t c = CHANNELS - 1;
        for (size_t i = 0; i < d->files->count; i++)
            if (strcmp(d->files->lines[i].label, f[2]) == 0 &&
                strcmp(d->files->lines[i].count, "REJECTED") != 0) {
                c = channel_of(d->files->lines[i].count);
                break;
            }
        if (!money_add(&d->channel_fen[c], v))
            return err_set(err, RECON_EDATA, "page: money in by channel overflows 64 bits");
        d->channel_count[c]++;
    }
    if (strcmp(f[9], "unidentified") == 0 || strcmp(f[9], "ambiguous") == 0 ||
        strcmp(f[9], "currency") == 0) {
        static const size_t cols[TOP_COLS] = {0, 2, 7, 4, 9, 12};
        top_offer(&d->suspense, v, f, cols);
    }
    return RECON_OK;
}

/* exceptions.csv.gz: kind 0, receipt_id 1, policy_no 2, amount 3, detail 4, age_days 6. */
static recon_status take_exception(day_back *d, char **f, fen_t v, err_t *err)
{
    (void)err;
    static const size_t cols[TOP_COLS] = {0, 1, 2, 3, 6, 4};
    top_offer(&d->exceptions, v, f, cols);
    return RECON_OK;
}

/* ---- the day's page ---- */

static void kpi(svg_out *o, const char *label, fen_t v)
{
    char m[MONEY_STR_SIZE];
    money_format(v, m);
    svg_printf(o, "<div><dt>%s</dt><dd>%s</dd></div>\n", label, m);
}

static const summary_group *group(const summary_tally *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->g[i].key, key) == 0)
            return &t->g[i];
    return NULL;
}

/* The groups in the book's currency, added up: the page's yuan figures. */
static fen_t tally_total(const summary_tally *t)
{
    fen_t sum = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->g[i].currency[0] == '\0')
            money_add(&sum, t->g[i].fen); /* each group was summed checked; the few stay small */
    return sum;
}

static void table_head(svg_out *o, const char *caption, const char *const *cols, size_t n,
                       unsigned numeric)
{
    svg_printf(o, "<div class=\"tw\"><table><caption class=\"note\">%s</caption><thead><tr>",
               caption);
    for (size_t i = 0; i < n; i++)
        svg_printf(o, "<th scope=\"col\"%s>%s</th>", numeric & (1u << i) ? " class=\"n\"" : "",
                   cols[i]);
    svg_printf(o, "</tr></thead><tbody>\n");
}

/* One row of texts, the first a row header, escaped; columns in numeric right-aligned. */
static void table_row(svg_out *o, const char *const *cells, size_t n, unsigned numeric)
{
    svg_printf(o, "<tr>");
    for (size_t i = 0; i < n; i++) {
        const char *tag = i == 0 ? "th scope=\"row\"" : "td";
        svg_printf(o, "<%s%s>", tag, numeric & (1u << i) ? " class=\"n\"" : "");
        svg_text(o, cells[i]);
        svg_printf(o, "</%s>", i == 0 ? "th" : "td");
    }
    svg_printf(o, "</tr>\n");
}

static void table_end(svg_out *o, size_t rows, size_t cols)
{
    if (rows == 0)
        svg_printf(o, "<tr><td colspan=\"%zu\">无 none</td></tr>\n", cols);
    svg_printf(o, "</tbody></table></div>\n");
}

static void figures_block(svg_out *o, const char *day, const long long *values,
                          const long long *status_counts)
{
    svg_printf(o, "%sdate %s\n", PAGE_FIGURES_BEGIN, day);
    for (size_t i = 0; i < PAGE_FIGURES; i++)
        svg_printf(o, "%s %lld\n", page_figure_names[i], values[i]);
    for (size_t i = 0; i < PAGE_STATUSES; i++)
        svg_printf(o, "status %s %lld\n", page_statuses[i], status_counts[i]);
    svg_printf(o, "%s", PAGE_FIGURES_END);
}

#define BAR_TEXT 96

/* A chart of money bars: bar i is fen[i] long, its text "amount (count unit)". The status chart
 * (counts, with arrears in the text) is drawn by charts itself. */
static void money_chart(svg_out *o, const svg_chart *c, const char *const *labels,
                        const fen_t *fen, const long long *count, size_t n, const char *unit)
{
    char text[PAGE_STATUSES][BAR_TEXT];
    svg_bar bars[PAGE_STATUSES];
    n = n < PAGE_STATUSES ? n : PAGE_STATUSES;
    for (size_t i = 0; i < n; i++) {
        char m[MONEY_STR_SIZE];
        money_format(fen[i], m);
        snprintf(text[i], BAR_TEXT, "%s (%lld %s)", m, count[i], unit);
        bars[i] = (svg_bar){labels[i], fen[i], text[i]};
    }
    svg_hbars(o, c, bars, n);
}

static void charts(svg_out *o, const summary_figures *s, const day_back *d)
{
    char text[PAGE_STATUSES][BAR_TEXT];
    svg_bar bars[PAGE_STATUSES];
    for (size_t i = 0; i < PAGE_STATUSES; i++) {
        const summary_group *g = group(&s->statuses, page_statuses[i]);
        char m[MONEY_STR_SIZE];
        money_format(g ? g->fen : 0, m);
        snprintf(text[i], sizeof text[i], "%lld 份 · 欠费 %s", g ? g->count : 0, m);
        bars[i] = (svg_bar){page_status_labels[i], g ? g->count : 0, text[i]};
    }
    svg_chart c1 = {"status", "保单状态 Policies by status",
                    "Number of policies in each status at the end of the day, with their arrears.",
                    SVG_COUNT};
    svg_hbars(o, &c1, bars, PAGE_STATUSES);

    static const char *const ageing[WORKLIST_AGEING_BUCKETS] = {
        "未逾期 current", "1-30 天", "31-60 天", "61-90 天", "90+ 天"};
    svg_chart c2 = {"ageing", "欠费账龄 Arrears by ageing",
                    "Arrears of the policies in each ageing bucket (days overdue), in yuan.",
                    SVG_FEN};
    money_chart(o, &c2, ageing, s->ageing_arrears, s->ageing_count, WORKLIST_AGEING_BUCKETS,
                "份");

    static const char *const age[WORKLIST_SUSPENSE_BUCKETS] = {"0-7 天", "8-30 天", "31-90 天",
                                                               "90+ 天"};
    svg_chart c3 = {"suspense", "挂账账龄 Suspense by age",
                    "Money in suspense (unidentified, ambiguous, other currency) by days since "
                    "booking, in yuan.",
                    SVG_FEN};
    money_chart(o, &c3, age, s->suspense_age_fen, s->suspense_age_count,
                WORKLIST_SUSPENSE_BUCKETS, "笔");

    svg_chart c4 = {"channel", "今日到账渠道 Money in by channel",
                    "Money received today (credits, duplicates left out) by the kind of "
                    "statement it came on, in yuan.",
                    SVG_FEN};
    money_chart(o, &c4, channel_labels, d->channel_fen, d->channel_count, CHANNELS, "笔");
}

/* A table of the largest rows: heading, caption, columns; mask: which columns are money. */
static void top_table(svg_out *o, const char *heading, const char *caption,
                      const char *const *cols, const top_list *t, unsigned mask)
{
    svg_printf(o, "<h2>%s</h2>\n", heading);
    table_head(o, caption, cols, TOP_COLS, mask);
    for (size_t i = 0; i < t->n; i++) {
        const char *cells[TOP_COLS];
        for (size_t c = 0; c < TOP_COLS; c++)
            cells[c] = t->f[i][c];
        table_row(o, cells, TOP_COLS, mask);
    }
    table_end(o, t->n, TOP_COLS);
}

/* The summary's groups in other currencies than the book's, each on its own row: the figures
 * above are in yuan and never include them. */
static void other_currencies(svg_out *o, const summary_figures *s)
{
    static const char *const cols[] = {"项目 item", "币种 currency", "笔数 count", "金额 amount"};
    const struct {
        const char *title;
        const summary_tally *t;
        bool counted;
    } parts[] = {{"今日收款 receipts of the day", &s->outcomes, true},
                 {"今日资金 money of the day", &s->day_other, false},
                 {"挂账 in suspense", &s->suspense, true},
                 {"挂账账龄 suspense by age", &s->suspense_age_other, true},
                 {"应退款 refunds due", &s->refunds, true}};
    svg_printf(o, "<h2>其他币种 Other currencies</h2>\n");
    table_head(o, "不计入上方人民币数字 never added to the yuan figures above", cols, 4, 0xc);
    size_t rows = 0;
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
        for (size_t i = 0; i < parts[p].t->n; i++) {
            const summary_group *g = &parts[p].t->g[i];
            if (g->currency[0] == '\0')
                continue;
            char item[96], count[32], m[MONEY_STR_SIZE];
            size_t name = strlen(g->key) - strlen(g->currency) - 1; /* the key less " USD" */
            snprintf(item, sizeof item, "%s · %.*s", parts[p].title, (int)name, g->key);
            snprintf(count, sizeof count, "%lld", g->count);
            money_format(g->fen, m);
            const char *cells[4] = {item, g->currency, parts[p].counted ? count : "", m};
            table_row(o, cells, 4, 0xc);
            rows++;
        }
    table_end(o, rows, 4);
}

static void tables(svg_out *o, const day_back *d, const store_report_lines *files)
{
    static const char *const ex_cols[] = {"类型 kind", "收款 receipt", "保单 policy",
                                          "金额 amount", "天数 age", "说明 detail"};
    top_table(o, "最大例外 Top exceptions", "exceptions.csv.gz 中金额最大的十行 (largest amounts first)",
              ex_cols, &d->exceptions, 0x18);
    static const char *const su_cols[] = {"收款 receipt", "文件 file", "付款人 payer",
                                          "金额 amount", "结果 outcome", "备注 note"};
    top_table(o, "今日挂账收款 Receipts of the day in suspense",
              "receipts.csv.gz: unidentified, ambiguous, currency", su_cols, &d->suspense, 0x8);

    static const char *const f_cols[] = {"文件 file", "格式 format", "结果 result"};
    svg_printf(o, "<h2>今日对账单文件 Statement files of the day</h2>\n");
    table_head(o, "REJECTED = 拒收 refused (see the quarantine folder)", f_cols, 3, 0);
    for (size_t i = 0; i < files->count; i++) {
        const char *cells[3] = {files->lines[i].label, files->lines[i].count,
                                files->lines[i].value};
        table_row(o, cells, 3, 0);
    }
    table_end(o, files->count, 3);
}

static void body(svg_out *o, const char *day, const summary_figures *s, const day_back *d,
                 const store_report_lines *files, const long long *values)
{
    svg_printf(o, "<main>\n<h1>recon 对账日报 Daily reconciliation · %s</h1>\n", day);
    svg_printf(o, "<p class=\"note\">本页由 recon 根据 %s 的对账结果生成，离线可读，"
                  "列在本日 MANIFEST.sha256 中；数字与同目录的 CSV 报表一致。"
                  " Generated by recon from the night of %s; listed in this folder's "
                  "MANIFEST.sha256; the figures are those of the CSV reports beside it.</p>\n",
               day, day);
    svg_printf(o, "<dl class=\"kpi\">\n");
    kpi(o, "今日到账 money in", s->money_in);
    kpi(o, "已分配 allocated", s->allocated);
    kpi(o, "未分配 unapplied", s->unapplied);
    kpi(o, "挂账 in suspense", values[2]);
    kpi(o, "应退款 refunds due", values[3]);
    svg_printf(o, "<div><dt>保单 policies</dt><dd>%lld</dd></div>\n", values[4]);
    svg_printf(o, "<div><dt>拒收文件 refused files</dt><dd>%lld</dd></div>\n</dl>\n", values[6]);
    svg_printf(o, "<h2>图表 Charts</h2>\n<div class=\"grid\">\n");
    charts(o, s, d);
    svg_printf(o, "</div>\n");
    other_currencies(o, s);
    tables(o, d, files);
    svg_printf(o, "<h2>本日文件 Files of the night</h2>\n<ul>\n");
    static const char *const names[] = {"summary.txt.gz", "receipts.csv.gz", "policies.csv.gz",
                                        "exceptions.csv.gz", "refunds.csv.gz", "notices.csv.gz",
                                        "events.csv.gz", "MANIFEST.sha256", "INPUTS.sha256"};
    svg_printf(o, "<li><a href=\"recon-%s.xlsx\">recon-%s.xlsx</a> (工作簿 workbook)</li>\n",
               day, day);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        svg_printf(o, "<li><a href=\"%s\">%s</a></li>\n", names[i], names[i]);
    svg_printf(o, "</ul>\n</main>\n</body>\n</html>\n");
}

recon_status page_write_day(db_t *db, const report_target *t, const char *day,
                            const summary_figures *sum, manifest_entry *entry, err_t *err)
{
    store_report_lines files = {0};
    day_back *d = calloc(1, sizeof *d);
    svg_out o = {BUF_INIT, false};
    int dirfd = -1;
    recon_status st;
    if (d == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    d->files = &files;
    amount_rows receipts = {d, "receipts.csv.gz", 13, 4, take_receipt},
                exceptions = {d, "exceptions.csv.gz", 7, 3, take_exception};
    if ((st = store_report_list_read(db, STORE_REPORT_FILES, &files, err)) != RECON_OK ||
        (st = safefile_open_dir(t->dir, NULL, &dirfd, err)) != RECON_OK ||
        (st = readback_rows(dirfd, t->dir, receipts.name, amount_row, &receipts, err)) !=
            RECON_OK ||
        (st = readback_rows(dirfd, t->dir, exceptions.name, amount_row, &exceptions, err)) !=
            RECON_OK)
        goto out;
    long long values[PAGE_FIGURES] = {sum->money_in, sum->allocated, tally_total(&sum->suspense),
                                      tally_total(&sum->refunds), 0, (long long)files.count, 0};
    long long status_counts[PAGE_STATUSES] = {0};
    for (size_t i = 0; i < sum->statuses.n; i++)
        values[4] += sum->statuses.g[i].count;
    for (size_t i = 0; i < PAGE_STATUSES; i++) {
        const summary_group *g = group(&sum->statuses, page_statuses[i]);
        status_counts[i] = g ? g->count : 0;
    }
    for (size_t i = 0; i < files.count; i++)
        values[6] += strcmp(files.lines[i].count, "REJECTED") == 0;
    char title[96];
    snprintf(title, sizeof title, "recon 对账日报 %s", day);
    page_head(&o, title);
    figures_block(&o, day, values, status_counts);
    svg_printf(&o, "</head>\n<body>\n");
    body(&o, day, sum, d, &files, values);
    if (o.failed) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    char shown[4200];
    snprintf(shown, sizeof shown, "%s/%s", t->dir, PAGE_NAME);
    if ((st = safefile_write_whole(dirfd, PAGE_NAME, SAFEFILE_MODE, shown, o.buf.data, o.buf.len,
                                   err)) == RECON_OK &&
        (st = sha256_buf_hex(o.buf.data, o.buf.len, entry->sha256_hex, err)) == RECON_OK)
        entry->name = PAGE_NAME;
out:
    if (dirfd >= 0)
        close(dirfd);
    store_report_lines_free(&files);
    buf_free(&o.buf);
    free(d);
    return st;
}
