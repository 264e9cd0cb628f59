/*
 * saxpass: the true floor for recon's camt parser (issue 16). A bare libxml2 SAX2 push
 * pass over each file with the options recon uses (NONET, BIG_LINES; no entity
 * substitution, no DTD loading), fed in 64 KiB chunks: every element and character
 * callback runs, entries are counted by their interned local name and text bytes are
 * summed; nothing is kept.
 *
 *   saxpass FILE...      prints "entries N texts T text_bytes B" on stdout
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
#include <string.h>

typedef struct pass {
    const xmlChar *ntry;
    long entries, texts;
    unsigned long long text_bytes;
} pass;

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                     int nns, const xmlChar **nss, int nattr, int ndef, const xmlChar **attrs)
{
    (void)prefix, (void)uri, (void)nns, (void)nss, (void)nattr, (void)ndef, (void)attrs;
    pass *p = ((xmlParserCtxtPtr)ctx)->_private;
    if (local == p->ntry)
        p->entries++;
}

static void on_text(void *ctx, const xmlChar *s, int len)
{
    (void)s;
    pass *p = ((xmlParserCtxtPtr)ctx)->_private;
    p->texts++;
    p->text_bytes += (unsigned long long)len;
}

int main(int argc, char **argv)
{
    static char buf[65536];
    pass p = {0};
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_text;
    xmlInitParser();
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "saxpass: cannot open %s\n", argv[i]);
            return 66;
        }
        size_t n = fread(buf, 1, 4, f);
        xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, NULL, buf, (int)n, argv[i]);
        if (ctxt == NULL) {
            fclose(f);
            return 70;
        }
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
        ctxt->_private = &p;
        p.ntry = xmlDictLookup(ctxt->dict, (const xmlChar *)"Ntry", -1);
        int rc = 0;
        while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
            rc = xmlParseChunk(ctxt, buf, (int)n, 0);
        if (rc == 0)
            rc = xmlParseChunk(ctxt, NULL, 0, 1);
        int ok = rc == 0 && ctxt->wellFormed;
        xmlFreeParserCtxt(ctxt);
        fclose(f);
        if (!ok) {
            fprintf(stderr, "saxpass: %s: parse error\n", argv[i]);
            return 65;
        }
    }
    xmlCleanupParser();
    printf("entries %ld texts %ld text_bytes %llu\n", p.entries, p.texts, p.text_bytes);
    return 0;
}
