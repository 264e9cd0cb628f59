#include "store/receipts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "sql_text.h"

bool store_receipt_key(buf_t *keys, long ord, const char *source, const char *key)
{
    return db_copy_int(keys, ord, false) && db_copy_field(keys, source, false) &&
           db_copy_field(keys, key, true);
}

recon_status store_receipts_keys_copy(db_t *db, const buf_t *keys, err_t *err)
{
    recon_status st = db_copy_in_begin(db, "COPY receipts_keys FROM STDIN", err);
    if (st != RECON_OK)
        return st;
    if (!buf_append(db_copy_buffer(db), keys->data, keys->len))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return db_copy_in_end(db, NULL, err);
}

bool store_receipt_row(buf_t *b, const receipt_t *r, receipt_direction dir,
                       const char *policy_no, const char *result, const char *note)
{
    buf_reset(b);
    return db_copy_field(b, r->position, false) && db_copy_field(b, r->source, false) &&
           db_copy_field(b, r->transaction_key, false) &&
           db_copy_date(b, r->booking_date, false) && db_copy_date(b, r->value_date, false) &&
           db_copy_int(b, r->amount, false) && db_copy_field(b, r->currency, false) &&
           db_copy_field(b, dir == RECEIPT_CREDIT ? "credit" : "debit", false) &&
           db_copy_field(b, r->reversal ? "t" : "f", false) &&
           db_copy_field(b, r->reversal_of, false) && db_copy_field(b, r->payer, false) &&
           db_copy_field(b, r->payer_account, false) &&
           db_copy_field(b, r->end_to_end_id, false) &&
           db_copy_field(b, r->creditor_reference, false) &&
           db_copy_field(b, r->merchant_order_no, false) &&
           db_copy_field(b, r->provider_txn_id, false) && db_copy_field(b, r->remittance, false) &&
           db_copy_int(b, r->fee, false) && db_copy_field(b, r->note, false) &&
           (policy_no ? db_copy_field(b, policy_no, false) : db_copy_null(b, false)) &&
           (result ? db_copy_field(b, result, false) : db_copy_null(b, false)) &&
           db_copy_field(b, note, true);
}

/* Rows go in file order, so receipt ids follow the statement: base + the
 * row's place in the file. dups lists (ord, first sighting) by ord. */
static recon_status copy_spooled(db_t *db, FILE *spool, long count, long long base,
                                 long long file_id, PGresult *dups, err_t *err)
{
    recon_status st = db_copy_in_begin(db, sql_receipts_copy, err);
    if (st != RECON_OK)
        return st;
    if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0)
        return err_set(err, RECON_EOUTPUT, "cannot read temporary file: %s", strerror(errno));
    buf_t *b = db_copy_buffer(db);
    char *line = NULL;
    size_t cap = 0;
    int next_dup = 0, dup_count = PQntuples(dups);
    for (long ord = 1; ord <= count; ord++) {
        ssize_t len = getline(&line, &cap, spool);
        if (len <= 0 || line[len - 1] != '\n') {
            st = err_set(err, RECON_EOUTPUT, "cannot read temporary file: %s",
                         len < 0 ? strerror(errno) : "short row");
            break;
        }
        const char *dup_of = NULL;
        if (next_dup < dup_count && strtol(PQgetvalue(dups, next_dup, 0), NULL, 10) == ord)
            dup_of = PQgetvalue(dups, next_dup++, 1);
        bool ok = db_copy_int(b, base + ord, false) && db_copy_int(b, file_id, false);
        if (dup_of == NULL) {
            ok = ok && buf_append(b, line, (size_t)len - 1) && buf_append(b, "\t", 1) &&
                 db_copy_null(b, true);
        } else {
            /* the last three columns are the match: a repeat is matched to nothing */
            size_t cut = (size_t)len - 1;
            int tabs = 0;
            while (cut > 0 && tabs < 3)
                if (line[--cut] == '\t')
                    tabs++;
            char note[64];
            snprintf(note, sizeof note, "duplicate of receipt %s", dup_of);
            ok = ok && tabs == 3 && buf_append(b, line, cut + 1) && db_copy_null(b, false) &&
                 db_copy_field(b, "duplicate", false) && db_copy_field(b, note, false) &&
                 db_copy_field(b, dup_of, true);
        }
        if (!ok) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        if ((st = db_copy_in_flush(db, false, err)) != RECON_OK)
            break;
    }
    free(line);
    if (st != RECON_OK)
        return st;
    return db_copy_in_end(db, NULL, err);
}

recon_status store_receipts_sightings(db_t *db, store_sightings *s, err_t *err)
{
    s->rows = NULL;
    s->count = 0;
    /* A transaction already stored from another file is kept as a row of its
     * own pointing at the first sighting, so the day's report can show it as
     * a duplicate; only the first counts as money. */
    recon_status st = db_query(db, sql_receipts_first_sightings, 0, NULL, 2, &s->rows, err);
    if (st == RECON_OK)
        s->count = PQntuples(s->rows);
    return st;
}

void store_sightings_free(store_sightings *s)
{
    PQclear(s->rows);
    s->rows = NULL;
    s->count = 0;
}

recon_status store_receipts_copy(db_t *db, FILE *spool, long count, long long file_id,
                                 long long base, const store_sightings *s, err_t *err)
{
    return copy_spooled(db, spool, count, base, file_id, s->rows, err);
}
