/*
 * xmlpass: the xmlTextReader floor (the camt parser used the reader before issue 16; the
 * true floor is bench/saxpass.c, SAX2). A bare libxml2 xmlTextReader pass
 * over each file with the options recon uses (NONET, NOBLANKS, BIG_LINES): every
 * node is read, text values are fetched and entries counted, nothing is kept.
 *
 *   xmlpass FILE...      prints "entries N texts T text_bytes B" on stdout
 */
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    long entries = 0, texts = 0;
    unsigned long long text_bytes = 0;
    xmlInitParser();
    for (int i = 1; i < argc; i++) {
        xmlTextReaderPtr r =
            xmlReaderForFile(argv[i], NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES);
        if (r == NULL) {
            fprintf(stderr, "xmlpass: cannot open %s\n", argv[i]);
            return 66;
        }
        const xmlChar *ntry = xmlTextReaderConstString(r, (const xmlChar *)"Ntry");
        int rc;
        while ((rc = xmlTextReaderRead(r)) == 1) {
            int type = xmlTextReaderNodeType(r);
            if (type == XML_READER_TYPE_ELEMENT) {
                if (xmlTextReaderConstLocalName(r) == ntry)
                    entries++;
            } else if (type == XML_READER_TYPE_TEXT) {
                const xmlChar *v = xmlTextReaderConstValue(r);
                if (v) {
                    text_bytes += strlen((const char *)v);
                    texts++;
                }
            }
        }
        xmlFreeTextReader(r);
        if (rc < 0) {
            fprintf(stderr, "xmlpass: %s: parse error\n", argv[i]);
            return 65;
        }
    }
    xmlCleanupParser();
    printf("entries %ld texts %ld text_bytes %llu\n", entries, texts, text_bytes);
    return 0;
}
