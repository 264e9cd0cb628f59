#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "parsers/parse.h"
#include "tests/support/testutil.h"

/* Files parsed whole are fixture cases (tests/parsers/fixtures/camt05x) and samples.list
 * lines, run by test_fixtures.sh; here: detection, documents built in memory, the sink. */
#define FIXTURES "tests/parsers/fixtures/camt053"

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        bool ok;
        stmt_format which;
    } cases[] = {
        {"<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">",
         true, FORMAT_CAMT053},
        {"\xEF\xBB\xBF  <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">", true,
         FORMAT_CAMT054},
        {"<n:Document xmlns:n=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.11\">", true,
         FORMAT_CAMT053},
        {"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.02\">", true,
         FORMAT_CAMT052},
        /* an envelope: the AppHdr's namespace comes first, the Document's later */
        {"<Envelope><AppHdr xmlns=\"urn:iso:std:iso:20022:tech:xsd:head.001.001.02\">"
         "<MsgDefIdr>camt.054.001.08</MsgDefIdr></AppHdr><camt:Document "
         "xmlns:camt=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">",
         true, FORMAT_CAMT054},
        /* a header so long that the Document is past the head bytes */
        {"<Envelope><h:AppHdr xmlns:h=\"urn:iso:std:iso:20022:tech:xsd:head.001.001.03\">"
         "<h:MsgDefIdr>camt.052.001.10</h:MsgDefIdr><h:Sgntr>",
         true, FORMAT_CAMT052},
        {"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.056.001.08\">", false,
         FORMAT_UNKNOWN},
        {"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">", false,
         FORMAT_UNKNOWN},
        {":20:STARTUMSE\n:25:10020030/1234567\n", false, FORMAT_UNKNOWN},
        {"date,amount\nurn:iso:std:iso:20022:tech:xsd:camt.053.001.02\n", false, FORMAT_UNKNOWN},
        {"", false, FORMAT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stmt_format which = FORMAT_UNKNOWN;
        bool ok = camt_detect((const unsigned char *)cases[i].head, strlen(cases[i].head), &which);
        if (ok != cases[i].ok)
            fail_msg("case %zu: detect %d want %d", i, ok, cases[i].ok);
        assert_int_equal(which, cases[i].which);
        if (cases[i].ok)
            assert_int_equal(format_detect((const unsigned char *)cases[i].head,
                                           strlen(cases[i].head)),
                             cases[i].which);
    }
}

/* Small in-memory variants of one document, for quirks that need no fixture file. */
static const char doc_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.%s\">\n"
    "<%s><GrpHdr><MsgId>M</MsgId></GrpHdr>\n"
    "<%s><Id>S1</Id><Acct><Id><IBAN>CN99000000000000000001</IBAN></Id></Acct>\n"
    "<Ntry><Amt Ccy=\"%s\">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Sts>BOOK</Sts>\n"
    "<BookgDt><DtTm>%s</DtTm></BookgDt>\n"
    "<NtryDtls><TxDtls><Refs><EndToEndId>%s</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>\n"
    "</%s></%s></Document>\n";

typedef struct variant {
    const char *ns, *ccy, *amount, *ind, *dttm, *e2e;
    const char *want_error; /* NULL: must parse */
    fen_t want_amount;
    const char *want_date;
} variant;

static recon_status parse_variant(const variant *v, collector *c, err_t *err)
{
    bool n054 = strncmp(v->ns, "054", 3) == 0, n052 = strncmp(v->ns, "052", 3) == 0;
    const char *msg = n054 ? "BkToCstmrDbtCdtNtfctn" : n052 ? "BkToCstmrAcctRpt" : "BkToCstmrStmt";
    const char *stmt = n054 ? "Ntfctn" : n052 ? "Rpt" : "Stmt";
    buf_t b = BUF_INIT;
    assert_true(buf_printf(&b, doc_head, v->ns, msg, stmt, v->ccy, v->amount, v->ind, v->dttm,
                           v->e2e, stmt, msg));
    recon_status st =
        testutil_parse_memory("mem.xml", b.data, b.len, FORMAT_CAMT053, NULL, c, err);
    buf_free(&b);
    return st;
}

static void test_variants(void **state)
{
    (void)state;
    const variant cases[] = {
        {"053.001.05", "CNY", "30.50000", "CRDT", "2026-01-01T15:59:59Z", "E", NULL, 3050,
         "2026-01-01"},
        {"053.001.05", "CNY", "30.5", "CRDT", "2026-01-01T16:00:00Z", "E", NULL, 3050,
         "2026-01-02"},
        {"054.001.03", "CNY", "0.01", "DBIT", "2026-03-01T07:59:59.999+08:00", "E", NULL, -1,
         "2026-03-01"},
        {"053.001.07", "CNY", "1", "CRDT", "2026-03-01T00:30:00+09:00", "E", NULL, 100,
         "2026-02-28"},
        {"053.001.07", "CNY", "1", "CRDT", "2024-02-29T23:00:00-05:00", "E", NULL, 100,
         "2024-03-01"},
        {"053.001.07", "JPY", "2700", "CRDT", "2026-01-01T00:00:00", "E", NULL, 270000,
         "2026-01-01"},
        {"053.001.07", "SEK", "1.001", "CRDT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: entry Amt 1.001 SEK has more than 2 significant decimals; "
         "hint: only whole fen (cents) can be booked",
         0, NULL},
        {"053.001.07", "CNY", "1.000001", "CRDT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: entry Amt 1.000001 CNY has more than 2 significant "
         "decimals; hint: only whole fen (cents) can be booked",
         0, NULL},
        {"053.001.07", "CNY", "100.0000000000005", "CRDT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: entry Amt 100.0000000000005 CNY has more than 2 significant "
         "decimals; hint: only whole fen (cents) can be booked",
         0, NULL},
        {"053.001.07", "CNY", "100.1000000000000", "CRDT", "2026-01-01T00:00:00", "E", NULL,
         10010, "2026-01-01"},
        {"053.001.07", "CNY", "1.2x000000", "CRDT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: entry Amt \"1.2x000000\": not a decimal amount", 0, NULL},
        {"053.001.07", "CNY", "-1.00", "CRDT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: entry Amt \"-1.00\" is signed; hint: camt amounts are "
         "unsigned, the sign is in CdtDbtInd",
         0, NULL},
        {"053.001.07", "cny", "1.00", "CRDT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: entry Amt has a missing or invalid Ccy attribute \"cny\"", 0,
         NULL},
        {"053.001.07", "CNY", "1.00", "CRDIT", "2026-01-01T00:00:00", "E",
         "line 5: Stmt[1]/Ntry[1]: CdtDbtInd \"CRDIT\" is neither CRDT nor DBIT", 0, NULL},
        {"053.001.07", "CNY", "1.00", "CRDT", "2026-01-01 10:00:00", "E",
         "line 6: Stmt[1]/Ntry[1]: BookgDt/DtTm \"2026-01-01 10:00:00\" is not a valid ISO "
         "date-time (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])",
         0, NULL},
        {"053.001.07", "CNY", "1.00", "CRDT", "2026-02-30T10:00:00", "E",
         "line 6: Stmt[1]/Ntry[1]: BookgDt/DtTm \"2026-02-30T10:00:00\" is not a valid ISO "
         "date-time (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])",
         0, NULL},
        {"053.001.09", "CNY", "1.00", "CRDT", "2026-01-01T10:00:00", "E", NULL, 100,
         "2026-01-01"},
        {"054.001.13", "CNY", "1.00", "CRDT", "2026-01-01T10:00:00", "E", NULL, 100,
         "2026-01-01"},
        {"052.001.11", "CNY", "1.00", "CRDT", "2026-01-01T10:00:00", "E", NULL, 100,
         "2026-01-01"},
        {"053.001.101", "CNY", "1.00", "CRDT", "2026-01-01T10:00:00", "E", NULL, 100,
         "2026-01-01"},
        {"053.001.01", "CNY", "1.00", "CRDT", "2026-01-01T10:00:00", "E",
         "line 2: unsupported camt version \"urn:iso:std:iso:20022:tech:xsd:camt.053.001.01\"; "
         "hint: camt.052, camt.053 and camt.054 .001.02 to .001.13 are supported",
         0, NULL},
        {"053.002.02", "CNY", "1.00", "CRDT", "2026-01-01T10:00:00", "E",
         "line 2: unsupported camt version \"urn:iso:std:iso:20022:tech:xsd:camt.053.002.02\"; "
         "hint: camt.052, camt.053 and camt.054 .001.02 to .001.13 are supported",
         0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const variant *v = &cases[i];
        collector c;
        err_t err;
        recon_status st = parse_variant(v, &c, &err);
        if (v->want_error == NULL) {
            if (st != RECON_OK)
                fail_msg("case %zu: %s", i, err.msg);
            assert_int_equal(c.count, 1);
            assert_int_equal(c.receipts[0].amount, v->want_amount);
            char d[DATE_STR_SIZE];
            date_format(c.receipts[0].booking_date, d);
            if (strcmp(d, v->want_date) != 0)
                fail_msg("case %zu: booking date %s want %s", i, d, v->want_date);
            assert_string_equal(c.receipts[0].end_to_end_id, v->e2e);
        } else {
            char want[1024];
            snprintf(want, sizeof want, "mem.xml: %s", v->want_error);
            assert_int_equal(st, RECON_EDATA);
            if (strcmp(err.msg, want) != 0)
                fail_msg("case %zu:\n got  %s\n want %s", i, err.msg, want);
            assert_int_equal(c.count, 0);
        }
        collector_free(&c);
    }
}

/* A DOCTYPE past the first 64 KiB escapes the head check; the reader must still refuse it. */
static void test_doctype_after_head(void **state)
{
    (void)state;
    buf_t b = BUF_INIT;
    assert_true(buf_append_str(&b, "<?xml version=\"1.0\"?>\n<!--"));
    for (int i = 0; i < 70 * 1024 / 64; i++)
        assert_true(buf_append_str(
            &b, "padding padding padding padding padding padding padding padding\n"));
    assert_true(buf_append_str(
        &b, "-->\n<!DOCTYPE Document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">&x;</Document>\n"));
    err_t err;
    collector c;
    recon_status st =
        testutil_parse_memory("big.xml", b.data, b.len, FORMAT_CAMT053, NULL, &c, &err);
    buf_free(&b);
    assert_int_equal(st, RECON_EDATA);
    assert_non_null(strstr(err.msg, "big.xml: line "));
    assert_non_null(strstr(err.msg, ": document type declarations are not allowed (external "
                                    "entities and entity expansion are disabled)"));
    assert_int_equal(c.count, 0);
    collector_free(&c);
}

/* One statement of one entry; between GrpHdr and Stmt, `pad` blank lines; the entry's
 * amount, and what follows the entry (its closing tags, or whatever the case puts there). */
static void build_doc(buf_t *b, int pad, const char *amount, const char *tail)
{
    assert_true(buf_append_str(
        b, "<?xml version=\"1.0\"?>\n"
           "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n"
           "<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>\n"));
    for (int i = 0; i < pad; i++)
        assert_true(buf_append_str(b, "\n"));
    assert_true(buf_printf(
        b, "<Stmt><Id>S1</Id><Acct><Id><IBAN>CN99000000000000000001</IBAN></Id></Acct>\n"
           "<Ntry><Amt Ccy=\"CNY\">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\n"
           "<BookgDt><Dt>2026-01-02</Dt></BookgDt><AcctSvcrRef>R-1</AcctSvcrRef>\n"
           "<NtryDtls><TxDtls><Refs><EndToEndId>E</EndToEndId></Refs>%s",
        amount, tail));
}

static const char doc_tail[] =
    "</TxDtls></NtryDtls></Ntry>\n</Stmt></BkToCstmrStmt></Document>\n";

static void expect_error(const buf_t *b, const char *want)
{
    err_t err;
    collector c;
    recon_status st = testutil_parse_memory("m.xml", b->data, b->len, FORMAT_CAMT053, NULL, &c,
                                            &err);
    assert_int_equal(st, RECON_EDATA);
    if (strcmp(err.msg, want) != 0)
        fail_msg("\n got  %s\n want %s", err.msg, want);
    collector_free(&c);
}

/* Past line 65535 libxml2's tree nodes lose their line; SAX2 gives the true one. */
static void test_line_past_65535(void **state)
{
    (void)state;
    buf_t b = BUF_INIT;
    build_doc(&b, 70000, "1.001", doc_tail);
    expect_error(&b, "m.xml: line 70005: Stmt[1]/Ntry[1]: entry Amt 1.001 CNY has more than 2 "
                     "significant decimals; hint: only whole fen (cents) can be booked");
    buf_free(&b);
}

/* The first problem in the file is the one reported, even when malformed XML follows a
 * few bytes later (the reader, which parsed ahead, reported the later one). */
static void test_first_problem_reported(void **state)
{
    (void)state;
    buf_t b = BUF_INIT;
    build_doc(&b, 0, "1.001", "</TxDtls></NtryDtls></Ntry>\n</Stmt <<>\n");
    expect_error(&b, "m.xml: line 5: Stmt[1]/Ntry[1]: entry Amt 1.001 CNY has more than 2 "
                     "significant decimals; hint: only whole fen (cents) can be booked");
    buf_free(&b);
}

/* A cut-off file names the innermost record open where it ends. */
static void test_truncated_names_innermost(void **state)
{
    (void)state;
    buf_t b = BUF_INIT;
    build_doc(&b, 0, "1.00", "<RmtInf><Ustrd>P2026");
    expect_error(&b, "m.xml: line 7: xml error: unexpected end of file inside "
                     "Stmt[1]/Ntry[1]/TxDtls[1]; the file looks truncated");
    buf_free(&b);
}

/* Text is cut where the reader cut it, leading blanks counted: a name of 3000 blanks is
 * cut (to nothing), a remittance after 1000 newlines keeps 24 bytes. The document is over
 * the parser's 64 KiB chunk, so text is also read across chunks. */
typedef struct warned {
    collector c;
    receipt_sink inner;
    char text[4][128];
    int count;
} warned;

static recon_status warned_receipt(void *ctx, const receipt_t *r, err_t *err)
{
    warned *w = ctx;
    return w->inner.on_receipt(w->inner.ctx, r, err);
}

static recon_status warned_warning(void *ctx, const char *position, const char *text,
                                   err_t *err)
{
    (void)position, (void)err;
    warned *w = ctx;
    if (w->count < 4)
        snprintf(w->text[w->count], sizeof w->text[0], "%s", text);
    w->count++;
    return RECON_OK;
}

static void test_blank_text(void **state)
{
    (void)state;
    buf_t b = BUF_INIT, tail = BUF_INIT;
    assert_true(buf_append_str(&tail, "<RltdPties><Dbtr><Nm>"));
    for (int i = 0; i < 3000; i++)
        assert_true(buf_append_str(&tail, " "));
    assert_true(buf_append_str(&tail, "</Nm></Dbtr></RltdPties><RmtInf><Ustrd>"));
    for (int i = 0; i < 1000; i++)
        assert_true(buf_append_str(&tail, "\n"));
    for (int i = 0; i < 40; i++)
        assert_true(buf_append_str(&tail, "P2026000000123 "));
    assert_true(buf_append_str(&tail, "</Ustrd></RmtInf>"));
    assert_true(buf_append_str(&tail, doc_tail));
    build_doc(&b, 70000, "1.00", tail.data);
    warned w;
    memset(&w, 0, sizeof w);
    collector_init(&w.c, &w.inner);
    receipt_sink sink = {&w, warned_receipt, NULL, warned_warning};
    instream_t *in = NULL;
    err_t err;
    err_clear(&err);
    assert_int_equal(instream_open_memory("m.xml", b.data, b.len, &in, &err), RECON_OK);
    recon_status st = camt_parse(in, NULL, &sink, &err);
    instream_close(in);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(w.c.count, 1);
    assert_string_equal(w.c.receipts[0].payer, "");
    assert_string_equal(w.c.receipts[0].remittance, "P2026000000123 P20260000");
    assert_int_equal(w.count, 2);
    assert_string_equal(w.text[0], "Dbtr Nm cut at 0 bytes");
    assert_string_equal(w.text[1], "remittance information (Ustrd joined) cut at 24 bytes");
    collector_free(&w.c);
    buf_free(&b);
    buf_free(&tail);
}

/* An encoding declaration other than UTF-8 (Chinese banks send GB18030) is honoured. */
static void test_gb18030_document(void **state)
{
    (void)state;
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"GB18030\"?>\n"
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">"
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>G</MsgId></GrpHdr>"
        "<Ntfctn><Id>N</Id><Acct><Id><Othr><Id>6222020200112233445</Id></Othr></Id></Acct>"
        "<Ntry><Amt Ccy=\"CNY\">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        "<BookgDt><Dt>2026-01-02</Dt></BookgDt><AcctSvcrRef>G-1</AcctSvcrRef>"
        "<NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>\xD5\xC5\xC8\xFD</Nm></Pty></Dbtr>"
        "</RltdPties><RmtInf><Ustrd>\xB1\xA3\xB5\xA5</Ustrd></RmtInf></TxDtls></NtryDtls>"
        "</Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n";
    err_t err;
    collector c;
    recon_status st =
        testutil_parse_memory("gb.xml", doc, sizeof doc - 1, FORMAT_CAMT054, NULL, &c, &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.receipts[0].payer, "张三");
    assert_string_equal(c.receipts[0].remittance, "保单");
    assert_string_equal(c.receipts[0].transaction_key, "G-1");
    assert_string_equal(c.receipts[0].position, "Ntfctn[1]/Ntry[1]");
    collector_free(&c);
}

/* A sink error stops the parse at once and is passed through unchanged. */
static recon_status stop_after_two(void *ctx, const receipt_t *r, err_t *err)
{
    (void)r;
    int *seen = ctx;
    if (++*seen == 2)
        return err_set(err, RECON_EUNAVAIL, "sink refused");
    return RECON_OK;
}

static recon_status parse_path(const char *path, collector *c, err_t *err)
{
    receipt_sink sink;
    collector_init(c, &sink);
    err_clear(err);
    return parse_file(path, NULL, &sink, NULL, err);
}

/* An entry of the day's camt.052 repeated by its camt.053 keeps source and key, so the
 * store counts it once (tests/integration/test_camt_dialects.sh ingests the pair). */
static void test_report_keys_match_statement(void **state)
{
    (void)state;
    collector rpt, stmt;
    err_t err;
    if (parse_path("tests/parsers/fixtures/camt052/intraday_then_statement.xml", &rpt, &err) !=
        RECON_OK)
        fail_msg("%s", err.msg);
    if (parse_path("tests/parsers/fixtures/camt053/statement_after_intraday.xml", &stmt, &err) !=
        RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(rpt.count, 2);
    assert_int_equal(stmt.count, 3);
    for (size_t i = 0; i < rpt.count; i++) {
        const receipt_t *a = &rpt.receipts[i], *b = &stmt.receipts[i];
        assert_string_equal(a->source, b->source);
        assert_string_equal(a->transaction_key, b->transaction_key);
        assert_int_equal(a->amount, b->amount);
        assert_int_equal(a->booking_date, b->booking_date);
    }
    /* one keyed by AcctSvcrRef, one by fingerprint */
    assert_string_equal(rpt.receipts[0].transaction_key, "CN052-ENTRY-A");
    assert_int_equal(strncmp(rpt.receipts[1].transaction_key, "fp-", 3), 0);
    collector_free(&rpt);
    collector_free(&stmt);
}

static void test_sink_error_stops(void **state)
{
    (void)state;
    int seen = 0;
    receipt_sink sink = {&seen, stop_after_two, NULL, NULL};
    err_t err;
    err_clear(&err);
    recon_status st = parse_file(FIXTURES "/cny_v08_midnight.xml", NULL, &sink, NULL, &err);
    assert_int_equal(st, RECON_EUNAVAIL);
    assert_string_equal(err.msg, "sink refused");
    assert_int_equal(seen, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_doctype_after_head),
        cmocka_unit_test(test_line_past_65535),
        cmocka_unit_test(test_first_problem_reported),
        cmocka_unit_test(test_truncated_names_innermost),
        cmocka_unit_test(test_blank_text),
        cmocka_unit_test(test_gb18030_document),
        cmocka_unit_test(test_report_keys_match_statement),
        cmocka_unit_test(test_sink_error_stops),
    };
    return cmocka_run_group_tests_name("parsers/camt", tests, NULL, NULL);
}
