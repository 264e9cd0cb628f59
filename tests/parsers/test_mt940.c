#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/mt940_fields.h"
#include "parsers/parse.h"
#include "tests/support/testutil.h"

#define FIX "fixtures/statements/mt940/"

static date_t ymd(const char *iso)
{
    date_t d;
    if (!date_parse(iso, strlen(iso), &d))
        fail_msg("bad test date %s", iso);
    return d;
}

/* The file warnings of the last parse_path, "POSITION: TEXT\n" each. */
static char warnings[8192];

static recon_status on_warning(void *ctx, const char *position, const char *text, err_t *err)
{
    (void)ctx;
    (void)err;
    size_t used = strlen(warnings);
    snprintf(warnings + used, sizeof warnings - used, "%s: %s\n", position, text);
    return RECON_OK;
}

/* Parses path with mt940_parse directly (no detection) into c. */
static recon_status parse_path(const char *path, collector *c, err_t *err)
{
    receipt_sink sink = {0};
    collector_init(c, &sink);
    sink.on_warning = on_warning;
    warnings[0] = '\0';
    err_clear(err);
    instream_t *in = NULL;
    recon_status st = instream_open(path, &in, err);
    if (st != RECON_OK)
        return st;
    st = mt940_parse(in, NULL, &sink, err);
    instream_close(in);
    return st;
}

static const char *sample_path(char *buf, size_t cap, const char *name)
{
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        return NULL;
    snprintf(buf, cap, "%s/mt940/%s", dir, name);
    return buf;
}

/* Every sample: accepted with the oracle's transaction count, or rejected with a reason. */
static void test_samples_counts(void **state)
{
    (void)state;
    if (testutil_samples_dir() == NULL)
        skip();
    static const struct {
        const char *file;
        long receipts;   /* oracle transaction count (wolph YAML) or own count (OCA, no oracle) */
        long statements;
        const char *error; /* NULL: accepted; else the message after "<path>: " */
    } cases[] = {
        {"oca__base__test-ing.940", 8, 1, NULL},
        {"oca__base__test-sns.940", 8, 3, NULL},
        {"oca__nl_ing__test-ing-old.940", 8, 1, NULL},
        {"wolph__ASNB_mt940.txt", 8, 31, NULL},
        {"wolph__betterplace_empty_86.sta", 0, 1, NULL},
        {"wolph__betterplace_empty_line.sta", 0, 1, NULL},
        {"wolph__betterplace_sepa_mt9401.sta", 97, 26, NULL},
        {"wolph__citi_mt940.txt", 5, 1, NULL},
        {"wolph__cmxl_account_balance_debit.sta", 0, 1, NULL},
        {"wolph__cmxl_account_identification_legacy.sta", 0, 1, NULL},
        {"wolph__cmxl_closing_balance.sta", 0, 1, NULL},
        {"wolph__cmxl_reference.sta", 0, 1, NULL},
        {"wolph__jejik_abnamro.sta", 10, 2, NULL},
        {"wolph__jejik_ing.sta", 7, 1, NULL},
        {"wolph__jejik_postfinance.sta", 4, 2, NULL},
        {"wolph__jejik_rabobank.sta", 5, 4, NULL},
        {"wolph__jejik_triodos.sta", 2, 1, NULL},
        {"wolph__mBank_with_newline_in_tnr.sta", 2, 1, NULL},
        {"wolph__self-provided_account_identification.sta", 0, 2, NULL},
        {"wolph__self-provided_gv_codes.sta", 2, 1, NULL},
        {"wolph__self-provided_long_statement_number.sta", 0, 1, NULL},
        {"wolph__self-provided_raiffeisen-cmi.sta", 7, 1, NULL},
        {"wolph__self-provided_whitespace.sta", 1, 1, NULL},
        /* fragments without :20: (see parsers/mt940.c): six bare opening balances are six
         * statements; bare :61: lines; a :61: after the trailer of a statement */
        {"wolph__betterplace_amount_formats.sta", 0, 6, NULL},
        {"wolph__cmxl_statement_line.sta", 1, 1, NULL},
        {"wolph__self-provided_sparkassen.sta", 1, 1, NULL},
        {"wolph__self-provided_multiline.sta", 2, 2, NULL},
        /* negative samples, rejected: a file is stored whole or not at all. The broken
         * snippet has :86: text under a second :25: tag in a statement opened by :20:. */
        {"wolph__betterplace_sepa_snippet_broken.sta", 0, 0,
         "line 6: second :25: account in one statement, holding :86: transaction details "
         "(166?...); hint: the tag is damaged or the file cut"},
        {"wolph__self-provided_empty_non_swift.sta", 0, 0, NULL},
        /* betterplace (expected YAML) and zilverline (RSpec: transactions.size and
         * bank_statements sizes) samples; ING "NOV NONREF", Triodos "NET NONREF", a DOS
         * end-of-file byte (rabobank, two_accounts) and an indented trailer (moneyou)
         * were refused before issue 13 */
        {"betterplace__test_fixtures_amount_formats.txt", 0, 6, NULL},
        {"betterplace__test_fixtures_colon_in_descriptor.txt", 0, 1, NULL},
        {"betterplace__test_fixtures_currency_in_25.txt", 0, 1, NULL},
        {"betterplace__test_fixtures_empty_86.txt", 0, 1, NULL},
        {"betterplace__test_fixtures_empty_entry_date.txt", 1, 1, NULL},
        {"betterplace__test_fixtures_empty_line.txt", 0, 1, NULL},
        {"betterplace__test_fixtures_missing_crlf_at_end.txt", 0, 1, NULL},
        {"betterplace__test_fixtures_sepa_mt9401.txt", 97, 26, NULL},
        {"betterplace__test_fixtures_sepa_snippet.txt", 11, 2, NULL},
        {"betterplace__test_fixtures_with_binary_character.txt", 4, 2, NULL},
        {"zilverline__spec_fixtures_14aug2014.swi", 2, 1, NULL},
        {"zilverline__spec_fixtures_abn_abn_sepa_incasso_doorlopend.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_abn_abn_sepa_overboeking.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_abn_abn_sepa_periodieke_overboeking.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_abn_abn_structured_sepa_acceptgiro.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_abn_abn_structured_sepa_ideal.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_abn_abn_structured_sepa_overboeking.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_abn_abnamro.txt", 10, 2, NULL},
        {"zilverline__spec_fixtures_abn_abnamro_structured.txt", 10, 2, NULL},
        {"zilverline__spec_fixtures_abn_anb_sepa_overboeking_belastingdienst.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_abn_moneyou.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_deutsche_bank.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_import-16-06-2014.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_ing.txt", 6, 1, NULL},
        {"zilverline__spec_fixtures_ing_cntp_without_description.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_eu_incasso.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_eu_incasso_foreign_transaction.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_eu_incasso_with_spaces_in_sepa.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_failing.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_ing_00_00.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_ing_dash_in_customer_reference.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_ing_purp.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_ing_references.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_ing_references_fix.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_mt940_iban.txt", 21, 1, NULL},
        {"zilverline__spec_fixtures_ing_structured.txt", 7, 1, NULL},
        {"zilverline__spec_fixtures_ing_unstructured_remi.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_ing_unstructured_remi_2.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_ing_unstructured_remi_with_space_in_remi.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_date_and_accounting_date_different_year.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_empty.txt", 0, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_invalid.txt", 2, 2, NULL},
        {"zilverline__spec_fixtures_knab_knab_pin.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_sepa_acceptgiro.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_sepa_doorlopend_incasso.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_sepa_ideal.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_sepa_overboeking.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_knab_knab_two_blocks.txt", 3, 2, NULL},
        {"zilverline__spec_fixtures_knab_knab_with_iban.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_rabobank.txt", 11, 23, NULL},
        {"zilverline__spec_fixtures_rabobank_dash_as_start_of_line.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_fix_rabo_twice_remi.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_line_break_in_remi.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_mt940_structured.txt", 9, 2, NULL},
        {"zilverline__spec_fixtures_rabobank_mt940_structured_dutch_tax.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_mt940_structured_multi_line.txt", 2, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_mt940_structured_savings_account.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_mt940_structured_to_savings_account.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_rabobank_with_debet_previous_balance.txt", 0, 1, NULL},
        {"zilverline__spec_fixtures_sns_sns.txt", 4, 16, NULL},
        {"zilverline__spec_fixtures_sns_sns_customer_reference.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_triodos_iban.txt", 3, 1, NULL},
        {"zilverline__spec_fixtures_triodos_iban_2.txt", 4, 1, NULL},
        {"zilverline__spec_fixtures_triodos_multiline_bug.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_two_accounts.txt", 3, 4, NULL},
        {"zilverline__spec_fixtures_unknown.txt", 6, 1, NULL},
        {"zilverline__spec_fixtures_van_lanschot_to_private_account_86.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_van_lanschot_unspecified_contra_account.txt", 1, 1, NULL},
        {"zilverline__spec_fixtures_van_lanschot_van_lanschot.txt", 4, 3, NULL},
        {"betterplace__test_fixtures_sepa_snippet_broken.txt", 0, 0,
         "line 6: second :25: account in one statement, holding :86: transaction details "
         "(166?...); hint: the tag is damaged or the file cut"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512], want[1024];
        sample_path(path, sizeof path, cases[i].file);
        collector c;
        err_t err;
        recon_status st = parse_path(path, &c, &err);
        if (strcmp(cases[i].file, "wolph__self-provided_empty_non_swift.sta") == 0) {
            snprintf(want, sizeof want,
                     "%s: no mt940 statement found; hint: expected :20:, :25:, :60F: and :61: "
                     "fields",
                     path);
            assert_int_equal(st, RECON_EDATA);
            assert_string_equal(err.msg, want);
        } else if (cases[i].error != NULL) {
            snprintf(want, sizeof want, "%s: %s", path, cases[i].error);
            if (st != RECON_EDATA)
                fail_msg("%s: accepted, want rejection", cases[i].file);
            assert_string_equal(err.msg, want);
        } else if (st != RECON_OK) {
            fail_msg("%s: %s", cases[i].file, err.msg);
        }
        if ((long)c.count != cases[i].receipts || (long)c.stmt_count != cases[i].statements)
            fail_msg("%s: %zu receipts / %zu statements, want %ld / %ld", cases[i].file, c.count,
                     c.stmt_count, cases[i].receipts, cases[i].statements);
        collector_free(&c);
        /* `recon parse` and ingest find the format from the head: every MT940 sample,
         * snippets that open with :62F: or :86: included, must be detected as one */
        bool is_mt940 = strcmp(cases[i].file, "wolph__self-provided_empty_non_swift.sta") != 0;
        unsigned char head[4096];
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(head, 1, sizeof head, f);
        fclose(f);
        if ((format_detect(head, n) == FORMAT_MT940) != is_mt940)
            fail_msg("%s: detected as %s", cases[i].file, format_name(format_detect(head, n)));
    }
}

/* Receipt values against the wolph oracle YAML (amount, value date "date", entry date). */
static void test_sample_receipts(void **state)
{
    (void)state;
    if (testutil_samples_dir() == NULL)
        skip();
    static const struct {
        const char *file;
        size_t index;
        fen_t amount;
        const char *booking, *value;
        const char *currency;
        const char *key;   /* NULL: fingerprint expected */
        bool reversal;
        const char *payer, *payer_account, *e2e, *remittance; /* NULL: not checked */
    } cases[] = {
        {"wolph__jejik_abnamro.sta", 0, -900, "2011-05-24", "2011-05-24", "EUR", NULL, false,
         NULL, NULL, NULL,
         "GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 000000042188659 5314606715 BETREFT "
         "FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW"},
        {"wolph__jejik_abnamro.sta", 1, -1159, "2011-05-23", "2011-05-21", "EUR", NULL, false,
         NULL, NULL, NULL, NULL},
        {"wolph__jejik_abnamro.sta", 6, -10700, "2011-05-23", "2011-05-21", "EUR", NULL, false,
         NULL, NULL, NULL, NULL},
        {"wolph__jejik_postfinance.sta", 0, 7970, "2013-12-09", "2013-12-09", "CHF", NULL, false,
         NULL, NULL, NULL, NULL},
        {"wolph__jejik_postfinance.sta", 2, -7990, "2013-12-16", "2013-12-16", "CHF", NULL, false,
         NULL, NULL, NULL, NULL},
        {"wolph__jejik_rabobank.sta", 0, -121328, "2011-05-27", "2011-05-27", "EUR", NULL, false,
         NULL, NULL, NULL,
         "Terugboeking NIET AKKOORD MET AFSCHRIJVING KOSTEN KINDEROPVANG JUNI 20095731"},
        {"wolph__jejik_ing.sta", 5, 368, "2010-07-22", "2010-07-22", "EUR", NULL, false, NULL,
         NULL, NULL, NULL},
        {"wolph__mBank_with_newline_in_tnr.sta", 0, 4500, "2017-02-01", "2017-02-01", "PLN",
         "MB170201323000", false, NULL, NULL, NULL, NULL},
        {"wolph__mBank_with_newline_in_tnr.sta", 1, 4400, "2017-02-01", "2017-02-01", "PLN",
         "MB170201327968", false, NULL, NULL, NULL, NULL},
        {"wolph__self-provided_raiffeisen-cmi.sta", 0, 206663700, "2018-04-17", "2018-04-17",
         "HUF", NULL, false, NULL, NULL, NULL, NULL},
        {"wolph__self-provided_raiffeisen-cmi.sta", 2, -305180000, "2018-04-17", "2018-04-17",
         "HUF", NULL, false, NULL, NULL, NULL, NULL},
        {"wolph__self-provided_gv_codes.sta", 0, -23315, "2017-09-14", "2017-09-14", "EUR", NULL,
         false, "PayPal (Europe) S.a.r.l. et", "", "1234567890123 PAYPAL",
         ". SPOTIFY, Ihr Einkaufbei SPOTIFY"},
        {"wolph__self-provided_gv_codes.sta", 1, -2430, "2019-10-25", "2019-10-25", "EUR", NULL,
         false, NULL, NULL, NULL, NULL},
        {"wolph__self-provided_whitespace.sta", 0, -23315, "2017-09-14", "2017-09-14", "EUR",
         NULL, false, "DEUTSCHE KREDITBANK AG", "12030000/9003932309", "",
         "ERSTATTUNG AUSLANDSEINSATZENTGELT FUER VISA 4998 XXXXXXXX 1234"},
        /* >31 repeats the statement's own account (:25: TRIODOSBANK/0390123456): no payer's */
        {"wolph__jejik_triodos.sta", 0, -1570, "2011-01-01", "2011-01-01", "EUR", NULL, false,
         NULL, "", NULL,
         "ALGEMENE TUSSENREKENING KOSTEN VAN 01-10-2010 TOT EN MET 31-12-2010"},
        /* oracle: status RC, 204.88; recon signs RC as money out */
        {"wolph__betterplace_sepa_mt9401.sta", 5, -20488, "2007-09-04", "2007-09-04", "EUR", NULL,
         true, NULL, NULL, NULL, "0904059003"},
        {"wolph__betterplace_sepa_mt9401.sta", 0, 30000, "2007-09-04", "2007-09-04", "EUR",
         "0724710345313905", false, NULL, NULL, "TFNR 40005 00005", NULL},
        {"wolph__betterplace_sepa_mt9401.sta", 7, 1500005, "2007-09-04", "2007-09-04", "EUR",
         "0724710290621954", false, "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx",
         "DE42100100100043921105", "EndToEndIdTFNR2000400001", NULL},
        {"wolph__betterplace_sepa_mt9401.sta", 96, 5005, "2007-09-04", "2007-09-04", "EUR",
         "0724710290648274", false, NULL, NULL, NULL, NULL},
        {"wolph__citi_mt940.txt", 0, -21239, "2024-03-12", "2024-03-12", "USD", NULL, false, NULL,
         NULL, NULL, "/PT/FT/PY/SOMETHING FOO BAR 112233 123456789"},
        /* OCA ING (no oracle): /EREF/ /CNTP/ /REMI/USTD/ and an /RTRN/ return */
        {"oca__base__test-ing.940", 0, 156, "2014-02-20", "2014-02-20", "EUR", "00000000001",
         false, "ING BANK NV INZAKE WEB", "NL32INGB0000012345", "EV12341REP1231456T1234",
         "EV10001REP1000000T1000"},
        {"oca__base__test-ing.940", 2, 157, "2014-02-20", "2014-02-20", "EUR", "00000000001007",
         true, "J.Janssen", "NL32INGB0000012345", "20120123456789",
         "Factuurnr 123456 Klantnr 00123"},
        {"oca__nl_ing__test-ing-old.940", 3, -114, "2014-02-20", "2014-01-20", "EUR",
         "00000000001009", false, "ING Bank N.V. inzake WeB", "NL32INGB0000012345",
         "EV123REP123412T1234", "EV123REP123412T1234"},
        /* fragments: oracle "DR" is status D with funds code R, entry date 0902 */
        {"wolph__cmxl_statement_line.sta", 0, -162, "2014-09-02", "2014-09-01", "XXX",
         "025498557/000001", false, "", "", "", ""},
        /* "CR" then the amount on the next line, and ":86:" broken after its colon */
        {"wolph__self-provided_sparkassen.sta", 0, 3000, "2018-11-26", "2018-11-26", "XXX", NULL,
         false, "", "", "", "Test"},
        {"wolph__self-provided_multiline.sta", 0, -500, "2004-08-04", "2004-08-04", "EUR",
         "MUL0408041114005", false, "NOM DU DO / BENEFICIAIRE 11NOM DU DO / BENEFICIAIRE 22",
         "NUMERO DE COMPTE01234567", "", NULL},
        /* after the trailer "-": the account and currency of the statement before it */
        {"wolph__self-provided_multiline.sta", 1, 11900, "2022-12-20", "2022-12-19", "EUR",
         "O/341241774", false, "", "", "", "Paiement"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        sample_path(path, sizeof path, cases[i].file);
        collector c;
        err_t err;
        if (parse_path(path, &c, &err) != RECON_OK)
            fail_msg("%s: %s", cases[i].file, err.msg);
        if (cases[i].index >= c.count)
            fail_msg("%s: only %zu receipts", cases[i].file, c.count);
        const receipt_t *r = &c.receipts[cases[i].index];
        if (r->amount != cases[i].amount)
            fail_msg("%s[%zu]: amount %lld, want %lld", cases[i].file, cases[i].index,
                     (long long)r->amount, (long long)cases[i].amount);
        assert_int_equal(r->booking_date, ymd(cases[i].booking));
        assert_int_equal(r->value_date, ymd(cases[i].value));
        assert_string_equal(r->currency, cases[i].currency);
        assert_int_equal(r->direction, cases[i].amount < 0 ? RECEIPT_DEBIT : RECEIPT_CREDIT);
        assert_int_equal(r->reversal, cases[i].reversal);
        if (cases[i].key != NULL)
            assert_string_equal(r->transaction_key, cases[i].key);
        else
            assert_memory_equal(r->transaction_key, "fp-", 3);
        if (cases[i].payer)
            assert_string_equal(r->payer, cases[i].payer);
        if (cases[i].payer_account)
            assert_string_equal(r->payer_account, cases[i].payer_account);
        if (cases[i].e2e)
            assert_string_equal(r->end_to_end_id, cases[i].e2e);
        if (cases[i].remittance)
            assert_string_equal(r->remittance, cases[i].remittance);
        if (!r->reversal)
            assert_string_equal(r->reversal_of, "");
        collector_free(&c);
    }
}

/* Statement balances against the oracle (final_opening/closing_balance). */
static void test_sample_statements(void **state)
{
    (void)state;
    if (testutil_samples_dir() == NULL)
        skip();
    static const struct {
        const char *file;
        size_t index;
        const char *source, *id, *currency;
        bool has_opening, has_closing;
        fen_t opening, closing;
        const char *date; /* closing balance date, NULL for DATE_NONE */
        long entries;
        fen_t credits, debits;
    } cases[] = {
        {"wolph__jejik_abnamro.sta", 0, "517852257", "ABN AMRO BANK NV", "EUR", true, true,
         323628, 87684, "2011-05-23", 8, 0, 32144},
        {"wolph__jejik_abnamro.sta", 1, "517852257", "ABN AMRO BANK NV", "EUR", true, true,
         287684, 184975, "2011-05-24", 2, 0, 2449},
        {"wolph__jejik_ing.sta", 0, "0001234567", "MPBZ", "EUR", true, true, 0, 347,
         "2010-07-23", 7, 468, 5027},
        {"wolph__jejik_rabobank.sta", 3, "1526.89.184EUR", "940A120829", "EUR", true, true,
         419612, 410182, "2012-08-29", 2, 0, 9430},
        {"wolph__jejik_triodos.sta", 0, "TRIODOSBANK/0390123456", "1308728725026/1", "EUR", true,
         true, 497509, 437079, "2011-02-01", 2, 0, 71570},
        {"wolph__jejik_postfinance.sta", 1, "123456789", "2014040708285928", "CHF", true, true,
         22920, 15960, "2014-04-07", 2, 1010, 7990},
        {"wolph__mBank_with_newline_in_tnr.sta", 0, "PL29114010810000267002001002",
         "ST170201CYC/1", "PLN", true, true, 46, 86017, "2017-02-01", 2, 8900, 0},
        {"wolph__self-provided_raiffeisen-cmi.sta", 0, "UBRTHUHB/123456789150ABCDEF002/HUF",
         "STARTUMS", "HUF", true, true, 2517063710, 2528168760, "2018-04-17", 7, 206663700,
         307885050},
        {"wolph__self-provided_long_statement_number.sta", 0, "0067-00763/93984487", "12345678",
         "TRY", true, true, 0, 0, "2018-04-10", 0, 0, 0},
        {"wolph__self-provided_gv_codes.sta", 0, "12345678/1020304050", "STARTUMS", "EUR", true,
         false, 1234512, 0, NULL, 2, 0, 25745},
        {"wolph__cmxl_account_balance_debit.sta", 0, "", "", "EUR", true, false, -14764, 0, NULL,
         0, 0, 0},
        {"wolph__cmxl_closing_balance.sta", 0, "", "", "EUR", false, true, 0, 13700,
         "2014-09-01", 0, 0, 0},
        {"wolph__self-provided_account_identification.sta", 1, "ACXXXXXX000000XXXXXX3",
         "0003478756", "", false, false, 0, 0, NULL, 0, 0, 0},
        {"wolph__betterplace_sepa_mt9401.sta", 0, "50880050/0194774600888", "T089413946000001",
         "EUR", true, true, -123471836, -123762823, "2007-09-04", 7, 99724196, 100015183},
        {"wolph__betterplace_sepa_mt9401.sta", 25, "50880050/0194804000888", "T089414136000001",
         "EUR", true, true, 0, 5005, "2007-09-04", 1, 5005, 0},
        {"wolph__ASNB_mt940.txt", 4, "NL81ASNB9999999999", "0000000000", "EUR", true, true,
         37929, 57774, "2020-01-05", 2, 100000, 80155},
        /* oracle final_opening_balance 1.12 is the last of the six */
        {"wolph__betterplace_amount_formats.sta", 0, "", "", "EUR", true, false, 38011512, 0,
         NULL, 0, 0, 0},
        {"wolph__betterplace_amount_formats.sta", 2, "", "", "EUR", true, false, 38011500, 0,
         NULL, 0, 0, 0},
        {"wolph__betterplace_amount_formats.sta", 5, "", "", "EUR", true, false, 112, 0, NULL, 0,
         0, 0},
        {"wolph__cmxl_statement_line.sta", 0, "mt940:no-account", "", "XXX", false, false, 0, 0,
         NULL, 1, 0, 162},
        {"wolph__self-provided_sparkassen.sta", 0, "mt940:no-account", "", "XXX", false, false, 0,
         0, NULL, 1, 3000, 0},
        {"wolph__self-provided_multiline.sta", 0, "BILLLULLXXX/\"NUMERO DE COMPTE IBAN 2\"",
         "BILMT940", "EUR", true, true, 1640, 1140, "2004-08-04", 1, 0, 500},
        {"wolph__self-provided_multiline.sta", 1, "BILLLULLXXX/\"NUMERO DE COMPTE IBAN 2\"", "",
         "EUR", false, false, 0, 0, NULL, 1, 11900, 0},
        {"wolph__betterplace_empty_86.sta", 0, "", "", "", false, false, 0, 0, NULL, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        sample_path(path, sizeof path, cases[i].file);
        collector c;
        err_t err;
        if (parse_path(path, &c, &err) != RECON_OK)
            fail_msg("%s: %s", cases[i].file, err.msg);
        if (cases[i].index >= c.stmt_count)
            fail_msg("%s: only %zu statements", cases[i].file, c.stmt_count);
        const statement_summary *s = &c.statements[cases[i].index];
        assert_string_equal(s->source, cases[i].source);
        assert_string_equal(s->statement_id, cases[i].id);
        assert_string_equal(s->currency, cases[i].currency);
        assert_int_equal(s->has_opening, cases[i].has_opening);
        assert_int_equal(s->has_closing, cases[i].has_closing);
        if (s->opening_balance != cases[i].opening || s->closing_balance != cases[i].closing)
            fail_msg("%s[%zu]: balances %lld/%lld", cases[i].file, cases[i].index,
                     (long long)s->opening_balance, (long long)s->closing_balance);
        assert_int_equal(s->statement_date, cases[i].date ? ymd(cases[i].date) : DATE_NONE);
        assert_int_equal(s->entry_count, cases[i].entries);
        if (s->credit_total != cases[i].credits || s->debit_total != cases[i].debits)
            fail_msg("%s[%zu]: totals %lld/%lld", cases[i].file, cases[i].index,
                     (long long)s->credit_total, (long long)s->debit_total);
        collector_free(&c);
    }
}

/* The amount_formats sample is six alternative :60F: lines (six statements as a file);
 * each line is read by the balance grammar as the oracle's amounts show. */
static void test_sample_amount_formats(void **state)
{
    (void)state;
    char path[512];
    if (sample_path(path, sizeof path, "wolph__betterplace_amount_formats.sta") == NULL)
        skip();
    static const fen_t want[] = {38011512, 38011510, 38011500, 12, 12, 112};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strcspn(line, "\r\n");
        if (len == 0)
            continue;
        assert_true(len > 5 && memcmp(line, ":60F:", 5) == 0);
        mt940_balance b;
        char why[MT940_WHY_MAX];
        if (!mt940_parse_balance(line + 5, len - 5, ":60F:", &b, why, sizeof why))
            fail_msg("%s", why);
        assert_true(n < 6);
        assert_int_equal(b.amount, want[n]);
        assert_string_equal(b.currency, "EUR");
        assert_int_equal(b.date, ymd("2010-03-18"));
        n++;
    }
    fclose(f);
    assert_int_equal(n, 6);
}

static void test_amounts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        fen_t fen;
    } cases[] = {
        {"15,", true, 1500},     {"00,12", true, 12},       {"380115,1", true, 38011510},
        {"0,", true, 0},         {",5", true, 50},          {"000000000147,64", true, 14764},
        {"1,234", false, 0},     {"1.00", false, 0},        {"-1,00", false, 0},
        {"+1,00", false, 0},     {"100", false, 0},         {"", false, 0},
        {"1,0,0", false, 0},     {"12 ,00", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fen_t v = -1;
        bool ok = mt940_parse_amount(cases[i].text, strlen(cases[i].text), &v);
        if (ok != cases[i].ok)
            fail_msg("mt940_parse_amount(\"%s\") = %d", cases[i].text, ok);
        if (ok)
            assert_int_equal(v, cases[i].fen);
    }
}

static void test_entry_lines(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *value, *booking; /* booking NULL: no entry date */
        const char *mark;
        char funds;
        fen_t signed_amount;
        const char *type, *custref, *bankref, *supp;
        const char *error; /* non-NULL: expected failure text */
    } cases[] = {
        {"2612310102C15,NTRFP2026000000123//BK1", "2026-12-31", "2027-01-02", "C", 0, 1500,
         "NTRF", "P2026000000123", "BK1", "", NULL},
        {"2701011231D00,12NCHGNONREF", "2027-01-01", "2026-12-31", "D", 0, -12, "NCHG",
         "NONREF", "", "", NULL},
        {"0709040904RCR204,88NRTINONREF", "2007-09-04", "2007-09-04", "RC", 'R', -20488, "NRTI",
         "NONREF", "", "", NULL},
        {"0709040904RD5,NRTINONREF", "2007-09-04", "2007-09-04", "RD", 0, 500, "NRTI", "NONREF",
         "", "", NULL},
        {"240312    DD212,39NMSCNONREF//\n/ABC/DEF/MISCELLANEOUS", "2024-03-12", NULL, "D", 'D',
         -21239, "NMSC", "NONREF", "", "/ABC/DEF/MISCELLANEOUS", NULL},
        {"110527D000000001213,28N0440121470966      W.P. Jansen", "2011-05-27", NULL, "D", 0,
         -121328, "N044", "0121470966", "", "W.P. Jansen", NULL},
        {"1312091209C79,7FMSC01916//NONREF\n20131209007602198765432000000012", "2013-12-09",
         "2013-12-09", "C", 0, 7970, "FMSC", "01916", "NONREF",
         "20131209007602198765432000000012", NULL},
        {"240229C1,SMSCX", "2024-02-29", NULL, "C", 0, 100, "SMSC", "X", "", "", NULL},
        /* the 16-byte reference ends inside a character: cut before it, not through it */
        {"260301C1,00NTRFABCDEFGHIJKLMN保单", "2026-03-01", NULL, "C", 0, 100, "NTRF",
         "ABCDEFGHIJKLMN", "", "保单", NULL},
        /* Sparkassen: the amount on the line after the mark; a space there elsewhere */
        {"1811261126CR\n30,00N062NONREF", "2018-11-26", "2018-11-26", "C", 'R', 3000, "N062",
         "NONREF", "", "", NULL},
        {"181126C 30,00N062NONREF//B1\nMORE", "2018-11-26", NULL, "C", 0, 3000, "N062", "NONREF",
         "B1", "MORE", NULL},
        {"230230C1,00NTRFNONREF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "invalid date 230230 in :61:"},
        {"2302280230C1,00NTRFNONREF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "invalid entry date 0230 in :61:"},
        {"230228X1,00NTRF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "missing debit/credit mark in :61:; hint: expected C, D, RC or RD"},
        /* what banks write where the standard wants N/F/S + 3 characters: read, noted
         * (test_entry_tolerances) */
        {"230228C1,00", "2023-02-28", NULL, "C", 0, 100, "", "", "", "", NULL},
        {"100722D25,03NOV NONREF", "2010-07-22", NULL, "D", 0, -2503, "NOV", "NONREF", "", "",
         NULL},
        {"100722D1,11NGT TMG TANGO", "2010-07-22", NULL, "D", 0, -111, "NGT", "TMG TANGO", "", "",
         NULL},
        {"240229C1,S   X", "2024-02-29", NULL, "C", 0, 100, "S", "X", "", "", NULL},
        {"0709040904RC204,88 NRTIKREF+ABC", "2007-09-04", "2007-09-04", "RC", 0, -20488, "NRTI",
         "KREF+ABC", "", "", NULL},
        {"240229C500NTRFX", "2024-02-29", NULL, "C", 0, 50000, "NTRF", "X", "", "", NULL},
        {"130403D000000000127.50N102EREF\nNL96RBOS0523149468", "2013-04-03", NULL, "D", 0,
         -12750, "N102", "EREF", "", "NL96RBOS0523149468", NULL},
        /* the German 30th of February: the entry date is the booking date */
        {"2002300228C1,00NZINNONREF", NULL, "2020-02-28", "C", 0, 100, "NZIN", "NONREF", "", "",
         NULL},
        {"2312300102C1,00NZINNONREF", "2023-12-30", "2024-01-02", "C", 0, 100, "NZIN", "NONREF",
         "", "", NULL},
        {"2302300301D1,00NZINNONREF", NULL, "2023-03-01", "D", 0, -100, "NZIN", "NONREF", "", "",
         NULL},
        /* money in doubt: a thousands separator or three decimals after a point */
        {"230228C1.000,00NTRF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "invalid amount 1.000,00 in :61:"},
        {"230228C1.000NTRF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "invalid amount 1.000 in :61:"},
        {"230228C1.0.0NTRF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "invalid amount 1.0.0 in :61:"},
        {"230228C1,005NTRF", NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
         "invalid amount 1,005 in :61:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt940_entry e;
        char why[MT940_WHY_MAX] = "";
        bool ok = mt940_parse_entry(cases[i].text, strlen(cases[i].text), &e, why, sizeof why);
        if (cases[i].error != NULL) {
            if (ok)
                fail_msg("accepted \"%s\"", cases[i].text);
            assert_string_equal(why, cases[i].error);
            continue;
        }
        if (!ok)
            fail_msg("\"%s\": %s", cases[i].text, why);
        assert_int_equal(e.value_date, cases[i].value ? ymd(cases[i].value) : DATE_NONE);
        assert_int_equal(e.entry_date, cases[i].booking ? ymd(cases[i].booking) : DATE_NONE);
        assert_string_equal(e.mark, cases[i].mark);
        assert_int_equal(e.funds_code, cases[i].funds);
        assert_int_equal(mt940_entry_signed_amount(&e), cases[i].signed_amount);
        assert_string_equal(e.type, cases[i].type);
        assert_string_equal(e.customer_ref, cases[i].custref);
        assert_string_equal(e.bank_ref, cases[i].bankref);
        assert_string_equal(e.supplementary, cases[i].supp);
    }
}

/* Each tolerance an entry line needed, and only those. */
static void test_entry_tolerances(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned tolerated;
    } cases[] = {
        {"240229C1,00NTRFX", 0},
        {"240229C1,00", MT940_TOL_TYPE_MISSING},
        {"240229C1,00/X", MT940_TOL_TYPE_MISSING},
        {"100722D25,03NOV NONREF", MT940_TOL_TYPE_UNUSUAL},
        {"240229C1,S   X", MT940_TOL_TYPE_UNUSUAL},
        {"240229C1,00 NTRFX", MT940_TOL_SPACE_BEFORE_TYPE},
        {"240229C500NTRF", MT940_TOL_NO_DECIMAL_COMMA},
        {"240229C1000.12NTRF", MT940_TOL_DECIMAL_POINT},
        {"240229C1000.1NET NONREF", MT940_TOL_DECIMAL_POINT | MT940_TOL_TYPE_UNUSUAL},
        {"2402300301C1,00NTRF", MT940_TOL_VALUE_DATE_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt940_entry e;
        char why[MT940_WHY_MAX] = "";
        if (!mt940_parse_entry(cases[i].text, strlen(cases[i].text), &e, why, sizeof why))
            fail_msg("\"%s\": %s", cases[i].text, why);
        if (e.tolerated != cases[i].tolerated)
            fail_msg("\"%s\": tolerated %#x, want %#x", cases[i].text, e.tolerated,
                     cases[i].tolerated);
    }
    char buf[MT940_WHY_MAX];
    assert_string_equal(mt940_tolerance_text(MT940_TOL_TYPE_UNUSUAL, "NOV", buf, sizeof buf),
                        "transaction type 'NOV' is not N/F/S + 3 characters: read as unknown");
    /* a value date that is no calendar date needs the entry date to book it */
    mt940_entry e;
    char why[MT940_WHY_MAX] = "";
    assert_false(mt940_parse_entry("240230C1,00NTRF", 15, &e, why, sizeof why));
    assert_string_equal(why, "invalid date 240230 in :61:");
    assert_false(mt940_parse_entry("2602300630C30,00NTRF", 20, &e, why, sizeof why));
    assert_string_equal(why, "invalid date 260230 in :61:");
    assert_true(mt940_parse_entry("2602300307C30,00NTRF", 20, &e, why, sizeof why));
    assert_false(mt940_parse_entry("2602300308C30,00NTRF", 20, &e, why, sizeof why));
    assert_false(mt940_parse_entry("2413300101C1,00NTRF", 19, &e, why, sizeof why));
    assert_string_equal(why, "invalid date 241330 in :61:");
}

/* Balances as banks write them: the money and its sign stay certain. */
static void test_balance_tolerances(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        fen_t amount;
        const char *currency;
        unsigned tolerated;
    } cases[] = {
        {"C240229EUR1,00", 100, "EUR", 0},
        {"C240229EUR000000001000.12", 100012, "EUR", MT940_TOL_DECIMAL_POINT},
        {"D240229EUR500", -50000, "EUR", MT940_TOL_NO_DECIMAL_COMMA},
        {"C2402291,00", 100, "", MT940_TOL_BALANCE_NO_CURRENCY},
        {"C2402291,00EUR", 100, "EUR", MT940_TOL_BALANCE_CURRENCY_AFTER},
        {"C240229 EUR 1,00", 100, "EUR", MT940_TOL_BALANCE_SPACES},
        {"C240229EUR1,00  -", 100, "EUR", MT940_TOL_BALANCE_TEXT_AFTER},
        {"C240229EUR1,00\n:86 :D000046C000017", 100, "EUR", MT940_TOL_BALANCE_TEXT_AFTER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt940_balance b;
        char why[MT940_WHY_MAX] = "";
        if (!mt940_parse_balance(cases[i].text, strlen(cases[i].text), ":62M:", &b, why,
                                 sizeof why))
            fail_msg("\"%s\": %s", cases[i].text, why);
        assert_int_equal(b.amount, cases[i].amount);
        assert_string_equal(b.currency, cases[i].currency);
        if (b.tolerated != cases[i].tolerated)
            fail_msg("\"%s\": tolerated %#x, want %#x", cases[i].text, b.tolerated,
                     cases[i].tolerated);
    }
    static const char *const refused[] = {"C240229EUR1.000", "C240229EUR1.000,00",
                                          "C240229EURX", "C240229E1,00", "X240229EUR1,00"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        mt940_balance b;
        char why[MT940_WHY_MAX] = "";
        if (mt940_parse_balance(refused[i], strlen(refused[i]), ":62M:", &b, why, sizeof why))
            fail_msg("accepted \"%s\"", refused[i]);
    }
}

/* Counterparty from the :86: forms banks use; the statement's own account never. */
static void test_details_party(void **state)
{
    (void)state;
    static const struct {
        const char *text, *payer, *account;
    } cases[] = {
        {"/EREF/X1/ORDP//NAME/COMPANY B V/ADDR/STATION 1/ISDT/2014-07-23", "COMPANY B V", ""},
        {"/EREF/X1/BENM//NAME/Nespresso Nede\nrland B.V./REMI/674725433", "Nespresso Nederland B.V.",
         ""},
        {"/TRTP/SEPA OVERBOEKING/IBAN/NL57INGB0001212121/BIC/INGBNL2A/NAME/CAFE MON AMI/REMI/X",
         "CAFE MON AMI", "NL57INGB0001212121"},
        {"/CNTP/NL32INGB0000012345/INGBNL2A/ING BANK NV/AMSTERDAM/REMI/USTD//X/", "ING BANK NV",
         "NL32INGB0000012345"},
        {"166?00GUTSCHRIFT?20EREF+X?30DRESDEFF508?31DE14508800500194785000?32KARL?33 KAUFMANN",
         "KARL KAUFMANN", "DE14508800500194785000"},
        {"051?00Bank Transfer Credit?3050070010?310175526300?32PAYPAL", "PAYPAL",
         "50070010/0175526300"},
        {"000>100000000000\n>20RABONL2U\n>21NL96RBOS0523149468\n>22METSELAAR", "",
         "NL96RBOS0523149468"},
        {"SEPA OVERBOEKING                 IBAN: NL86INGB0002445588\nBIC: INGBNL2A"
         "                    NAAM: BELASTINGDIENST APELDOORN\nBETALINGSKENM.: 1234",
         "BELASTINGDIENST APELDOORN", "NL86INGB0002445588"},
        {"REK: NL26ABNA0999999999/NAAM: BEDRIJF VOF", "BEDRIJF VOF", "NL26ABNA0999999999"},
        {"NL96RBOS0523149468 ABNANL2A J AAP", "", "NL96RBOS0523149468"},
        /* a checksum that fails is not an IBAN */
        {"NL96RBOS0523149469 ABNANL2A J AAP", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static mt940_details d;
        char why[MT940_WHY_MAX] = "";
        if (!mt940_parse_details(cases[i].text, strlen(cases[i].text), &d, why, sizeof why))
            fail_msg("\"%s\": %s", cases[i].text, why);
        assert_string_equal(d.payer, cases[i].payer);
        assert_string_equal(d.payer_account, cases[i].account);
    }
    char ccy[RECEIPT_CCY_MAX];
    assert_int_equal(mt940_account_currency("NL34RABO0142623393 EUR", 22, ccy), 18);
    assert_string_equal(ccy, "EUR");
    assert_int_equal(mt940_account_currency("51210600/9223382012EUR", 22, ccy), 0);
    assert_int_equal(mt940_account_currency("ACCOUNT XYZ", 11, ccy), 0);
    assert_int_equal(mt940_account_currency("DE12 3456 EUR", 13, ccy), 0);
}

#define TOL "tests/parsers/fixtures/mt940/"

/* The issue-13 fixtures: what each reads, and every tolerance it reports (file warnings
 * and receipt notes), or why it is refused. */
static void test_fixture_tolerances(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t receipts, statements;
        const char *warnings; /* "POSITION: TEXT\n" each, in order */
        const char *notes;    /* every receipt's note, "|" after each */
        const char *error;    /* non-NULL: refused with this message after the path */
    } cases[] = {
        {"type_codes.sta", 5, 1, "",
         "transaction type 'NOV' is not N/F/S + 3 characters: read as unknown|"
         "transaction type 'NET' is not N/F/S + 3 characters: read as unknown|"
         "space between amount and transaction type ignored|"
         "transaction type 'S' is not N/F/S + 3 characters: read as unknown|"
         "no transaction type after the amount: read as unknown|",
         NULL},
        {"amount_formats.sta", 2, 1,
         "line 4: decimal point in amount: read as decimal comma\n"
         "line 9: text after a balance amount ignored\n",
         "amount without decimal comma: read as whole units|"
         "decimal point in amount: read as decimal comma|",
         NULL},
        {"balance_currency.sta", 2, 2,
         "line 2: currency after the :25: account: read as the account's currency\n"
         "line 4: balance without currency: the statement's currency used\n"
         "line 7: balance currency written after the amount\n"
         "line 10: currency after the :25: account: read as the account's currency\n"
         "line 16: text after a balance amount ignored\n",
         "||", NULL},
        {"framing.sta", 3, 3,
         "line 1: text outside any field ignored\n"
         "line 10: dos end-of-file byte ignored\n"
         "line 10: byte order mark inside the file ignored\n"
         "line 17: dos end-of-file byte ignored\n"
         "line 17: soh/etx transmission byte ignored\n"
         "line 25: soh/etx transmission byte ignored\n"
         "line 26: dos end-of-file byte ignored\n",
         "|||", NULL},
        {"record_separator.sta", 1, 1, "line 1: '@@' record separator read as a line break\n",
         "|", NULL},
        {"non_swift.sta", 1, 1, "", "|", NULL},
        {"feb30.sta", 2, 1, "", "value date is not a calendar date: left empty, entry date used||",
         NULL},
        {"payer_fields.sta", 5, 1, "", "|||||", NULL},
        {"err_nul_byte.sta", 0, 0, "", "",
         "line 5: NUL byte at column 26; hint: the file is damaged or not text"},
        {"err_control_byte.sta", 0, 0, "", "",
         "line 5: control byte 0x1a at column 25; hint: the file is damaged or not text"},
        {"err_thousands.sta", 0, 0, "", "", "line 5: invalid amount 1.000 in :61:"},
        {"err_feb30_far.sta", 0, 0, "", "", "line 5: invalid date 240230 in :61:"},
        {"err_no_currency.sta", 0, 0, "", "",
         "line 4: :60M: without currency and no balance or :25: before it giving one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256], want[512], notes[2048] = "";
        snprintf(path, sizeof path, TOL "%s", cases[i].file);
        collector c;
        err_t err;
        recon_status st = parse_path(path, &c, &err);
        if (cases[i].error != NULL) {
            snprintf(want, sizeof want, "%s: %s", path, cases[i].error);
            if (st != RECON_EDATA)
                fail_msg("%s: accepted, want rejection", cases[i].file);
            assert_string_equal(err.msg, want);
            collector_free(&c);
            continue;
        }
        if (st != RECON_OK)
            fail_msg("%s: %s", cases[i].file, err.msg);
        if (c.count != cases[i].receipts || c.stmt_count != cases[i].statements)
            fail_msg("%s: %zu receipts / %zu statements", cases[i].file, c.count, c.stmt_count);
        for (size_t k = 0; k < c.count; k++) {
            size_t used = strlen(notes);
            snprintf(notes + used, sizeof notes - used, "%s|", c.receipts[k].note);
        }
        assert_string_equal(warnings, cases[i].warnings);
        assert_string_equal(notes, cases[i].notes);
        collector_free(&c);
    }
    /* what the cases read beyond the tolerances */
    collector c;
    err_t err;
    assert_int_equal(parse_path(TOL "feb30.sta", &c, &err), RECON_OK);
    assert_int_equal(c.receipts[0].value_date, DATE_NONE);
    assert_int_equal(c.receipts[0].booking_date, ymd("2024-02-29"));
    collector_free(&c);
    assert_int_equal(parse_path(TOL "balance_currency.sta", &c, &err), RECON_OK);
    assert_string_equal(c.receipts[0].source, "NL34RABO0142623393");
    assert_string_equal(c.receipts[0].currency, "EUR");
    assert_string_equal(c.statements[0].source, "NL34RABO0142623393");
    collector_free(&c);
    assert_int_equal(parse_path(TOL "amount_formats.sta", &c, &err), RECON_OK);
    assert_int_equal(c.receipts[0].amount, 50000);
    assert_int_equal(c.statements[0].opening_balance, 100012);
    collector_free(&c);
    static const char *const payers[][2] = {
        {"J. JANSEN", "NL30RABO0301234567"},     {"A. DE VRIES", "NL03INGB0004567890"},
        {"B. BAKKER", "NL03INGB0004567890"},     {"KARL MUELLER", "DE12500105170648489890"},
        {"ERIKA MUSTER", "50010517/0648489890"},
    };
    assert_int_equal(parse_path(TOL "payer_fields.sta", &c, &err), RECON_OK);
    for (size_t k = 0; k < 5; k++) {
        assert_string_equal(c.receipts[k].payer, payers[k][0]);
        assert_string_equal(c.receipts[k].payer_account, payers[k][1]);
    }
    collector_free(&c);
}

/* Own fixture: envelope, CNY, Dec/Jan rollover, RC/RD, funds code, 15, and 00,12,
 * mixed CRLF/LF, ?20-?29 and /EREF/ /REMI/ details with a policy number. */
static void test_fixture_cny(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (parse_path(FIX "cny_rollover_envelope.sta", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    static const struct {
        const char *position, *key, *booking, *value;
        fen_t amount;
        bool reversal;
        const char *payer, *account, *e2e, *cref, *remittance, *reversal_of;
    } want[] = {
        {"line 6", "BK0001", "2027-01-02", "2026-12-31", 1500, false, "ZHANG SAN",
         "6222000011112222", "E2E-0001", "P2026000000123", "PREMIUM P2026000000123 2027-01", ""},
        {"line 9", "BK0002", "2026-12-31", "2027-01-01", -12, false, "", "", "", "", "BANK FEE",
         ""},
        {"line 11", "BK0003", "2027-01-01", "2027-01-01", -20000, true, "LI SI",
         "6222000033334444", "E2E-0003", "", "REVERSAL OF P2026000000123 PREMIUM", "E2E-0003"},
        {"line 15", "BK0004", "2027-01-01", "2027-01-01", 3050, true, "", "", "E2E-0004", "",
         "RETURNED DEBIT", "E2E-0004"},
    };
    assert_int_equal(c.count, 4);
    for (size_t i = 0; i < 4; i++) {
        const receipt_t *r = &c.receipts[i];
        assert_string_equal(r->position, want[i].position);
        assert_string_equal(r->source, "6222020200001234567");
        assert_string_equal(r->transaction_key, want[i].key);
        assert_string_equal(r->provider_txn_id, want[i].key);
        assert_int_equal(r->booking_date, ymd(want[i].booking));
        assert_int_equal(r->value_date, ymd(want[i].value));
        assert_int_equal(r->amount, want[i].amount);
        assert_string_equal(r->currency, "CNY");
        assert_int_equal(r->direction, want[i].amount < 0 ? RECEIPT_DEBIT : RECEIPT_CREDIT);
        assert_int_equal(r->reversal, want[i].reversal);
        assert_string_equal(r->payer, want[i].payer);
        assert_string_equal(r->payer_account, want[i].account);
        assert_string_equal(r->end_to_end_id, want[i].e2e);
        assert_string_equal(r->creditor_reference, want[i].cref);
        assert_string_equal(r->remittance, want[i].remittance);
        assert_string_equal(r->reversal_of, want[i].reversal_of);
    }
    assert_int_equal(c.stmt_count, 1);
    const statement_summary *s = &c.statements[0];
    assert_string_equal(s->position, "line 2");
    assert_string_equal(s->statement_id, "STMT20261231");
    assert_string_equal(s->currency, "CNY");
    assert_int_equal(s->opening_balance, 100000);
    assert_int_equal(s->closing_balance, 84538);
    assert_int_equal(s->statement_date, ymd("2027-01-01"));
    assert_int_equal(s->period_from, ymd("2026-12-30"));
    assert_int_equal(s->entry_count, 4);
    assert_int_equal(s->credit_total, 4550);
    assert_int_equal(s->debit_total, 20012);
    /* the statement adds up, as the lead's balance check will require */
    assert_int_equal(s->opening_balance + s->credit_total - s->debit_total, s->closing_balance);
    collector_free(&c);
}

static void test_fixture_mt942(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (parse_path(FIX "mt942_interim.sta", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.receipts[0].amount, 123456);
    assert_string_equal(c.receipts[0].currency, "CNY");
    assert_string_equal(c.receipts[0].transaction_key, "HX20260315001");
    assert_string_equal(c.receipts[0].remittance, "PREMIUM P2026000000123 FIRST INSTALLMENT");
    assert_int_equal(c.receipts[0].booking_date, ymd("2026-03-15"));
    assert_int_equal(c.receipts[1].amount, -999);
    assert_memory_equal(c.receipts[1].transaction_key, "fp-", 3);
    assert_int_equal(c.stmt_count, 1);
    assert_false(c.statements[0].has_opening);
    assert_false(c.statements[0].has_closing);
    assert_int_equal(c.statements[0].statement_date, ymd("2026-03-15"));
    assert_int_equal(c.statements[0].credit_total, 123456);
    assert_int_equal(c.statements[0].debit_total, 999);
    collector_free(&c);
}

/* A reference repeated on one day (a policy number paid twice) must give two keys. */
static void test_fixture_same_reference(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (parse_path(FIX "same_reference_twice.sta", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.receipts[0].creditor_reference, "P2026000000123");
    assert_string_equal(c.receipts[1].creditor_reference, "P2026000000123");
    assert_string_not_equal(c.receipts[0].transaction_key, c.receipts[1].transaction_key);
    size_t n = strlen(c.receipts[0].transaction_key);
    assert_true(n > 2);
    assert_string_equal(c.receipts[0].transaction_key + n - 2, "-1");
    assert_string_equal(c.receipts[1].transaction_key + n - 2, "-2");
    collector_free(&c);
}

/* RC/RD lines and /RTRN/ returns name the reversed payment in reversal_of: its
 * end-to-end id from /EREF/ or EREF+, which the database pairs with the original's
 * end_to_end_id in the same source; without one, the line's own bank reference. */
static void test_fixture_reversal_of(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (parse_path(FIX "reversal_pair.sta", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    static const struct {
        const char *key;
        fen_t amount;
        bool reversal;
        const char *e2e, *reversal_of;
    } want[] = {
        {"BK-ORIG-1", 3000, false, "E2E-ORIG-1", ""},
        {"BK-REV-1", -3000, true, "E2E-ORIG-1", "E2E-ORIG-1"},
        {"BK-ORIG-2", 4500, false, "E2E-ORIG-2", ""},
        {"BK-REV-2", -4500, true, "E2E-ORIG-2", "E2E-ORIG-2"},
        {"BK-REV-3", 999, true, "", "BK-REV-3"},
    };
    assert_int_equal(c.count, 5);
    for (size_t i = 0; i < 5; i++) {
        const receipt_t *r = &c.receipts[i];
        assert_string_equal(r->transaction_key, want[i].key);
        assert_int_equal(r->amount, want[i].amount);
        assert_int_equal(r->reversal, want[i].reversal);
        assert_string_equal(r->end_to_end_id, want[i].e2e);
        assert_string_equal(r->reversal_of, want[i].reversal_of);
    }
    /* each reversal names a receipt of the same source, as the database pairs them */
    for (size_t i = 1; i < 4; i += 2) {
        assert_string_equal(c.receipts[i].source, c.receipts[i - 1].source);
        assert_string_equal(c.receipts[i].reversal_of, c.receipts[i - 1].end_to_end_id);
    }
    assert_int_equal(c.stmt_count, 1);
    assert_int_equal(c.statements[0].opening_balance + c.statements[0].credit_total -
                         c.statements[0].debit_total,
                     c.statements[0].closing_balance);
    collector_free(&c);
}

/* Statements without :20: (see parsers/mt940.c): a second opening balance or account
 * starts the next; entries with no :25: take the previous statement's account and
 * currency; a tag broken after its colon (":" then "86:") and a :61: broken after its
 * mark are rejoined. */
static void test_fixture_fragments(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (parse_path(FIX "fragments.sta", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    static const struct {
        const char *position, *source, *key, *currency, *remittance;
        fen_t amount;
    } want[] = {
        {"line 3", "CN0001", "BKF1", "CNY", "PREMIUM P2026000000123", 3000},
        {"line 7", "CN0001", "BKF2", "CNY", "PREMIUM P2026000000124", 2000},
        {"line 12", "CN0002", "fp-", "USD", "P2026000000456", 500},
        {"line 18", "CN0002", "BKF4", "USD", "FEE", -100},
    };
    assert_int_equal(c.count, 4);
    for (size_t i = 0; i < 4; i++) {
        const receipt_t *r = &c.receipts[i];
        assert_string_equal(r->position, want[i].position);
        assert_string_equal(r->source, want[i].source);
        if (strcmp(want[i].key, "fp-") == 0)
            assert_memory_equal(r->transaction_key, "fp-", 3);
        else
            assert_string_equal(r->transaction_key, want[i].key);
        assert_string_equal(r->currency, want[i].currency);
        assert_string_equal(r->remittance, want[i].remittance);
        assert_int_equal(r->amount, want[i].amount);
    }
    static const struct {
        const char *position, *source, *currency;
        bool has_balances;
        fen_t opening, closing;
    } stmts[] = {
        {"line 1", "CN0001", "CNY", true, 10000, 13000},
        {"line 6", "CN0001", "CNY", true, 13000, 15000},
        {"line 10", "CN0002", "USD", true, 500, 1000},
        {"line 18", "CN0002", "USD", false, 0, 0},
    };
    assert_int_equal(c.stmt_count, 4);
    for (size_t i = 0; i < 4; i++) {
        const statement_summary *s = &c.statements[i];
        assert_string_equal(s->position, stmts[i].position);
        assert_string_equal(s->source, stmts[i].source);
        assert_string_equal(s->currency, stmts[i].currency);
        assert_string_equal(s->statement_id, "");
        assert_int_equal(s->has_opening, stmts[i].has_balances);
        assert_int_equal(s->has_closing, stmts[i].has_balances);
        assert_int_equal(s->entry_count, 1);
        if (stmts[i].has_balances) {
            assert_int_equal(s->opening_balance, stmts[i].opening);
            assert_int_equal(s->closing_balance, stmts[i].closing);
            assert_int_equal(s->opening_balance + s->credit_total - s->debit_total,
                             s->closing_balance);
        }
    }
    collector_free(&c);
}

static void test_fixture_errors(void **state)
{
    (void)state;
    static const struct {
        const char *file, *message;
        size_t pushed_before;
    } cases[] = {
        {FIX "err_feb30.sta", FIX "err_feb30.sta: line 7: invalid date 230230 in :61:", 1},
        {FIX "err_control_byte.sta",
         FIX "err_control_byte.sta: line 6: control byte 0x07 at column 13; hint: the file is "
             "damaged or not text",
         0},
        {FIX "err_long_account.sta",
         FIX "err_long_account.sta: line 2: :25: account longer than 139 bytes", 0},
        {FIX "err_amount.sta", FIX "err_amount.sta: line 4: invalid amount 1.000,00 in :61:", 0},
        {FIX "err_entry_after_closing.sta",
         FIX "err_entry_after_closing.sta: line 5: :61: after the closing balance; hint: a new "
             "statement starts with :20:",
         0},
        /* a statement opened by :20: still needs its account: only fragments borrow one */
        {FIX "err_no_account.sta",
         FIX "err_no_account.sta: line 3: :61: before the :25: account identification", 0},
        /* nor does a fragment take entries after its closing balance: what ends a
         * statement is :20:, a trailer "-" or another account/opening balance */
        {FIX "err_fragment_entry_after_closing.sta",
         FIX "err_fragment_entry_after_closing.sta: line 4: :61: after the closing balance; hint: "
             "a new statement starts with :20:",
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collector c;
        err_t err;
        recon_status st = parse_path(cases[i].file, &c, &err);
        assert_int_equal(st, RECON_EDATA);
        assert_string_equal(err.msg, cases[i].message);
        /* nothing after the error, and no statement summary for the broken statement */
        assert_int_equal(c.count, cases[i].pushed_before);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
}

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        bool want;
    } cases[] = {
        {"{1:F01INGBNL2ABXXX0000000000}\r\n{2:I940INGBNL2AXXXN}\r\n{4:\r\n:20:X\r\n", true},
        {"\xEF\xBB\xBF:20:STARTUMS\n:25:1\n", true},
        {"\n\x01\n:20:ST170201CYC/1\n", true},
        {"ABNANL2A\n940\nABNANL2A\n:20:ABN AMRO BANK NV\n:25:517852257\n:28:19321/1\n"
         ":60F:C110522EUR3236,28\n",
         true},
        {"0000 01INGBNL2AXXXX00001\n940 00\n:20:P1\n:25:NL77\n:28C:0\n:60F:C140119EUR662,23\n",
         true},
        {"<?xml version=\"1.0\"?><Document><BkToCstmrStmt>", false},
        {"date,amount,payer\n2026-01-01,30.00,:25:\n", false},
        {":NS:\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = mt940_detect((const unsigned char *)cases[i].head, strlen(cases[i].head));
        if (got != cases[i].want)
            fail_msg("detect case %zu = %d", i, got);
    }
    /* format_detect dispatches real statements to mt940 */
    const char *ing = "{1:F01INGBNL2ABXXX0000000000}\n{4:\n:20:X\n";
    assert_int_equal(format_detect((const unsigned char *)ing, strlen(ing)), FORMAT_MT940);
}

/* parse_file end to end, with detection, on the own fixture. */
static void test_parse_file(void **state)
{
    (void)state;
    collector c;
    receipt_sink sink = {0};
    collector_init(&c, &sink);
    err_t err;
    err_clear(&err);
    stmt_format f = FORMAT_UNKNOWN;
    if (parse_file(FIX "cny_rollover_envelope.sta", NULL, &sink, &f, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(f, FORMAT_MT940);
    assert_int_equal(c.count, 4);
    collector_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_entry_lines),
        cmocka_unit_test(test_entry_tolerances),
        cmocka_unit_test(test_balance_tolerances),
        cmocka_unit_test(test_details_party),
        cmocka_unit_test(test_fixture_tolerances),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_fixture_cny),
        cmocka_unit_test(test_fixture_mt942),
        cmocka_unit_test(test_fixture_same_reference),
        cmocka_unit_test(test_fixture_reversal_of),
        cmocka_unit_test(test_fixture_fragments),
        cmocka_unit_test(test_fixture_errors),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_samples_counts),
        cmocka_unit_test(test_sample_receipts),
        cmocka_unit_test(test_sample_statements),
        cmocka_unit_test(test_sample_amount_formats),
    };
    return cmocka_run_group_tests_name("parsers/mt940", tests, NULL, NULL);
}
