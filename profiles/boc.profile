# 中国银行 (BOC) debit card export "交易流水明细单": one title line, then the header;
# ISO dates, hh:mm:ss times, 币别 人民币, signed amounts with thousands separators in
# quotes ("3,240.28"), dashes for empty cells. The 借记卡号 column holds only the last
# four digits, so the source is the profile name.
name = boc
encoding = UTF-8
skip_lines = 1
header = 记账日期|记账时间|币别|金额|余额|交易名称|渠道|网点名称|附言|对方账户名|对方卡号/账号|对方开户行|借记卡号
date_column = 记账日期
date_format = yyyy-mm-dd
time_column = 记账时间
amount_column = 金额
currency_column = 币别
balance_column = 余额
payer_column = 对方账户名
payer_account_column = 对方卡号/账号
remittance_columns = 交易名称|附言
placeholders = -------------------|----------
