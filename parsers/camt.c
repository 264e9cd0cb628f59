/*
 * ISO 20022 camt.052 (account report), camt.053 (bank statement) and camt.054
 * (debit/credit notification), versions .001.02 to .001.13 (later ones read with a
 * warning), bare or inside a business application header envelope, read with
 * libxml2's SAX2 push parser fed in CAMT_CHUNK pieces, so memory stays flat however large
 * the file: only the current statement, entry and transaction (and a batch entry's
 * receipts, up to CAMT_HELD_MAX) are held, never the document. SAX2 rather than the
 * xmlTextReader, which builds and frees a tree node per element: the reader alone cost
 * 1.4x a bare SAX2 pass (bench/saxpass.c).
 */
#include "parsers/parse.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuild.h"
#include "common/vargs.h"
#include "core/currency.h"
#include "parsers/fingerprint.h"

#define CAMT_NS_PREFIX "urn:iso:std:iso:20022:tech:xsd:camt.05"
#define CAMT_MIN_VERSION 2
/* The latest version published when this was written; later ones are read as it is. */
#define CAMT_MAX_VERSION 13
/* A batch entry's receipts wait for its end, where their sum is checked against the
 * entry; a batch with more details than this is booked as one receipt. */
#define CAMT_HELD_MAX 4096
/* How deep under an envelope's root the camt Document may sit. */
#define CAMT_ENVELOPE_DEPTH 3
/* camt nests about 15 deep; supplementary data may go deeper, but not this deep. */
#define CAMT_MAX_DEPTH 64
/* Longest element text kept: the longest receipt field (remittance). */
#define CAMT_TEXT_MAX RECEIPT_TEXT_MAX
#define CAMT_XML_MSG_MAX 300
#define CAMT_WHERE_MAX 96
/* Bytes handed to the push parser at a time: large enough that the per-call cost vanishes,
 * small enough to stay in cache. */
#define CAMT_CHUNK 65536
/* The longest text libxml2's tree builder accepts without XML_PARSE_HUGE: the reader this
 * parser used to be refused longer text nodes, and so does it. */
#define CAMT_TEXT_NODE_MAX 10000000
/* Slots of the element-name table: a power of two, over twice the names it holds. */
#define CAMT_NAME_SLOTS 128

/* Element local names the parser acts on; everything else is T_OTHER. */
typedef enum camt_tok {
    T_OTHER = 0,
    T_Document,
    T_BkToCstmrStmt,
    T_BkToCstmrDbtCdtNtfctn,
    T_BkToCstmrAcctRpt,
    T_Stmt,
    T_Ntfctn,
    T_Rpt,
    T_GrpHdr,
    T_Id,
    T_CreDtTm,
    T_FrToDt,
    T_FrDtTm,
    T_ToDtTm,
    T_Acct,
    T_IBAN,
    T_Othr,
    T_Ccy,
    T_Bal,
    T_Tp,
    T_CdOrPrtry,
    T_Cd,
    T_Amt,
    T_CdtDbtInd,
    T_Dt,
    T_DtTm,
    T_Ntry,
    T_RvslInd,
    T_Sts,
    T_BookgDt,
    T_ValDt,
    T_AcctSvcrRef,
    T_NtryDtls,
    T_TxDtls,
    T_Refs,
    T_EndToEndId,
    T_TxId,
    T_UETR,
    T_AmtDtls,
    T_TxAmt,
    T_RltdPties,
    T_Dbtr,
    T_Cdtr,
    T_Pty,
    T_Nm,
    T_DbtrAcct,
    T_CdtrAcct,
    T_RmtInf,
    T_Ustrd,
    T_Strd,
    T_CdtrRefInf,
    T_Ref,
    T_AddtlTxInf,
    T_Chrgs,
    T_Rcrd,
    T_RtrInf,
    T_OrgnlTxId,
    T_OrgnlEndToEndId,
    T_OrgnlUETR,
    T_OrgnlInstrId,
    T_COUNT
} camt_tok;

_Static_assert(T_COUNT * 2 <= CAMT_NAME_SLOTS, "element-name table too small");

static const char *const camt_tok_names[T_COUNT] = {
    [T_OTHER] = "",
    [T_Document] = "Document",
    [T_BkToCstmrStmt] = "BkToCstmrStmt",
    [T_BkToCstmrDbtCdtNtfctn] = "BkToCstmrDbtCdtNtfctn",
    [T_BkToCstmrAcctRpt] = "BkToCstmrAcctRpt",
    [T_Stmt] = "Stmt",
    [T_Ntfctn] = "Ntfctn",
    [T_Rpt] = "Rpt",
    [T_GrpHdr] = "GrpHdr",
    [T_Id] = "Id",
    [T_CreDtTm] = "CreDtTm",
    [T_FrToDt] = "FrToDt",
    [T_FrDtTm] = "FrDtTm",
    [T_ToDtTm] = "ToDtTm",
    [T_Acct] = "Acct",
    [T_IBAN] = "IBAN",
    [T_Othr] = "Othr",
    [T_Ccy] = "Ccy",
    [T_Bal] = "Bal",
    [T_Tp] = "Tp",
    [T_CdOrPrtry] = "CdOrPrtry",
    [T_Cd] = "Cd",
    [T_Amt] = "Amt",
    [T_CdtDbtInd] = "CdtDbtInd",
    [T_Dt] = "Dt",
    [T_DtTm] = "DtTm",
    [T_Ntry] = "Ntry",
    [T_RvslInd] = "RvslInd",
    [T_Sts] = "Sts",
    [T_BookgDt] = "BookgDt",
    [T_ValDt] = "ValDt",
    [T_AcctSvcrRef] = "AcctSvcrRef",
    [T_NtryDtls] = "NtryDtls",
    [T_TxDtls] = "TxDtls",
    [T_Refs] = "Refs",
    [T_EndToEndId] = "EndToEndId",
    [T_TxId] = "TxId",
    [T_UETR] = "UETR",
    [T_AmtDtls] = "AmtDtls",
    [T_TxAmt] = "TxAmt",
    [T_RltdPties] = "RltdPties",
    [T_Dbtr] = "Dbtr",
    [T_Cdtr] = "Cdtr",
    [T_Pty] = "Pty",
    [T_Nm] = "Nm",
    [T_DbtrAcct] = "DbtrAcct",
    [T_CdtrAcct] = "CdtrAcct",
    [T_RmtInf] = "RmtInf",
    [T_Ustrd] = "Ustrd",
    [T_Strd] = "Strd",
    [T_CdtrRefInf] = "CdtrRefInf",
    [T_Ref] = "Ref",
    [T_AddtlTxInf] = "AddtlTxInf",
    [T_Chrgs] = "Chrgs",
    [T_Rcrd] = "Rcrd",
    [T_RtrInf] = "RtrInf",
    [T_OrgnlTxId] = "OrgnlTxId",
    [T_OrgnlEndToEndId] = "OrgnlEndToEndId",
    [T_OrgnlUETR] = "OrgnlUETR",
    [T_OrgnlInstrId] = "OrgnlInstrId",
};

typedef struct camt_amount {
    bool set;
    fen_t value; /* unsigned in camt: the sign lives in CdtDbtInd */
    char ccy[RECEIPT_CCY_MAX];
} camt_amount;

/* What one TxDtls says; for an entry booked as a single receipt, the merge of all of them. */
typedef struct camt_tx {
    camt_amount amt;   /* TxDtls/Amt (v3+) */
    camt_amount txamt; /* TxDtls/AmtDtls/TxAmt/Amt (v2 style) */
    char acct_svcr_ref[RECEIPT_ID_MAX];
    char end_to_end_id[RECEIPT_ID_MAX];
    char tx_id[RECEIPT_ID_MAX];
    char uetr[RECEIPT_ID_MAX];
    char dbtr_name[RECEIPT_NAME_MAX];
    char dbtr_acct[RECEIPT_ACCOUNT_MAX];
    char cdtr_name[RECEIPT_NAME_MAX];
    char cdtr_acct[RECEIPT_ACCOUNT_MAX];
    char creditor_reference[RECEIPT_ID_MAX];
    char remittance[RECEIPT_TEXT_MAX];
    char addtl_tx_inf[RECEIPT_TEXT_MAX];
    /* return information: a returned payment is a reversal of the original. The schema's
     * RtrInf (v2-v8) has only reason codes; the original's ids, when a bank adds them
     * there, carry pacs.004's names, best match first: orgnl[0] OrgnlTxId, [1]
     * OrgnlEndToEndId, [2] OrgnlUETR, [3] OrgnlInstrId. */
    bool returned;
    char orgnl[4][RECEIPT_ID_MAX];
    fen_t fee;
    bool has_fee;
} camt_tx;

typedef enum camt_status { CAMT_STS_NONE = 0, CAMT_STS_BOOKED, CAMT_STS_OTHER } camt_status;

typedef struct camt_entry {
    long index;
    long line;
    camt_amount amt;
    bool has_ind, credit;
    bool reversal;
    camt_status status;
    date_t booking_date, value_date;
    char acct_svcr_ref[RECEIPT_ID_MAX];
    long tx_count;
    bool split; /* one receipt per TxDtls, pushed as each ends */
    fen_t split_sum;
    fen_t fee;
    bool has_fee;
    const char *date_note; /* how a missing booking date was filled, NULL if it was not */
    const char *whole_note; /* why a batch that started to split is booked whole */
    camt_tx merged; /* last: camt_entry_begin clears what precedes it whole */
} camt_entry;

typedef struct camt_balance {
    char code[8];
    camt_amount amt;
    bool has_ind, credit;
    date_t date;
} camt_balance;

typedef struct camt_reader {
    xmlParserCtxtPtr ctxt;
    instream_t *in;
    const char *name;
    const receipt_sink *sink;
    err_t *err;
    fingerprint_table *fp;

    recon_status st; /* the first error a callback met; the parser is stopped there */
    bool io_eof;
    bool xml_failed;
    int xml_code;
    long xml_line;
    char xml_msg[CAMT_XML_MSG_MAX];

    /* Token of each interned element name, open addressing on the name's address. */
    const xmlChar *name_keys[CAMT_NAME_SLOTS];
    camt_tok name_toks[CAMT_NAME_SLOTS];
    camt_tok stack[CAMT_MAX_DEPTH];
    long lines[CAMT_MAX_DEPTH]; /* where each open element's start tag ends */
    long line;                  /* the line of the element being started or ended */
    bool has_child[CAMT_MAX_DEPTH];
    int depth;
    char text[CAMT_TEXT_MAX + 1];
    size_t text_len;
    size_t text_blank; /* leading white space of the current text, not stored */
    size_t text_node;  /* bytes of the current run of text, for CAMT_TEXT_NODE_MAX */
    bool text_overflow;
    char amt_ccy[8];

    stmt_format format;
    int version;
    bool root_seen;
    bool msg_seen;
    int doc_base; /* stack index of the camt Document, -1 outside it */
    /* The outermost element, named when no camt Document turns up under it. */
    char root_name[64];
    char root_ns[128];
    long root_line;
    int stmt_base, ntry_base, tx_base, bal_base; /* stack index of the element, -1 outside */

    long stmt_count;
    long bal_index;
    long skipped;
    bool opening_is_opbd;
    date_t created;
    date_t msg_created; /* GrpHdr/CreDtTm, DATE_NONE when absent or unreadable */
    statement_summary sum;
    camt_balance bal;
    camt_entry en;
    camt_tx tx;
    receipt_t rec;
    receipt_t *held; /* the current batch entry's receipts, not yet pushed */
    size_t held_count, held_cap;
} camt_reader;

/* ---- small helpers ---------------------------------------------------------------------- */

/* A copy of a NUL-terminated string into a fixed field, cut to fit as snprintf
 * would; the receipt fields are filled from fields no larger, so nothing is cut. */
static void camt_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *camt_stmt_name(const camt_reader *r)
{
    return r->format == FORMAT_CAMT054 ? "Ntfctn" : r->format == FORMAT_CAMT052 ? "Rpt" : "Stmt";
}

static camt_tok camt_stmt_tok(const camt_reader *r)
{
    return r->format == FORMAT_CAMT054 ? T_Ntfctn : r->format == FORMAT_CAMT052 ? T_Rpt : T_Stmt;
}

static camt_tok camt_msg_tok(const camt_reader *r)
{
    return r->format == FORMAT_CAMT054   ? T_BkToCstmrDbtCdtNtfctn
           : r->format == FORMAT_CAMT052 ? T_BkToCstmrAcctRpt
                                         : T_BkToCstmrStmt;
}

static const char *camt_doc_name(const camt_reader *r)
{
    return r->format == FORMAT_CAMT054   ? "camt.054"
           : r->format == FORMAT_CAMT052 ? "camt.052"
                                         : "camt.053";
}

/* The line of the element being read: where its start tag ends, also when it ends. */
static long camt_line(const camt_reader *r)
{
    return r->line;
}

static long camt_parser_line(const camt_reader *r)
{
    return r->ctxt && r->ctxt->input ? r->ctxt->input->line : 0;
}

/* "Stmt[1]/Ntry[3]/TxDtls[2]" for the innermost open record. Built by hand: it is
 * the position of every receipt, where snprintf showed in profiles. */
static void camt_where(const camt_reader *r, char *out, size_t cap)
{
    strbuild b = strbuild_start(out, cap);
    if (r->stmt_base < 0) {
        strbuild_str(&b, camt_doc_name(r));
        return;
    }
    strbuild_str(&b, camt_stmt_name(r));
    strbuild_char(&b, '[');
    strbuild_long(&b, r->stmt_count);
    strbuild_char(&b, ']');
    if (r->ntry_base >= 0) {
        strbuild_str(&b, "/Ntry[");
        strbuild_long(&b, r->en.index);
        strbuild_char(&b, ']');
        if (r->tx_base >= 0) {
            strbuild_str(&b, "/TxDtls[");
            strbuild_long(&b, r->en.tx_count);
            strbuild_char(&b, ']');
        }
    } else if (r->bal_base >= 0) {
        strbuild_str(&b, "/Bal[");
        strbuild_long(&b, r->bal_index);
        strbuild_char(&b, ']');
    }
}

/* Sets err to "FILE: line N: WHERE: message" for the node being read. */
static recon_status camt_fail_at(camt_reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static recon_status camt_fail_at(camt_reader *r, long line, const char *fmt, ...)
{
    char where[CAMT_WHERE_MAX], msg[ERR_MSG_MAX];
    VARGS_FORMAT(msg, sizeof msg, fmt);
    camt_where(r, where, sizeof where);
    return err_set(r->err, RECON_EDATA, "%s: line %ld: %s: %s", r->name, line, where, msg);
}

#define camt_fail(r, ...) camt_fail_at((r), camt_line(r), __VA_ARGS__)

static bool camt_at_impl(const camt_reader *r, int base, const camt_tok *toks, int n)
{
    if (base < 0 || r->depth - 1 - base != n)
        return false;
    for (int i = 0; i < n; i++)
        if (r->stack[base + 1 + i] != toks[i])
            return false;
    return true;
}

/* True when the element now ending sits at exactly base/toks... */
#define AT(base, ...)                                                                          \
    camt_at_impl(r, (base), (const camt_tok[]){__VA_ARGS__},                                   \
                 (int)(sizeof((const camt_tok[]){__VA_ARGS__}) / sizeof(camt_tok)))

/* SAX2 hands element local names out of the parser's dictionary, where ours are
 * interned: equal names are the same pointer, so a name is found by its address
 * without comparing a byte. */
static size_t camt_name_slot(const xmlChar *name)
{
    return (size_t)(((uintptr_t)name * 0x9E3779B97F4A7C15u) >> 32) & (CAMT_NAME_SLOTS - 1);
}

static bool camt_names_init(camt_reader *r)
{
    for (int i = 1; i < T_COUNT; i++) {
        const xmlChar *name =
            xmlDictLookup(r->ctxt->dict, (const xmlChar *)camt_tok_names[i], -1);
        if (name == NULL)
            return false;
        size_t j = camt_name_slot(name);
        while (r->name_keys[j] != NULL)
            j = (j + 1) & (CAMT_NAME_SLOTS - 1);
        r->name_keys[j] = name;
        r->name_toks[j] = (camt_tok)i;
    }
    return true;
}

static camt_tok camt_lookup(const camt_reader *r, const xmlChar *local)
{
    for (size_t j = camt_name_slot(local); r->name_keys[j] != NULL;
         j = (j + 1) & (CAMT_NAME_SLOTS - 1))
        if (r->name_keys[j] == local)
            return r->name_toks[j];
    return T_OTHER;
}

static void camt_text_reset(camt_reader *r)
{
    r->text_len = 0;
    r->text_blank = 0;
    r->text_node = 0;
    r->text[0] = '\0';
    r->text_overflow = false;
}

/* The trimmed text of the element now ending; "" when it had child elements. */
static const char *camt_text(camt_reader *r, size_t *len)
{
    const char *s = r->text;
    size_t n = r->text_len;
    if (r->has_child[r->depth - 1]) {
        *len = 0;
        return "";
    }
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    *len = n;
    return s;
}

/* How a value past its field's size is read: nothing in these touches the money. */
typedef enum camt_kind {
    CAMT_TEXT,    /* a name, remittance, a reference: cut at a character boundary */
    CAMT_KEY,     /* an identifier: its head and a hash of the whole, so it stays unique */
    CAMT_ACCOUNT, /* a counterparty account: left empty, since a cut one names another */
} camt_kind;

static recon_status camt_warn_here(camt_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static recon_status camt_warn_here(camt_reader *r, const char *fmt, ...)
{
    char where[CAMT_WHERE_MAX], text[RECEIPT_NOTE_MAX];
    VARGS_FORMAT(text, sizeof text, fmt);
    camt_where(r, where, sizeof where);
    return receipt_warn(r->sink, where, r->err, "%s", text);
}

static recon_status camt_set(camt_reader *r, char *field, size_t cap, const char *what,
                             camt_kind kind)
{
    size_t n;
    const char *s = camt_text(r, &n);
    if (!r->text_overflow && receipt_set_field(field, cap, s, n))
        return RECON_OK;
    switch (kind) {
    case CAMT_TEXT:
        receipt_set_text(NULL, field, cap, s, n, what);
        return camt_warn_here(r, "%s cut at %zu bytes", what, strlen(field));
    case CAMT_ACCOUNT:
        field[0] = '\0';
        return camt_warn_here(r, "%s longer than %zu bytes: left empty", what, cap - 1);
    case CAMT_KEY:
        break;
    }
    /* Only the first CAMT_TEXT_MAX bytes were kept: a hash of them could join two. */
    if (r->text_overflow)
        return camt_fail(r, "%s longer than %d bytes; hint: no identifier is this long",
                         what, CAMT_TEXT_MAX);
    receipt_set_key(field, cap, s, n);
    return camt_warn_here(r, "%s longer than %zu bytes: shortened with a hash of the whole",
                          what, cap - 1);
}

/* Like camt_set, but keeps the first value seen (repeated CdtrRefInf, parties). */
static recon_status camt_set_first(camt_reader *r, char *field, size_t cap, const char *what,
                                   camt_kind kind)
{
    if (field[0] != '\0')
        return RECON_OK;
    return camt_set(r, field, cap, what, kind);
}

static recon_status camt_append_ustrd(camt_reader *r, char *field, size_t cap)
{
    size_t n, have = strlen(field);
    const char *s = camt_text(r, &n);
    if (n == 0)
        return RECON_OK;
    size_t need = have + (have ? 1 : 0) + n;
    if (r->text_overflow || need >= cap) {
        if (have + (have ? 1 : 0) < cap - 1) {
            if (have)
                field[have++] = ' ';
            receipt_set_text(NULL, field + have, cap - have, s, n, "");
        }
        return camt_warn_here(r, "remittance information (Ustrd joined) cut at %zu bytes",
                              strlen(field));
    }
    if (have)
        field[have++] = ' ';
    memcpy(field + have, s, n);
    field[have + n] = '\0';
    return RECON_OK;
}


static recon_status camt_amount_parse(camt_reader *r, camt_amount *out, const char *what)
{
    static const money_format_opts opts = {'.', 0, false, 5};
    size_t n;
    const char *s = camt_text(r, &n);
    if (!currency_code_valid(r->amt_ccy))
        return camt_fail(r, "%s has a missing or invalid Ccy attribute \"%s\"", what, r->amt_ccy);
    if (n > 0 && (s[0] == '-' || s[0] == '+'))
        return camt_fail(r, "%s \"%.*s\" is signed; hint: camt amounts are unsigned, the sign is "
                            "in CdtDbtInd",
                         what, (int)(n > 40 ? 40 : n), s);
    fen_t v = 0;
    /* Zeros past the cents change nothing ("100.0000000000000"); a non-zero digit there
     * would change the amount, which is then in doubt. */
    size_t kept = n;
    bool long_fraction = false;
    const char *dot = memchr(s, '.', n);
    if (dot != NULL) {
        size_t frac = (size_t)(dot - s) + 1, cents_end = frac + 2;
        while (kept > cents_end && s[kept - 1] == '0')
            kept--;
        long_fraction = kept - frac > (size_t)opts.max_decimals;
        for (size_t i = frac; i < kept && long_fraction; i++)
            long_fraction = s[i] >= '0' && s[i] <= '9';
    }
    money_result mr = long_fraction ? MONEY_PRECISION : money_parse_opts(s, kept, &opts, &v);
    if (mr == MONEY_PRECISION)
        return camt_fail(r, "%s %.*s %s has more than 2 significant decimals; hint: only whole "
                            "fen (cents) can be booked",
                         what, (int)n, s, r->amt_ccy);
    if (mr != MONEY_OK)
        return camt_fail(r, "%s \"%.*s\": %s", what, (int)(n > 40 ? 40 : n), s,
                         money_result_str(mr));
    out->set = true;
    out->value = v;
    memcpy(out->ccy, r->amt_ccy, sizeof out->ccy);
    return RECON_OK;
}

static recon_status camt_indicator(camt_reader *r, bool *has, bool *credit)
{
    size_t n;
    const char *s = camt_text(r, &n);
    if (n == 4 && memcmp(s, "CRDT", 4) == 0)
        *credit = true;
    else if (n == 4 && memcmp(s, "DBIT", 4) == 0)
        *credit = false;
    else
        return camt_fail(r, "CdtDbtInd \"%.*s\" is neither CRDT nor DBIT", (int)(n > 20 ? 20 : n),
                         s);
    *has = true;
    return RECON_OK;
}

/* ISO dateTime to the China-local (UTC+08:00) calendar date; no offset means local already. */
static bool camt_datetime_china(const char *s, size_t n, date_t *out)
{
    date_t day;
    int hh, mm, ss;
    if (n < 19 || !date_parse(s, 10, &day) || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    if (!date_digits(s + 11, 2, &hh) || !date_digits(s + 14, 2, &mm) ||
        !date_digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
        return false;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 12)
            i++;
        if (i == start)
            return false;
    }
    if (i == n) {
        *out = day;
        return true;
    }
    int offset = 0;
    if (s[i] == 'Z' && i + 1 == n) {
        offset = 0;
    } else if ((s[i] == '+' || s[i] == '-') && n - i == 6 && s[i + 3] == ':') {
        int oh, om;
        if (!date_digits(s + i + 1, 2, &oh) || !date_digits(s + i + 4, 2, &om) || oh > 14 ||
            om > 59)
            return false;
        offset = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    } else {
        return false;
    }
    int minutes = hh * 60 + mm - offset + 8 * 60;
    /* Offsets are whole minutes, so seconds can never carry the time across midnight. */
    if (minutes < 0)
        day -= 1;
    else if (minutes >= 24 * 60)
        day += 1;
    *out = day;
    return true;
}

static recon_status camt_date(camt_reader *r, bool with_time, date_t *out, const char *what)
{
    size_t n;
    const char *s = camt_text(r, &n);
    bool ok = with_time ? camt_datetime_china(s, n, out) : date_parse(s, n, out);
    if (!ok)
        return camt_fail(r, "%s \"%.*s\" is not a valid ISO %s", what, (int)(n > 40 ? 40 : n), s,
                         with_time ? "date-time (YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm])"
                                   : "date (YYYY-MM-DD)");
    return RECON_OK;
}

/* A value date or a balance's date is no booking date: one that is not a calendar date
 * is left out and warned about (a booked entry without BookgDt then has no date to
 * fall back on, and is refused there). */
static recon_status camt_date_second(camt_reader *r, bool with_time, date_t *out,
                                     const char *what)
{
    size_t n;
    const char *s = camt_text(r, &n);
    bool ok = with_time ? camt_datetime_china(s, n, out) : date_parse(s, n, out);
    if (ok)
        return RECON_OK;
    *out = DATE_NONE;
    return camt_warn_here(r, "%s is not a valid ISO %s: left empty", what,
                          with_time ? "date-time" : "date");
}

static recon_status camt_fee_add(camt_reader *r, fen_t *fee, bool *has, const char *ccy)
{
    camt_amount a = {0};
    recon_status st = camt_amount_parse(r, &a, "Chrgs amount");
    if (st != RECON_OK)
        return st;
    if (ccy[0] != '\0' && strcmp(a.ccy, ccy) != 0) {
        log_warn("%s: line %ld: charges in %s on an entry in %s ignored", r->name, camt_line(r),
                 a.ccy, ccy);
        return RECON_OK;
    }
    *fee += a.value;
    *has = true;
    return RECON_OK;
}

/* ---- libxml2 plumbing ------------------------------------------------------------------- */

#if LIBXML_VERSION >= 21200
typedef const xmlError *camt_xml_error_ptr;
#else
typedef xmlErrorPtr camt_xml_error_ptr;
#endif

/* Keeps the first error; libxml2 must never write to stderr itself. */
static void camt_xml_error(void *ctx, camt_xml_error_ptr e)
{
    camt_reader *r = ctx;
    if (r == NULL || e == NULL || e->level < XML_ERR_ERROR || r->xml_failed)
        return;
    r->xml_failed = true;
    r->xml_code = e->code;
    r->xml_line = e->line;
    const char *m = e->message ? e->message : "malformed document";
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '\r' || m[n - 1] == ' '))
        n--;
    if (n >= sizeof r->xml_msg)
        n = sizeof r->xml_msg - 1;
    for (size_t i = 0; i < n; i++) {
        char c = m[i];
        r->xml_msg[i] = (c == '\n' || c == '\r') ? ' ' : c;
    }
    r->xml_msg[n] = '\0';
    if (r->xml_msg[0] >= 'A' && r->xml_msg[0] <= 'Z')
        r->xml_msg[0] = (char)(r->xml_msg[0] - 'A' + 'a');
}

static void camt_xml_generic_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* True when the prolog in the head carries a DOCTYPE. Checked before libxml2 sees a byte,
 * so a billion-laughs or external-entity declaration is never even parsed. */
static bool camt_head_has_doctype(const unsigned char *h, size_t len)
{
    static const char doctype[] = "<!DOCTYPE";
    size_t i = 0;
    while (i < len) {
        if (h[i] != '<') {
            i++;
            continue;
        }
        if (i + 1 < len && h[i + 1] == '?') {
            const unsigned char *e = memmem(h + i, len - i, "?>", 2);
            if (e == NULL)
                return false;
            i = (size_t)(e - h) + 2;
        } else if (len - i >= 4 && memcmp(h + i, "<!--", 4) == 0) {
            const unsigned char *e = memmem(h + i, len - i, "-->", 3);
            if (e == NULL)
                return false;
            i = (size_t)(e - h) + 3;
        } else if (len - i >= sizeof doctype - 1 && memcmp(h + i, doctype, sizeof doctype - 1) == 0) {
            return true;
        } else {
            return false; /* the root element: the prolog is over */
        }
    }
    return false;
}

/* ---- document structure ----------------------------------------------------------------- */

/* Called for each element until a camt Document opens: the Document itself (bare file),
 * or an envelope's root and its header before the Document (AppHdr + Document). */
static recon_status camt_root(camt_reader *r, camt_tok tok, const char *local, const xmlChar *ns)
{
    const char *nss = ns ? (const char *)ns : "";
    size_t plen = sizeof CAMT_NS_PREFIX - 1;
    bool camt_ns = strncmp(nss, CAMT_NS_PREFIX, plen) == 0;
    if (r->depth == 0 && !r->root_seen) {
        camt_copy(r->root_name, sizeof r->root_name, local ? local : "");
        camt_copy(r->root_ns, sizeof r->root_ns, nss);
        r->root_line = camt_line(r);
    }
    if (tok != T_Document || !camt_ns) {
        /* A Document of another message is not a wrapper but a different file. */
        if (tok == T_Document)
            return err_set(r->err, RECON_EDATA,
                           "%s: line %ld: not a camt.052/camt.053/camt.054 document: <%s> in "
                           "namespace \"%.100s\"",
                           r->name, camt_line(r), local, nss);
        return RECON_OK;
    }
    /* "...camt.05" then "2.001.NN", "3.001.NN" or "4.001.NN" */
    const char *v = nss + plen;
    int nn = 0;
    size_t digits = strspn(v + 6, "0123456789");
    bool ok = (v[0] == '2' || v[0] == '3' || v[0] == '4') && strncmp(v + 1, ".001.", 5) == 0 &&
              digits >= 2 && digits <= 4 && v[6 + digits] == '\0' &&
              date_digits(v + 6, digits, &nn);
    if (!ok || nn < CAMT_MIN_VERSION)
        return err_set(r->err, RECON_EDATA,
                       "%s: line %ld: unsupported camt version \"%.100s\"; hint: camt.052, "
                       "camt.053 and camt.054 .001.02 to .001.%02d are supported",
                       r->name, camt_line(r), nss, CAMT_MAX_VERSION);
    r->format = v[0] == '2' ? FORMAT_CAMT052 : v[0] == '3' ? FORMAT_CAMT053 : FORMAT_CAMT054;
    r->version = nn;
    r->root_seen = true;
    r->msg_seen = false;
    r->doc_base = r->depth;
    if (nn > CAMT_MAX_VERSION)
        return receipt_warn(r->sink, camt_doc_name(r), r->err,
                            "camt version newer than .001.%02d: read as .001.%02d",
                            CAMT_MAX_VERSION, CAMT_MAX_VERSION);
    return RECON_OK;
}

static void camt_stmt_begin(camt_reader *r)
{
    r->stmt_count++;
    r->stmt_base = r->depth;
    r->bal_index = 0;
    r->skipped = 0;
    r->opening_is_opbd = false;
    r->created = DATE_NONE;
    statement_summary_init(&r->sum);
    snprintf(r->sum.position, sizeof r->sum.position, "%s[%ld]", camt_stmt_name(r),
             r->stmt_count);
}

/* Empties a transaction. Its text fields are only read as strings, so clearing their first
 * byte is enough: a whole memset of the 4 KiB, twice per entry, cost as much as the rest
 * of the entry's own work. Every field must be named here. */
static void camt_tx_clear(camt_tx *t)
{
    t->amt = (camt_amount){0};
    t->txamt = (camt_amount){0};
    t->acct_svcr_ref[0] = t->end_to_end_id[0] = t->tx_id[0] = t->uetr[0] = '\0';
    t->dbtr_name[0] = t->dbtr_acct[0] = t->cdtr_name[0] = t->cdtr_acct[0] = '\0';
    t->creditor_reference[0] = t->remittance[0] = t->addtl_tx_inf[0] = '\0';
    t->returned = false;
    for (size_t i = 0; i < sizeof t->orgnl / sizeof t->orgnl[0]; i++)
        t->orgnl[i][0] = '\0';
    t->fee = 0;
    t->has_fee = false;
}

static void camt_entry_begin(camt_reader *r)
{
    long index = r->en.index + 1;
    memset(&r->en, 0, offsetof(camt_entry, merged));
    camt_tx_clear(&r->en.merged);
    r->en.index = index;
    r->en.line = camt_line(r);
    r->en.booking_date = DATE_NONE;
    r->en.value_date = DATE_NONE;
    r->ntry_base = r->depth;
}

static void camt_tx_begin(camt_reader *r)
{
    camt_tx_clear(&r->tx);
    r->en.tx_count++;
    r->tx_base = r->depth;
}

static void camt_bal_begin(camt_reader *r)
{
    memset(&r->bal, 0, sizeof r->bal);
    r->bal.date = DATE_NONE;
    r->bal_index++;
    r->bal_base = r->depth;
}

/* The Ccy attribute (unprefixed, as xmlTextReaderGetAttribute found it) into amt_ccy.
 * SAX2 leaves "&amp;" and "&lt;" in attribute values as character references for a tree
 * builder to decode; they are decoded here. */
static void camt_amt_ccy(camt_reader *r, int nattr, const xmlChar **attrs)
{
    r->amt_ccy[0] = '\0';
    for (int i = 0; i < nattr; i++, attrs += 5) {
        if (attrs[1] != NULL || strcmp((const char *)attrs[0], "Ccy") != 0)
            continue;
        const char *v = (const char *)attrs[3], *end = (const char *)attrs[4];
        size_t n = 0;
        while (v < end && n < sizeof r->amt_ccy - 1) {
            if (end - v >= 5 && (memcmp(v, "&#38;", 5) == 0 || memcmp(v, "&#60;", 5) == 0)) {
                r->amt_ccy[n++] = v[3] == '8' ? '&' : '<';
                v += 5;
            } else {
                r->amt_ccy[n++] = *v++;
            }
        }
        r->amt_ccy[n] = '\0';
        return;
    }
}

static recon_status camt_start(camt_reader *r, const xmlChar *local, const xmlChar *ns,
                               int nattr, const xmlChar **attrs)
{
    camt_tok tok = local ? camt_lookup(r, local) : T_OTHER;
    recon_status st = RECON_OK;
    if (r->depth >= CAMT_MAX_DEPTH)
        return camt_fail(r, "elements nested deeper than %d levels", CAMT_MAX_DEPTH);
    if (r->doc_base < 0) {
        if (r->depth <= CAMT_ENVELOPE_DEPTH) {
            st = camt_root(r, tok, (const char *)local, ns);
            if (st != RECON_OK)
                return st;
        }
    } else if (r->depth == r->doc_base + 1) {
        camt_tok want = camt_msg_tok(r);
        if (tok != want)
            return camt_fail(r, "expected <%s> under Document of a %s message, found <%s>",
                             camt_tok_names[want], camt_doc_name(r), (const char *)local);
        r->msg_seen = true;
    } else if (r->depth == r->doc_base + 2 && tok == camt_stmt_tok(r)) {
        camt_stmt_begin(r);
    } else if (r->stmt_base >= 0 && r->depth == r->stmt_base + 1 && tok == T_Ntry) {
        camt_entry_begin(r);
    } else if (r->stmt_base >= 0 && r->depth == r->stmt_base + 1 && tok == T_Bal) {
        camt_bal_begin(r);
    } else if (r->ntry_base >= 0 && r->tx_base < 0 && tok == T_TxDtls &&
               r->depth == r->ntry_base + 2 && r->stack[r->ntry_base + 1] == T_NtryDtls) {
        camt_tx_begin(r);
    }
    if (tok == T_Amt)
        camt_amt_ccy(r, nattr, attrs);
    if (r->depth > 0)
        r->has_child[r->depth - 1] = true;
    r->stack[r->depth] = tok;
    r->lines[r->depth] = r->line;
    r->has_child[r->depth] = false;
    r->depth++;
    camt_text_reset(r);
    return RECON_OK;
}

/* ---- receipts --------------------------------------------------------------------------- */

static void camt_merge_field(char *dst, const char *src, size_t cap)
{
    if (dst[0] == '\0' && src[0] != '\0')
        camt_copy(dst, cap, src);
}

static void camt_merge(camt_tx *into, const camt_tx *tx)
{
    camt_merge_field(into->acct_svcr_ref, tx->acct_svcr_ref, sizeof into->acct_svcr_ref);
    camt_merge_field(into->end_to_end_id, tx->end_to_end_id, sizeof into->end_to_end_id);
    camt_merge_field(into->tx_id, tx->tx_id, sizeof into->tx_id);
    camt_merge_field(into->uetr, tx->uetr, sizeof into->uetr);
    camt_merge_field(into->dbtr_name, tx->dbtr_name, sizeof into->dbtr_name);
    camt_merge_field(into->dbtr_acct, tx->dbtr_acct, sizeof into->dbtr_acct);
    camt_merge_field(into->cdtr_name, tx->cdtr_name, sizeof into->cdtr_name);
    camt_merge_field(into->cdtr_acct, tx->cdtr_acct, sizeof into->cdtr_acct);
    camt_merge_field(into->creditor_reference, tx->creditor_reference,
                     sizeof into->creditor_reference);
    camt_merge_field(into->remittance, tx->remittance, sizeof into->remittance);
    camt_merge_field(into->addtl_tx_inf, tx->addtl_tx_inf, sizeof into->addtl_tx_inf);
    into->returned = into->returned || tx->returned;
    for (size_t i = 0; i < sizeof into->orgnl / sizeof into->orgnl[0]; i++)
        camt_merge_field(into->orgnl[i], tx->orgnl[i], sizeof into->orgnl[i]);
    if (tx->has_fee) {
        into->fee += tx->fee;
        into->has_fee = true;
    }
}

/* A booked entry without BookgDt (notifications often have none): the value date, else
 * for a report or notification the day it was created in China time; a statement's
 * creation can be days after the booking, so there it is not used. */
static recon_status camt_booking_date(camt_reader *r)
{
    camt_entry *e = &r->en;
    date_t created = r->created != DATE_NONE ? r->created : r->msg_created;
    if (e->value_date != DATE_NONE) {
        e->booking_date = e->value_date;
        e->date_note = "no booking date: value date used";
    } else if (r->format != FORMAT_CAMT053 && created != DATE_NONE) {
        e->booking_date = created;
        e->date_note = "no booking date nor value date: creation date (china time) used";
    } else {
        return camt_fail(r, "booked entry has no BookgDt%s; the booking date is unknown",
                         r->format != FORMAT_CAMT053 ? ", ValDt or CreDtTm" : " nor ValDt");
    }
    return RECON_OK;
}

/* Entry fields a receipt needs must precede NtryDtls, as the schema orders them. */
static recon_status camt_entry_ready(camt_reader *r)
{
    const camt_entry *e = &r->en;
    if (r->sum.source[0] == '\0')
        return camt_fail(r, "statement account has no Acct/Id/IBAN or Acct/Id/Othr/Id before "
                            "its entries");
    if (!e->amt.set)
        return camt_fail(r, "entry has no Amt before its details");
    if (!e->has_ind)
        return camt_fail(r, "entry has no CdtDbtInd before its details");
    if (e->status == CAMT_STS_NONE)
        return camt_fail(r, "entry has no Sts before its details");
    if (e->status == CAMT_STS_BOOKED && e->booking_date == DATE_NONE)
        return camt_booking_date(r);
    return RECON_OK;
}

/* Fills rec for one receipt of the current entry; index: TxDtls number when the entry
 * is split per transaction, 0 when it is one receipt. A receipt with no id of its own
 * is left without a key: camt_emit fingerprints it when it is pushed, so that a batch
 * booked whole after all never counts its details' fingerprints. */
static recon_status camt_build(camt_reader *r, receipt_t *rec, const camt_tx *tx, fen_t amount,
                               long index, fen_t fee, bool has_fee)
{
    const camt_entry *e = &r->en;
    receipt_init(rec);
    camt_where(r, rec->position, sizeof rec->position);
    camt_copy(rec->source, sizeof rec->source, r->sum.source);
    rec->booking_date = e->booking_date;
    rec->value_date = e->value_date;
    rec->amount = e->credit ? amount : -amount;
    rec->direction = e->credit ? RECEIPT_CREDIT : RECEIPT_DEBIT;
    memcpy(rec->currency, e->amt.ccy, sizeof rec->currency);
    rec->reversal = e->reversal || tx->returned;
    if (rec->reversal) {
        /* What the reversed receipt is known by: the original's own id if the bank names
         * it, else the end-to-end id (a return carries the original's), else the bank's
         * reference. The database pairs it with the original in the same source. */
        const char *of = "";
        for (size_t i = 0; i < sizeof tx->orgnl / sizeof tx->orgnl[0] && of[0] == '\0'; i++)
            of = tx->orgnl[i];
        if (of[0] == '\0')
            of = tx->end_to_end_id[0] ? tx->end_to_end_id
                 : tx->acct_svcr_ref[0] ? tx->acct_svcr_ref
                                        : e->acct_svcr_ref;
        camt_copy(rec->reversal_of, sizeof rec->reversal_of, of);
    }
    /* The counterparty: who paid us on a credit, whom we paid on a debit. */
    camt_copy(rec->payer, sizeof rec->payer, e->credit ? tx->dbtr_name : tx->cdtr_name);
    camt_copy(rec->payer_account, sizeof rec->payer_account,
              e->credit ? tx->dbtr_acct : tx->cdtr_acct);
    camt_copy(rec->end_to_end_id, sizeof rec->end_to_end_id, tx->end_to_end_id);
    camt_copy(rec->creditor_reference, sizeof rec->creditor_reference,
              tx->creditor_reference);
    camt_copy(rec->provider_txn_id, sizeof rec->provider_txn_id, tx->tx_id);
    camt_copy(rec->remittance, sizeof rec->remittance,
              tx->remittance[0] ? tx->remittance : tx->addtl_tx_inf);
    rec->fee = fee;
    rec->has_fee = has_fee;

    if (tx->acct_svcr_ref[0]) {
        camt_copy(rec->transaction_key, sizeof rec->transaction_key, tx->acct_svcr_ref);
    } else if (e->acct_svcr_ref[0]) {
        /* The entry's reference is shared by its transactions: number all but the first. */
        char key[RECEIPT_ID_MAX + 24];
        int n = index > 1 ? snprintf(key, sizeof key, "%s#%ld", e->acct_svcr_ref, index)
                          : snprintf(key, sizeof key, "%s", e->acct_svcr_ref);
        if (n < 0 || !receipt_set_key(rec->transaction_key, sizeof rec->transaction_key, key,
                                      (size_t)n))
            receipt_note(rec, "AcctSvcrRef with transaction number longer than %d bytes: "
                              "shortened with a hash of the whole", RECEIPT_ID_MAX - 1);
    } else if (tx->tx_id[0]) {
        camt_copy(rec->transaction_key, sizeof rec->transaction_key, tx->tx_id);
    } else if (tx->uetr[0]) {
        camt_copy(rec->transaction_key, sizeof rec->transaction_key, tx->uetr);
    }
    if (e->date_note)
        receipt_note(rec, "%s", e->date_note);
    return RECON_OK;
}

static recon_status camt_emit(camt_reader *r, receipt_t *rec)
{
    if (rec->transaction_key[0] == '\0') {
        const char *ref = rec->end_to_end_id[0]       ? rec->end_to_end_id
                          : rec->creditor_reference[0] ? rec->creditor_reference
                                                       : rec->remittance;
        recon_status st = fingerprint_assign(r->fp, rec, ref, r->err);
        if (st != RECON_OK)
            return st;
    }
    if (r->sum.currency[0] == '\0')
        memcpy(r->sum.currency, rec->currency, sizeof r->sum.currency);
    if (strcmp(r->sum.currency, rec->currency) == 0) {
        if (rec->amount >= 0)
            r->sum.credit_total += rec->amount;
        else
            r->sum.debit_total -= rec->amount;
    } else {
        log_warn("%s: %s: entry in %s left out of the %s statement totals", r->name,
                 rec->position, rec->currency, r->sum.currency);
    }
    r->sum.entry_count++;
    return r->sink->on_receipt(r->sink->ctx, rec, r->err);
}

static const camt_amount *camt_tx_amount(const camt_reader *r, const camt_tx *tx)
{
    if (tx->amt.set && strcmp(tx->amt.ccy, r->en.amt.ccy) == 0)
        return &tx->amt;
    if (tx->txamt.set && strcmp(tx->txamt.ccy, r->en.amt.ccy) == 0)
        return &tx->txamt;
    return NULL;
}

/* Stops splitting the current batch entry: it will be booked as one receipt. */
static void camt_book_whole(camt_reader *r, const char *why)
{
    r->en.split = false;
    r->en.whole_note = why;
    r->held_count = 0;
}

static recon_status camt_hold(camt_reader *r, const camt_amount *a)
{
    camt_entry *e = &r->en;
    if (r->held_count == r->held_cap) {
        if (r->held_cap == CAMT_HELD_MAX) {
            camt_book_whole(r, "batch with more transaction details than are held: booked as "
                               "one receipt");
            return RECON_OK;
        }
        size_t cap = r->held_cap ? r->held_cap * 2 : 8;
        receipt_t *held = realloc(r->held, cap * sizeof *held);
        if (held == NULL)
            return err_set(r->err, RECON_EINTERNAL, "out of memory");
        r->held = held;
        r->held_cap = cap;
    }
    return camt_build(r, &r->held[r->held_count++], &r->tx, a->value, e->tx_count, r->tx.fee,
                      r->tx.has_fee);
}

static recon_status camt_tx_end(camt_reader *r)
{
    camt_entry *e = &r->en;
    recon_status st = camt_entry_ready(r);
    if (st != RECON_OK)
        return st;
    if (e->status != CAMT_STS_BOOKED)
        return RECON_OK;
    const camt_amount *a = camt_tx_amount(r, &r->tx);
    /* Every detail is merged: should the batch not split after all, the entry is booked
     * whole with the details' references. It splits only when each transaction carries
     * an amount in the entry's currency (instructed amounts in another currency do not
     * count) and those add up to the entry; that is known at the entry's end. */
    camt_merge(&e->merged, &r->tx);
    if (e->tx_count == 1)
        e->split = a != NULL;
    if (!e->split)
        return RECON_OK;
    if (a == NULL) {
        camt_book_whole(r, "transaction details without an amount in the entry currency: "
                           "booked as one receipt");
        return RECON_OK;
    }
    e->split_sum += a->value;
    if (e->split_sum > MONEY_MAX_FEN) {
        camt_book_whole(r, "transaction details do not add up to the entry amount: booked as "
                           "one receipt");
        return RECON_OK;
    }
    return camt_hold(r, a);
}

static recon_status camt_entry_end(camt_reader *r)
{
    camt_entry *e = &r->en;
    recon_status st = camt_entry_ready(r);
    if (st != RECON_OK)
        return st;
    if (e->status != CAMT_STS_BOOKED) {
        r->skipped++;
        return RECON_OK;
    }
    if (e->split && e->split_sum != e->amt.value)
        camt_book_whole(r, "transaction details do not add up to the entry amount: booked as "
                           "one receipt");
    if (e->split) {
        for (size_t i = 0; i < r->held_count; i++)
            if ((st = camt_emit(r, &r->held[i])) != RECON_OK)
                return st;
        r->held_count = 0;
        return RECON_OK;
    }
    bool has_fee = e->has_fee || e->merged.has_fee;
    fen_t fee = e->has_fee ? e->fee : e->merged.fee;
    st = camt_build(r, &r->rec, &e->merged, e->amt.value, 0, fee, has_fee);
    if (st == RECON_OK && e->whole_note)
        receipt_note(&r->rec, "%s", e->whole_note);
    return st != RECON_OK ? st : camt_emit(r, &r->rec);
}

static recon_status camt_bal_end(camt_reader *r)
{
    camt_balance *b = &r->bal;
    bool opening = strcmp(b->code, "OPBD") == 0 || strcmp(b->code, "PRCD") == 0;
    bool closing = strcmp(b->code, "CLBD") == 0;
    if (!opening && !closing)
        return RECON_OK;
    char where[CAMT_WHERE_MAX];
    recon_status st = RECON_OK;
    camt_where(r, where, sizeof where);
    if (!b->amt.set)
        return receipt_warn(r->sink, where, r->err, "balance without an amount: not used");
    if (!b->has_ind) {
        b->credit = true;
        st = receipt_warn(r->sink, where, r->err, "balance without CdtDbtInd: read as positive");
    }
    if (st == RECON_OK && b->date == DATE_NONE)
        st = receipt_warn(r->sink, where, r->err, "balance without a date: read");
    if (st != RECON_OK)
        return st;
    if (r->sum.currency[0] == '\0')
        memcpy(r->sum.currency, b->amt.ccy, sizeof r->sum.currency);
    if (strcmp(r->sum.currency, b->amt.ccy) != 0) {
        log_warn("%s: %s: %s balance in %s does not match the %s account; not used for the "
                 "balance check",
                 r->name, r->sum.position, b->code, b->amt.ccy, r->sum.currency);
        return RECON_OK;
    }
    fen_t v = b->credit ? b->amt.value : -b->amt.value;
    if (closing) {
        r->sum.has_closing = true;
        r->sum.closing_balance = v;
        if (b->date != DATE_NONE)
            r->sum.statement_date = b->date;
    } else if (!r->opening_is_opbd) {
        /* OPBD is the opening balance proper; PRCD stands in only when there is none. */
        r->sum.has_opening = true;
        r->sum.opening_balance = v;
        r->opening_is_opbd = strcmp(b->code, "OPBD") == 0;
    }
    return RECON_OK;
}

/* A statement's creation time and period say nothing about a receipt's money, so a
 * malformed time ("11:17:11:735") costs only the time: its calendar date is kept. */
static recon_status camt_stmt_date(camt_reader *r, date_t *out, const char *element)
{
    size_t n;
    const char *s = camt_text(r, &n);
    char where[CAMT_WHERE_MAX + 32];
    if (camt_datetime_china(s, n, out))
        return RECON_OK;
    camt_where(r, where, CAMT_WHERE_MAX);
    size_t used = strlen(where);
    snprintf(where + used, sizeof where - used, "/%s", element);
    if (n >= 10 && date_parse(s, 10, out))
        return receipt_warn(r->sink, where, r->err,
                            "statement date-time is not a valid ISO date-time: its date used");
    *out = DATE_NONE;
    return receipt_warn(r->sink, where, r->err, "statement date-time is not a date: ignored");
}

static recon_status camt_stmt_end(camt_reader *r)
{
    if (r->sum.source[0] == '\0')
        return camt_fail(r, "statement has no account id (Acct/Id/IBAN or Acct/Id/Othr/Id)");
    if (r->sum.statement_date == DATE_NONE)
        r->sum.statement_date = r->sum.period_to != DATE_NONE ? r->sum.period_to : r->created;
    if (r->skipped > 0)
        log_debug("%s: %s: skipped %ld entries not booked (PDNG/INFO)", r->name,
                  r->sum.position, r->skipped);
    if (r->sink->on_statement == NULL)
        return RECON_OK;
    return r->sink->on_statement(r->sink->ctx, &r->sum, r->err);
}

/* ---- end-of-element dispatch ------------------------------------------------------------ */

static recon_status camt_end_tx(camt_reader *r)
{
    camt_tx *t = &r->tx;
    int b = r->tx_base;
    size_t n;
    if (AT(b, T_Refs, T_AcctSvcrRef))
        return camt_set(r, t->acct_svcr_ref, sizeof t->acct_svcr_ref, "TxDtls AcctSvcrRef", CAMT_KEY);
    if (AT(b, T_Refs, T_EndToEndId)) {
        const char *s = camt_text(r, &n);
        if (n == 11 && memcmp(s, "NOTPROVIDED", 11) == 0)
            return RECON_OK;
        return camt_set(r, t->end_to_end_id, sizeof t->end_to_end_id, "EndToEndId", CAMT_TEXT);
    }
    if (AT(b, T_Refs, T_TxId))
        return camt_set(r, t->tx_id, sizeof t->tx_id, "TxId", CAMT_KEY);
    if (AT(b, T_Refs, T_UETR))
        return camt_set(r, t->uetr, sizeof t->uetr, "UETR", CAMT_KEY);
    if (AT(b, T_Amt))
        return camt_amount_parse(r, &t->amt, "TxDtls Amt");
    if (AT(b, T_AmtDtls, T_TxAmt, T_Amt))
        return camt_amount_parse(r, &t->txamt, "TxDtls AmtDtls/TxAmt/Amt");
    if (AT(b, T_RltdPties, T_Dbtr, T_Nm) || AT(b, T_RltdPties, T_Dbtr, T_Pty, T_Nm))
        return camt_set_first(r, t->dbtr_name, sizeof t->dbtr_name, "Dbtr Nm", CAMT_TEXT);
    if (AT(b, T_RltdPties, T_Cdtr, T_Nm) || AT(b, T_RltdPties, T_Cdtr, T_Pty, T_Nm))
        return camt_set_first(r, t->cdtr_name, sizeof t->cdtr_name, "Cdtr Nm", CAMT_TEXT);
    if (AT(b, T_RltdPties, T_DbtrAcct, T_Id, T_IBAN) ||
        AT(b, T_RltdPties, T_DbtrAcct, T_Id, T_Othr, T_Id))
        return camt_set_first(r, t->dbtr_acct, sizeof t->dbtr_acct, "DbtrAcct Id", CAMT_ACCOUNT);
    if (AT(b, T_RltdPties, T_CdtrAcct, T_Id, T_IBAN) ||
        AT(b, T_RltdPties, T_CdtrAcct, T_Id, T_Othr, T_Id))
        return camt_set_first(r, t->cdtr_acct, sizeof t->cdtr_acct, "CdtrAcct Id", CAMT_ACCOUNT);
    if (AT(b, T_RmtInf, T_Ustrd))
        return camt_append_ustrd(r, t->remittance, sizeof t->remittance);
    if (AT(b, T_RmtInf, T_Strd, T_CdtrRefInf, T_Ref))
        return camt_set_first(r, t->creditor_reference, sizeof t->creditor_reference,
                              "CdtrRefInf Ref", CAMT_TEXT);
    if (AT(b, T_AddtlTxInf))
        return camt_set(r, t->addtl_tx_inf, sizeof t->addtl_tx_inf, "AddtlTxInf", CAMT_TEXT);
    if (AT(b, T_RtrInf)) {
        t->returned = true;
        return RECON_OK;
    }
    static const camt_tok orgnl[] = {T_OrgnlTxId, T_OrgnlEndToEndId, T_OrgnlUETR, T_OrgnlInstrId};
    for (size_t i = 0; i < sizeof orgnl / sizeof orgnl[0]; i++) {
        if (!AT(b, T_RtrInf, orgnl[i]))
            continue;
        const char *s = camt_text(r, &n);
        if (n == 11 && memcmp(s, "NOTPROVIDED", 11) == 0)
            return RECON_OK;
        return camt_set(r, t->orgnl[i], sizeof t->orgnl[i], camt_tok_names[orgnl[i]], CAMT_KEY);
    }
    if (AT(b, T_Chrgs, T_Rcrd, T_Amt) || AT(b, T_Chrgs, T_Amt))
        return camt_fee_add(r, &t->fee, &t->has_fee, r->en.amt.ccy);
    return RECON_OK;
}

static recon_status camt_end_entry(camt_reader *r)
{
    camt_entry *e = &r->en;
    int b = r->ntry_base;
    size_t n;
    if (AT(b, T_Amt))
        return camt_amount_parse(r, &e->amt, "entry Amt");
    if (AT(b, T_CdtDbtInd))
        return camt_indicator(r, &e->has_ind, &e->credit);
    if (AT(b, T_RvslInd)) {
        const char *s = camt_text(r, &n);
        if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1'))
            e->reversal = true;
        else if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0'))
            e->reversal = false;
        else
            return camt_fail(r, "RvslInd \"%.*s\" is not a boolean", (int)(n > 20 ? 20 : n), s);
        return RECON_OK;
    }
    /* v2-v7 carry the status as text, v8 as Sts/Cd (or Sts/Prtry, never booked). */
    if (AT(b, T_Sts, T_Cd) || (AT(b, T_Sts) && !r->has_child[r->depth - 1])) {
        const char *s = camt_text(r, &n);
        if (n == 0)
            return camt_fail(r, "empty Sts");
        e->status = (n == 4 && memcmp(s, "BOOK", 4) == 0) ? CAMT_STS_BOOKED : CAMT_STS_OTHER;
        return RECON_OK;
    }
    if (AT(b, T_Sts)) {
        if (e->status == CAMT_STS_NONE)
            e->status = CAMT_STS_OTHER;
        return RECON_OK;
    }
    if (AT(b, T_BookgDt, T_Dt))
        return camt_date(r, false, &e->booking_date, "BookgDt/Dt");
    if (AT(b, T_BookgDt, T_DtTm))
        return camt_date(r, true, &e->booking_date, "BookgDt/DtTm");
    if (AT(b, T_ValDt, T_Dt))
        return camt_date_second(r, false, &e->value_date, "ValDt/Dt");
    if (AT(b, T_ValDt, T_DtTm))
        return camt_date_second(r, true, &e->value_date, "ValDt/DtTm");
    if (AT(b, T_AcctSvcrRef))
        return camt_set(r, e->acct_svcr_ref, sizeof e->acct_svcr_ref, "entry AcctSvcrRef", CAMT_KEY);
    if (AT(b, T_Chrgs, T_Rcrd, T_Amt) || AT(b, T_Chrgs, T_Amt))
        return camt_fee_add(r, &e->fee, &e->has_fee, e->amt.ccy);
    return RECON_OK;
}

static recon_status camt_end_bal(camt_reader *r)
{
    camt_balance *bl = &r->bal;
    int b = r->bal_base;
    if (AT(b, T_Tp, T_CdOrPrtry, T_Cd)) {
        size_t n;
        const char *s = camt_text(r, &n);
        if (n == 0 || n >= sizeof bl->code)
            return camt_fail(r, "balance type code \"%.*s\" is not a 4-letter code",
                             (int)(n > 20 ? 20 : n), s);
        memcpy(bl->code, s, n);
        bl->code[n] = '\0';
        return RECON_OK;
    }
    if (AT(b, T_Amt))
        return camt_amount_parse(r, &bl->amt, "balance Amt");
    if (AT(b, T_CdtDbtInd))
        return camt_indicator(r, &bl->has_ind, &bl->credit);
    if (AT(b, T_Dt, T_Dt))
        return camt_date_second(r, false, &bl->date, "balance Dt/Dt");
    if (AT(b, T_Dt, T_DtTm))
        return camt_date_second(r, true, &bl->date, "balance Dt/DtTm");
    return RECON_OK;
}

static recon_status camt_end_stmt(camt_reader *r)
{
    statement_summary *s = &r->sum;
    int b = r->stmt_base;
    if (AT(b, T_Id))
        return camt_set(r, s->statement_id, sizeof s->statement_id, "statement Id", CAMT_KEY);
    if (AT(b, T_CreDtTm))
        return camt_stmt_date(r, &r->created, "CreDtTm");
    if (AT(b, T_FrToDt, T_FrDtTm))
        return camt_stmt_date(r, &s->period_from, "FrToDt/FrDtTm");
    if (AT(b, T_FrToDt, T_ToDtTm))
        return camt_stmt_date(r, &s->period_to, "FrToDt/ToDtTm");
    if (AT(b, T_Acct, T_Id, T_IBAN) || AT(b, T_Acct, T_Id, T_Othr, T_Id))
        return camt_set(r, s->source, sizeof s->source, "account Id", CAMT_KEY);
    if (AT(b, T_Acct, T_Ccy)) {
        size_t n;
        const char *txt = camt_text(r, &n);
        if (n != 3 || !receipt_set_field(s->currency, sizeof s->currency, txt, n) ||
            !currency_code_valid(s->currency))
            return camt_fail(r, "account Ccy \"%.*s\" is not an ISO 4217 code",
                             (int)(n > 20 ? 20 : n), txt);
        return RECON_OK;
    }
    return RECON_OK;
}

static recon_status camt_end(camt_reader *r)
{
    recon_status st = RECON_OK;
    int top = r->depth - 1;
    if (top == r->tx_base) {
        st = camt_tx_end(r);
        r->tx_base = -1;
    } else if (r->tx_base >= 0) {
        st = camt_end_tx(r);
    } else if (top == r->ntry_base) {
        st = camt_entry_end(r);
        r->ntry_base = -1;
    } else if (r->ntry_base >= 0) {
        st = camt_end_entry(r);
    } else if (top == r->bal_base) {
        st = camt_bal_end(r);
        r->bal_base = -1;
    } else if (r->bal_base >= 0) {
        st = camt_end_bal(r);
    } else if (top == r->stmt_base) {
        st = camt_stmt_end(r);
        r->stmt_base = -1;
        r->en.index = 0;
    } else if (r->stmt_base >= 0) {
        st = camt_end_stmt(r);
    } else if (r->doc_base >= 0 && top == r->doc_base + 1 && r->stmt_count == 0) {
        st = err_set(r->err, RECON_EDATA,
                     "%s: line %ld: %s message has no <%s>; hint: a camt file with no statement "
                     "is malformed (the schema requires at least one)",
                     r->name, camt_line(r), camt_doc_name(r), camt_stmt_name(r));
    } else if (r->doc_base >= 0 && AT(r->doc_base + 1, T_GrpHdr, T_CreDtTm)) {
        /* Only a stand-in for a missing booking date, so an unreadable one is no error. */
        size_t n;
        const char *txt = camt_text(r, &n);
        if (!camt_datetime_china(txt, n, &r->msg_created))
            r->msg_created = DATE_NONE;
    } else if (top == r->doc_base) {
        r->doc_base = -1;
        if (!r->msg_seen)
            st = err_set(r->err, RECON_EDATA,
                         "%s: line %ld: %s document holds no <%s> message; hint: a camt file "
                         "with no statement is malformed (the schema requires one)",
                         r->name, camt_line(r), camt_doc_name(r),
                         camt_tok_names[camt_msg_tok(r)]);
    }
    r->depth--;
    camt_text_reset(r);
    return st;
}

/* Text as SAX2 delivers it, in pieces. White space before any other text is counted, as
 * the reader's text node held it, but not stored: it is trimmed anyway. */
static recon_status camt_text_append(camt_reader *r, const xmlChar *v, int len)
{
    size_t n = (size_t)len;
    r->text_node += n;
    if (r->text_node > CAMT_TEXT_NODE_MAX)
        return err_set(r->err, RECON_EDATA,
                       "%s: line %ld: xml error: xmlSAX2Characters: huge text node",
                       r->name, camt_parser_line(r));
    if (r->text_len == 0) {
        size_t i = 0;
        while (i < n && (v[i] == ' ' || v[i] == '\n' || v[i] == '\t' || v[i] == '\r'))
            i++;
        r->text_blank += i;
        if (i == n) {
            /* The reader kept a leaf's blanks (and cut them), not those after a child. */
            if (r->text_blank > CAMT_TEXT_MAX && r->depth > 0 && !r->has_child[r->depth - 1])
                r->text_overflow = true;
            return RECON_OK;
        }
        v += i;
        n -= i;
    }
    size_t used = r->text_len + r->text_blank;
    size_t room = used < CAMT_TEXT_MAX ? CAMT_TEXT_MAX - used : 0;
    if (n > room) {
        n = room;
        r->text_overflow = true;
    }
    memcpy(r->text + r->text_len, v, n);
    r->text_len += n;
    r->text[r->text_len] = '\0';
    return RECON_OK;
}

/* ---- SAX2 callbacks: the first error stops the parser ------------------------------------ */

/* True when nothing more may be read: an error was met here, or libxml2 reported one it
 * does not stop for itself (a namespace error). */
static bool camt_stopped(camt_reader *r)
{
    if (r->st == RECON_OK && !r->xml_failed)
        return false;
    xmlStopParser(r->ctxt);
    return true;
}

static void camt_sax_done(camt_reader *r, recon_status st)
{
    if (st == RECON_OK)
        return;
    r->st = st;
    xmlStopParser(r->ctxt);
}

static void camt_sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
                           const xmlChar *uri, int nns, const xmlChar **nss, int nattr,
                           int ndefaulted, const xmlChar **attrs)
{
    camt_reader *r = ctx;
    (void)prefix, (void)nns, (void)nss, (void)ndefaulted;
    if (camt_stopped(r))
        return;
    r->line = camt_parser_line(r);
    camt_sax_done(r, camt_start(r, local, uri, nattr, attrs));
}

static void camt_sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
                         const xmlChar *uri)
{
    camt_reader *r = ctx;
    (void)local, (void)prefix, (void)uri;
    if (camt_stopped(r) || r->depth == 0)
        return;
    r->line = r->lines[r->depth - 1];
    camt_sax_done(r, camt_end(r));
}

static void camt_sax_text(void *ctx, const xmlChar *v, int len)
{
    camt_reader *r = ctx;
    if (!camt_stopped(r))
        camt_sax_done(r, camt_text_append(r, v, len));
}

/* A DOCTYPE the head check did not see (after a long comment): refused before its
 * internal subset is read, so no entity is ever declared. */
static void camt_sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                             const xmlChar *system_id)
{
    camt_reader *r = ctx;
    (void)name, (void)external_id, (void)system_id;
    if (!camt_stopped(r))
        camt_sax_done(r, err_set(r->err, RECON_EDATA,
                                 "%s: line %ld: document type declarations are not allowed "
                                 "(external entities and entity expansion are disabled)",
                                 r->name, camt_parser_line(r)));
}

static void camt_sax_entity(void *ctx, const xmlChar *name)
{
    camt_reader *r = ctx;
    (void)name;
    if (!camt_stopped(r))
        camt_sax_done(r, err_set(r->err, RECON_EDATA,
                                 "%s: line %ld: entity references are not allowed", r->name,
                                 camt_parser_line(r)));
}

/* ---- entry points ----------------------------------------------------------------------- */

bool camt_detect(const unsigned char *head, size_t len, stmt_format *which)
{
    size_t i = 0;
    if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i >= len || head[i] != '<')
        return false;
    /* The Document's namespace; in an envelope whose header fills the head, the header's
     * message definition (<MsgDefIdr>camt.053.001.08</MsgDefIdr>, any prefix). */
    static const char *const marks[] = {CAMT_NS_PREFIX, "MsgDefIdr>camt.05"};
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        size_t mlen = strlen(marks[m]);
        const unsigned char *p = head + i, *end = head + len;
        const unsigned char *hit;
        while ((hit = memmem(p, (size_t)(end - p), marks[m], mlen)) != NULL) {
            size_t at = (size_t)(hit - head) + mlen;
            p = hit + 1;
            if (at >= len || head[at] < '2' || head[at] > '4')
                continue;
            if (which)
                *which = head[at] == '2'   ? FORMAT_CAMT052
                         : head[at] == '3' ? FORMAT_CAMT053
                                           : FORMAT_CAMT054;
            return true;
        }
    }
    return false;
}

recon_status camt_parse(instream_t *in, const parse_options *opts, const receipt_sink *sink,
                        err_t *err)
{
    (void)opts;
    recon_status st = RECON_OK;
    camt_reader *r = NULL;
    const unsigned char *head = NULL;
    size_t head_len = 0;
    xmlGenericErrorFunc saved_generic = xmlGenericError;
    void *saved_generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc saved_structured = xmlStructuredError;
    void *saved_structured_ctx = xmlStructuredErrorContext;
    bool handlers_set = false;
    char *buf = NULL;

    st = instream_peek(in, &head, &head_len, err);
    if (st != RECON_OK)
        goto out;
    if (camt_head_has_doctype(head, head_len)) {
        st = err_set(err, RECON_EDATA,
                     "%s: line 1: document type declarations are not allowed (external "
                     "entities and entity expansion are disabled)",
                     instream_name(in));
        goto out;
    }

    r = calloc(1, sizeof *r);
    if (r == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    r->in = in;
    r->name = instream_name(in);
    r->sink = sink;
    r->err = err;
    r->stmt_base = r->ntry_base = r->tx_base = r->bal_base = r->doc_base = -1;
    r->msg_created = DATE_NONE;
    r->format = FORMAT_CAMT053;
    r->fp = fingerprint_table_new();
    if (r->fp == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }

    buf = malloc(CAMT_CHUNK);
    if (buf == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    ssize_t n = instream_read(in, buf, CAMT_CHUNK, err);
    if (n < 0) {
        st = err->status;
        goto out;
    }
    r->io_eof = n == 0;

    xmlInitParser();
    xmlSetGenericErrorFunc(r, camt_xml_generic_silent);
    xmlSetStructuredErrorFunc(r, camt_xml_error);
    handlers_set = true;

    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = camt_sax_start;
    sax.endElementNs = camt_sax_end;
    sax.characters = camt_sax_text;
    sax.ignorableWhitespace = camt_sax_text;
    sax.cdataBlock = camt_sax_text;
    sax.internalSubset = camt_sax_doctype;
    sax.reference = camt_sax_entity;
    sax.serror = camt_xml_error;
    /* The first four bytes give the encoding, as the reader did it. */
    size_t first = (size_t)n < 4 ? (size_t)n : 4;
    r->ctxt = xmlCreatePushParserCtxt(&sax, r, buf, (int)first, NULL);
    if (r->ctxt == NULL) {
        st = err_set(err, RECON_EINTERNAL, "%s: cannot create xml parser", r->name);
        goto out;
    }
    /* No NOENT, DTDLOAD or DTDATTR: entities are never expanded nor fetched. BIG_LINES keeps
     * line numbers right past 65535. */
    xmlCtxtUseOptions(r->ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (!camt_names_init(r)) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }

    const char *chunk = buf + first;
    size_t len = (size_t)n - first;
    int rc;
    for (;;) {
        rc = xmlParseChunk(r->ctxt, chunk, (int)len, r->io_eof);
        if (r->st != RECON_OK || r->xml_failed || r->io_eof)
            break;
        n = instream_read(in, buf, CAMT_CHUNK, err);
        if (n < 0) {
            st = err->status;
            goto out;
        }
        r->io_eof = n == 0;
        chunk = buf;
        len = (size_t)n;
    }
    if (r->st != RECON_OK) {
        st = r->st;
        goto out;
    }
    if (r->xml_failed && r->io_eof && r->depth > 0 &&
        (r->xml_code == XML_ERR_DOCUMENT_END || r->xml_code == XML_ERR_TAG_NOT_FINISHED)) {
        /* libxml2 words a cut-off file as "extra content"; say what happened. */
        char where[CAMT_WHERE_MAX];
        camt_where(r, where, sizeof where);
        st = err_set(err, RECON_EDATA,
                     "%s: line %ld: xml error: unexpected end of file inside %s; the file looks "
                     "truncated",
                     r->name, r->xml_line, where);
        goto out;
    }
    if (r->xml_failed) {
        st = err_set(err, RECON_EDATA, "%s: line %ld: xml error: %s", r->name, r->xml_line,
                     r->xml_msg);
        goto out;
    }
    if (rc != 0 || !r->ctxt->wellFormed) {
        st = err_set(err, RECON_EDATA, "%s: line %ld: xml error: malformed document", r->name,
                     camt_parser_line(r));
        goto out;
    }
    if (!r->root_seen && r->root_name[0] != '\0') {
        st = err_set(err, RECON_EDATA,
                     "%s: line %ld: not a camt.052/camt.053/camt.054 document: root element <%s> "
                     "in namespace \"%.100s\" holds no camt Document",
                     r->name, r->root_line, r->root_name, r->root_ns);
        goto out;
    }
    if (!r->root_seen) {
        st = err_set(err, RECON_EDATA, "%s: empty xml document", r->name);
        goto out;
    }
out:
    if (r != NULL) {
        if (r->ctxt != NULL)
            xmlFreeParserCtxt(r->ctxt);
        fingerprint_table_free(r->fp);
        free(r->held);
        free(r);
    }
    free(buf);
    if (handlers_set) {
        xmlSetGenericErrorFunc(saved_generic_ctx, saved_generic);
        xmlSetStructuredErrorFunc(saved_structured_ctx, saved_structured);
    }
    return st;
}
