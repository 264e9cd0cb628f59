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

#define FIX "tests/parsers/fixtures/mt940/"

static date_t ymd(const char *iso)
{
    date_t d;
    if (!date_parse(iso, strlen(iso), &d))
        fail_msg("bad test date %s", iso);
    return d;
}

/* Parses path with mt940_parse directly (no detection) into c. */
static recon_status parse_path(const char *path, collector *c, err_t *err)
{
    receipt_sink sink;
    collector_init(c, &sink);
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

/* Parsed whole, the samples are samples.list lines (counts, and the oracles' values in
 * tests/parsers/samples/mt940/) and the own files fixture cases, run by test_fixtures.sh
 * through `recon parse`, which finds the format from the head: every MT940 sample,
 * snippets that open with :62F: or :86: included, must be detected as one. */
static void test_detect_samples(void **state)
{
    (void)state;
    if (testutil_samples_dir() == NULL)
        skip();
    static const char *const files[] = {
        "oca__base__test-ing.940",
        "oca__base__test-sns.940",
        "oca__nl_ing__test-ing-old.940",
        "wolph__ASNB_mt940.txt",
        "wolph__betterplace_empty_86.sta",
        "wolph__betterplace_empty_line.sta",
        "wolph__betterplace_sepa_mt9401.sta",
        "wolph__citi_mt940.txt",
        "wolph__cmxl_account_balance_debit.sta",
        "wolph__cmxl_account_identification_legacy.sta",
        "wolph__cmxl_closing_balance.sta",
        "wolph__cmxl_reference.sta",
        "wolph__jejik_abnamro.sta",
        "wolph__jejik_ing.sta",
        "wolph__jejik_postfinance.sta",
        "wolph__jejik_rabobank.sta",
        "wolph__jejik_triodos.sta",
        "wolph__mBank_with_newline_in_tnr.sta",
        "wolph__self-provided_account_identification.sta",
        "wolph__self-provided_gv_codes.sta",
        "wolph__self-provided_long_statement_number.sta",
        "wolph__self-provided_raiffeisen-cmi.sta",
        "wolph__self-provided_whitespace.sta",
        "wolph__betterplace_amount_formats.sta",
        "wolph__cmxl_statement_line.sta",
        "wolph__self-provided_sparkassen.sta",
        "wolph__self-provided_multiline.sta",
        "wolph__betterplace_sepa_snippet_broken.sta",
        "wolph__self-provided_empty_non_swift.sta", /* not MT940 */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        sample_path(path, sizeof path, files[i]);
        unsigned char head[4096];
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(head, 1, sizeof head, f);
        fclose(f);
        bool is_mt940 = strcmp(files[i], "wolph__self-provided_empty_non_swift.sta") != 0;
        if ((format_detect(head, n) == FORMAT_MT940) != is_mt940)
            fail_msg("%s: detected as %s", files[i], format_name(format_detect(head, n)));
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

/* The statement period, which `recon parse` does not print: the fixture case
 * mt940/cny_rollover_envelope starts on 2026-12-30 and ends (statement date) on 2027-01-01. */
static void test_statement_period(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (parse_path(FIX "cny_rollover_envelope.sta", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.stmt_count, 1);
    assert_int_equal(c.statements[0].period_from, ymd("2026-12-30"));
    assert_int_equal(c.statements[0].statement_date, ymd("2027-01-01"));
    collector_free(&c);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_entry_lines),
        cmocka_unit_test(test_entry_tolerances),
        cmocka_unit_test(test_balance_tolerances),
        cmocka_unit_test(test_details_party),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_statement_period),
        cmocka_unit_test(test_detect_samples),
        cmocka_unit_test(test_sample_amount_formats),
    };
    return cmocka_run_group_tests_name("parsers/mt940", tests, NULL, NULL);
}
