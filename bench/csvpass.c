/*
 * csvpass: floors and helpers for recon's benchmark.
 *
 *   csvpass FILE...            bare libcsv pass (no strict mode): every field of every
 *                              row is delivered and counted, nothing is kept; the floor
 *                              for the WeChat, Alipay and bank CSV parsers
 *   csvpass --lines FILE...    bare line split (64 KiB reads, memchr): the floor for
 *                              MT940, a line-and-tag format no library reads
 *   csvpass --to-copy [--base N] < PARSE.csv > ROWS.copy
 *                              turns `recon parse --unmasked` output into COPY text rows
 *                              for a table shaped like recon.receipts (amounts to fen),
 *                              so `psql \copy` loads exactly the rows ingest stores
 * Prints "rows R fields F bytes B" (or "lines L bytes B") on stdout.
 */
#include <csv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1 << 16)

typedef struct counts {
    unsigned long long rows, fields, bytes;
} counts;

static void on_field(void *s, size_t n, void *data)
{
    (void)s;
    counts *c = data;
    c->fields++;
    c->bytes += n;
}

static void on_row(int ch, void *data)
{
    (void)ch;
    counts *c = data;
    c->rows++;
}

static int csv_files(int argc, char **argv)
{
    counts c = {0, 0, 0};
    static char buf[CHUNK];
    for (int i = 0; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        struct csv_parser p;
        if (f == NULL || csv_init(&p, 0) != 0) {
            fprintf(stderr, "csvpass: cannot open %s\n", argv[i]);
            return 66;
        }
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            if (csv_parse(&p, buf, n, on_field, on_row, &c) != n) {
                fprintf(stderr, "csvpass: %s: %s\n", argv[i], csv_strerror(csv_error(&p)));
                return 65;
            }
        csv_fini(&p, on_field, on_row, &c);
        csv_free(&p);
        fclose(f);
    }
    printf("rows %llu fields %llu bytes %llu\n", c.rows, c.fields, c.bytes);
    return 0;
}

static int line_files(int argc, char **argv)
{
    unsigned long long lines = 0, bytes = 0;
    static char buf[CHUNK];
    for (int i = 0; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "csvpass: cannot open %s\n", argv[i]);
            return 66;
        }
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            bytes += n;
            const char *p = buf, *end = buf + n;
            while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
                lines++;
                p++;
            }
        }
        fclose(f);
    }
    printf("lines %llu bytes %llu\n", lines, bytes);
    return 0;
}

/* ---- parse CSV -> COPY rows ---- */

#define NCOL 19
typedef struct conv {
    char *field[NCOL];
    size_t len[NCOL], cap[NCOL];
    int col;
    bool header_done;
    unsigned long long id, rows;
    bool bad;
} conv;

static void put_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        switch (ch) {
        case '\\': fputs("\\\\", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        default: putchar(ch);
        }
    }
}

/* "-30.50" -> -3050; "" -> 0. */
static long long fen(const char *s, size_t n, bool *ok)
{
    long long v = 0;
    bool neg = false, dot = false;
    int decimals = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (i == 0 && ch == '-') {
            neg = true;
        } else if (ch == '.' && !dot) {
            dot = true;
        } else if (ch >= '0' && ch <= '9') {
            v = v * 10 + (ch - '0');
            if (dot)
                decimals++;
        } else {
            *ok = false;
        }
    }
    while (decimals < 2) {
        v *= 10;
        decimals++;
    }
    if (decimals > 2)
        *ok = false;
    return neg ? -v : v;
}

static void conv_field(void *s, size_t n, void *data)
{
    conv *c = data;
    if (c->col >= NCOL) {
        c->col++;
        return;
    }
    int k = c->col++;
    if (n + 1 > c->cap[k]) {
        c->cap[k] = n + 64;
        c->field[k] = realloc(c->field[k], c->cap[k]);
        if (c->field[k] == NULL) {
            fputs("csvpass: out of memory\n", stderr);
            exit(71);
        }
    }
    memcpy(c->field[k], s ? s : "", n);
    c->field[k][n] = '\0';
    c->len[k] = n;
}

static void conv_row(int ch, void *data)
{
    (void)ch;
    conv *c = data;
    int cols = c->col;
    c->col = 0;
    if (!c->header_done) {
        c->header_done = true;
        return;
    }
    if (cols < NCOL) {
        c->bad = true;
        return;
    }
    bool ok = true;
    long long amount = fen(c->field[6], c->len[6], &ok);
    long long fee = fen(c->field[18], c->len[18], &ok);
    if (!ok)
        c->bad = true;
    c->rows++;
    /* receipt_id, source, transaction_key, file_id, position, booking_date, value_date,
     * amount, currency, direction, reversal, reversal_of, payer, payer_account,
     * end_to_end_id, creditor_reference, merchant_order_no, provider_txn_id, remittance, fee */
    printf("%llu\t", ++c->id);
    put_text(c->field[2], c->len[2]);
    putchar('\t');
    put_text(c->field[3], c->len[3]);
    fputs("\t1\t", stdout);
    put_text(c->field[1], c->len[1]);
    printf("\t%s\t%s\t%lld\t", c->field[4], c->len[5] ? c->field[5] : "\\N", amount);
    put_text(c->field[7], c->len[7]);
    printf("\t%s\t%s", c->field[8], strcmp(c->field[9], "true") == 0 ? "t" : "f");
    for (int k = 10; k <= 17; k++) {
        putchar('\t');
        put_text(c->field[k], c->len[k]);
    }
    printf("\t%lld\n", fee);
}

static int to_copy(unsigned long long base)
{
    conv c;
    memset(&c, 0, sizeof c);
    c.id = base;
    struct csv_parser p;
    if (csv_init(&p, 0) != 0)
        return 71;
    static char buf[CHUNK];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (csv_parse(&p, buf, n, conv_field, conv_row, &c) != n) {
            fprintf(stderr, "csvpass: %s\n", csv_strerror(csv_error(&p)));
            return 65;
        }
    csv_fini(&p, conv_field, conv_row, &c);
    csv_free(&p);
    for (int k = 0; k < NCOL; k++)
        free(c.field[k]);
    if (c.bad) {
        fputs("csvpass: unexpected parse output row\n", stderr);
        return 65;
    }
    fprintf(stderr, "rows %llu\n", c.rows);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--lines") == 0)
        return line_files(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--to-copy") == 0) {
        unsigned long long base = 0;
        if (argc == 4 && strcmp(argv[2], "--base") == 0)
            base = strtoull(argv[3], NULL, 10);
        return to_copy(base);
    }
    return csv_files(argc - 1, argv + 1);
}
