#!/usr/bin/env python3
"""Reads a form written by `ratingctl form` as a reader would, for forms_test.

usage: form_reader.py FILE csv|xlsx|pdf

Prints JSON: {"rows": [[cell text, ...], ...], "text": "..."}.
csv: the BOM must be there (exit 1 otherwise); rows as the csv module parses them.
xlsx: opened with zipfile; the first sheet's cells (shared strings resolved, numbers as
      integers when whole); the worksheet XML must be well formed.
pdf:  `pdftotext -layout` text; rows are its lines split on runs of two or more spaces.
"""
import csv
import io
import json
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def column_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


def read_csv(path):
    data = open(path, "rb").read()
    if not data.startswith(b"\xef\xbb\xbf"):
        sys.exit("csv: no UTF-8 BOM")
    text = data[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows, text


def read_xlsx(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter("{%s}row" % NS["m"]):
        cells = {}
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            if v is None:
                continue
            if c.get("t") == "s":
                value = shared[int(v.text)]
            else:
                f = float(v.text)
                value = str(int(f)) if f.is_integer() else v.text
            cells[column_index(c.get("r"))] = value
        width = max(cells) + 1 if cells else 0
        rows.append([cells.get(i, "") for i in range(width)])
    return rows, "\n".join(shared)


def read_pdf(path):
    text = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()]
    return rows, text


def main():
    path, fmt = sys.argv[1], sys.argv[2]
    rows, text = {"csv": read_csv, "xlsx": read_xlsx, "pdf": read_pdf}[fmt](path)
    json.dump({"rows": rows, "text": text}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
