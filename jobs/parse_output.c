#include "jobs/parse_output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/mask.h"

/* Bytes that stop the scan of a field: its end, and the four that force quoting. */
static const unsigned char csv_stop[256] = {
    [0] = 1, [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1,
};

/* Index of the first stop byte in s[i, cap), or cap. Reads only inside the
 * cap bytes, so cap must be the size of s's array, every byte initialised. */
static size_t csv_next_stop(const char *s, size_t i, size_t cap)
{
#if defined(__SSE2__)
    /* 16 bytes a step: byte by byte, scanning was a sixth of a WeChat parse. */
    const __m128i nul = _mm_setzero_si128(), comma = _mm_set1_epi8(','),
                  quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    for (; cap - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, nul), _mm_cmpeq_epi8(v, comma)),
            _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                         _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf))));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask != 0)
            return i + (size_t)__builtin_ctz(mask);
    }
#endif
    while (i < cap && !csv_stop[(unsigned char)s[i]])
        i++;
    return i;
}

/* One field of a row, measured by csv_scan before the row is written. */
typedef struct csv_field {
    const char *s;
    size_t len;  /* bytes of s */
    size_t cap;  /* bytes of s's array, all readable */
    bool quoted; /* holds a comma, quote, CR or LF */
} csv_field;

/* Measures the string in s's cap-byte array in one pass (instead of strpbrk,
 * then strlen) and returns the bytes it will take in the row: with quotes
 * around it and inner quotes doubled when it needs them, as
 * buf_append_csv_field writes it. An unterminated array ends at cap rather
 * than running into the next field. */
static size_t csv_scan(csv_field *f, const char *s, size_t cap)
{
    size_t i = 0, quotes = 0;
    bool quoted = false;
    for (;;) {
        i = csv_next_stop(s, i, cap);
        if (i == cap || s[i] == '\0')
            break;
        quoted = true;
        quotes += s[i] == '"';
        i++;
    }
    f->s = s;
    f->len = i;
    f->cap = cap;
    f->quoted = quoted;
    return quoted ? i + quotes + 2 : i;
}

/* Writes f at p, which has the room csv_scan counted plus ROW_SLACK bytes;
 * returns the end. Bytes past the end may be overwritten. */
static char *csv_put(char *p, const csv_field *f)
{
    if (!f->quoted) {
        /* Whole 16-byte blocks when the array holds them: fixed-size copies are
         * inlined, where a memcpy call per (mostly short) field was not. The
         * extra bytes land where the next field or the slack goes. */
        size_t blocks = (f->len + 15) / 16;
        if (blocks * 16 <= f->cap) {
            for (size_t k = 0; k < blocks; k++)
                memcpy(p + 16 * k, f->s + 16 * k, 16);
        } else {
            memcpy(p, f->s, f->len);
        }
        return p + f->len;
    }
    *p++ = '"';
    for (size_t i = 0; i < f->len; i++) {
        if (f->s[i] == '"')
            *p++ = '"';
        *p++ = f->s[i];
    }
    *p++ = '"';
    return p;
}

void parse_output_init(parse_output *po, FILE *out, FILE *diag, bool unmasked)
{
    memset(po, 0, sizeof *po);
    po->out = out;
    po->diag = diag;
    po->unmasked = unmasked;
    po->file = "";
    /* Someone watching a terminal sees each row as it is read, next to the
     * error messages of rejected files; files and pipes get the big chunks. */
    int fd = fileno(out);
    po->chunk = fd >= 0 && isatty(fd) ? 0 : PARSE_OUTPUT_CHUNK;
}

/* Hands everything queued to out. */
static recon_status flush_pending(parse_output *po, err_t *err)
{
    buf_t *b = &po->pending;
    if (b->len == 0)
        return RECON_OK;
    /* Emptied even on failure: the rows are lost either way, and the error stops the run. */
    size_t written = fwrite(b->data, 1, b->len, po->out);
    bool short_write = written != b->len;
    buf_reset(b);
    if (short_write)
        return err_set(err, RECON_EOUTPUT, "cannot write output: %s", strerror(errno));
    return RECON_OK;
}

recon_status parse_output_header(parse_output *po, err_t *err)
{
    if (po->header_done)
        return RECON_OK;
    po->header_done = true;
    if (!buf_append(&po->pending, PARSE_OUTPUT_HEADER "\n", sizeof PARSE_OUTPUT_HEADER))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return po->pending.len >= po->chunk ? flush_pending(po, err) : RECON_OK;
}

/* Fields of a row, and the room csv_put may write past a row's end. */
enum { ROW_FIELDS = 19, ROW_SLACK = 16 };

/* Writes date d into out. The receipts of a statement mostly share a booking
 * date, so the last one formatted is kept rather than converted again; a
 * missing date (most value dates) is "" and must not evict it. */
static void format_date(parse_output *po, date_t d, char out[DATE_STR_SIZE])
{
    if (d == DATE_NONE) {
        out[0] = '\0';
        return;
    }
    if (!po->date_cached || po->date_key != d) {
        date_format(d, po->date_str);
        po->date_key = d;
        po->date_cached = true;
    }
    memcpy(out, po->date_str, DATE_STR_SIZE);
}

static recon_status on_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    parse_output *po = ctx;
    recon_status st = parse_output_header(po, err);
    if (st != RECON_OK)
        return st;
    /* Scanned arrays are zeroed: csv_scan and csv_put read past the terminator. */
    char booking[DATE_STR_SIZE], value[DATE_STR_SIZE];
    char amount[MONEY_STR_SIZE] = {0}, fee[MONEY_STR_SIZE] = {0};
    char payer[RECEIPT_NAME_MAX + 2], account[RECEIPT_ACCOUNT_MAX];
    format_date(po, r->booking_date, booking);
    format_date(po, r->value_date, value);
    money_format(r->amount, amount);
    if (r->has_fee)
        money_format(r->fee, fee);
    /* Unmasked, the receipt's own arrays are written: a copy would only cost time. */
    const char *payer_s = r->payer, *account_s = r->payer_account;
    size_t payer_cap = sizeof r->payer, account_cap = sizeof r->payer_account;
    if (!po->unmasked) {
        memset(payer, 0, sizeof payer);
        memset(account, 0, sizeof account);
        if (!mask_name(r->payer, payer, sizeof payer) ||
            !mask_account(r->payer_account, account, sizeof account))
            return err_set(err, RECON_EINTERNAL, "%s: %s: cannot mask personal data", po->file,
                           r->position);
        payer_s = payer, payer_cap = sizeof payer;
        account_s = account, account_cap = sizeof account;
    }

    /* Measure every field first so the row needs one reservation, then copy. */
    csv_field f[ROW_FIELDS];
    size_t n = 0, width = po->file_width + ROW_FIELDS; /* + 18 commas and the newline */
    f[n++] = (csv_field){po->file, po->file_len, po->file_len + 1, po->file_quoted};
    width += csv_scan(&f[n++], r->position, sizeof r->position);
    width += csv_scan(&f[n++], r->source, sizeof r->source);
    width += csv_scan(&f[n++], r->transaction_key, sizeof r->transaction_key);
    /* Dates are "" or YYYY-MM-DD (date_format): nothing to scan for. */
    f[n++] = (csv_field){booking, booking[0] ? DATE_STR_SIZE - 1 : 0, sizeof booking, false};
    f[n++] = (csv_field){value, value[0] ? DATE_STR_SIZE - 1 : 0, sizeof value, false};
    width += f[n - 2].len + f[n - 1].len;
    width += csv_scan(&f[n++], amount, sizeof amount);
    width += csv_scan(&f[n++], r->currency, sizeof r->currency);
    f[n++] = r->direction == RECEIPT_DEBIT ? (csv_field){"debit", 5, 6, false}
                                           : (csv_field){"credit", 6, 7, false};
    f[n++] = r->reversal ? (csv_field){"true", 4, 5, false} : (csv_field){"false", 5, 6, false};
    width += f[n - 2].len + f[n - 1].len;
    width += csv_scan(&f[n++], r->reversal_of, sizeof r->reversal_of);
    width += csv_scan(&f[n++], payer_s, payer_cap);
    width += csv_scan(&f[n++], account_s, account_cap);
    width += csv_scan(&f[n++], r->end_to_end_id, sizeof r->end_to_end_id);
    width += csv_scan(&f[n++], r->creditor_reference, sizeof r->creditor_reference);
    width += csv_scan(&f[n++], r->merchant_order_no, sizeof r->merchant_order_no);
    width += csv_scan(&f[n++], r->provider_txn_id, sizeof r->provider_txn_id);
    width += csv_scan(&f[n++], r->remittance, sizeof r->remittance);
    width += csv_scan(&f[n++], fee, sizeof fee);

    buf_t *b = &po->pending;
    if (!buf_reserve(b, width + ROW_SLACK))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    char *p = csv_put(b->data + b->len, &f[0]);
    for (size_t i = 1; i < ROW_FIELDS; i++) {
        *p++ = ',';
        p = csv_put(p, &f[i]);
    }
    *p++ = '\n';
    *p = '\0';
    b->len = (size_t)(p - b->data);
    if (b->len >= po->chunk && (st = flush_pending(po, err)) != RECON_OK)
        return st;
    po->rows++;
    if (r->amount < 0) {
        po->debit_count++;
        po->debit_sum -= r->amount;
    } else {
        po->credit_count++;
        po->credit_sum += r->amount;
    }
    return RECON_OK;
}

void parse_output_statement_line(const parse_output *po, const statement_summary *s, char *out,
                                 size_t cap)
{
    char opening[MONEY_STR_SIZE] = "-", closing[MONEY_STR_SIZE] = "-";
    char credits[MONEY_STR_SIZE], debits[MONEY_STR_SIZE], date[DATE_STR_SIZE];
    if (s->has_opening)
        money_format(s->opening_balance, opening);
    if (s->has_closing)
        money_format(s->closing_balance, closing);
    money_format(po->credit_sum, credits);
    money_format(po->debit_sum, debits);
    date_format(s->statement_date, date);
    snprintf(out, cap,
             "recon: statement %s%s%s: date %s opening %s closing %s credits %ld/%s debits "
             "%ld/%s (%s %s)",
             s->source[0] ? s->source : "-", s->statement_id[0] ? " " : "", s->statement_id,
             date[0] ? date : "-", opening, closing, po->credit_count, credits, po->debit_count,
             debits, po->file, s->position);
}

static recon_status on_statement(void *ctx, const statement_summary *s, err_t *err)
{
    parse_output *po = ctx;
    char line[1024];
    parse_output_statement_line(po, s, line, sizeof line);
    if (po->diag) {
        /* The statement's rows go to out before its line goes to diag, as they
         * did when every row was written at once (a terminal shows them in order). */
        recon_status st = flush_pending(po, err);
        if (st != RECON_OK)
            return st;
        fprintf(po->diag, "%s\n", line);
    }
    po->credit_count = po->debit_count = 0;
    po->credit_sum = po->debit_sum = 0;
    return RECON_OK;
}

receipt_sink parse_output_sink(parse_output *po, const char *file)
{
    po->file = file;
    csv_field f;
    po->file_width = csv_scan(&f, file, strlen(file) + 1);
    po->file_len = f.len;
    po->file_quoted = f.quoted;
    po->credit_count = po->debit_count = 0;
    po->credit_sum = po->debit_sum = 0;
    return (receipt_sink){po, on_receipt, on_statement};
}

recon_status parse_output_finish(parse_output *po, err_t *err)
{
    recon_status st = parse_output_header(po, err);
    if (st == RECON_OK)
        st = flush_pending(po, err);
    if (st == RECON_OK && (fflush(po->out) != 0 || ferror(po->out)))
        return err_set(err, RECON_EOUTPUT, "cannot write output: %s", strerror(errno));
    return st;
}

void parse_output_free(parse_output *po) { buf_free(&po->pending); }
