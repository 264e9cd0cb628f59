/*
 * The pages for people: OUT/DATE/index.html (the night's figures as inline SVG charts and
 * tables, one self-contained file, listed in the night's manifest) and OUT/index.html (the
 * history of the nights under OUT, read from the figures block each night's page carries;
 * rewritten each night and part of no manifest). Both are deterministic: the same nights give
 * the same bytes. Every text that came from a statement, the register or a file name is
 * HTML-escaped. The caller owns every argument; the pages are written through unique
 * temporaries and renamed into place.
 */
#ifndef RECON_REPORTS_PAGE_H
#define RECON_REPORTS_PAGE_H

#include "common/err.h"
#include "db/client.h"
#include "reports/catalogue.h"
#include "reports/manifest.h"
#include "reports/summary.h"
#include "reports/svg.h"

#define PAGE_NAME "index.html"
/* The figures block: the first line of it, in the page's head, up to PAGE_FIGURES_END. */
#define PAGE_FIGURES_BEGIN "<!-- recon-figures 1\n"
#define PAGE_FIGURES_END "end -->\n"
/* A night's page is read up to this many bytes when looking for its figures block. */
#define PAGE_FIGURES_SCAN 16384

/* OUT/DATE/index.html for day, after the day's CSV files and summary are written in t->dir
 * (it reads receipts.csv.gz and exceptions.csv.gz back) and while db still holds the report's
 * snapshot (the day's statement files). entry gets the page's name and SHA-256. */
recon_status page_write_day(db_t *db, const report_target *t, const char *day,
                            const summary_figures *sum, manifest_entry *entry, err_t *err);

/* OUT/index.html from the nights under out_dir (out_dir checked by the caller). A night
 * whose page is missing, a link, or has no well-formed figures block is listed as skipped. */
recon_status page_write_history(const char *out_dir, err_t *err);

/* The statuses of rules.md section 7 in their order, and their Chinese names. */
#define PAGE_STATUSES 8
extern const char *const page_statuses[PAGE_STATUSES];
extern const char *const page_status_labels[PAGE_STATUSES];

/* The figures block's lines after "date": names in this order, each "NAME VALUE\n". */
#define PAGE_FIGURES 7 /* money_in allocated suspense refunds policies files refused */
extern const char *const page_figure_names[PAGE_FIGURES];

/* One night's figures as its page's block carries them. */
typedef struct page_figures {
    long long v[PAGE_FIGURES]; /* in page_figure_names' order; money in fen */
    long long status[PAGE_STATUSES];
} page_figures;

/* Reads the figures block of night day (YYYY-MM-DD) from a page's first len bytes, every line
 * in its fixed order and every number checked. NULL when it is well formed; else why not, as
 * a static string. */
const char *page_figures_parse(const char *text, size_t len, const char *day, page_figures *out);

/* The shared start of both pages: doctype, CSP, viewport, fonts and style, then the title. */
void page_head(svg_out *o, const char *title);

#endif
