"""The benchmark's import files: import.json (importCandidates, 1,000 rows), small.csv (10,000
rows), large.csv and large.xlsx (N rows each), all applications in one branch, every ID-card
number distinct (within the run, and from earlier runs by a prefix taken from the clock).

    python3 bench/import_files.py WORK_DIR BRANCH_ID N
"""
import csv
import json
import sys
import time

import xlsxwriter

work, branch, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"
# Never 11: the seed's numbers all begin with 11 (110000 + i / 1000), and a file whose numbers
# did (one run in 90) was refused for duplicates on record.
prefix = int(time.time()) % 88 + 12
counter = 0


def number():
    """A valid 18-character number, born 2000-01-01."""
    global counter
    i = counter
    counter += 1
    f17 = "%02d%04d%s%03d" % (prefix, i // 1000, "20000101", i % 1000)
    return f17 + C[sum(int(a) * b for a, b in zip(f17, W)) % 11]


HEADER = ["所属党组织ID", "递交申请日期", "姓名", "性别", "出生日期", "身份证号", "学历", "职业类别", "共青团员"]


def row(i):
    return [branch, "2025-12-01", "导入%d" % i, "男" if i % 2 else "女", "2000-01-01", number(), "大学本科", "工人", "否"]


rows = [{"organizationId": branch, "appliedOn": "2025-12-01",
         "person": {"name": "导入", "gender": "MALE", "birthDate": "2000-01-01", "idCardNumber": number(),
                    "education": "UNDERGRADUATE", "occupations": ["WORKER"]}} for _ in range(1000)]
json.dump({"query": "mutation($r: [ImportCandidateRowInput!]!) { importCandidates(input: {rows: $r}) { imported } }",
           "variables": {"r": rows}}, open(work + "/import.json", "w"))

for name, count in (("small.csv", 10_000), ("large.csv", n)):
    with open(work + "/" + name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(count):
            w.writerow(row(i))

book = xlsxwriter.Workbook(work + "/large.xlsx", {"constant_memory": True})
sheet = book.add_worksheet("入党申请人")
sheet.write_row(0, 0, HEADER)
for i in range(n):
    for c, v in enumerate(row(i)):
        sheet.write_string(i + 1, c, v)
book.close()
