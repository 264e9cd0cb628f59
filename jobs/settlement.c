/*
 * The provider settlement check. A WeChat Pay or Alipay settlement reaches the
 * bank as one credit for a day's trade; that credit is not a premium, but it
 * must equal what the provider's own bill says it owed (gross minus fees),
 * else money went missing between provider and bank. Only accounts named with
 * their provider (wechat:ACCOUNT, alipay:ACCOUNT) can be checked.
 */
#include "jobs/match.h"
#include "store/settlement.h"

recon_status settlement_check(db_t *db, const recon_config *config, date_t as_of,
                              long *differences, err_t *err)
{
    store_settlement_account accounts[CONFIG_SETTLEMENT_MAX];
    size_t n = 0;
    for (size_t i = 0; i < config->settlement_count; i++)
        if (config->settlements[i].provider[0])
            accounts[n++] = (store_settlement_account){config->settlements[i].provider,
                                                       config->settlements[i].account};
    return store_settlement_check(db, accounts, n, config->settlement_lag_days, as_of,
                                  differences, err);
}
