#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/catalogue.h"
#include "reports/gzcsv.h"
#include "reports/readback.h"
#include "reports/workbook.h"

/* The reports of a day as CSV files: each header as the catalogue writes it, rows given as
 * whole CSV lines of plain fields. */
static void write_csv(const char *dir, const char *name, const char *header, const char **rows,
                      size_t n)
{
    gzcsv_t *g = NULL;
    err_t err = {0};
    assert_int_equal(gzcsv_open(dir, name, 6, &g, &err), RECON_OK);
    char line[512];
    const char *f[CATALOGUE_MAX_COLUMNS];
    for (size_t r = 0; r <= n; r++) {
        snprintf(line, sizeof line, "%s", r == 0 ? header : rows[r - 1]);
        size_t k = 0;
        f[k++] = line;
        for (char *p = line; *p; p++)
            if (*p == ',') {
                *p = '\0';
                f[k++] = p + 1;
            }
        assert_int_equal(gzcsv_row(g, f, k, &err), RECON_OK);
    }
    assert_int_equal(gzcsv_close(g, NULL, &err), RECON_OK);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_day(char *dir)
{
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
    free(dir);
}

static char *day_dir(void)
{
    /* OUT/DATE, as report_day makes it: the checker takes the date from the folder's name */
    char base[] = "/tmp/recon_workbook_XXXXXX";
    assert_non_null(mkdtemp(base));
    char *d = malloc(sizeof base + 11);
    assert_non_null(d);
    snprintf(d, sizeof base + 11, "%s/2026-06-01", base);
    assert_int_equal(mkdir(d, 0700), 0);
    static const char *receipts[] = {
        "1,0012,a.sta,2026-06-01,10.00,CNY,credit,=*,,unidentified,0.00,10.00,,000101",
        "2,0012,a.sta,2026-06-01,-20.00,CNY,debit,王*,P1,reversal,0.00,0.00,,000102",
        "3,0012,a.sta,2026-06-01,30.00,CNY,credit,李*,P1,matched,30.00,0.00,,000103",
        "4,0012,a.sta,2026-06-01,40.00,CNY,credit,@*,,unidentified,0.00,40.00,,000104",
        "5,0012,a.sta,2026-06-01,50.00,CNY,credit,+*,,unidentified,0.00,50.00,,000105",
    };
    static const char *exceptions[] = {
        "unidentified,1,,10.00,no policy number,000101,0,CNY",
        "unidentified,4,,40.00,no policy number,000104,3,CNY",
        "unidentified,5,,50.00,no policy number,000105,9,CNY",
    };
    static const char *policies[] = {"P1,in_force,2026-05-01,2026-07-01,,0,0.00,0.00,2,12,current"};
    write_csv(d, catalogue_receipts.name, catalogue_receipts.header, receipts, 5);
    write_csv(d, catalogue_notices.name, catalogue_notices.header, NULL, 0);
    for (size_t i = 0; i < CATALOGUE_TABLES; i++) {
        const report_spec *s = &catalogue_tables[i];
        if (strcmp(s->name, "exceptions.csv.gz") == 0)
            write_csv(d, s->name, s->header, exceptions, 3);
        else if (strcmp(s->name, "policies.csv.gz") == 0)
            write_csv(d, s->name, s->header, policies, 1);
        else
            write_csv(d, s->name, s->header, NULL, 0);
    }
    return d;
}

static recon_status write_book_fed(const char *dir, size_t sheet_rows, feed_t *feed, char *name,
                                   manifest_entry *entry, err_t *err)
{
    static summary_figures sum;
    static store_report_lines none;
    static const summary_lists lists = {&none, &none, &none};
    date_t as_of = 0;
    assert_true(date_parse("2026-06-01", 10, &as_of));
    workbook_day d = {dir, as_of, &sum, &lists, sheet_rows, feed};
    return workbook_write(&d, name, entry, err);
}

static recon_status write_book(const char *dir, size_t sheet_rows, char *name,
                               manifest_entry *entry, err_t *err)
{
    return write_book_fed(dir, sheet_rows, NULL, name, entry, err);
}

/* The report's side of a feed: each file's rows, in sheet order, as report_day sends them
 * (here read from the files, which hold exactly what was written). */
typedef struct producer {
    const char *dir;
    feed_t *feed;
    recon_status st;
    err_t err;
    bool workbook_failed_first; /* what feed_abort said */
} producer;

static recon_status forward(void *ctx, long row, char **f, size_t n, err_t *err)
{
    (void)row;
    return feed_row(ctx, (const char *const *)f, n, err);
}

static void *produce(void *arg)
{
    producer *p = arg;
    int dirfd = open(p->dir, O_RDONLY | O_DIRECTORY);
    assert_true(dirfd >= 0);
    p->st = RECON_OK;
    for (size_t i = 0; i < WORKBOOK_SHEETS && p->st == RECON_OK; i++) {
        const char *file = workbook_sheet_file(i);
        if ((p->st = feed_begin(p->feed, file, &p->err)) == RECON_OK &&
            (p->st = readback_rows(dirfd, p->dir, file, forward, p->feed, &p->err)) == RECON_OK)
            p->st = feed_end(p->feed, &p->err);
    }
    if (p->st == RECON_OK)
        p->st = feed_finish(p->feed, &p->err);
    else
        p->workbook_failed_first = feed_abort(p->feed);
    close(dirfd);
    return NULL;
}

/* Entries of dir: libxlsxwriter's temporaries and ours must be gone. */
static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Sheets over the row limit continue in "NAME (2)", ...; the reader sees every row once. */
static void test_continuation_sheets(void **state)
{
    (void)state;
    char *dir = day_dir();
    char name[WORKBOOK_NAME_SIZE], cmd[600];
    manifest_entry entry = {0};
    err_t err = {0};
    assert_int_equal(write_book(dir, 2, name, &entry, &err), RECON_OK);
    assert_string_equal(name, "recon-2026-06-01.xlsx");
    assert_string_equal(entry.name, name);
    assert_int_equal(strlen(entry.sha256_hex), 64);
    assert_int_equal(files_in(dir), 7);
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char hex[SHA256_HEX_SIZE];
    assert_int_equal(sha256_file_hex(path, hex, &err), RECON_OK);
    assert_string_equal(hex, entry.sha256_hex);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import openpyxl,sys; wb=openpyxl.load_workbook('%s'); "
             "sys.exit(0 if wb.sheetnames[5:8]==['Receipts','Receipts (2)','Receipts (3)'] and "
             "wb.sheetnames[1:3]==['Exceptions','Exceptions (2)'] else 1)\"",
             path);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/integration/workbook_check.py %s >&2", dir);
    assert_int_equal(system(cmd), 0);
    /* the same inputs, the same bytes */
    manifest_entry again = {0};
    assert_int_equal(write_book(dir, 2, name, &again, &err), RECON_OK);
    assert_string_equal(again.sha256_hex, entry.sha256_hex);
    rm_day(dir);
}

/* Rows handed over as they are written make the same workbook, byte for byte, as the same
 * rows read back from the files (report_day feeds it; the tests and goldens read back). */
static void test_fed_same_bytes(void **state)
{
    (void)state;
    char *dir = day_dir();
    char name[WORKBOOK_NAME_SIZE];
    manifest_entry read_back = {0}, fed = {0};
    err_t err = {0};
    assert_int_equal(write_book(dir, 2, name, &read_back, &err), RECON_OK);
    producer p = {.dir = dir, .feed = feed_new(64)}; /* tiny: the producer waits often */
    assert_non_null(p.feed);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, produce, &p), 0);
    assert_int_equal(write_book_fed(dir, 2, p.feed, name, &fed, &err), RECON_OK);
    pthread_join(t, NULL);
    assert_int_equal(p.st, RECON_OK);
    assert_string_equal(fed.sha256_hex, read_back.sha256_hex);
    feed_free(p.feed);
    rm_day(dir);
}

/* A report that is not what the catalogue wrote is refused, and nothing is left behind. */
static void test_unexpected_header(void **state)
{
    (void)state;
    char *dir = day_dir();
    write_csv(dir, "events.csv.gz", "policy_no,effective_date,to_status,from_status,reason",
              NULL, 0);
    char name[WORKBOOK_NAME_SIZE];
    manifest_entry entry = {0};
    err_t err = {0};
    assert_int_equal(write_book(dir, WORKBOOK_SHEET_ROWS, name, &entry, &err), RECON_EINTERNAL);
    assert_non_null(strstr(err.msg, "events.csv.gz: column 3 is 'to_status'"));
    assert_int_equal(files_in(dir), 6);
    rm_day(dir);
}

/* The workbook refuses a file while it is being fed: the report is told at its next rows
 * ("the workbook stopped") and learns that the workbook failed first, so the workbook's own
 * message is the one reported; nothing is left behind. */
static void test_fed_refusal(void **state)
{
    (void)state;
    char *dir = day_dir();
    /* the first sheet's: five files follow, more than the feed holds, so the report is still
     * writing when the workbook fails */
    write_csv(dir, "exceptions.csv.gz",
              "kind,policy_no,receipt_id,amount,detail,transaction_key,age_days,currency", NULL, 0);
    char name[WORKBOOK_NAME_SIZE];
    manifest_entry entry = {0};
    err_t err = {0};
    producer p = {.dir = dir, .feed = feed_new(64)};
    assert_non_null(p.feed);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, produce, &p), 0);
    assert_int_equal(write_book_fed(dir, WORKBOOK_SHEET_ROWS, p.feed, name, &entry, &err),
                     RECON_EINTERNAL);
    feed_fail(p.feed); /* as workbook_night's thread does */
    pthread_join(t, NULL);
    assert_non_null(strstr(err.msg, "exceptions.csv.gz: column 2 is 'policy_no'"));
    assert_int_equal(p.st, RECON_EOUTPUT);
    assert_string_equal(p.err.msg, "the workbook stopped");
    assert_true(p.workbook_failed_first);
    assert_int_equal(files_in(dir), 6);
    feed_free(p.feed);
    rm_day(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_continuation_sheets),
        cmocka_unit_test(test_unexpected_header),
        cmocka_unit_test(test_fed_same_bytes),
        cmocka_unit_test(test_fed_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
