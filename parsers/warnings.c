#include "parsers/warnings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct kind {
    char *text, *position;
    long count;
} kind;

struct parse_warnings {
    kind kinds[PARSE_WARNINGS_KINDS];
    size_t n;
    long other;
};

parse_warnings *parse_warnings_new(void) { return calloc(1, sizeof(parse_warnings)); }

void parse_warnings_reset(parse_warnings *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->kinds[i].text);
        free(w->kinds[i].position);
    }
    memset(w, 0, sizeof *w);
}

void parse_warnings_free(parse_warnings *w)
{
    parse_warnings_reset(w);
    free(w);
}

long parse_warnings_add(parse_warnings *w, const char *position, const char *text)
{
    /* A file has few kinds of quirk, however many rows carry one: a linear look is enough. */
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->kinds[i].text, text) == 0)
            return ++w->kinds[i].count;
    if (w->n == PARSE_WARNINGS_KINDS)
        return ++w->other;
    kind *k = &w->kinds[w->n];
    k->text = strdup(text);
    k->position = strdup(position ? position : "");
    if (k->text == NULL || k->position == NULL) {
        free(k->text);
        free(k->position);
        k->text = k->position = NULL;
        return 0;
    }
    k->count = 1;
    w->n++;
    return 1;
}

size_t parse_warnings_kinds(const parse_warnings *w) { return w ? w->n : 0; }

long parse_warnings_other(const parse_warnings *w) { return w ? w->other : 0; }

const char *parse_warnings_get(const parse_warnings *w, size_t i, const char **first_position,
                               long *count)
{
    if (w == NULL || i >= w->n)
        return NULL;
    if (first_position)
        *first_position = w->kinds[i].position;
    if (count)
        *count = w->kinds[i].count;
    return w->kinds[i].text;
}

void parse_warnings_summary(const parse_warnings *w, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = '\0';
    size_t len = 0;
    bool cut = false;
    size_t kinds = parse_warnings_kinds(w);
    for (size_t i = 0; i <= kinds && !cut; i++) {
        char item[1024];
        if (i < kinds) {
            const kind *k = &w->kinds[i];
            if (k->count == 1)
                snprintf(item, sizeof item, "%s (%s)", k->text, k->position);
            else
                snprintf(item, sizeof item, "%s (%ld times, first at %s)", k->text, k->count,
                         k->position);
        } else if (w->other > 0) {
            snprintf(item, sizeof item, "%ld more of other kinds", w->other);
        } else {
            break;
        }
        size_t need = strlen(item) + (len ? 2 : 0);
        if (len + need + 6 > cap) { /* room for "; ..." and the terminator */
            cut = true;
            break;
        }
        if (len) {
            memcpy(out + len, "; ", 2);
            len += 2;
        }
        memcpy(out + len, item, strlen(item) + 1);
        len += strlen(item);
    }
    if (cut && len + 6 <= cap)
        memcpy(out + len, len ? "; ..." : "...", len ? 6 : 4);
}
