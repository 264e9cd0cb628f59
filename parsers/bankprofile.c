#include "parsers/bankprofile.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/currency.h"

#define PROFILE_LINE_MAX 2048

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_ws((*s)[*n - 1]))
        (*n)--;
}

bool bankprofile_column_eq(const char *a, const char *b)
{
    for (;;) {
        while (is_ws(*a))
            a++;
        while (is_ws(*b))
            b++;
        if (*a != *b)
            return false;
        if (*a == '\0')
            return true;
        a++;
        b++;
    }
}

typedef struct loader {
    const char *path;
    long line;
    err_t *err;
} loader;

static recon_status set_str(loader *l, const char *key, char *dst, size_t cap, const char *v,
                            size_t n)
{
    if (n >= cap)
        return err_set(l->err, RECON_EDATA, "%s: line %ld: value of %s longer than %zu bytes; hint: a "
                       "column name is matched whole, so give it as the header spells it",
                       l->path, l->line, key, cap - 1);
    memcpy(dst, v, n);
    dst[n] = '\0';
    return RECON_OK;
}

/* '|'-separated list (column names and masks such as "xx,yyyy.zz" hold commas);
 * items are trimmed and may not be empty. */
static recon_status set_list(loader *l, const char *key, bankprofile_list *dst, const char *v,
                             size_t n)
{
    dst->count = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && v[j] != '|')
            j++;
        const char *item = v + i;
        size_t len = j - i;
        trim(&item, &len);
        if (len == 0)
            return err_set(l->err, RECON_EDATA, "%s: line %ld: empty item in %s; hint: items are "
                           "separated by a single '|'", l->path, l->line, key);
        if (dst->count == BANKPROFILE_LIST_MAX)
            return err_set(l->err, RECON_EDATA, "%s: line %ld: more than %d items in %s; hint: "
                           "list only what the layout needs", l->path, l->line,
                           BANKPROFILE_LIST_MAX, key);
        recon_status st = set_str(l, key, dst->item[dst->count], BANKPROFILE_COL_MAX, item, len);
        if (st != RECON_OK)
            return st;
        dst->count++;
        i = j + 1;
    }
    return RECON_OK;
}

typedef enum key_kind { K_STR, K_LIST, K_INT, K_DATEFMT, K_TOTALS, K_ENCODING, K_CCY } key_kind;

typedef struct key_def {
    const char *key;
    key_kind kind;
    size_t offset;
    size_t size;
} key_def;

#define KSTR(k, f) {k, K_STR, offsetof(bankprofile_t, f), sizeof(((bankprofile_t *)0)->f)}
#define KLIST(k, f) {k, K_LIST, offsetof(bankprofile_t, f), 0}

static const key_def keys[] = {
    KSTR("name", name),
    {"encoding", K_ENCODING, offsetof(bankprofile_t, encoding), 0},
    {"skip_lines", K_INT, offsetof(bankprofile_t, skip_lines), 0},
    KLIST("header", header),
    KSTR("date_column", date_column),
    {"date_format", K_DATEFMT, offsetof(bankprofile_t, date_format), 0},
    KSTR("time_column", time_column),
    KSTR("amount_column", amount_column),
    KSTR("income_column", income_column),
    KSTR("expense_column", expense_column),
    KSTR("direction_column", direction_column),
    KLIST("direction_credit", direction_credit),
    KLIST("direction_debit", direction_debit),
    KSTR("currency_column", currency_column),
    {"default_currency", K_CCY, offsetof(bankprofile_t, default_currency), 0},
    KSTR("reference_column", reference_column),
    KSTR("payer_column", payer_column),
    KSTR("payer_account_column", payer_account_column),
    KLIST("remittance_columns", remittance_columns),
    KSTR("balance_column", balance_column),
    KLIST("balance_masks", balance_masks),
    KLIST("trailer_prefixes", trailer_prefixes),
    {"trailer_totals", K_TOTALS, offsetof(bankprofile_t, trailer_totals), 0},
    KLIST("placeholders", placeholders),
    KLIST("account_labels", account_labels),
};

#define KEY_COUNT (sizeof keys / sizeof keys[0])

static bool value_is(const char *v, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(v, word, n) == 0;
}

static recon_status set_value(loader *l, bankprofile_t *p, const key_def *k, const char *v,
                              size_t n)
{
    char *base = (char *)p + k->offset;
    switch (k->kind) {
    case K_STR:
        return set_str(l, k->key, base, k->size, v, n);
    case K_LIST:
        return set_list(l, k->key, (bankprofile_list *)(void *)base, v, n);
    case K_INT: {
        int value = 0;
        if (n == 0 || n > 2)
            goto bad_int;
        for (size_t i = 0; i < n; i++) {
            if (v[i] < '0' || v[i] > '9')
                goto bad_int;
            value = value * 10 + (v[i] - '0');
        }
        if (value > BANKPROFILE_MAX_LINES)
            goto bad_int;
        *(int *)(void *)base = value;
        return RECON_OK;
    bad_int:
        return err_set(l->err, RECON_EDATA, "%s: line %ld: %s '%.*s' is not a number 0..%d; hint: "
                       "the count of lines before the header row",
                       l->path, l->line, k->key, (int)(n > 32 ? 32 : n), v,
                       BANKPROFILE_MAX_LINES);
    }
    case K_DATEFMT: {
        bankprofile_date_format *f = (bankprofile_date_format *)(void *)base;
        if (value_is(v, n, "yyyymmdd"))
            *f = BANKPROFILE_DATE_COMPACT;
        else if (value_is(v, n, "yyyy-mm-dd"))
            *f = BANKPROFILE_DATE_DASH;
        else if (value_is(v, n, "yyyy/mm/dd"))
            *f = BANKPROFILE_DATE_SLASH;
        else
            return err_set(l->err, RECON_EDATA,
                           "%s: line %ld: date_format '%.*s' is not supported; hint: "
                           "yyyymmdd, yyyy-mm-dd or yyyy/mm/dd",
                           l->path, l->line, (int)(n > 32 ? 32 : n), v);
        return RECON_OK;
    }
    case K_TOTALS: {
        bankprofile_totals *t = (bankprofile_totals *)(void *)base;
        if (value_is(v, n, "check"))
            *t = BANKPROFILE_TOTALS_CHECK;
        else if (value_is(v, n, "ignore"))
            *t = BANKPROFILE_TOTALS_IGNORE;
        else
            return err_set(l->err, RECON_EDATA, "%s: line %ld: trailer_totals '%.*s' is not supported; hint: check or ignore",
                           l->path, l->line, (int)(n > 32 ? 32 : n), v);
        return RECON_OK;
    }
    case K_ENCODING:
        if (value_is(v, n, "UTF-8"))
            memcpy(base, "UTF-8", 6);
        else if (value_is(v, n, "GB18030") || value_is(v, n, "GBK"))
            memcpy(base, "GB18030", 8);
        else
            return err_set(l->err, RECON_EDATA, "%s: line %ld: encoding '%.*s' is not supported; hint: UTF-8, "
                           "GB18030 or GBK (read as GB18030)",
                           l->path, l->line, (int)(n > 32 ? 32 : n), v);
        return RECON_OK;
    case K_CCY:
        if (!currency_code_valid_n(v, n))
            return err_set(l->err, RECON_EDATA,
                           "%s: line %ld: default_currency '%.*s' is not an ISO 4217 "
                           "code; hint: three capitals such as CNY",
                           l->path, l->line, (int)(n > 32 ? 32 : n), v);
        memcpy(base, v, 3);
        base[3] = '\0';
        return RECON_OK;
    }
    return err_set(l->err, RECON_EINTERNAL, "unhandled profile key kind");
}

/* Checks that apply to the profile as a whole, after every line is read. */
static recon_status validate(loader *l, bankprofile_t *p)
{
    const char *missing = NULL;
    if (p->name[0] == '\0')
        missing = "name";
    else if (p->header.count == 0)
        missing = "header";
    else if (p->date_column[0] == '\0')
        missing = "date_column";
    if (missing != NULL)
        return err_set(l->err, RECON_EDATA, "%s: missing key %s; hint: every profile gives name, "
                       "header and date_column", l->path, missing);
    bool has_amount = p->amount_column[0] != '\0';
    bool has_pair = p->income_column[0] != '\0' || p->expense_column[0] != '\0';
    if (has_amount == has_pair || (has_pair && (p->income_column[0] == '\0' ||
                                                p->expense_column[0] == '\0')))
        return err_set(l->err, RECON_EDATA,
                       "%s: no amount columns; hint: give either amount_column or "
                       "both income_column and expense_column",
                       l->path);
    bool has_dir = p->direction_column[0] != '\0';
    if (has_dir && (!has_amount || p->direction_credit.count == 0 ||
                    p->direction_debit.count == 0))
        return err_set(l->err, RECON_EDATA,
                       "%s: direction_column without its values; hint: it needs "
                       "amount_column, direction_credit and direction_debit",
                       l->path);
    if (p->trailer_totals == BANKPROFILE_TOTALS_CHECK &&
        (!has_pair || p->trailer_prefixes.count == 0))
        return err_set(l->err, RECON_EDATA,
                       "%s: trailer_totals = check cannot be checked; hint: it needs "
                       "trailer_prefixes and the income/expense columns",
                       l->path);
    return RECON_OK;
}

recon_status bankprofile_load(const char *path, bankprofile_t **out, err_t *err)
{
    *out = NULL;
    loader l = {.path = path, .line = 0, .err = err};
    recon_status st = RECON_OK;
    bool seen[KEY_COUNT] = {false};
    char *line = NULL;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(err, RECON_ENOINPUT, "%s: cannot open profile: %s", path, strerror(errno));
    bankprofile_t *p = calloc(1, sizeof *p);
    line = malloc(PROFILE_LINE_MAX + 2);
    if (p == NULL || line == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    if (strlen(path) >= sizeof p->path) {
        st = err_set(err, RECON_EUSAGE, "%s: profile path too long", path);
        goto out;
    }
    memcpy(p->path, path, strlen(path) + 1);
    memcpy(p->encoding, "UTF-8", 6);
    memcpy(p->default_currency, "CNY", 4);
    while (fgets(line, PROFILE_LINE_MAX + 2, f) != NULL) {
        l.line++;
        size_t n = strlen(line);
        if (n > PROFILE_LINE_MAX || (n == PROFILE_LINE_MAX + 1 && line[n - 1] != '\n')) {
            st = err_set(err, RECON_EDATA, "%s: line %ld: longer than %d bytes; hint: one key = "
                         "value a line", path, l.line, PROFILE_LINE_MAX);
            goto out;
        }
        const char *s = line;
        if (l.line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
        }
        trim(&s, &n);
        if (n == 0 || s[0] == '#')
            continue;
        const char *eq = memchr(s, '=', n);
        if (eq == NULL) {
            st = err_set(err, RECON_EDATA, "%s: line %ld: not a key = value line; hint: '#' "
                         "starts a comment", path, l.line);
            goto out;
        }
        const char *k = s, *v = eq + 1;
        size_t kn = (size_t)(eq - s), vn = n - kn - 1;
        trim(&k, &kn);
        trim(&v, &vn);
        size_t i = 0;
        while (i < KEY_COUNT && !value_is(k, kn, keys[i].key))
            i++;
        if (i == KEY_COUNT) {
            st = err_set(err, RECON_EDATA, "%s: line %ld: unknown key '%.*s'; hint: the keys are "
                         "listed in profiles/README.md", path, l.line, (int)(kn > 64 ? 64 : kn), k);
            goto out;
        }
        if (seen[i]) {
            st = err_set(err, RECON_EDATA, "%s: line %ld: %s given twice; hint: keep one", path,
                         l.line, keys[i].key);
            goto out;
        }
        seen[i] = true;
        if (vn == 0) /* "key =" keeps the default, which documents an unused column */
            continue;
        if ((st = set_value(&l, p, &keys[i], v, vn)) != RECON_OK)
            goto out;
    }
    if (ferror(f)) {
        st = err_set(err, RECON_ENOINPUT, "%s: read error", path);
        goto out;
    }
    if ((st = validate(&l, p)) != RECON_OK)
        goto out;
    *out = p;
    p = NULL;
out:
    free(line);
    free(p);
    fclose(f);
    return st;
}

void bankprofile_free(bankprofile_t *p) { free(p); }

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void bankprofile_default_dir(char *dir, size_t cap)
{
    char exe[BANKPROFILE_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        /* strip the file name, then its directory (bin/) */
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(exe, '/');
            if (slash == NULL)
                break;
            *slash = '\0';
        }
        int w = snprintf(dir, cap, "%s/profiles", exe);
        if (w > 0 && (size_t)w < cap && is_dir(dir))
            return;
    }
    snprintf(dir, cap, "profiles");
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

recon_status bankprofile_find(const char *name_or_path, const char *dir, bankprofile_t **out,
                              err_t *err)
{
    *out = NULL;
    if (strchr(name_or_path, '/') != NULL || ends_with(name_or_path, ".profile"))
        return bankprofile_load(name_or_path, out, err);
    char defdir[BANKPROFILE_PATH_MAX], path[BANKPROFILE_PATH_MAX];
    if (dir == NULL) {
        bankprofile_default_dir(defdir, sizeof defdir);
        dir = defdir;
    }
    int w = snprintf(path, sizeof path, "%s/%s.profile", dir, name_or_path);
    if (w < 0 || (size_t)w >= sizeof path)
        return err_set(err, RECON_EUSAGE, "bank profile name too long: %s", name_or_path);
    if (access(path, R_OK) != 0)
        return err_set(err, RECON_EUSAGE,
                       "no bank profile '%s' (looked for %s); hint: --profile with the "
                       "path to a .profile file",
                       name_or_path, path);
    return bankprofile_load(path, out, err);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

recon_status bankprofile_load_all(const char *dir, bankprofile_t ***out, size_t *count,
                                  err_t *err)
{
    *out = NULL;
    *count = 0;
    char defdir[BANKPROFILE_PATH_MAX];
    if (dir == NULL) {
        bankprofile_default_dir(defdir, sizeof defdir);
        dir = defdir;
    }
    recon_status st = RECON_OK;
    char *names[BANKPROFILE_FILE_MAX];
    size_t n = 0;
    bankprofile_t **all = NULL;
    DIR *d = opendir(dir);
    if (d == NULL)
        return RECON_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".profile"))
            continue;
        if (n == BANKPROFILE_FILE_MAX) {
            st = err_set(err, RECON_EUSAGE, "%s: more than %d profiles", dir,
                         BANKPROFILE_FILE_MAX);
            goto out;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof names[0], cmp_names);
    all = calloc(n ? n : 1, sizeof *all);
    if (all == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char path[BANKPROFILE_PATH_MAX];
        int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof path) {
            st = err_set(err, RECON_EUSAGE, "%s/%s: path too long", dir, names[i]);
            goto out;
        }
        if ((st = bankprofile_load(path, &all[i], err)) != RECON_OK)
            goto out;
    }
    *out = all;
    *count = n;
    all = NULL;
out:
    if (all != NULL)
        bankprofile_free_all(all, n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    closedir(d);
    return st;
}

void bankprofile_free_all(bankprofile_t **all, size_t count)
{
    if (all == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        bankprofile_free(all[i]);
    free(all);
}
