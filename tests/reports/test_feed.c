#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/feed.h"

/* What the consumer saw: every row of the files it asked for, as text "a|b|c\n". */
typedef struct seen {
    char *text;
    size_t len, cap;
    long rows;
} seen;

static recon_status collect(void *ctx, long row, char **f, size_t n, err_t *err)
{
    (void)err;
    seen *s = ctx;
    assert_int_equal(row, s->rows);
    s->rows++;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(f[i]) + 2;
        if (s->len + len + 1 > s->cap) {
            s->cap = (s->len + len + 1) * 2;
            s->text = realloc(s->text, s->cap);
            assert_non_null(s->text);
        }
        s->len += (size_t)snprintf(s->text + s->len, s->cap - s->len, "%s%s", i ? "|" : "", f[i]);
    }
    s->len += (size_t)snprintf(s->text + s->len, s->cap - s->len, "\n");
    return RECON_OK;
}

typedef struct consumer {
    feed_t *feed;
    const char *files[4];
    seen got[4];
    recon_status st, end;
    err_t err;
    bool fail_after_first; /* the workbook fails: stops reading after the first file */
} consumer;

static void *consume(void *arg)
{
    consumer *c = arg;
    c->st = RECON_OK;
    for (size_t i = 0; i < 4 && c->files[i] != NULL && c->st == RECON_OK; i++) {
        c->st = feed_rows(c->feed, c->files[i], collect, &c->got[i], &c->err);
        if (c->fail_after_first && c->st == RECON_OK) {
            feed_fail(c->feed);
            c->st = err_set(&c->err, RECON_EOUTPUT, "workbook: disk full");
        }
    }
    if (c->st == RECON_OK)
        c->end = feed_rows(c->feed, NULL, NULL, NULL, &c->err);
    return NULL;
}

static void start(consumer *c, pthread_t *t)
{
    assert_int_equal(pthread_create(t, NULL, consume, c), 0);
}

static recon_status send_file(feed_t *f, const char *name, long rows, size_t width, err_t *err)
{
    recon_status st = feed_begin(f, name, err);
    char cell[3][64];
    const char *fields[3] = {cell[0], cell[1], NULL}; /* NULL reads as "" */
    for (long r = 0; r < rows && st == RECON_OK; r++) {
        snprintf(cell[0], sizeof cell[0], "%s", name);
        snprintf(cell[1], sizeof cell[1], "%ld", r);
        st = feed_row(f, fields, width, err);
    }
    return st == RECON_OK ? feed_end(f, err) : st;
}

/* Files arrive whole and in order through a feed far smaller than them (the producer waits),
 * rows of any length, empty files included; the end is seen after the last file. */
static void test_files_in_order(void **state)
{
    (void)state;
    feed_t *f = feed_new(1024);
    assert_non_null(f);
    consumer c = {.feed = f, .files = {"a.csv.gz", "empty.csv.gz", "b.csv.gz", NULL}};
    pthread_t t;
    start(&c, &t);
    err_t err = {0};
    assert_int_equal(send_file(f, "a.csv.gz", 50000, 3, &err), RECON_OK);
    assert_int_equal(send_file(f, "empty.csv.gz", 0, 3, &err), RECON_OK);
    /* one row larger than a chunk */
    char *big = malloc(600 * 1024);
    assert_non_null(big);
    memset(big, 'x', 600 * 1024 - 1);
    big[600 * 1024 - 1] = '\0';
    const char *row[] = {big, "", "z"};
    assert_int_equal(feed_begin(f, "b.csv.gz", &err), RECON_OK);
    assert_int_equal(feed_row(f, row, 3, &err), RECON_OK);
    assert_int_equal(feed_end(f, &err), RECON_OK);
    assert_int_equal(feed_finish(f, &err), RECON_OK);
    pthread_join(t, NULL);
    assert_int_equal(c.st, RECON_OK);
    assert_int_equal(c.end, RECON_OK);
    assert_int_equal(c.got[0].rows, 50000);
    assert_true(strncmp(c.got[0].text, "a.csv.gz|0|\na.csv.gz|1|\n", 24) == 0);
    assert_int_equal(c.got[1].rows, 0);
    assert_int_equal(c.got[2].rows, 1);
    assert_int_equal(c.got[2].len, 600 * 1024 - 1 + 4);
    for (size_t i = 0; i < 3; i++)
        free(c.got[i].text);
    free(big);
    feed_free(f);
}

/* A file the consumer did not ask for is an error that names both. */
static void test_other_file(void **state)
{
    (void)state;
    feed_t *f = feed_new(1 << 20);
    consumer c = {.feed = f, .files = {"a.csv.gz", NULL}};
    pthread_t t;
    start(&c, &t);
    err_t err = {0};
    assert_int_equal(send_file(f, "b.csv.gz", 2, 2, &err), RECON_OK);
    assert_int_equal(feed_finish(f, &err), RECON_OK);
    pthread_join(t, NULL);
    assert_int_equal(c.st, RECON_EINTERNAL);
    assert_non_null(strstr(c.err.msg, "b.csv.gz where a.csv.gz was expected"));
    feed_free(f);
}

/* The producer fails: the consumer's read ends with "the reports stopped", and abort says the
 * consumer had not failed first. */
static void test_abort(void **state)
{
    (void)state;
    feed_t *f = feed_new(1 << 20);
    consumer c = {.feed = f, .files = {"a.csv.gz", "b.csv.gz", NULL}};
    pthread_t t;
    start(&c, &t);
    err_t err = {0};
    assert_int_equal(send_file(f, "a.csv.gz", 3, 2, &err), RECON_OK);
    assert_int_equal(feed_begin(f, "b.csv.gz", &err), RECON_OK);
    assert_false(feed_abort(f));
    pthread_join(t, NULL);
    assert_int_equal(c.st, RECON_EOUTPUT);
    assert_string_equal(c.err.msg, "the reports stopped");
    free(c.got[0].text);
    feed_free(f);
}

/* The consumer fails: the producer, even one waiting on a full feed, is told, and abort says
 * the consumer failed first (its error is the one to report). */
static void test_consumer_fails(void **state)
{
    (void)state;
    feed_t *f = feed_new(4096);
    consumer c = {.feed = f, .files = {"a.csv.gz", "b.csv.gz", NULL}, .fail_after_first = true};
    pthread_t t;
    start(&c, &t);
    err_t err = {0};
    assert_int_equal(send_file(f, "a.csv.gz", 10, 2, &err), RECON_OK);
    assert_int_equal(send_file(f, "b.csv.gz", 100000, 2, &err), RECON_EOUTPUT);
    assert_string_equal(err.msg, "the workbook stopped");
    assert_true(feed_abort(f));
    pthread_join(t, NULL);
    assert_string_equal(c.err.msg, "workbook: disk full");
    free(c.got[0].text);
    feed_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_in_order),
        cmocka_unit_test(test_other_file),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_consumer_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
