#include "parsers/wallet.h"

#include <string.h>

/* Each marker in UTF-8 and in GBK, the two encodings these exports come in. */
static const struct {
    const char *utf8, *gbk, *what, *hint;
} markers[] = {
    {"微信支付账单明细", "\xce\xa2\xd0\xc5\xd6\xa7\xb8\xb6\xd5\xcb\xb5\xa5\xc3\xf7\xcf\xb8",
     "a personal WeChat Pay export (微信支付账单明细)",
     "download the merchant bill (交易账单) from the WeChat Pay merchant platform"},
    {"交易时间,交易类型,交易对方,商品,收/支",
     "\xbd\xbb\xd2\xd7\xca\xb1\xbc\xe4,\xbd\xbb\xd2\xd7\xc0\xe0\xd0\xcd,\xbd\xbb\xd2\xd7\xb6\xd4"
     "\xb7\xbd,\xc9\xcc\xc6\xb7,\xca\xd5/\xd6\xa7",
     "a personal WeChat Pay export (交易类型, 交易对方 columns)",
     "download the merchant bill (交易账单) from the WeChat Pay merchant platform"},
    {"支付宝交易记录明细查询",
     "\xd6\xa7\xb8\xb6\xb1\xa6\xbd\xbb\xd2\xd7\xbc\xc7\xc2\xbc\xc3\xf7\xcf\xb8\xb2\xe9\xd1\xaf",
     "a personal Alipay export (支付宝交易记录明细查询)",
     "download the merchant's 业务明细 bill from the Alipay merchant platform"},
    {"交易号,商家订单号,交易创建时间",
     "\xbd\xbb\xd2\xd7\xba\xc5,\xc9\xcc\xbc\xd2\xb6\xa9\xb5\xa5\xba\xc5,\xbd\xbb\xd2\xd7\xb4\xb4"
     "\xbd\xa8\xca\xb1\xbc\xe4",
     "a personal Alipay export (交易号, 交易创建时间 columns)",
     "download the merchant's 业务明细 bill from the Alipay merchant platform"},
};

static bool contains(const unsigned char *head, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || n > len)
        return false;
    for (size_t i = 0; i + n <= len; i++)
        if (head[i] == (unsigned char)needle[0] && memcmp(head + i, needle, n) == 0)
            return true;
    return false;
}

bool wallet_export_detect(const unsigned char *head, size_t len, const char **what,
                          const char **hint)
{
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
        if (contains(head, len, markers[i].utf8) || contains(head, len, markers[i].gbk)) {
            *what = markers[i].what;
            *hint = markers[i].hint;
            return true;
        }
    return false;
}
