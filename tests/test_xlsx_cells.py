"""Changing cells and adding notes inside an xlsx zip (``toolkit.io.xlsx_cells``), and the audit trail's migration."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from io import BytesIO

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font

from toolkit.io.xlsx_cells import edit_workbook, set_cells
from toolkit.store import SCHEMA_VERSION, open_store

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _book(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Key", "Approval", "Note"])
    ws.append(["k1", "Pending", None])
    ws.append(["k2", None, None])
    ws["B2"].font = Font(bold=True)
    ws["B2"].comment = Comment("written earlier", "Staff")
    ws.row_dimensions[6].height = 20  # an empty <row r="6" .../> element
    path = tmp_path / "b.xlsx"
    wb.save(path)
    return path


def test_cells_and_notes_change_only_what_is_asked(tmp_path):
    path = _book(tmp_path)
    data = path.read_bytes()
    out = edit_workbook(data, {"Data": {"B2": "Approved", "D3": "=SUM(A1)", "A9": "new row", "C6": "in empty row"}},
                        {"Data": {"B2": "Approved by Z", "A3": "Returned by Z: fix it"}}, "Z")
    wb = openpyxl.load_workbook(BytesIO(out))
    ws = wb["Data"]
    assert ws["B2"].value == "Approved" and ws["B2"].font.bold  # style kept
    assert ws["D3"].value == "=SUM(A1)" and ws["D3"].data_type == "s"  # text, not a formula
    assert ws["A9"].value == "new row" and ws["C6"].value == "in empty row"
    assert ws["B2"].comment.text == "written earlier\nApproved by Z"
    assert ws["A3"].comment.text == "Returned by Z: fix it"
    before = openpyxl.load_workbook(path)["Data"]
    changed = {c.coordinate for row in ws.iter_rows() for c in row
               if c.value != before[c.coordinate].value}
    assert changed == {"B2", "D3", "A9", "C6"}
    za, zb = zipfile.ZipFile(BytesIO(data)), zipfile.ZipFile(BytesIO(out))
    assert za.namelist() == zb.namelist()[: len(za.namelist())]
    same = {n for n in za.namelist() if za.read(n) == zb.read(n)}
    assert set(za.namelist()) - same <= {"xl/worksheets/sheet1.xml", "xl/comments/comment1.xml",
                                         "xl/drawings/commentsDrawing1.vml"}


def test_a_sheet_without_notes_gets_its_parts(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.active.append(["a"])
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    out = edit_workbook(path.read_bytes(), {}, {"Data": {"A1": "note"}}, "Z")
    z = zipfile.ZipFile(BytesIO(out))
    assert "legacyDrawing" in z.read("xl/worksheets/sheet1.xml").decode()
    assert "comments+xml" in z.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(BytesIO(out))["Data"]["A1"].comment.text == "note"


def test_prefixed_sheet_xml():
    xml = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t>'
           f'</x:is></x:c><x:c r="C1"><x:v>3</x:v></x:c></x:row><x:row r="4"/></x:sheetData></x:worksheet>')
    out = set_cells(xml, {"B1": "b", "A2": "x & y", "B4": "z"})
    root = ET.fromstring(out)
    cells = {c.get("r"): "".join(c.itertext()) for c in root.iter(f"{{{MAIN}}}c")}
    assert cells == {"A1": "a", "B1": "b", "C1": "3", "A2": "x & y", "B4": "z"}
    rows = [r.get("r") for r in root.iter(f"{{{MAIN}}}row")]
    assert rows == ["1", "2", "4"]
    assert [c.get("r") for c in root.find(f".//{{{MAIN}}}row")] == ["A1", "B1", "C1"]


def test_a_store_from_before_the_queue_gains_the_audit_trail(tmp_path):
    db = tmp_path / "old.db"
    with open_store(db):
        pass
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE approval_decisions")
    conn.execute("DROP TABLE approval_items")  # migration 5
    for view in ("current_pay_adjustments", "current_finance_lines"):  # migration 4 (money leaving the toolkit)
        conn.execute(f"DROP VIEW {view}")
    for table in ("close_events", "finance_lines", "res_pay_adjustments"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP VIEW current_royalty_segments")  # migration 8 (royalty segments)
    conn.execute("DROP TABLE res_royalty_segments")
    conn.execute("ALTER TABLE sources DROP COLUMN findings")  # migration 7
    conn.execute("DELETE FROM migrations WHERE version > 2")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with open_store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.approval_decisions() == []
        assert store.record_decisions([{"source_path": "a.xlsx", "sheet": "Expenses", "row": 5, "kind": "Expenses",
                                        "decision": "Approve", "outcome": "applied", "item": "C-1"}]) == 1
        (rec,) = store.approval_decisions()
        assert rec["item"] == "C-1" and rec["decided_at"] and rec["decision"] == "Approve"
