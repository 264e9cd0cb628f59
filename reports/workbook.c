/*
 * Why the workbook takes the CSV files' rows instead of querying the database: the sheets then
 * hold the very rows, order and masking of the files scripts and auditors use, with no second
 * query that could disagree with them. A night's report hands them over as it writes them
 * (reports/feed), so the workbook is made on the second core beside the files; a workbook can
 * also be made from files already written (read back, as the tests do).
 * Why constant-memory mode: a sheet's rows go to a temporary file as they are written, so a
 * million-row day takes the memory of one row (only the exceptions, sorted by amount, are held).
 * libxlsxwriter's temporaries (O_EXCL, unlinked as soon as created) go in OUT/DATE itself, a
 * directory report_day checked to be this user's alone, never in a shared /tmp.
 */
#include "reports/workbook.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/safefile.h"
#include "core/money.h"
#include "core/worklist.h"
#include "reports/readback.h"

#define MAX_COLS CATALOGUE_MAX_COLUMNS
#define WIDTH_MIN 6.0
#define WIDTH_MAX 60.0
#define EXCEL_EPOCH_OFFSET 25569 /* 1970-01-01 as an Excel serial day (1900 date system) */
#define CELL_MAX_BYTES 32000     /* under Excel's 32,767 characters per cell */

typedef enum cell_kind { K_TEXT, K_MONEY, K_DATE, K_INT } cell_kind;

typedef struct column {
    const char *csv; /* the CSV's column name, the second header row */
    const char *zh;  /* the header finance reads */
    cell_kind kind;
} column;

/* Every CSV column a sheet shows, once: its Chinese header and its cell type. A sheet's columns
 * are its CSV's header as the catalogue writes it, so the two cannot drift apart. */
static const column columns[] = {
    {"kind", "类型", K_TEXT},
    {"receipt_id", "收款编号", K_TEXT},
    {"policy_no", "保单号", K_TEXT},
    {"amount", "金额", K_MONEY},
    {"detail", "说明", K_TEXT},
    {"transaction_key", "交易键", K_TEXT},
    {"age_days", "天数", K_INT},
    {"notice", "通知", K_TEXT},
    {"effective_date", "生效日期", K_DATE},
    {"due_date", "应缴日期", K_DATE},
    {"deadline", "最后缴费日", K_DATE},
    {"reason", "原因", K_TEXT},
    {"due_by", "退款期限", K_DATE},
    {"source", "来源账户", K_TEXT},
    {"file", "文件", K_TEXT},
    {"booking_date", "记账日期", K_DATE},
    {"currency", "币种", K_TEXT},
    {"direction", "方向", K_TEXT},
    {"payer", "付款人", K_TEXT},
    {"outcome", "结果", K_TEXT},
    {"allocated", "已分配", K_MONEY},
    {"unapplied", "未分配", K_MONEY},
    {"note", "备注", K_TEXT},
    {"status", "状态", K_TEXT},
    {"status_since", "状态起始日", K_DATE},
    {"next_due_date", "下次应缴日", K_DATE},
    {"oldest_unpaid_due_date", "最早未缴应缴日", K_DATE},
    {"days_overdue", "逾期天数", K_INT},
    {"arrears", "欠缴金额", K_MONEY},
    {"credit", "预缴余额", K_MONEY},
    {"paid_installments", "已缴期数", K_INT},
    {"total_installments", "总期数", K_INT},
    {"ageing", "账龄", K_TEXT},
    {"from_status", "原状态", K_TEXT},
    {"to_status", "新状态", K_TEXT},
};

/* The Exceptions sheet's trailing columns, empty for a person to fill: the decisions CSV's own
 * (interface.md), so a person writes action, reason and name beside the row. */
static const column decision_columns[] = {
    {"action", "处理决定", K_TEXT},
    {"reason", "理由", K_TEXT},
    {"decided_by", "决定人", K_TEXT},
};

/* Sheets after the summary, in order: a title and the CSV report it shows. */
static const struct {
    const char *title; /* sheet name; continuations add " (2)", " (3)", ... */
    const char *file;  /* the catalogue's name of the CSV report */
    bool decisions;    /* with decision_columns after the CSV's */
} sheet_defs[] = {
    {"Exceptions", "exceptions.csv.gz", true}, {"Notices", "notices.csv.gz", false},
    {"Refunds", "refunds.csv.gz", false},      {"Receipts", "receipts.csv.gz", false},
    {"Policies", "policies.csv.gz", false},    {"Events", "events.csv.gz", false},
};
#define DECISION_COLUMNS (sizeof decision_columns / sizeof decision_columns[0])
#define SHEETS (sizeof sheet_defs / sizeof sheet_defs[0])
_Static_assert(SHEETS == WORKBOOK_SHEETS, "workbook.h counts the data sheets");

const char *workbook_sheet_file(size_t i)
{
    return i < SHEETS ? sheet_defs[i].file : NULL;
}

typedef struct sheet_spec {
    const char *title;
    const char *file;           /* the CSV report it shows */
    size_t ncsv;                /* the CSV's columns, in its order */
    size_t extra;               /* trailing empty columns (decisions) */
    const column *cols[MAX_COLS];
} sheet_spec;

/* Sheet i's columns: its CSV header's names looked up in columns[], then the extras. */
static recon_status spec_of(size_t i, sheet_spec *out, err_t *err)
{
    const report_spec *r = catalogue_find(sheet_defs[i].file);
    if (r == NULL)
        return err_set(err, RECON_EINTERNAL, "workbook: %s is no report of the catalogue",
                       sheet_defs[i].file);
    *out = (sheet_spec){.title = sheet_defs[i].title, .file = r->name};
    size_t room = MAX_COLS - (sheet_defs[i].decisions ? DECISION_COLUMNS : 0);
    for (const char *p = r->header; *p;) {
        size_t len = strcspn(p, ",");
        const column *c = NULL;
        for (size_t k = 0; c == NULL && k < sizeof columns / sizeof columns[0]; k++)
            if (strlen(columns[k].csv) == len && memcmp(columns[k].csv, p, len) == 0)
                c = &columns[k];
        if (c == NULL || out->ncsv == room)
            return err_set(err, RECON_EINTERNAL,
                           "workbook: column '%.*s' of %s has no sheet column", (int)len, p,
                           r->name);
        out->cols[out->ncsv++] = c;
        p += len + (p[len] == ',');
    }
    for (size_t k = 0; sheet_defs[i].decisions && k < DECISION_COLUMNS; k++)
        out->cols[out->ncsv + out->extra++] = &decision_columns[k];
    return RECON_OK;
}

typedef struct book {
    lxw_workbook *wb;
    int dirfd;                 /* OUT/DATE, checked */
    const workbook_day *d;
    sheet_spec specs[SHEETS];
    lxw_format *bold, *head, *money, *date, *integer;
    long long rows[SHEETS];
    size_t parts[SHEETS];
} book;

typedef struct sheet {
    book *b;
    const sheet_spec *spec;
    lxw_worksheet *ws;
    size_t part, in_part, limit;
    lxw_row_t row;
    double width[MAX_COLS];
    err_t *err;
} sheet;

static recon_status lxw_failed(lxw_error e, const char *what, err_t *err)
{
    return err_set(err, RECON_EOUTPUT, "workbook: cannot write %s: %s", what, lxw_strerror(e));
}

/* Columns a cell's text takes on screen: CJK and other wide characters count two. */
static double text_width(const char *s)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            w += 1;
        else if (*p >= 0xE0)
            w += 2; /* the lead byte of a three- or four-byte character */
        else if (*p >= 0xC0)
            w += 1;
    }
    return w;
}

/* A string cell, always: worksheet_write_string never makes a formula of "=..." (it writes an
 * inline string). Control characters, which XML 1.0 cannot hold, become U+FFFD; text past
 * Excel's cell limit is cut at a character boundary. */
static lxw_error put_string(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                            lxw_format *fmt)
{
    size_t len = strlen(s);
    bool clean = len <= CELL_MAX_BYTES;
    for (size_t i = 0; clean && i < len; i++)
        clean = (unsigned char)s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n';
    if (clean)
        return worksheet_write_string(ws, r, c, s, fmt);
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < len && b.len < CELL_MAX_BYTES; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n')
            buf_append_str(&b, "\xEF\xBF\xBD");
        else if (b.len + 4 >= CELL_MAX_BYTES && (ch & 0xC0) != 0x80 && ch >= 0xC0)
            break;
        else
            buf_append_char(&b, (char)ch);
    }
    lxw_error e = b.data ? worksheet_write_string(ws, r, c, b.data, fmt)
                         : LXW_ERROR_MEMORY_MALLOC_FAILED;
    buf_free(&b);
    return e;
}

/* Printed on A4 as wide as one page (rows run on over as many pages as they need), the header
 * rows repeated on each: finance prints the exceptions to work them. */
static void print_setup(lxw_worksheet *ws, bool headers)
{
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    if (headers)
        worksheet_repeat_rows(ws, 0, 1);
}

static recon_status sheet_begin(sheet *s)
{
    char name[64];
    if (s->part == 1)
        snprintf(name, sizeof name, "%s", s->spec->title);
    else
        snprintf(name, sizeof name, "%s (%zu)", s->spec->title, s->part);
    s->ws = workbook_add_worksheet(s->b->wb, name);
    if (s->ws == NULL)
        return err_set(s->err, RECON_EOUTPUT, "workbook: cannot add sheet '%s'", name);
    print_setup(s->ws, true);
    size_t n = s->spec->ncsv + s->spec->extra;
    /* row by row: constant-memory mode takes rows only in increasing order */
    for (lxw_row_t r = 0; r < 2; r++)
        for (size_t c = 0; c < n; c++) {
            const column *col = s->spec->cols[c];
            lxw_error e = put_string(s->ws, r, (lxw_col_t)c, r ? col->csv : col->zh, s->b->head);
            if (e != LXW_NO_ERROR)
                return lxw_failed(e, name, s->err);
            double w = text_width(r ? col->csv : col->zh);
            s->width[c] = r == 0 || w > s->width[c] ? w : s->width[c];
        }
    s->row = 2;
    s->in_part = 0;
    return RECON_OK;
}

/* Widths, frozen headers, the filter; and the list of actions under "action". */
static recon_status sheet_end(sheet *s)
{
    size_t n = s->spec->ncsv + s->spec->extra;
    lxw_error e = LXW_NO_ERROR;
    for (size_t c = 0; c < n && e == LXW_NO_ERROR; c++) {
        double w = s->width[c] + 2;
        w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
        e = worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
    }
    worksheet_freeze_panes(s->ws, 2, 0);
    lxw_row_t last = s->row > 2 ? s->row - 1 : 2;
    if (e == LXW_NO_ERROR)
        e = worksheet_autofilter(s->ws, 1, 0, last, (lxw_col_t)(n - 1));
    if (e == LXW_NO_ERROR && s->spec->extra > 0) {
        static char *actions[] = {"assign", "refund", "write_off", "release", "approve", NULL};
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = actions;
        lxw_col_t c = (lxw_col_t)s->spec->ncsv;
        e = worksheet_data_validation_range(s->ws, 2, c, last, c, &dv);
    }
    return e == LXW_NO_ERROR ? RECON_OK : lxw_failed(e, s->spec->title, s->err);
}

static lxw_error put_cell(sheet *s, lxw_col_t c, const column *col, const char *v)
{
    if (*v == '\0')
        return LXW_NO_ERROR; /* an empty CSV field is an empty cell */
    size_t len = strlen(v);
    fen_t fen = 0;
    date_t d = 0;
    long long i = 0;
    book *b = s->b;
    switch (col->kind) {
    case K_MONEY:
        if (money_parse(v, len, &fen) == MONEY_OK)
            return worksheet_write_number(s->ws, s->row, c, (double)fen / 100.0, b->money);
        break;
    case K_DATE:
        if (date_parse(v, len, &d))
            return worksheet_write_number(s->ws, s->row, c, (double)d + EXCEL_EPOCH_OFFSET,
                                          b->date);
        break;
    case K_INT:
        if (catalogue_int(v, &i))
            return worksheet_write_number(s->ws, s->row, c, (double)i, b->integer);
        break;
    case K_TEXT:
        break;
    }
    return put_string(s->ws, s->row, c, v, NULL);
}

static recon_status sheet_row(sheet *s, char **f)
{
    recon_status st;
    if (s->in_part == s->limit) {
        if ((st = sheet_end(s)) != RECON_OK)
            return st;
        s->part++;
        if ((st = sheet_begin(s)) != RECON_OK)
            return st;
    }
    for (size_t c = 0; c < s->spec->ncsv; c++) {
        const column *col = s->spec->cols[c];
        lxw_error e = put_cell(s, (lxw_col_t)c, col, f[c]);
        if (e != LXW_NO_ERROR)
            return lxw_failed(e, s->spec->title, s->err);
        /* numbers show with thousands separators: a few columns wider than the CSV text */
        double w = text_width(f[c]) * (col->kind == K_MONEY ? 1.3 : 1.0);
        if (w > s->width[c])
            s->width[c] = w;
    }
    s->row++;
    s->in_part++;
    return RECON_OK;
}

/* ---- reading a CSV report back ---- */

typedef recon_status (*row_fn)(void *ctx, char **f, err_t *err);

typedef struct reader {
    const sheet_spec *spec;
    bool header_seen;
    row_fn fn;
    void *ctx;
} reader;

/* The header must be the sheet's CSV columns exactly, and every row as wide. */
static recon_status checked_row(void *ctx, long row, char **f, size_t n, err_t *err)
{
    reader *r = ctx;
    if (n != r->spec->ncsv)
        return err_set(err, RECON_EINTERNAL, "workbook: %s: a row of %zu fields, not %zu",
                       r->spec->file, n, r->spec->ncsv);
    if (row > 0)
        return r->fn(r->ctx, f, err);
    r->header_seen = true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], r->spec->cols[i]->csv) != 0)
            return err_set(err, RECON_EINTERNAL, "workbook: %s: column %zu is '%.40s', not '%s'",
                           r->spec->file, i + 1, f[i], r->spec->cols[i]->csv);
    return RECON_OK;
}

/* Streams the rows of the sheet's CSV report to fn, header checked and skipped: from the feed
 * as the report writes them, or read back from DIR/FILE (reports/readback). */
static recon_status read_report(const book *b, const sheet_spec *spec, row_fn fn, void *ctx,
                                err_t *err)
{
    reader r = {spec, false, fn, ctx};
    recon_status st = b->d->feed != NULL
                          ? feed_rows(b->d->feed, spec->file, checked_row, &r, err)
                          : readback_rows(b->dirfd, b->d->dir, spec->file, checked_row, &r, err);
    if (st == RECON_OK && !r.header_seen)
        st = err_set(err, RECON_EINTERNAL, "workbook: %s has no header", spec->file);
    return st;
}

static recon_status stream_row(void *ctx, char **f, err_t *err)
{
    (void)err;
    return sheet_row(ctx, f);
}

/* The exceptions, held to be sorted: largest amount (either sign) first, then file order. */
typedef struct held_row {
    unsigned long long magnitude;
    size_t index;
    char *bytes; /* the fields, each NUL-terminated, in order */
} held_row;

typedef struct held {
    const sheet_spec *spec;
    held_row *rows;
    size_t n, cap;
} held;

static recon_status hold_row(void *ctx, char **f, err_t *err)
{
    held *h = ctx;
    const sheet_spec *spec = h->spec;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        held_row *p = realloc(h->rows, cap * sizeof *p);
        if (p == NULL)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        h->rows = p;
        h->cap = cap;
    }
    size_t total = 0;
    for (size_t i = 0; i < spec->ncsv; i++)
        total += strlen(f[i]) + 1;
    char *bytes = malloc(total);
    if (bytes == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    char *p = bytes;
    for (size_t i = 0; i < spec->ncsv; i++) {
        size_t len = strlen(f[i]) + 1;
        memcpy(p, f[i], len);
        p += len;
    }
    fen_t fen = 0;
    const char *amount = f[3];
    if (*amount && money_parse(amount, strlen(amount), &fen) != MONEY_OK)
        fen = 0;
    unsigned long long mag = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
    h->rows[h->n] = (held_row){mag, h->n, bytes};
    h->n++;
    return RECON_OK;
}

static int held_cmp(const void *a, const void *b)
{
    const held_row *x = a, *y = b;
    if (x->magnitude != y->magnitude)
        return x->magnitude > y->magnitude ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static recon_status write_exceptions(sheet *s, err_t *err)
{
    held h = {.spec = s->spec};
    recon_status st = read_report(s->b, s->spec, hold_row, &h, err);
    if (st == RECON_OK && h.n > 1) /* qsort takes no NULL array, even empty */
        qsort(h.rows, h.n, sizeof h.rows[0], held_cmp);
    for (size_t i = 0; i < h.n; i++) {
        char *f[MAX_COLS], *p = h.rows[i].bytes;
        for (size_t c = 0; c < s->spec->ncsv; c++) {
            f[c] = p;
            p += strlen(p) + 1;
        }
        if (st == RECON_OK)
            st = sheet_row(s, f);
        free(h.rows[i].bytes);
    }
    free(h.rows);
    return st;
}

/* ---- the summary sheet ---- */

typedef struct summary_sheet {
    book *b;
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_error e;
    const char *word; /* the next line's second column when a word, not a count */
} summary_sheet;

static void s_title(summary_sheet *s, const char *text)
{
    if (s->row > 0)
        s->row++; /* a blank row before each section */
    if (s->e == LXW_NO_ERROR)
        s->e = put_string(s->ws, s->row++, 0, text, s->b->bold);
}

/* label | count (count < 0: none) | amount (NULL: none) | text (NULL: none) */
static void s_line(summary_sheet *s, const char *label, long long count, const fen_t *fen,
                   const char *text)
{
    if (s->e == LXW_NO_ERROR)
        s->e = put_string(s->ws, s->row, 0, label, NULL);
    if (s->e == LXW_NO_ERROR && count >= 0)
        s->e = worksheet_write_number(s->ws, s->row, 1, (double)count, s->b->integer);
    if (s->e == LXW_NO_ERROR && s->word != NULL && *s->word)
        s->e = put_string(s->ws, s->row, 1, s->word, NULL);
    s->word = NULL;
    if (s->e == LXW_NO_ERROR && fen != NULL)
        s->e = worksheet_write_number(s->ws, s->row, 2, (double)*fen / 100.0, s->b->money);
    if (s->e == LXW_NO_ERROR && text != NULL && *text)
        s->e = put_string(s->ws, s->row, 3, text, NULL);
    s->row++;
}

static void s_tally(summary_sheet *s, const char *title, const summary_tally *t)
{
    s_title(s, title);
    if (t->n == 0)
        s_line(s, "none", -1, NULL, NULL);
    for (size_t i = 0; i < t->n; i++)
        s_line(s, t->g[i].key, t->g[i].count, &t->g[i].fen, NULL);
}

static void s_list(summary_sheet *s, const char *title, const store_report_lines *l,
                   bool text_last)
{
    s_title(s, title);
    if (l == NULL || l->count == 0)
        s_line(s, "none", -1, NULL, NULL);
    for (size_t r = 0; l != NULL && r < l->count; r++) {
        const store_report_line *x = &l->lines[r];
        long long count = -1, value = 0;
        if (!catalogue_int(x->count, &count)) {
            count = -1;
            s->word = x->count; /* a file's format, a check's verdict */
        }
        if (text_last) {
            s_line(s, x->label, count, NULL, x->value);
            if (x->detail && *x->detail) /* the file's parse warnings, one per line */
                s_line(s, "", -1, NULL, x->detail);
            continue;
        }
        fen_t fen = catalogue_int(x->value, &value) ? value : 0;
        s_line(s, x->label, count, *x->value ? &fen : NULL, *x->value ? NULL : x->value);
    }
}

/* The first sheet, added first and filled last: its figures are final only when every CSV
 * report is written (rows are kept per sheet, so one may be filled after the next). */
static recon_status summary_add(book *b, summary_sheet *s, err_t *err)
{
    s->b = b;
    s->ws = workbook_add_worksheet(b->wb, "摘要 Summary");
    if (s->ws == NULL)
        return err_set(err, RECON_EOUTPUT, "workbook: cannot add the summary sheet");
    print_setup(s->ws, false);
    worksheet_set_column(s->ws, 0, 0, 44, NULL);
    worksheet_set_column(s->ws, 1, 1, 12, NULL);
    worksheet_set_column(s->ws, 2, 2, 18, NULL);
    worksheet_set_column(s->ws, 3, 3, 60, NULL);
    return RECON_OK;
}

static recon_status summary_fill(book *b, summary_sheet *s, const workbook_day *d,
                                 const char *day, err_t *err)
{
    const summary_figures *f = d->sum;
    char title[96];
    snprintf(title, sizeof title, "recon 对账日报 daily summary %s", day);
    s_title(s, title);
    static const char *heads[] = {"项目 item", "笔数 count", "金额 amount", "说明 text"};
    for (lxw_col_t c = 0; c < 4 && s->e == LXW_NO_ERROR; c++)
        s->e = put_string(s->ws, s->row, c, heads[c], b->head);
    s->row++;
    s_tally(s, "保单状态 policies by status (arrears)", &f->statuses);
    s_title(s, "账龄 policies by ageing (days overdue; arrears)");
    for (size_t i = 0; i < WORKLIST_AGEING_BUCKETS; i++)
        s_line(s, worklist_ageing_name(i), f->ageing_count[i], &f->ageing_arrears[i], NULL);
    s_tally(s, "当日收款 receipts of the day by outcome", &f->outcomes);
    s_title(s, "当日资金 money of the day");
    s_line(s, "收款 money in", -1, &f->money_in, NULL);
    s_line(s, "已分配 allocated", -1, &f->allocated, NULL);
    s_line(s, "未分配 unapplied", -1, &f->unapplied, NULL);
    for (size_t i = 0; i < f->day_other.n; i++) /* other currencies than CNY, each its own line */
        s_line(s, f->day_other.g[i].key, -1, &f->day_other.g[i].fen, NULL);
    s_tally(s, "暂挂 money in suspense (unidentified, ambiguous, other currency)", &f->suspense);
    s_title(s, "暂挂账龄 money in suspense by age (days since booking)");
    for (size_t i = 0; i < WORKLIST_SUSPENSE_BUCKETS; i++)
        s_line(s, worklist_suspense_age_name(i), f->suspense_age_count[i],
               &f->suspense_age_fen[i], NULL);
    for (size_t i = 0; i < f->suspense_age_other.n; i++)
        s_line(s, f->suspense_age_other.g[i].key, f->suspense_age_other.g[i].count,
               &f->suspense_age_other.g[i].fen, NULL);
    s_tally(s, "应退款 refunds due", &f->refunds);
    s_list(s, "对账单文件 statement files of the day", d->lists->files, true);
    s_list(s, "余额核对 statement balance checks (opening + credits - debits = closing)",
           d->lists->balances, false);
    s_list(s, "结算核对 provider settlements (credited = provider gross - fees)",
           d->lists->settlements, false);
    s_title(s, "最大例外 top exceptions (largest amounts first)");
    if (f->top_n == 0)
        s_line(s, "none", -1, NULL, NULL);
    for (size_t i = 0; i < f->top_n; i++)
        s_line(s, f->top[i].label, -1, &f->top[i].amount, NULL);
    return s->e == LXW_NO_ERROR ? RECON_OK : lxw_failed(s->e, "the summary sheet", err);
}

/* After the data sheets (rows only grow in constant-memory mode): rows per sheet, and a note
 * for every sheet that Excel's row limit split. */
static recon_status summary_end(book *b, summary_sheet *s, size_t limit, err_t *err)
{
    s_title(s, "工作表 sheets (rows; the CSV report each shows)");
    for (size_t i = 0; i < SHEETS; i++) {
        char note[160];
        if (b->parts[i] > 1)
            snprintf(note, sizeof note,
                     "%s: more rows than one sheet holds (%zu): continued in %zu sheets '%s (2)' "
                     "and after",
                     b->specs[i].file, limit, b->parts[i], b->specs[i].title);
        else
            snprintf(note, sizeof note, "%s", b->specs[i].file);
        s_line(s, b->specs[i].title, b->rows[i], NULL, note);
    }
    return s->e == LXW_NO_ERROR ? RECON_OK : lxw_failed(s->e, "the summary sheet", err);
}

static recon_status fill_book(book *b, const workbook_day *d, const char *day, err_t *err)
{
    summary_sheet sum = {0};
    recon_status st = RECON_OK;
    for (size_t i = 0; i < SHEETS && st == RECON_OK; i++)
        st = spec_of(i, &b->specs[i], err);
    if (st == RECON_OK)
        st = summary_add(b, &sum, err);
    for (size_t i = 0; i < SHEETS && st == RECON_OK; i++) {
        sheet s = {.b = b, .spec = &b->specs[i], .part = 1, .limit = d->sheet_rows, .err = err};
        if ((st = sheet_begin(&s)) != RECON_OK)
            break;
        if (i == 0)
            st = write_exceptions(&s, err);
        else
            st = read_report(b, s.spec, stream_row, &s, err);
        if (st == RECON_OK)
            st = sheet_end(&s);
        b->rows[i] = (long long)((s.part - 1) * s.limit + s.in_part);
        b->parts[i] = s.part;
    }
    if (st == RECON_OK && d->feed != NULL) /* the figures are final once the feed is */
        st = feed_rows(d->feed, NULL, NULL, NULL, err);
    if (st == RECON_OK)
        st = summary_fill(b, &sum, d, day, err);
    if (st == RECON_OK)
        st = summary_end(b, &sum, d->sheet_rows, err);
    return st;
}

static void add_formats(book *b)
{
    b->bold = workbook_add_format(b->wb);
    format_set_bold(b->bold);
    b->head = workbook_add_format(b->wb);
    format_set_bold(b->head);
    format_set_bg_color(b->head, 0xDDEBF7);
    format_set_bottom(b->head, LXW_BORDER_THIN);
    b->money = workbook_add_format(b->wb);
    format_set_num_format(b->money, "#,##0.00");
    b->date = workbook_add_format(b->wb);
    format_set_num_format(b->date, "yyyy-mm-dd");
    b->integer = workbook_add_format(b->wb);
    format_set_num_format(b->integer, "0");
    /* A style's number in the file follows its first use. The summary sheet uses these four
     * first, in this order; it is filled last, so they are numbered here, as they always were
     * (dates, which only the data sheets use, are numbered at their first one, as before). */
    lxw_format *by_first_use[] = {b->bold, b->head, b->integer, b->money};
    for (size_t i = 0; i < sizeof by_first_use / sizeof by_first_use[0]; i++)
        lxw_format_get_xf_index(by_first_use[i]);
}

/* SHA-256 of the temporary, read through a descriptor of its own that must be the inode sf
 * created (the directory is this user's alone; this makes sure anyway). */
static recon_status hash_temp(const safefile_t *sf, char hex[SHA256_HEX_SIZE], err_t *err)
{
    int fd = openat(sf->dirfd, sf->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, RECON_EOUTPUT, "cannot read %s: %s", sf->shown, strerror(errno));
    struct stat a, b;
    recon_status st = RECON_OK;
    if (fstat(fd, &a) != 0 || fstat(sf->fd, &b) != 0 || a.st_ino != b.st_ino ||
        a.st_dev != b.st_dev)
        st = err_set(err, RECON_EOUTPUT, "refusing %s: its temporary was replaced", sf->shown);
    sha256_ctx c = SHA256_CTX_INIT;
    if (st == RECON_OK)
        st = sha256_init(&c, err);
    static unsigned char chunk[65536];
    ssize_t got = 0;
    while (st == RECON_OK && (got = read(fd, chunk, sizeof chunk)) > 0)
        sha256_update(&c, chunk, (size_t)got);
    if (st == RECON_OK && got < 0)
        st = err_set(err, RECON_EOUTPUT, "cannot read %s: %s", sf->shown, strerror(errno));
    unsigned char digest[SHA256_DIGEST_SIZE];
    if (st == RECON_OK && (st = sha256_final(&c, digest, err)) == RECON_OK)
        sha256_hex(digest, hex);
    sha256_free(&c);
    close(fd);
    return st;
}

recon_status workbook_write(const workbook_day *d, char name[WORKBOOK_NAME_SIZE],
                            manifest_entry *entry, err_t *err)
{
    char day[DATE_STR_SIZE], shown[4400], path[4400], tmpdir[4096];
    date_format(d->as_of, day);
    snprintf(name, WORKBOOK_NAME_SIZE, "recon-%s.xlsx", day);
    snprintf(shown, sizeof shown, "%s/%s", d->dir, name);
    snprintf(tmpdir, sizeof tmpdir, "%s", d->dir);
    int dirfd = -1;
    safefile_t sf = {.fd = -1};
    recon_status st = safefile_open_dir(d->dir, shown, &dirfd, err);
    if (st != RECON_OK)
        return st;
    if ((st = safefile_create(dirfd, name, SAFEFILE_MODE, shown, &sf, err)) != RECON_OK) {
        close(dirfd);
        return st;
    }
    /* libxlsxwriter opens the file by name: the temporary just made O_EXCL in a directory
     * nobody else can write, so the name cannot lead elsewhere (hash_temp checks the inode). */
    snprintf(path, sizeof path, "%s/%s", d->dir, sf.tmp);
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir};
    book b = {.wb = workbook_new_opt(path, &opts), .dirfd = dirfd, .d = d};
    if (b.wb == NULL) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: libxlsxwriter failed", shown);
        goto out;
    }
    char title[64];
    snprintf(title, sizeof title, "recon 对账日报 %s", day);
    /* The creation time is the night's date, not the clock: a rerun gives the same bytes
     * (the zip entries' own times are libxlsxwriter's fixed 1980-01-01). */
    lxw_doc_properties props = {.title = title, .author = "recon",
                                .created = (time_t)d->as_of * 86400};
    workbook_set_properties(b.wb, &props);
    add_formats(&b);
    st = fill_book(&b, d, day, err);
    lxw_error e = workbook_close(b.wb); /* frees the workbook in every case */
    if (st == RECON_OK && e != LXW_NO_ERROR)
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", shown, lxw_strerror(e));
    if (st == RECON_OK)
        st = hash_temp(&sf, entry->sha256_hex, err);
    if (st == RECON_OK) {
        st = safefile_commit(&sf, err);
        entry->name = name;
    }
out:
    safefile_discard(&sf);
    close(dirfd);
    return st;
}

/* The workbook of a night, made on a thread of its own from the rows report_day writes. */
struct workbook_night {
    pthread_t thread;
    feed_t *feed;
    store_report_lines files, balances, settlements;
    summary_lists lists;
    summary_figures sum; /* a copy, taken when the CSV reports are all written */
    workbook_day day;
    char name[WORKBOOK_NAME_SIZE];
    manifest_entry entry;
    recon_status st;
    err_t err;
    double seconds;
    long rss_before; /* peak RSS (KiB) when it started */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *night_thread(void *arg)
{
    workbook_night *w = arg;
    double t0 = now();
    w->st = workbook_write(&w->day, w->name, &w->entry, &w->err);
    if (w->st != RECON_OK)
        feed_fail(w->feed); /* the report stops at its next row instead of writing on */
    w->seconds = now() - t0;
    return NULL;
}

static void night_free(workbook_night *w)
{
    store_report_lines_free(&w->files);
    store_report_lines_free(&w->balances);
    store_report_lines_free(&w->settlements);
    feed_free(w->feed);
    free(w);
}

recon_status workbook_night_start(db_t *db, const report_target *t, date_t as_of,
                                  workbook_night **out, err_t *err)
{
    *out = NULL;
    workbook_night *w = calloc(1, sizeof *w);
    if (w == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    recon_status st;
    if ((st = store_report_list_read(db, STORE_REPORT_FILES, &w->files, err)) != RECON_OK ||
        (st = store_report_list_read(db, STORE_REPORT_BALANCES, &w->balances, err)) !=
            RECON_OK ||
        (st = store_report_list_read(db, STORE_REPORT_SETTLEMENTS, &w->settlements, err)) !=
            RECON_OK) {
        night_free(w);
        return st;
    }
    if ((w->feed = feed_new(WORKBOOK_FEED_BYTES)) == NULL) {
        night_free(w);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    w->rss_before = ru.ru_maxrss;
    w->lists = (summary_lists){&w->files, &w->balances, &w->settlements};
    w->day = (workbook_day){t->dir, as_of, &w->sum, &w->lists, WORKBOOK_SHEET_ROWS, w->feed};
    int e = pthread_create(&w->thread, NULL, night_thread, w);
    if (e != 0) {
        night_free(w);
        return err_set(err, RECON_EINTERNAL, "cannot start the workbook's thread: %s",
                       strerror(e));
    }
    *out = w;
    return RECON_OK;
}

feed_t *workbook_night_feed(const workbook_night *w)
{
    return w->feed;
}

recon_status workbook_night_end(workbook_night *w, recon_status report,
                                const summary_figures *sum, char name[WORKBOOK_NAME_SIZE],
                                manifest_entry *entry, err_t *err)
{
    struct rusage after;
    double t0 = now();
    recon_status st = report;
    bool own_failure = false; /* the workbook failed first: its error says why */
    if (report != RECON_OK)
        own_failure = feed_abort(w->feed);
    else {
        w->sum = *sum; /* the thread reads it only after feed_finish (under the feed's lock) */
        st = feed_finish(w->feed, err);
        own_failure = st != RECON_OK;
    }
    pthread_join(w->thread, NULL);
    double tail = now() - t0;
    getrusage(RUSAGE_SELF, &after);
    if (own_failure || (st == RECON_OK && w->st != RECON_OK))
        st = err_set(err, w->st, "%s", w->err.msg);
    if (st == RECON_OK) {
        snprintf(name, WORKBOOK_NAME_SIZE, "%s", w->name);
        entry->name = name;
        memcpy(entry->sha256_hex, w->entry.sha256_hex, sizeof entry->sha256_hex);
        /* The benchmark reads this line (bench/run.sh): the workbook's time, the part of it
         * after the CSV files (the report waited that long), and the peak RSS. */
        log_info("workbook %s: %.2f s, %.2f s after the CSV files, peak RSS %ld KiB before it, "
                 "%ld KiB after",
                 name, w->seconds, tail, w->rss_before, after.ru_maxrss);
    }
    night_free(w);
    return st;
}
