#include "core/mask.h"

#include <string.h>

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += !is_cont((unsigned char)*s);
    return n;
}

/* Byte offset of character index k (k <= number of characters). */
static size_t utf8_offset(const char *s, size_t k)
{
    size_t i = 0;
    for (size_t seen = 0; s[i]; i++) {
        if (!is_cont((unsigned char)s[i])) {
            if (seen == k)
                return i;
            seen++;
        }
    }
    return i;
}

/* Keeps head leading and tail trailing characters; head + tail <= characters. */
static bool keep_ends(const char *in, size_t head, size_t tail, char *out, size_t cap)
{
    size_t n = utf8_chars(in);
    size_t head_end = utf8_offset(in, head);
    size_t tail_start = utf8_offset(in, n - tail);
    size_t stars = n - head - tail;
    size_t tail_len = strlen(in) - tail_start;
    if (cap == 0)
        return false;
    if (head_end + stars + tail_len >= cap) {
        out[0] = '\0';
        return false;
    }
    memcpy(out, in, head_end);
    memset(out + head_end, '*', stars);
    memcpy(out + head_end + stars, in + tail_start, tail_len);
    out[head_end + stars + tail_len] = '\0';
    return true;
}

bool mask_name(const char *in, char *out, size_t cap)
{
    if (in[0] == '\0')
        return keep_ends(in, 0, 0, out, cap);
    size_t first = utf8_offset(in, 1);
    if (first + 2 > cap) {
        if (cap > 0)
            out[0] = '\0';
        return false;
    }
    memcpy(out, in, first);
    out[first] = '*';
    out[first + 1] = '\0';
    return true;
}

bool mask_account(const char *in, char *out, size_t cap)
{
    size_t n = utf8_chars(in);
    if (n > 8)
        return keep_ends(in, 4, 4, out, cap);
    if (n > 4)
        return keep_ends(in, 0, 4, out, cap);
    return keep_ends(in, 0, 0, out, cap);
}

bool mask_id_number(const char *in, char *out, size_t cap)
{
    if (utf8_chars(in) > 7)
        return keep_ends(in, 3, 4, out, cap);
    return keep_ends(in, 0, 0, out, cap);
}
