/*
 * Bank CSV layout profiles (`key = value` text files, one per bank export layout, lists
 * separated by '|', '#' comments);
 * every bankprofile_t returned is owned by the caller and released with bankprofile_free.
 */
#ifndef RECON_PARSERS_BANKPROFILE_H
#define RECON_PARSERS_BANKPROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define BANKPROFILE_NAME_MAX 64
#define BANKPROFILE_PATH_MAX 1024
#define BANKPROFILE_COL_MAX 128  /* bytes of one column name or listed value */
#define BANKPROFILE_LIST_MAX 24  /* values in one list */
#define BANKPROFILE_MAX_LINES 20 /* title lines before the header */
#define BANKPROFILE_FILE_MAX 64  /* profiles read from one directory */

typedef enum bankprofile_date_format {
    BANKPROFILE_DATE_COMPACT = 0, /* yyyymmdd */
    BANKPROFILE_DATE_DASH,        /* yyyy-mm-dd */
    BANKPROFILE_DATE_SLASH,       /* yyyy/mm/dd */
} bankprofile_date_format;

typedef enum bankprofile_totals {
    BANKPROFILE_TOTALS_IGNORE = 0, /* the trailer only ends the data */
    BANKPROFILE_TOTALS_CHECK,      /* trailer income/expense sums must equal the rows' */
} bankprofile_totals;

typedef struct bankprofile_list {
    char item[BANKPROFILE_LIST_MAX][BANKPROFILE_COL_MAX];
    size_t count;
} bankprofile_list;

typedef struct bankprofile {
    char path[BANKPROFILE_PATH_MAX];
    char name[BANKPROFILE_NAME_MAX];
    char encoding[16];            /* "UTF-8" or "GB18030" */
    int skip_lines;               /* lines before the header row */
    bankprofile_list header;      /* column names whose presence identifies the layout */
    char date_column[BANKPROFILE_COL_MAX];
    bankprofile_date_format date_format;
    char time_column[BANKPROFILE_COL_MAX];
    char amount_column[BANKPROFILE_COL_MAX];  /* signed amount; or the pair below */
    char income_column[BANKPROFILE_COL_MAX];
    char expense_column[BANKPROFILE_COL_MAX];
    char direction_column[BANKPROFILE_COL_MAX]; /* with an unsigned amount_column */
    bankprofile_list direction_credit, direction_debit;
    char currency_column[BANKPROFILE_COL_MAX];
    char default_currency[4];
    char reference_column[BANKPROFILE_COL_MAX];
    char payer_column[BANKPROFILE_COL_MAX];
    char payer_account_column[BANKPROFILE_COL_MAX];
    bankprofile_list remittance_columns; /* non-empty cells joined with a space */
    char balance_column[BANKPROFILE_COL_MAX];
    bankprofile_list balance_masks;      /* a masked balance is ignored */
    bankprofile_list trailer_prefixes;   /* a line starting with one ends the data */
    bankprofile_totals trailer_totals;
    bankprofile_list placeholders;       /* cell values meaning "empty" */
    bankprofile_list account_labels;     /* title-line labels before the account number */
} bankprofile_t;

/* Reads one profile file; errors name the file and line. */
recon_status bankprofile_load(const char *path, bankprofile_t **out, err_t *err);
void bankprofile_free(bankprofile_t *p);

/* The directory searched when none is given: bin/../profiles next to the running
 * executable when it exists, else ./profiles. Writes into dir (cap bytes). */
void bankprofile_default_dir(char *dir, size_t cap);

/* A profile by name (looked up as DIR/NAME.profile) or by path (contains '/' or ends in
 * ".profile"); dir NULL means the default directory. */
recon_status bankprofile_find(const char *name_or_path, const char *dir, bankprofile_t **out,
                              err_t *err);

/* Every *.profile in dir (NULL: default), sorted by file name; *out is an array of
 * *count profiles, released with bankprofile_free_all. A missing dir gives none. */
recon_status bankprofile_load_all(const char *dir, bankprofile_t ***out, size_t *count,
                                  err_t *err);
void bankprofile_free_all(bankprofile_t **all, size_t count);

/* Column names compare equal ignoring ASCII whitespace ("日 志 号" == "日志号"). */
bool bankprofile_column_eq(const char *a, const char *b);

#endif
