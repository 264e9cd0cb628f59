#!/usr/bin/env python3
"""Reads OUT/DATE/recon-DATE.xlsx back with openpyxl and compares it with the day's CSV
reports: every sheet row for row (Exceptions: largest amount first), the money totals, the
cell types (money and counts numbers, dates Excel dates, ids and keys text), the frozen two
header rows and the autofilter, and that no cell anywhere is a formula.
Usage: workbook_check.py DAY_DIR [DAY_DIR...]; prints one line per problem, exits 1 if any."""
import csv
import datetime
import decimal
import gzip
import io
import os
import re
import sys
import zipfile

import openpyxl

SHEETS = [("Exceptions", "exceptions.csv.gz"), ("Notices", "notices.csv.gz"),
          ("Refunds", "refunds.csv.gz"), ("Receipts", "receipts.csv.gz"),
          ("Policies", "policies.csv.gz"), ("Events", "events.csv.gz")]
MONEY = {"amount", "allocated", "unapplied", "arrears", "credit"}
DATES = {"booking_date", "status_since", "next_due_date", "oldest_unpaid_due_date",
         "effective_date", "due_date", "deadline", "due_by"}
INTS = {"days_overdue", "paid_installments", "total_installments", "age_days"}
problems = []


def problem(msg):
    problems.append(msg)


def read_csv(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def cell_text(name, v):
    """The CSV text a cell stands for, checking its type."""
    if v is None:
        return ""
    if name in MONEY:
        if not isinstance(v, (int, float)):
            problem(f"{name}: {v!r} is not a number")
            return str(v)
        return f"{decimal.Decimal(repr(float(v))).quantize(decimal.Decimal('0.01'))}"
    if name in DATES:
        if not isinstance(v, datetime.datetime):
            problem(f"{name}: {v!r} is not a date")
            return str(v)
        return v.strftime("%Y-%m-%d")
    if name in INTS:
        if not isinstance(v, (int, float)) or int(v) != v:
            problem(f"{name}: {v!r} is not a whole number")
            return str(v)
        return str(int(v))
    if not isinstance(v, str):
        problem(f"{name}: {v!r} is not text")
    return str(v)


def check_day(day_dir):
    day = os.path.basename(os.path.normpath(day_dir))
    path = os.path.join(day_dir, f"recon-{day}.xlsx")
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.date_time != (1980, 1, 1, 0, 0, 0):
                problem(f"{day}: zip entry {info.filename} dated {info.date_time}")
            if info.filename.startswith("xl/worksheets/") and re.search(
                    rb"<f[ >]", z.read(info.filename)):
                problem(f"{day}: {info.filename} holds a formula")
        if "xl/sharedStrings.xml" in z.namelist():
            pass  # not used in constant-memory mode, but harmless
    wb = openpyxl.load_workbook(path)
    if wb.properties.created != datetime.datetime.fromisoformat(day):
        problem(f"{day}: created {wb.properties.created}, not the night's date")
    expected = ["摘要 Summary"]
    for title, file in SHEETS:
        expected.append(title)
    names = [n for n in wb.sheetnames if not re.search(r" \(\d+\)$", n)]
    if names != expected:
        problem(f"{day}: sheets {wb.sheetnames}")
        return
    counts = {}
    summary = wb["摘要 Summary"]
    for row in summary.iter_rows(values_only=True):
        if row[0] in dict(SHEETS) and isinstance(row[1], (int, float)):
            counts[row[0]] = int(row[1])
    for title, file in SHEETS:
        header, rows = read_csv(os.path.join(day_dir, file))
        parts = [wb[title]] + [wb[n] for n in wb.sheetnames if n.startswith(title + " (")]
        got = []
        for ws in parts:
            if ws.freeze_panes != "A3":
                problem(f"{day}/{ws.title}: frozen at {ws.freeze_panes}")
            if not (ws.auto_filter.ref or "").startswith("A2:"):
                problem(f"{day}/{ws.title}: autofilter {ws.auto_filter.ref}")
            cells = list(ws.iter_rows(values_only=True))
            if list(cells[1][:len(header)]) != header:
                problem(f"{day}/{ws.title}: second header row {cells[1]} is not {header}")
            if any(not isinstance(c, str) for c in cells[0] if c is not None):
                problem(f"{day}/{ws.title}: first header row not text")
            for r in cells[2:]:
                if all(c is None for c in r):
                    continue
                got.append([cell_text(header[i], r[i]) for i in range(len(header))])
        if title == "Exceptions":
            a = header.index("amount")
            rows = [r for _, r in sorted(enumerate(rows), key=lambda x: (
                -abs(decimal.Decimal(x[1][a] or "0")), x[0]))]
        if got != rows:
            problem(f"{day}/{title}: {len(got)} rows differ from {file}'s {len(rows)}")
            for g, r in zip(got, rows):
                if g != r:
                    problem(f"  first difference: {g} vs {r}")
                    break
        # totals per currency where the file names one: amounts in two are never added
        cur = header.index("currency") if "currency" in header else None
        for col in MONEY & set(header):
            i = header.index(col)
            for c in sorted({r[cur] for r in rows + got} if cur is not None else {None}):
                tc = sum(decimal.Decimal(r[i]) for r in rows if r[i] and (cur is None or r[cur] == c))
                tg = sum(decimal.Decimal(g[i]) for g in got if g[i] and (cur is None or g[cur] == c))
                if tc != tg:
                    problem(f"{day}/{title}: total {col} {c or ''} {tg} vs {tc} in {file}")
        if counts.get(title) != len(rows):
            problem(f"{day}: summary counts {counts.get(title)} rows for {title}, not {len(rows)}")
    print(f"# {day}: workbook matches the CSV reports")


for d in sys.argv[1:]:
    check_day(d)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
