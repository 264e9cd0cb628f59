# 招商银行 (CMB) debit card export: header on line 1, ISO dates, currency code column,
# signed amounts and balances quoted with thousands separators ("-1,000.00"); no serial
# number, so receipts are keyed by fingerprint with the memo.
name = cmb
encoding = UTF-8
skip_lines = 0
header = 记账日期|货币|交易金额|联机余额|交易摘要|对手信息|客户摘要
date_column = 记账日期
date_format = yyyy-mm-dd
amount_column = 交易金额
currency_column = 货币
balance_column = 联机余额
payer_column = 对手信息
remittance_columns = 交易摘要|客户摘要
