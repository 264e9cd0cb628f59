#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "reports/gzcsv.h"
#include "reports/manifest.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static char *make_tmpdir(void)
{
    char *d = strdup("/tmp/recon_gzcsv_XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(char *dir)
{
    chmod(dir, 0700); /* a test may have made it read-only */
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static char *join(const char *dir, const char *name)
{
    buf_t b = BUF_INIT;
    assert_true(buf_printf(&b, "%s/%s", dir, name));
    return b.data;
}

static int exists(const char *dir, const char *name)
{
    char *p = join(dir, name);
    int r = access(p, F_OK) == 0;
    free(p);
    return r;
}

/* Whether dir holds a temporary of name: ".NAME." and a unique suffix. */
static int has_temp(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char prefix[300];
    snprintf(prefix, sizeof prefix, ".%s.", name);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
            strlen(e->d_name) == strlen(prefix) + 6)
            found = 1;
    closedir(d);
    return found;
}

/* Number of directory entries other than . and .. */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static buf_t read_all(const char *dir, const char *name)
{
    char *p = join(dir, name);
    FILE *f = fopen(p, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", p);
    buf_t b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_true(buf_append(&b, chunk, n));
    fclose(f);
    free(p);
    if (b.data == NULL)
        assert_true(buf_append(&b, "", 0));
    return b;
}

/* Inflates every gzip member of gz in turn (CRC and length of each checked by zlib), as gzip
 * -d does, and insists that the input ends exactly after a member, so trailing garbage fails
 * the test. *members receives how many there were (may be NULL). */
static buf_t gunzip_members(const buf_t *gz, size_t *members)
{
    buf_t out = BUF_INIT;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)gz->data;
    zs.avail_in = (uInt)gz->len;
    unsigned char chunk[16384];
    size_t n = 0;
    do {
        int rc;
        do {
            zs.next_out = chunk;
            zs.avail_out = sizeof chunk;
            rc = inflate(&zs, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END)
                fail_msg("inflate: %d", rc);
            assert_true(buf_append(&out, chunk, sizeof chunk - zs.avail_out));
        } while (rc != Z_STREAM_END);
        n++;
        assert_int_equal(inflateReset(&zs), Z_OK);
    } while (zs.avail_in > 0);
    inflateEnd(&zs);
    if (out.data == NULL)
        assert_true(buf_append(&out, "", 0));
    if (members != NULL)
        *members = n;
    return out;
}

static buf_t gunzip(const buf_t *gz)
{
    return gunzip_members(gz, NULL);
}

typedef struct row {
    const char *f[4];
    size_t n;
} row;

/* Writes header + rows into dir/name, asserting success; hex receives the SHA-256. */
static void write_rows(const char *dir, const char *name, const row *rows, size_t n,
                       char hex[SHA256_HEX_SIZE])
{
    err_t err;
    err_clear(&err);
    gzcsv_t *g;
    assert_int_equal(gzcsv_open(dir, name, GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    for (size_t i = 0; i < n; i++) {
        recon_status st = i == 0 ? gzcsv_header(g, rows[i].f, rows[i].n, &err)
                                 : gzcsv_row(g, rows[i].f, rows[i].n, &err);
        assert_int_equal(st, RECON_OK);
    }
    if (gzcsv_close(g, hex, &err) != RECON_OK)
        fail_msg("close: %s", err.msg);
}

/* ---- content ---------------------------------------------------------------------------- */

static const row QUOTING[] = {
    {{"policy_no", "detail", "amount"}, 3},
    {{"P0000000000001", "plain", "30.00"}, 3},
    {{"P0000000000002", "has, comma", "-30.00"}, 3},
    {{"P0000000000003", "say \"hi\"", ""}, 3},
    {{"P0000000000004", "line1\nline2", "1.00"}, 3},
    {{"P0000000000005", "cr\rhere", "2.00"}, 3},
    {{"P0000000000006", "张三 逾期，缓缴", "3.00"}, 3},
    {{"P0000000000007", NULL, ""}, 3},
    {{"\"", ",", "\"\""}, 3},
    {{""}, 1},
};
static const char QUOTING_CSV[] = "policy_no,detail,amount\n"
                                  "P0000000000001,plain,30.00\n"
                                  "P0000000000002,\"has, comma\",-30.00\n"
                                  "P0000000000003,\"say \"\"hi\"\"\",\n"
                                  "P0000000000004,\"line1\nline2\",1.00\n"
                                  "P0000000000005,\"cr\rhere\",2.00\n"
                                  "P0000000000006,张三 逾期，缓缴,3.00\n"
                                  "P0000000000007,,\n"
                                  "\"\"\"\",\",\",\"\"\"\"\"\"\n"
                                  "\n";

static const row HEADER_ONLY[] = {{{"kind", "receipt_id", "policy_no", "amount"}, 4}};

static void test_content(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const row *rows;
        size_t n;
        const char *want;
    } cases[] = {
        {"quoting.csv.gz", QUOTING, sizeof QUOTING / sizeof QUOTING[0], QUOTING_CSV},
        {"header.csv.gz", HEADER_ONLY, 1, "kind,receipt_id,policy_no,amount\n"},
        {"empty.csv.gz", NULL, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = make_tmpdir();
        char hex[SHA256_HEX_SIZE];
        write_rows(dir, cases[i].name, cases[i].rows, cases[i].n, hex);
        buf_t gz = read_all(dir, cases[i].name);
        buf_t csv = gunzip(&gz);
        if (csv.len != strlen(cases[i].want) || memcmp(csv.data, cases[i].want, csv.len) != 0)
            fail_msg("%s: got \"%s\"", cases[i].name, csv.data);
        /* the digest is of the bytes on disk */
        char *path = join(dir, cases[i].name);
        char disk_hex[SHA256_HEX_SIZE];
        err_t err;
        assert_int_equal(sha256_file_hex(path, disk_hex, &err), RECON_OK);
        assert_string_equal(hex, disk_hex);
        /* no temp file left beside it */
        assert_int_equal(count_entries(dir), 1);
        free(path);
        buf_free(&gz);
        buf_free(&csv);
        rm_tree(dir);
    }
}

/* Large enough (and random enough) that input and output each span many 64 KiB chunks. */
static void write_big_at(const char *dir, const char *name, int level, char hex[SHA256_HEX_SIZE],
                         buf_t *want)
{
    err_t err;
    gzcsv_t *g;
    assert_int_equal(gzcsv_open(dir, name, level, &g, &err), RECON_OK);
    uint32_t x = 12345;
    for (int i = 0; i < 120000; i++) {
        char a[16], b[32];
        x = x * 1664525u + 1013904223u;
        snprintf(a, sizeof a, "P%013u", x % 1000000000u);
        x = x * 1664525u + 1013904223u;
        snprintf(b, sizeof b, "%u,%u", x, x >> 7);
        const char *f[] = {a, b, "张三"};
        assert_int_equal(gzcsv_row(g, f, 3, &err), RECON_OK);
        if (want != NULL) {
            assert_true(buf_printf(want, "%s,\"%s\",张三\n", a, b));
        }
    }
    assert_int_equal(gzcsv_close(g, hex, &err), RECON_OK);
}

static void write_big(const char *dir, const char *name, char hex[SHA256_HEX_SIZE], buf_t *want)
{
    write_big_at(dir, name, GZCSV_LEVEL_DEFAULT, hex, want);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *d1 = make_tmpdir(), *d2 = make_tmpdir();
    char h1[SHA256_HEX_SIZE], h2[SHA256_HEX_SIZE];
    size_t nq = sizeof QUOTING / sizeof QUOTING[0];

    write_rows(d1, "r.csv.gz", QUOTING, nq, h1);
    sleep(1); /* a timestamp in the header would now differ */
    write_rows(d2, "r.csv.gz", QUOTING, nq, h2);
    buf_t a = read_all(d1, "r.csv.gz"), b = read_all(d2, "r.csv.gz");
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_string_equal(h1, h2);
    buf_free(&a);
    buf_free(&b);

    buf_t want = BUF_INIT;
    write_big(d1, "big.csv.gz", h1, &want);
    write_big(d2, "big.csv.gz", h2, NULL);
    a = read_all(d1, "big.csv.gz");
    b = read_all(d2, "big.csv.gz");
    assert_true(want.len > 4 * GZCSV_MEMBER); /* several members, more than the ring */
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_string_equal(h1, h2);
    buf_t csv = gunzip(&a);
    assert_int_equal(csv.len, want.len);
    assert_memory_equal(csv.data, want.data, want.len);
    char *path = join(d1, "big.csv.gz");
    char disk_hex[SHA256_HEX_SIZE];
    err_t err;
    assert_int_equal(sha256_file_hex(path, disk_hex, &err), RECON_OK);
    assert_string_equal(h1, disk_hex);
    free(path);
    buf_free(&csv);
    buf_free(&want);
    buf_free(&a);
    buf_free(&b);
    rm_tree(d1);
    rm_tree(d2);
}

static void test_gzip_header(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char hex[SHA256_HEX_SIZE];
    write_rows(dir, "events.csv.gz", QUOTING, 2, hex);
    buf_t gz = read_all(dir, "events.csv.gz");
    const unsigned char *h = (const unsigned char *)gz.data;
    assert_true(gz.len >= 18);
    assert_int_equal(h[0], 0x1f);
    assert_int_equal(h[1], 0x8b);
    assert_int_equal(h[2], 8);             /* deflate */
    assert_int_equal(h[3] & 0x08, 0);      /* no FNAME */
    assert_int_equal(h[3], 0);             /* nor FEXTRA, FCOMMENT, FHCRC */
    for (int i = 4; i < 8; i++)            /* MTIME */
        assert_int_equal(h[i], 0);
    assert_int_equal(h[9], 3);             /* OS = Unix */
    buf_free(&gz);
    rm_tree(dir);
}

static void test_write_text(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    buf_t text = BUF_INIT;
    for (int i = 0; i < 120000; i++)
        assert_true(buf_printf(&text, "receipts matched: %d 收款\n", i));
    assert_true(text.len > 3 * GZCSV_MEMBER); /* one call spanning several input chunks */
    err_t err;
    gzcsv_t *g;
    assert_int_equal(gzcsv_open(dir, "summary.txt.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    assert_int_equal(gzcsv_write_text(g, "totals\n", 7, &err), RECON_OK);
    assert_int_equal(gzcsv_write_text(g, text.data, text.len, &err), RECON_OK);
    assert_int_equal(gzcsv_write_text(g, "", 0, &err), RECON_OK);
    char hex[SHA256_HEX_SIZE];
    assert_int_equal(gzcsv_close(g, hex, &err), RECON_OK);
    buf_t gz = read_all(dir, "summary.txt.gz");
    buf_t got = gunzip(&gz);
    assert_int_equal(got.len, 7 + text.len);
    assert_memory_equal(got.data, "totals\n", 7);
    assert_memory_equal(got.data + 7, text.data, text.len);
    buf_free(&gz);
    buf_free(&got);
    buf_free(&text);
    rm_tree(dir);
}

/* The file is a series of gzip members, one per GZCSV_MEMBER bytes of input, each exactly what
 * libdeflate makes of that piece alone at the same level under a fixed header: the cut depends
 * on nothing but the byte count, so the bytes cannot depend on the compression thread. */
static buf_t reference_gzip(const buf_t *csv, int level)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    assert_non_null(c);
    size_t cap = libdeflate_deflate_compress_bound(c, GZCSV_MEMBER);
    unsigned char *tmp = malloc(cap);
    assert_non_null(tmp);
    buf_t out = BUF_INIT;
    size_t off = 0;
    do {
        size_t take = csv->len - off < GZCSV_MEMBER ? csv->len - off : GZCSV_MEMBER;
        const unsigned char *in = (const unsigned char *)csv->data + off;
        static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
        size_t n = libdeflate_deflate_compress(c, in, take, tmp, cap);
        assert_true(n > 0);
        uint32_t crc = libdeflate_crc32(0, in, take), isize = (uint32_t)take;
        unsigned char trailer[8];
        for (int i = 0; i < 4; i++) {
            trailer[i] = (unsigned char)(crc >> (8 * i));
            trailer[4 + i] = (unsigned char)(isize >> (8 * i));
        }
        assert_true(buf_append(&out, header, sizeof header) && buf_append(&out, tmp, n) &&
                    buf_append(&out, trailer, sizeof trailer));
        off += take;
    } while (off < csv->len);
    free(tmp);
    libdeflate_free_compressor(c);
    return out;
}

static void test_members(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char hex[SHA256_HEX_SIZE];
    buf_t want = BUF_INIT;
    write_big(dir, "big.csv.gz", hex, &want);
    buf_t got = read_all(dir, "big.csv.gz");
    buf_t ref = reference_gzip(&want, GZCSV_LEVEL_DEFAULT);
    assert_int_equal(got.len, ref.len);
    assert_memory_equal(got.data, ref.data, ref.len);
    size_t members = 0;
    buf_t csv = gunzip_members(&got, &members);
    assert_int_equal(members, (want.len + GZCSV_MEMBER - 1) / GZCSV_MEMBER);
    assert_int_equal(csv.len, want.len);
    assert_memory_equal(csv.data, want.data, want.len);
    /* the gzip tool reads the members as one file */
    char *path = join(dir, "big.csv.gz"), *plain = join(dir, "want.csv");
    FILE *f = fopen(plain, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(want.data, 1, want.len, f), want.len);
    fclose(f);
    buf_t cmd = BUF_INIT;
    assert_true(buf_printf(&cmd, "gzip -dc '%s' | cmp -s - '%s'", path, plain));
    assert_int_equal(system(cmd.data), 0);
    buf_free(&cmd);
    free(path);
    free(plain);
    buf_free(&csv);
    buf_free(&got);
    buf_free(&ref);
    buf_free(&want);
    rm_tree(dir);
}

/* Input of exactly whole members ends without an empty member after them; an empty report is
 * one empty member (a valid gzip file). */
static void test_member_edges(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    err_t err;
    gzcsv_t *g;
    buf_t text = BUF_INIT;
    while (text.len < 2 * GZCSV_MEMBER)
        assert_true(buf_printf(&text, "%zu,%zu\n", text.len, text.len * 31));
    text.len = 2 * GZCSV_MEMBER;
    assert_int_equal(gzcsv_open(dir, "whole.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    assert_int_equal(gzcsv_write_text(g, text.data, text.len, &err), RECON_OK);
    assert_int_equal(gzcsv_close(g, NULL, &err), RECON_OK);
    buf_t gz = read_all(dir, "whole.csv.gz");
    size_t members = 0;
    buf_t got = gunzip_members(&gz, &members);
    assert_int_equal(members, 2);
    assert_int_equal(got.len, text.len);
    assert_memory_equal(got.data, text.data, text.len);
    buf_free(&gz);
    buf_free(&got);

    assert_int_equal(gzcsv_open(dir, "empty.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    assert_int_equal(gzcsv_close(g, NULL, &err), RECON_OK);
    gz = read_all(dir, "empty.csv.gz");
    got = gunzip_members(&gz, &members);
    assert_int_equal(members, 1);
    assert_int_equal(got.len, 0);
    buf_free(&gz);
    buf_free(&got);
    buf_free(&text);
    rm_tree(dir);
}

/* A write that fails in the compression thread (here the file size limit) is reported by the
 * writer, nothing hangs, and no file is left behind. */
static void test_worker_write_error(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    struct rlimit small = old;
    small.rlim_cur = GZCSV_MEMBER / 4; /* less than the first member */
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    err_t err;
    err_clear(&err);
    gzcsv_t *g;
    assert_int_equal(gzcsv_open(dir, "big.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    recon_status st = RECON_OK;
    uint32_t x = 1;
    for (int i = 0; i < 200000 && st == RECON_OK; i++) {
        char a[32];
        x = x * 1664525u + 1013904223u;
        snprintf(a, sizeof a, "%u", x);
        const char *f[] = {a, "some text that compresses a little"};
        st = gzcsv_row(g, f, 2, &err);
    }
    if (st == RECON_OK)
        st = gzcsv_close(g, NULL, &err);
    else
        gzcsv_abort(g);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, RECON_EOUTPUT);
    assert_int_equal(err.status, RECON_EOUTPUT);
    assert_non_null(strstr(err.msg, "big.csv.gz: File too large"));
    assert_int_equal(count_entries(dir), 0);
    rm_tree(dir);
}

/* Abandoning a writer with blocks still queued for the worker frees everything. */
static void test_abort_busy(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    err_t err;
    gzcsv_t *g;
    assert_int_equal(gzcsv_open(dir, "r.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    buf_t text = BUF_INIT;
    for (int i = 0; i < 400000; i++)
        assert_true(buf_printf(&text, "%d,%d\n", i, i ^ 0x5a5a));
    assert_int_equal(gzcsv_write_text(g, text.data, text.len, &err), RECON_OK);
    gzcsv_abort(g);
    assert_int_equal(count_entries(dir), 0);
    buf_free(&text);
    rm_tree(dir);
}

/* ---- atomicity -------------------------------------------------------------------------- */

static void test_abort_and_crash(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    err_t err;
    gzcsv_t *g;

    /* abort: nothing remains */
    assert_int_equal(gzcsv_open(dir, "refunds.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    assert_int_equal(gzcsv_row(g, QUOTING[0].f, QUOTING[0].n, &err), RECON_OK);
    assert_true(has_temp(dir, "refunds.csv.gz"));
    gzcsv_abort(g);
    assert_false(has_temp(dir, "refunds.csv.gz"));
    assert_false(exists(dir, "refunds.csv.gz"));
    assert_int_equal(count_entries(dir), 0);
    gzcsv_abort(NULL);

    /* crash before close: only the temp file exists, never a partial final file */
    assert_int_equal(gzcsv_open(dir, "receipts.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_OK);
    for (size_t i = 0; i < sizeof QUOTING / sizeof QUOTING[0]; i++)
        assert_int_equal(gzcsv_row(g, QUOTING[i].f, QUOTING[i].n, &err), RECON_OK);
    assert_false(exists(dir, "receipts.csv.gz"));
    assert_true(has_temp(dir, "receipts.csv.gz"));
    gzcsv_abort(g); /* only to free memory; the check above is the "crash" state */

    /* a re-run over a stale file at the old fixed temporary name and an older report: the
     * report is replaced cleanly and the stale file is never written to */
    char *stale = join(dir, ".receipts.csv.gz.tmp");
    FILE *f = fopen(stale, "w");
    assert_non_null(f);
    fputs("garbage from a crashed run", f);
    fclose(f);
    char hex[SHA256_HEX_SIZE];
    write_rows(dir, "receipts.csv.gz", HEADER_ONLY, 1, hex);
    write_rows(dir, "receipts.csv.gz", QUOTING, 2, hex);
    assert_false(has_temp(dir, "receipts.csv.gz"));
    buf_t gz = read_all(dir, "receipts.csv.gz");
    buf_t csv = gunzip(&gz);
    assert_string_equal(csv.data, "policy_no,detail,amount\nP0000000000001,plain,30.00\n");
    buf_t old = read_all(dir, ".receipts.csv.gz.tmp");
    assert_string_equal(old.data, "garbage from a crashed run");
    assert_int_equal(count_entries(dir), 2);
    buf_free(&old);
    buf_free(&gz);
    buf_free(&csv);
    free(stale);
    rm_tree(dir);
}

/* ---- errors ----------------------------------------------------------------------------- */

static void test_open_errors(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *missing = join(dir, "missing");
    char *file = join(dir, "plainfile");
    char *ro = join(dir, "readonly");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mkdir(ro, 0555), 0);
    chmod(ro, 0555);
    /* root ignores directory permissions, so that case only runs as a normal user */
    int can_test_perm = geteuid() != 0;

    static const struct {
        int which; /* 0 missing, 1 not a directory, 2 read-only */
        const char *name;
        const char *reason;
    } cases[] = {
        {0, "receipts.csv.gz", "No such file or directory"},
        {1, "policies.csv.gz", "Not a directory"},
        {2, "events.csv.gz", "Permission denied"},
        {0, "MANIFEST.sha256", "No such file or directory"},
        {2, "MANIFEST.sha256", "Permission denied"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].which == 2 && !can_test_perm)
            continue;
        const char *d = cases[i].which == 0 ? missing : cases[i].which == 1 ? file : ro;
        char want[600];
        snprintf(want, sizeof want, "cannot write %s/%s: %s", d, cases[i].name, cases[i].reason);
        err_t err;
        err_clear(&err);
        recon_status st;
        if (strcmp(cases[i].name, "MANIFEST.sha256") == 0) {
            manifest_entry e = {"a", {0}};
            memset(e.sha256_hex, 'a', 64);
            st = manifest_write(d, cases[i].name, &e, 1, &err);
        } else {
            gzcsv_t *g = (gzcsv_t *)&err; /* must be reset to NULL on failure */
            st = gzcsv_open(d, cases[i].name, GZCSV_LEVEL_DEFAULT, &g, &err);
            assert_null(g);
        }
        assert_int_equal(st, RECON_EOUTPUT);
        assert_int_equal(err.status, RECON_EOUTPUT);
        assert_string_equal(err.msg, want);
    }
    assert_int_equal(count_entries(dir), 2); /* plainfile, readonly: nothing was created */
    free(missing);
    free(file);
    free(ro);
    rm_tree(dir);
}

/* The level comes from the caller (recon_config.report_level): the environment is not read. */
static void test_level(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char h6[SHA256_HEX_SIZE], h1[SHA256_HEX_SIZE], h6env[SHA256_HEX_SIZE];
    buf_t want = BUF_INIT;
    write_big(dir, "l6.csv.gz", h6, &want);
    write_big_at(dir, "l1.csv.gz", 1, h1, NULL);
    assert_string_not_equal(h1, h6);
    buf_t a = read_all(dir, "l1.csv.gz"), b = read_all(dir, "l6.csv.gz");
    assert_true(a.len > b.len); /* level 1 is larger */
    buf_t csv = gunzip(&a);
    assert_int_equal(csv.len, want.len);
    assert_memory_equal(csv.data, want.data, want.len);
    buf_free(&csv);
    buf_free(&a);
    buf_free(&b);
    assert_int_equal(setenv("RECON_REPORT_LEVEL", "1", 1), 0);
    write_big(dir, "e6.csv.gz", h6env, NULL);
    unsetenv("RECON_REPORT_LEVEL");
    assert_string_equal(h6env, h6);

    static const int bad[] = {0, 10, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_t err;
        gzcsv_t *g;
        assert_int_equal(gzcsv_open(dir, "x.csv.gz", bad[i], &g, &err), RECON_EINTERNAL);
        assert_null(g);
        char msg[100];
        snprintf(msg, sizeof msg, "cannot write x.csv.gz: gzip level %d is not 1-9", bad[i]);
        assert_string_equal(err.msg, msg);
    }
    assert_int_equal(count_entries(dir), 3);
    buf_free(&want);
    rm_tree(dir);
}

/* ---- manifest --------------------------------------------------------------------------- */

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_manifest(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    err_t err;
    assert_int_equal(report_write_atomic(dir, "receipts.csv.gz", "abc", 3, &err), RECON_OK);
    assert_int_equal(report_write_atomic(dir, "events.csv.gz", "", 0, &err), RECON_OK);

    manifest_entry e[2] = {{"receipts.csv.gz", {0}}, {"events.csv.gz", {0}}}; /* unsorted */
    for (size_t i = 0; i < 2; i++) {
        char *p = join(dir, e[i].name);
        assert_int_equal(sha256_file_hex(p, e[i].sha256_hex, &err), RECON_OK);
        free(p);
    }
    assert_string_equal(e[0].sha256_hex, SHA_ABC);
    assert_string_equal(e[1].sha256_hex, SHA_EMPTY);

    assert_int_equal(manifest_write(dir, "MANIFEST.sha256", e, 2, &err), RECON_OK);
    buf_t m = read_all(dir, "MANIFEST.sha256");
    assert_string_equal(m.data, SHA_EMPTY "  events.csv.gz\n" SHA_ABC "  receipts.csv.gz\n");
    buf_free(&m);
    assert_int_equal(count_entries(dir), 3);

    buf_t cmd = BUF_INIT;
    assert_true(buf_printf(&cmd, "cd '%s' && sha256sum -c --quiet --strict MANIFEST.sha256", dir));
    assert_int_equal(system(cmd.data), 0);

    /* a tampered report fails the check (sanity of the check itself) */
    assert_int_equal(report_write_atomic(dir, "events.csv.gz", "x", 1, &err), RECON_OK);
    buf_reset(&cmd);
    assert_true(buf_printf(&cmd, "cd '%s' && sha256sum -c --quiet MANIFEST.sha256 "
                                 ">/dev/null 2>&1", dir));
    assert_int_not_equal(system(cmd.data), 0);
    buf_free(&cmd);

    /* same entries in another order: identical manifest */
    manifest_entry r[2] = {e[1], e[0]};
    assert_int_equal(manifest_write(dir, "M2", r, 2, &err), RECON_OK);
    buf_t m1 = read_all(dir, "MANIFEST.sha256"), m2 = read_all(dir, "M2");
    assert_string_equal(m1.data, m2.data);
    buf_free(&m1);
    buf_free(&m2);

    /* an empty manifest is an empty file */
    assert_int_equal(manifest_write(dir, "EMPTY.sha256", NULL, 0, &err), RECON_OK);
    buf_t m0 = read_all(dir, "EMPTY.sha256");
    assert_int_equal(m0.len, 0);
    buf_free(&m0);
    rm_tree(dir);
}

static void test_manifest_rejects(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    static const struct {
        const char *n1, *h1, *n2, *h2;
        const char *msg;
    } cases[] = {
        {"a", SHA_ABC, "a", SHA_EMPTY, "M: duplicate entry a"},
        {"a", SHA_ABC, "", SHA_EMPTY, "M: invalid entry name ''"},
        {"a", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "b", SHA_EMPTY,
         "M: invalid sha-256 for a"},
        {"a", SHA_ABC, "b", "e3b0", "M: invalid sha-256 for b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        manifest_entry e[2];
        memset(e, 0, sizeof e);
        e[0].name = cases[i].n1;
        e[1].name = cases[i].n2;
        snprintf(e[0].sha256_hex, sizeof e[0].sha256_hex, "%s", cases[i].h1);
        snprintf(e[1].sha256_hex, sizeof e[1].sha256_hex, "%s", cases[i].h2);
        err_t err;
        assert_int_equal(manifest_write(dir, "M", e, 2, &err), RECON_EINTERNAL);
        assert_string_equal(err.msg, cases[i].msg);
    }
    assert_int_equal(count_entries(dir), 0);

    /* report names must be plain file names */
    static const char *const bad_names[] = {"", ".", "..", "a/b"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        err_t err;
        gzcsv_t *g;
        assert_int_equal(gzcsv_open(dir, bad_names[i], GZCSV_LEVEL_DEFAULT, &g, &err), RECON_EINTERNAL);
        assert_null(g);
    }
    assert_int_equal(count_entries(dir), 0);
    rm_tree(dir);
}

/* ---- hostile folders ------------------------------------------------------------------- */

static char *write_victim(const char *dir)
{
    char *victim = join(dir, "victim");
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fputs("precious", f);
    fclose(f);
    return victim;
}

/* Links planted at the report's name, the old fixed temporary name and the manifest's name
 * point at a file elsewhere: the writes replace the links, never the file behind them. */
static void test_planted_links(void **state)
{
    (void)state;
    char *outside = make_tmpdir(), *dir = make_tmpdir();
    char *victim = write_victim(outside);
    static const char *const names[] = {"policies.csv.gz", ".policies.csv.gz.tmp",
                                        "MANIFEST.sha256", ".MANIFEST.sha256.tmp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *link = join(dir, names[i]);
        assert_int_equal(symlink(victim, link), 0);
        free(link);
    }
    char hex[SHA256_HEX_SIZE];
    write_rows(dir, "policies.csv.gz", QUOTING, 2, hex);
    err_t err;
    manifest_entry e = {"policies.csv.gz", {0}};
    memcpy(e.sha256_hex, hex, sizeof hex);
    assert_int_equal(manifest_write(dir, "MANIFEST.sha256", &e, 1, &err), RECON_OK);
    buf_t v = read_all(outside, "victim");
    assert_string_equal(v.data, "precious");
    buf_free(&v);
    struct stat sb;
    char *report = join(dir, "policies.csv.gz"), *manifest = join(dir, "MANIFEST.sha256");
    assert_int_equal(lstat(report, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(lstat(manifest, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    free(report);
    free(manifest);
    free(victim);
    rm_tree(dir);
    rm_tree(outside);
}

/* Reports hold personal data: 0640, further limited by the umask. */
static void test_modes(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char hex[SHA256_HEX_SIZE];
    err_t err;
    mode_t old = umask(022);
    write_rows(dir, "a.csv.gz", QUOTING, 2, hex);
    umask(027);
    write_rows(dir, "b.csv.gz", QUOTING, 2, hex);
    assert_int_equal(report_write_atomic(dir, "M", "x", 1, &err), RECON_OK);
    umask(old);
    struct stat sb;
    char *a = join(dir, "a.csv.gz"), *b = join(dir, "b.csv.gz"), *m = join(dir, "M");
    assert_int_equal(stat(a, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    assert_int_equal(stat(b, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    assert_int_equal(stat(m, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    free(a);
    free(b);
    free(m);
    rm_tree(dir);
}

/* A report folder that is a link, or that others may write, is refused before anything is
 * created in it. */
static void test_refused_dirs(void **state)
{
    (void)state;
    char *base = make_tmpdir();
    char *real = join(base, "real"), *link = join(base, "link"), *open_dir = join(base, "open");
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(mkdir(open_dir, 0700), 0);
    assert_int_equal(chmod(open_dir, 0777), 0);
    err_t err;
    gzcsv_t *g = (gzcsv_t *)&err;
    assert_int_equal(gzcsv_open(link, "r.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_EOUTPUT);
    assert_null(g);
    assert_non_null(strstr(err.msg, "a symbolic link"));
    assert_int_equal(report_write_atomic(link, "M", "x", 1, &err), RECON_EOUTPUT);
    assert_int_equal(gzcsv_open(open_dir, "r.csv.gz", GZCSV_LEVEL_DEFAULT, &g, &err), RECON_EOUTPUT);
    assert_non_null(strstr(err.msg, "writable by group or others"));
    assert_int_equal(count_entries(real), 0);
    assert_int_equal(count_entries(open_dir), 0);
    free(real);
    free(link);
    free(open_dir);
    rm_tree(base);
}

/* Names with a backslash or newline are written as sha256sum writes them, so `sha256sum -c`
 * checks them and manifest_read gives the names back. */
static void test_manifest_escapes(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    err_t err;
    static const char *const names[] = {"a\\xff.sta", "b\nc", "plain"};
    manifest_entry e[3];
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(report_write_atomic(dir, names[i], "abc", 3, &err), RECON_OK);
        e[i].name = names[i];
        memcpy(e[i].sha256_hex, SHA_ABC, sizeof e[i].sha256_hex);
    }
    assert_int_equal(manifest_write(dir, "M", e, 3, &err), RECON_OK);
    buf_t m = read_all(dir, "M");
    assert_string_equal(m.data, "\\" SHA_ABC "  a\\\\xff.sta\n\\" SHA_ABC "  b\\nc\n" SHA_ABC
                                "  plain\n");
    buf_free(&m);
    buf_t cmd = BUF_INIT;
    assert_true(buf_printf(&cmd, "cd '%s' && sha256sum -c --quiet --strict M", dir));
    assert_int_equal(system(cmd.data), 0);
    buf_free(&cmd);
    manifest_list list;
    char *path = join(dir, "M");
    assert_int_equal(manifest_read(path, &list, &err), RECON_OK);
    assert_int_equal(list.count, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(list.entries[i].name, names[i]);
    manifest_list_free(&list);
    free(path);
    rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content),         cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_gzip_header),     cmocka_unit_test(test_write_text),
        cmocka_unit_test(test_abort_and_crash), cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_level),       cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_manifest_rejects), cmocka_unit_test(test_members),
        cmocka_unit_test(test_member_edges),
        cmocka_unit_test(test_worker_write_error), cmocka_unit_test(test_abort_busy),
        cmocka_unit_test(test_planted_links),   cmocka_unit_test(test_modes),
        cmocka_unit_test(test_refused_dirs),    cmocka_unit_test(test_manifest_escapes),
    };
    return cmocka_run_group_tests_name("reports/gzcsv", tests, NULL, NULL);
}
