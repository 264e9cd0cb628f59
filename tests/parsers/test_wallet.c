/* Personal wallet exports are recognised (UTF-8 and GBK) only to be refused by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/parse.h"
#include "parsers/wallet.h"

static const char wechat_personal[] =
    "微信支付账单明细,,,,,,,,\n微信昵称：[某人],,,,,,,,\n"
    "----------------------微信支付账单明细列表--------------------,,,,,,,,\n"
    "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注\n"
    "2024-01-02 10:00:00,商户消费,某保险,保费,支出,¥30.00,零钱,支付成功,4200001,P1,/\n";

static const char alipay_personal_gbk_header[] =
    /* "交易号,商家订单号,交易创建时间,付款时间" in GBK */
    "\xbd\xbb\xd2\xd7\xba\xc5,\xc9\xcc\xbc\xd2\xb6\xa9\xb5\xa5\xba\xc5,\xbd\xbb\xd2\xd7\xb4\xb4"
    "\xbd\xa8\xca\xb1\xbc\xe4,\n2024,P1,2024-01-02\n";

static void test_detect(void **state)
{
    (void)state;
    const char *what = NULL, *hint = NULL;
    assert_true(wallet_export_detect((const unsigned char *)wechat_personal,
                                     sizeof wechat_personal - 1, &what, &hint));
    assert_non_null(strstr(what, "WeChat Pay"));
    assert_true(wallet_export_detect((const unsigned char *)alipay_personal_gbk_header,
                                     sizeof alipay_personal_gbk_header - 1, &what, &hint));
    assert_non_null(strstr(what, "Alipay"));
    static const char merchant[] =
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号\n";
    assert_false(wallet_export_detect((const unsigned char *)merchant, sizeof merchant - 1,
                                      &what, &hint));
    static const char alipay_merchant[] = "支付宝交易号,商户订单号,业务类型,商品名称\n";
    assert_false(wallet_export_detect((const unsigned char *)alipay_merchant,
                                      sizeof alipay_merchant - 1, &what, &hint));
}

static void test_refused_by_name(void **state)
{
    (void)state;
    char path[] = "/tmp/recon-wallet-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, wechat_personal, sizeof wechat_personal - 1),
                     (ssize_t)(sizeof wechat_personal - 1));
    close(fd);
    receipt_sink sink = {NULL, NULL, NULL, NULL};
    err_t err;
    err_clear(&err);
    assert_int_equal(parse_file(path, NULL, &sink, NULL, &err), RECON_EDATA);
    unlink(path);
    assert_non_null(strstr(err.msg, "a personal WeChat Pay export (微信支付账单明细) is a "
                                    "person's own payment history, not a merchant bill"));
    assert_non_null(strstr(err.msg, "hint: download the merchant bill"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_refused_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
