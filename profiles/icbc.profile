# 工商银行 (ICBC) debit card export "明细查询文件下载", v2 layout: six title lines
# (card number among them), 15 columns, every cell right-padded with spaces and a TAB,
# money in separate 记账金额 income/expense columns, balance masked as xx,yyyy.zz,
# closed by a 人民币合计 line whose totals must equal the rows.
name = icbc
encoding = UTF-8
skip_lines = 6
header = 交易日期|摘要|交易详情|交易场所|交易国家或地区简称|钞/汇|交易金额(收入)|交易金额(支出)|交易币种|记账金额(收入)|记账金额(支出)|记账币种|余额|对方户名|对方账户
date_column = 交易日期
date_format = yyyy-mm-dd
income_column = 记账金额(收入)
expense_column = 记账金额(支出)
currency_column = 记账币种
payer_column = 对方户名
payer_account_column = 对方账户
remittance_columns = 摘要|交易详情|交易场所
balance_column = 余额
balance_masks = xx,yyyy.zz
placeholders = -
trailer_prefixes = 人民币合计
trailer_totals = ignore
account_labels = 卡号:
