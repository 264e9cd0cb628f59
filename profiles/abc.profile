# 农业银行 (ABC) debit card export: header on line 1, yyyymmdd dates, time hhmmss or
# empty, signed amounts with a leading '+' on credits, bank log number in a column
# spelt '日 志 号'; short rows leave the trailing columns empty. A log number of all
# zeros (interest postings) is no log number, and '--' marks an unknown counterparty.
name = abc
encoding = UTF-8
skip_lines = 0
header = 交易日期|交易时间|交易摘要|交易金额|本次余额|对手信息|日 志 号|交易渠道|交易附言
date_column = 交易日期
date_format = yyyymmdd
time_column = 交易时间
amount_column = 交易金额
balance_column = 本次余额
payer_column = 对手信息
reference_column = 日 志 号
remittance_columns = 交易摘要|交易附言
placeholders = --|0000000000
