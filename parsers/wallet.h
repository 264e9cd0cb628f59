/*
 * Personal wallet exports (a person's own WeChat Pay or Alipay history), which
 * look like the merchant bills recon reads but are not statements of an
 * insurer's account: recognised only to be refused with that reason. Nothing
 * is allocated; the names returned are static.
 */
#ifndef RECON_PARSERS_WALLET_H
#define RECON_PARSERS_WALLET_H

#include <stdbool.h>
#include <stddef.h>

/* True when the head bytes (UTF-8 or GBK) are a personal wallet export; *what names
 * it ("a personal WeChat Pay export (微信支付账单明细)") and *hint says what to send. */
bool wallet_export_detect(const unsigned char *head, size_t len, const char **what,
                          const char **hint);

#endif
