#include "core/money.h"

#include "common/names.h"

static const money_format_opts default_opts = {'.', ',', true, 2};

static const char *const money_result_names[] = {
    [MONEY_OK] = "ok",
    [MONEY_SYNTAX] = "not a decimal amount",
    [MONEY_PRECISION] = "more than two decimals",
    [MONEY_RANGE] = "beyond 1000000000000.00, the largest amount recon accepts (10^12 yuan)",
};

const char *money_result_str(money_result r)
{
    return NAME_OF(money_result_names, r, "invalid amount");
}

money_result money_parse(const char *s, size_t len, fen_t *out)
{
    return money_parse_opts(s, len, &default_opts, out);
}

money_result money_parse_opts(const char *s, size_t len, const money_format_opts *opts,
                              fen_t *out)
{
    size_t i = 0;
    bool negative = false;
    if (i < len && (s[i] == '-' || (opts->allow_plus && s[i] == '+'))) {
        negative = s[i] == '-';
        i++;
    }
    fen_t yuan = 0;
    size_t int_digits = 0;
    size_t group_len = 0;
    bool grouped = false;
    for (; i < len && s[i] != opts->decimal_sep; i++) {
        char c = s[i];
        if (opts->thousands_sep && c == opts->thousands_sep) {
            /* A separator needs 1-3 digits before it (first group) or exactly 3. */
            if (int_digits == 0 || (grouped && group_len != 3) || group_len > 3)
                return MONEY_SYNTAX;
            grouped = true;
            group_len = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return MONEY_SYNTAX;
        if (yuan > MONEY_MAX_FEN / 1000)
            return MONEY_RANGE;
        yuan = yuan * 10 + (c - '0');
        int_digits++;
        group_len++;
    }
    if (grouped && group_len != 3)
        return MONEY_SYNTAX;
    fen_t frac = 0;
    size_t frac_digits = 0;
    if (i < len) { /* at the decimal separator */
        i++;
        for (; i < len; i++) {
            char c = s[i];
            if (c < '0' || c > '9')
                return MONEY_SYNTAX;
            frac_digits++;
            if (frac_digits > (size_t)opts->max_decimals)
                return MONEY_SYNTAX;
            if (frac_digits <= 2)
                frac = frac * 10 + (c - '0');
            else if (c != '0')
                return MONEY_PRECISION;
        }
    }
    if (int_digits == 0 && frac_digits == 0)
        return MONEY_SYNTAX;
    while (frac_digits < 2) {
        frac *= 10;
        frac_digits++;
    }
    fen_t v = yuan * 100 + frac;
    if (v > MONEY_MAX_FEN)
        return MONEY_RANGE;
    *out = negative ? -v : v;
    return MONEY_OK;
}

bool money_add(fen_t *total, fen_t v)
{
    if ((v > 0 && *total > INT64_MAX - v) || (v < 0 && *total < INT64_MIN - v))
        return false;
    *total += v;
    return true;
}

bool money_add_magnitude(fen_t *total, fen_t v)
{
    /* INT64_MIN has no positive counterpart and is beyond the bound anyway. */
    if (v == INT64_MIN || *total < 0)
        return false;
    fen_t mag = v < 0 ? -v : v;
    if (mag > MONEY_MAX_SUM_FEN - *total)
        return false;
    *total += mag;
    return true;
}

bool money_within_bound(fen_t v) { return v >= -MONEY_MAX_FEN && v <= MONEY_MAX_FEN; }

void money_format(fen_t v, char out[MONEY_STR_SIZE])
{
    char tmp[MONEY_STR_SIZE];
    size_t n = 0;
    /* Work on the magnitude as unsigned so INT64_MIN cannot overflow. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    tmp[n++] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[n++] = (char)('0' + mag % 10);
    mag /= 10;
    tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (n > 0)
        out[o++] = tmp[--n];
    out[o] = '\0';
}

fen_t money_mul_div_round(fen_t v, int64_t num, int64_t den)
{
    bool negative = (v < 0) != (num < 0);
    uint64_t a = (uint64_t)(v < 0 ? -v : v);
    uint64_t b = (uint64_t)(num < 0 ? -num : num);
    unsigned __int128 p = (unsigned __int128)a * b;
    unsigned __int128 q = (p * 2 + (uint64_t)den) / ((unsigned __int128)den * 2);
    fen_t r = (fen_t)q;
    return negative ? -r : r;
}
