#include "parsers/csvline.h"

#include <string.h>

const char *csvline_result_str(csvline_result r)
{
    switch (r) {
    case CSVLINE_OK:
        return "ok";
    case CSVLINE_TOO_MANY:
        return "too many fields";
    case CSVLINE_OPEN_QUOTE:
        return "quoted field not closed on its line";
    case CSVLINE_BAD_QUOTE:
        return "stray quote in field";
    }
    return "malformed csv";
}

csvline_result csvline_split(char *line, size_t len, char sep, csvline_field *fields,
                             size_t max, size_t *n)
{
    size_t i = 0, count = 0;
    /* Most lines quote nothing: their fields need no quote check at all. */
    bool quotes = memchr(line, '"', len) != NULL;
    *n = 0;
    for (;;) {
        if (count == max)
            return CSVLINE_TOO_MANY;
        char *start = line + i;
        size_t w = i; /* write position: unescaping only ever shrinks */
        if (i < len && line[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return CSVLINE_OPEN_QUOTE;
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        line[w++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                line[w++] = line[i++];
            }
            /* Tolerate padding between the closing quote and the separator. */
            while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
            if (i < len && line[i] != sep)
                return CSVLINE_BAD_QUOTE;
        } else {
            /* Nothing to unescape: the field stays where it is, up to the separator. */
            size_t from = i;
            while (i < len && line[i] != sep)
                i++;
            if (quotes && memchr(line + from, '"', i - from) != NULL)
                return CSVLINE_BAD_QUOTE;
            w = i;
        }
        bool more = i < len; /* stopped at a separator */
        line[w] = '\0';
        fields[count].s = start;
        fields[count].len = (size_t)(line + w - start);
        count++;
        if (!more)
            break;
        i++;
    }
    *n = count;
    return CSVLINE_OK;
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

void csvline_trim(csvline_field *f)
{
    while (f->len > 0 && blank(f->s[0])) {
        f->s++;
        f->len--;
    }
    while (f->len > 0 && blank(f->s[f->len - 1]))
        f->len--;
    f->s[f->len] = '\0';
}

void csvline_strip_prefix(csvline_field *f, char c)
{
    if (f->len > 0 && f->s[0] == c) {
        f->s++;
        f->len--;
    }
}

bool csvline_eq(const csvline_field *f, const char *s)
{
    size_t n = strlen(s);
    return f->len == n && memcmp(f->s, s, n) == 0;
}
