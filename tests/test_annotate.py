"""Annotated copies: flagged cells filled and noted, a Validation sheet with links, and everything
else of the original kept (compared part by part and sheet by sheet); the original never changes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import validation_factory as F
from toolkit.cli.main import cli
from toolkit.errors import ToolkitError
from toolkit.io.annotate import FILLS, SHEET_NAME, annotate_copy, part_types
from toolkit.io.templates import build_workbook
from toolkit.io.writer import save_workbook
from toolkit.schema import DEPARTMENT
from toolkit.operations.validate import validate_file


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _original(tmp_path: Path) -> Path:
    """A toolkit-template department workbook (tables, dropdown validations, widths) with one error,
    one warning, a formula and an existing note."""
    rows = F.fresh()
    rows["Contracts"][0]["status"] = "Ongoing"
    rows["Expenses"][1]["date"] = F.D(2026, 3, 7)
    frames = {k: pd.DataFrame(v) for k, v in rows.items()}
    wb = build_workbook(DEPARTMENT, "en", frames=frames, info=F.info_rows())
    notes = wb.create_sheet("Notes")
    notes["A1"] = 2
    notes["A2"] = "=A1*21"
    notes["B1"].comment = openpyxl.comments.Comment("kept", "someone")
    wb["Expenses"]["B3"].comment = openpyxl.comments.Comment("staff note", "someone")
    path = tmp_path / "src" / "east.xlsx"
    path.parent.mkdir()
    save_workbook(wb, path)
    return path


def _standards(tmp_path: Path):
    return F.standards(tmp_path)


def _snapshot(wb, sheet: str) -> dict:
    ws = wb[sheet]
    return {
        "cells": {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None},
        "tables": sorted((t.name, t.ref) for t in ws.tables.values()),
        "validations": sorted((str(dv.sqref), dv.type, dv.formula1) for dv in ws.data_validations.dataValidation),
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "formats": {c.coordinate: c.number_format for row in ws.iter_rows() for c in row if c.value is not None},
    }


def test_copy_marks_findings_and_keeps_everything_else(tmp_path):
    src = _original(tmp_path)
    before = _sha(src)
    report = validate_file(src, _standards(tmp_path))
    assert [(f.code, f.sheet, f.cell) for f in report.findings] == [
        ("enum-invalid", "Contracts", "G2"), ("weekend-expense", "Expenses", "B3")]
    out = annotate_copy(src, report.findings, tmp_path / "out", "en")
    assert out == tmp_path / "out" / "east.xlsx" and _sha(src) == before

    orig, copy = openpyxl.load_workbook(src), openpyxl.load_workbook(out)
    assert copy.sheetnames == [SHEET_NAME, *orig.sheetnames]
    assert copy.active.title == SHEET_NAME
    for sheet in orig.sheetnames:
        assert _snapshot(copy, sheet) == _snapshot(orig, sheet), sheet
    assert copy["Notes"]["A2"].value == "=A1*21" and copy["Notes"]["B1"].comment.text == "kept"
    assert copy.defined_names.keys() == orig.defined_names.keys()

    # Flagged cells: filled by severity, a note with the message (an existing note is kept above it).
    g2, b3 = copy["Contracts"]["G2"], copy["Expenses"]["B3"]
    assert g2.fill.fgColor.rgb.endswith(FILLS["error"]) and b3.fill.fgColor.rgb.endswith(FILLS["warning"])
    assert "'Ongoing' is not one of" in g2.comment.text
    assert b3.comment.text.startswith("staff note") and "weekend" in b3.comment.text
    assert copy["Contracts"]["G3"].comment is None
    assert orig["Contracts"]["G2"].comment is None

    # The Validation sheet: one row per finding, linked to its cell.
    ws = copy[SHEET_NAME]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3]) for r in rows[:2]] == [("enum-invalid", "Contracts", "G2"),
                                                      ("weekend-expense", "Expenses", "B3")]
    assert ws["D2"].hyperlink.location == "'Contracts'!G2"
    assert ws["D3"].hyperlink.location == "'Expenses'!B3"
    assert len(rows) == 2  # nothing dropped: no note about lost parts

    # No part type of the original is missing from the copy.
    before_parts, after_parts = part_types(src.read_bytes()), part_types(out.read_bytes())
    assert all(after_parts[k] >= n for k, n in before_parts.items()), (before_parts, after_parts)


@pytest.mark.filterwarnings("ignore:Data Validation extension")
def test_dropped_parts_are_listed_in_the_validation_sheet(tmp_path):
    src = _original(tmp_path)
    # Add what openpyxl cannot keep: a custom XML part and an Excel 2010 data-validation extension.
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/customXml/item1.xml" '
                                    b'ContentType="application/vnd.example.custom+xml"/></Types>')
            if item.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(b"</worksheet>", b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
                                    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                                    b'<x14:dataValidations count="0"/></ext></extLst></worksheet>')
            zout.writestr(item, data)
        zout.writestr("customXml/item1.xml", "<root/>")
    src.write_bytes(buf.getvalue())
    before = _sha(src)
    report = validate_file(src, _standards(tmp_path))
    out = annotate_copy(src, report.findings, tmp_path / "out", "zh")
    assert _sha(src) == before
    texts = [r[0] for r in openpyxl.load_workbook(out)[SHEET_NAME].iter_rows(values_only=True) if r and r[0]]
    assert any("application/vnd.example.custom+xml" in t for t in texts)
    sheet3 = openpyxl.load_workbook(src).sheetnames[2]
    assert any(t.startswith(f"工作表 {sheet3}") and "Excel 2010" in t for t in texts)
    assert "错误" in texts  # severity in Chinese


def test_refuses_to_overwrite_the_original(tmp_path):
    src = _original(tmp_path)
    before = _sha(src)
    with pytest.raises(ToolkitError, match="in place"):
        annotate_copy(src, [], src.parent, "en")
    assert _sha(src) == before


def test_cli_annotate(tmp_path):
    src = _original(tmp_path)
    F.write_book(src.parent / "standards.xlsx", "standards", F.standards_rows(), {"template_version": "1.0"})
    (src.parent / "junk.xlsx").write_text("junk")
    before = {p.name: _sha(p) for p in src.parent.iterdir()}
    result = CliRunner().invoke(cli, ["validate", str(src.parent), "--annotate", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["east.xlsx", "standards.xlsx"]
    assert {p.name: _sha(p) for p in src.parent.iterdir()} == before
    ws = openpyxl.load_workbook(tmp_path / "out" / "standards.xlsx")[SHEET_NAME]
    assert ws["A2"].value == "No findings."
    # The annotated copy validates like the original (the Validation sheet is not a data sheet).
    copy_report = validate_file(tmp_path / "out" / "east.xlsx", F.read_book(src.parent / "standards.xlsx"))
    assert [(f.code, f.cell) for f in copy_report.findings] == [("enum-invalid", "G2"), ("weekend-expense", "B3")]
