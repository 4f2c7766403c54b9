"""Change a few cells (and add notes) of an xlsx file by editing its sheet XML inside the zip.

openpyxl round trips drop parts of a workbook (Excel 2010 extensions, shapes, slicers: docs/IO facts), so a
workbook that belongs to a user is changed here without a round trip: the sheet's XML text is spliced at the
cells that change (text written as inline strings, so the shared-string table is untouched, and a text starting
with ``=`` stays text); every other part is copied as it was. Notes go into the sheet's comments part and its
VML drawing (created with openpyxl's writers when the sheet has none), which also touches the sheet's
relationships and ``[Content_Types].xml``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Mapping
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr
from openpyxl.cell.text import Text
from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
from openpyxl.xml.functions import fromstring, tostring

from ..errors import ToolkitError
from ..i18n import register

register({
    "cells.no-sheet": ("{file} has no sheet '{sheet}'.", "{file} 中没有工作表“{sheet}”。"),
    "cells.bad-xlsx": ("{file} cannot be changed: {detail}", "无法修改 {file}：{detail}"),
    "cells.rows-below": ("Row {row} below the table would be covered by the new rows; move it and try again.",
                         "表格下方第 {row} 行会被新行覆盖；请移走后重试。"),
})

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COMMENTS_TYPE = _REL_NS + "/comments"
_VML_TYPE = _REL_NS + "/vmlDrawing"
_COMMENTS_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_MIME = "application/vnd.openxmlformats-officedocument.vmlDrawing"
#: Elements that must come after <legacyDrawing> in a worksheet (ECMA-376 order).
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


def col_index(letters: str) -> int:
    """1-based column number of ``letters`` (A → 1, AA → 27)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[str, int]:
    m = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", ref)
    if not m:
        raise ValueError(ref)
    return m.group(1).upper(), int(m.group(2))


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part path inside the zip (``xl/worksheets/sheet1.xml``)."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {m.group("id"): m.group("target") for m in re.finditer(
        r"<(?:\w+:)?Relationship\b(?=[^>]*\bId=\"(?P<id>[^\"]+)\")(?=[^>]*\bTarget=\"(?P<target>[^\"]+)\")[^>]*>", rels)}
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\b\w+:id="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[_unescape(name.group(1))] = path
    return out


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _prefix(xml: str) -> str:
    m = re.search(r"<(\w+:)?worksheet\b", xml)
    return (m.group(1) or "") if m else ""


def _col_styles(xml: str, p: str) -> list[tuple[int, int, str]]:
    out = []
    for m in re.finditer(rf"<{p}col\b[^>]*>", xml):
        tag = m.group(0)
        lo, hi, st = (re.search(rf'\b{a}="(\d+)"', tag) for a in ("min", "max", "style"))
        if lo and hi and st:
            out.append((int(lo.group(1)), int(hi.group(1)), st.group(1)))
    return out


def _cell_xml(p: str, ref: str, value: str | float, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # a number (an approved amount)
        return f'<{p}c r="{ref}"{s}><{p}v>{repr(float(value)) if value != int(value) else int(value)}</{p}v></{p}c>'
    return f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{escape(value)}</{p}t></{p}is></{p}c>'


def set_cells(xml: str, values: Mapping[str, str | float]) -> str:
    """The sheet XML with each cell of ``values`` (A1 ref → text, or a number) set to that value, keeping its
    style."""
    p = _prefix(xml)
    cols = _col_styles(xml, p)
    for ref, value in sorted(values.items(), key=lambda kv: (split_ref(kv[0])[1], col_index(split_ref(kv[0])[0]))):
        letters, row = split_ref(ref)
        col = col_index(letters)
        row_m = re.search(rf'<{p}row\b[^>]*\br="{row}"[^>]*?(/?)>', xml)
        if row_m is None:
            style = next((s for lo, hi, s in cols if lo <= col <= hi), None)
            new_row = f'<{p}row r="{row}">{_cell_xml(p, ref, value, style)}</{p}row>'
            later = next((m for m in re.finditer(rf'<{p}row\b[^>]*\br="(\d+)"', xml) if int(m.group(1)) > row), None)
            if later is not None:
                xml = xml[:later.start()] + new_row + xml[later.start():]
            elif re.search(rf"<{p}sheetData\s*/>", xml):
                xml = re.sub(rf"<{p}sheetData\s*/>", f"<{p}sheetData>{new_row}</{p}sheetData>", xml, count=1)
            else:
                end = xml.index(f"</{p}sheetData>")
                xml = xml[:end] + new_row + xml[end:]
            continue
        if row_m.group(1) == "/":  # <row .../>: open it
            open_tag = row_m.group(0)[:-2].rstrip() + ">"
            xml = xml[:row_m.start()] + open_tag + f"</{p}row>" + xml[row_m.end():]
            row_m = re.search(rf'<{p}row\b[^>]*\br="{row}"[^>]*?>', xml)
        body_start = row_m.end()
        body_end = xml.index(f"</{p}row>", body_start)
        body = xml[body_start:body_end]
        cell_re = re.compile(rf'<{p}c\b(?P<attrs>[^>]*?)(?:/>|>.*?</{p}c>)', re.S)
        new_body, placed = None, False
        for m in cell_re.finditer(body):
            r = re.search(r'\br="([A-Z]+)\d+"', m.group("attrs"))
            c = col_index(r.group(1)) if r else None
            if c == col:
                st = re.search(r'\bs="(\d+)"', m.group("attrs"))
                new_body = body[:m.start()] + _cell_xml(p, ref, value, st.group(1) if st else None) + body[m.end():]
                placed = True
                break
            if c is not None and c > col:
                style = next((s for lo, hi, s in cols if lo <= col <= hi), None)
                new_body = body[:m.start()] + _cell_xml(p, ref, value, style) + body[m.start():]
                placed = True
                break
        if not placed:
            style = next((s for lo, hi, s in cols if lo <= col <= hi), None)
            new_body = body + _cell_xml(p, ref, value, style)
        xml = xml[:body_start] + new_body + xml[body_end:]
        xml = _widen_spans(xml, p, row, col)
    return xml


def _widen_spans(xml: str, p: str, row: int, col: int) -> str:
    m = re.search(rf'<{p}row\b[^>]*\br="{row}"[^>]*?>', xml)
    if m is None:
        return xml
    tag = m.group(0)
    s = re.search(r'\bspans="(\d+):(\d+)"', tag)
    if s and not int(s.group(1)) <= col <= int(s.group(2)):
        new = tag.replace(s.group(0), f'spans="{min(col, int(s.group(1)))}:{max(col, int(s.group(2)))}"')
        xml = xml[:m.start()] + new + xml[m.end():]
    return xml


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(xml: str | None) -> list[tuple[str, str, str]]:
    if not xml:
        return []
    out = []
    for m in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", xml):
        tag = m.group(0)
        get = {a: re.search(rf'\b{a}="([^"]*)"', tag) for a in ("Id", "Type", "Target")}
        if all(get.values()):
            out.append((get["Id"].group(1), get["Type"].group(1), get["Target"].group(1)))  # type: ignore[union-attr]
    return out


def _resolve(part: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(part), target))


def _add_rel(xml: str | None, rtype: str, target: str) -> tuple[str, str]:
    ids = {r[0] for r in _relationships(xml)}
    n = 1
    while f"rId{n}" in ids or f"rIdTk{n}" in ids:
        n += 1
    rid = f"rIdTk{n}"
    rel = f'<Relationship Id="{rid}" Type="{rtype}" Target={quoteattr(target)}/>'
    if not xml:
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
               'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    m = re.search(r"</(?:\w+:)?Relationships>", xml)
    if m is None:  # <Relationships .../>
        xml = re.sub(r"<((?:\w+:)?Relationships\b[^>]*?)\s*/>", r"<\1></\1>", xml, count=1).replace(
            "</Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">", "</Relationships>")
        m = re.search(r"</(?:\w+:)?Relationships>", xml)
    assert m is not None
    return xml[:m.start()] + rel + xml[m.start():], rid


def _free_name(names: set[str], pattern: str) -> str:
    n = 1
    while pattern.format(n) in names:
        n += 1
    return pattern.format(n)


def add_notes(parts: dict[str, bytes], sheet_part: str, notes: Mapping[str, str], author: str) -> None:
    """Add ``notes`` (A1 ref → text) to the sheet at ``sheet_part``; a cell that has a note gets the text
    appended on a new line. ``parts`` (zip name → bytes) is changed in place."""
    rels_name = _rels_path(sheet_part)
    rels = parts[rels_name].decode("utf-8") if rels_name in parts else None
    existing = _relationships(rels)
    comments_part = next((_resolve(sheet_part, t) for _, ty, t in existing if ty == _COMMENTS_TYPE), None)
    vml_rel = next(((i, _resolve(sheet_part, t)) for i, ty, t in existing if ty == _VML_TYPE), None)
    records: list = []
    if comments_part and comments_part in parts:
        sheet = CommentSheet.from_tree(fromstring(parts[comments_part]))
        authors = sheet.authors.author
        for rec in sheet.commentList:
            rec.author = authors[rec.authorId] if rec.authorId < len(authors) else author
            records.append(rec)
    by_ref = {rec.ref: rec for rec in records}
    for ref, text in notes.items():
        if ref in by_ref:
            old = by_ref[ref]
            old.text = Text(t=f"{old.content}\n{text}" if old.content else text)
        else:
            rec = CommentRecord(ref=ref, author=author, text=Text(t=text))
            records.append(rec)
            by_ref[ref] = rec
    sheet = CommentSheet.from_comments(records)
    names = set(parts)
    xml = parts[sheet_part].decode("utf-8")
    if comments_part is None:
        comments_part = _free_name(names, "xl/comments/comment{}.xml")
        rels, _ = _add_rel(rels, _COMMENTS_TYPE, posixpath.relpath(comments_part, posixpath.dirname(sheet_part)))
        _content_type(parts, "/" + comments_part, _COMMENTS_MIME)
    parts[comments_part] = tostring(sheet.to_tree())
    if vml_rel is None:
        vml_part = _free_name(names, "xl/drawings/commentsDrawing{}.vml")
        rels, rid = _add_rel(rels, _VML_TYPE, posixpath.relpath(vml_part, posixpath.dirname(sheet_part)))
        _content_type(parts, None, _VML_MIME, "vml")
        parts[vml_part] = sheet.write_shapes(None)
        xml = _insert_legacy_drawing(xml, rid)
    else:
        vml_part = vml_rel[1]
        root = fromstring(parts[vml_part]) if vml_part in parts else None
        parts[vml_part] = sheet.write_shapes(root)
    parts[rels_name] = rels.encode("utf-8") if rels else b""
    parts[sheet_part] = xml.encode("utf-8")


def _insert_legacy_drawing(xml: str, rid: str) -> str:
    p = _prefix(xml)
    tag = f'<{p}legacyDrawing xmlns:r="{_REL_NS}" r:id="{rid}"/>'
    for name in _AFTER_LEGACY:
        m = re.search(rf"<{p}{name}\b", xml)
        if m:
            return xml[:m.start()] + tag + xml[m.start():]
    end = xml.rindex(f"</{p}worksheet>")
    return xml[:end] + tag + xml[end:]


def _content_type(parts: dict[str, bytes], override: str | None, mime: str, extension: str | None = None) -> None:
    xml = parts["[Content_Types].xml"].decode("utf-8")
    if extension is not None:
        if re.search(rf'<Default\b[^>]*\bExtension="{extension}"', xml, re.I):
            return
        entry = f'<Default Extension="{extension}" ContentType="{mime}"/>'
    else:
        entry = f'<Override PartName="{override}" ContentType="{mime}"/>'
    end = xml.rindex("</Types>")
    parts["[Content_Types].xml"] = (xml[:end] + entry + xml[end:]).encode("utf-8")


def _table_part(parts: Mapping[str, bytes], sheet_part: str) -> str | None:
    """The zip path of the (first) Excel table on the sheet at ``sheet_part``, if it has one."""
    rels = parts.get(_rels_path(sheet_part))
    for _, rtype, target in _relationships(rels.decode("utf-8") if rels else None):
        if rtype.endswith("/table"):
            return _resolve(sheet_part, target)
    return None


def _row_formula(xml_cell: str, p: str, row: int) -> str | None:
    m = re.search(rf"<{p}f\b[^>]*>(.*?)</{p}f>", xml_cell, re.S)
    return m.group(1) if m and m.group(1) else None


def replace_rows(parts: dict[str, bytes], sheet_part: str, header_row: int,
                 rows: list[Mapping[str, str | float | None]]) -> int:
    """Replace the data rows under ``header_row`` of the sheet at ``sheet_part`` by ``rows`` (each column letter →
    value; None leaves the cell blank), and stretch its Excel table (and the table's filter) to the new rows.

    Each cell keeps the style of its column's first data row (else the column's style); a column whose first data
    row holds a formula gets the same formula on every new row, its own row number moved. Rows below the table that
    the new rows would cover are refused. Returns how many data rows there were. ``parts`` is changed in place."""
    xml = parts[sheet_part].decode("utf-8")
    p = _prefix(xml)
    table_part = _table_part(parts, sheet_part)
    table_xml = parts[table_part].decode("utf-8") if table_part else None
    last_old = None
    if table_xml is not None:
        ref = re.search(r'\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', table_xml)
        if ref:
            last_old = int(ref.group(4))
    row_re = re.compile(rf'<{p}row\b[^>]*\br="(\d+)"[^>]*?(?:/>|>.*?</{p}row>)', re.S)
    found = [(int(m.group(1)), m) for m in row_re.finditer(xml)]
    body = [(r, m) for r, m in found if r > header_row and (last_old is None or r <= last_old)]
    styles: dict[str, str] = {}
    formulas: dict[str, tuple[str, int]] = {}
    if body:
        first_row, first = body[0]
        for cm in re.finditer(rf'<{p}c\b(?P<attrs>[^>]*?)(?:/>|>.*?</{p}c>)', first.group(0), re.S):
            ref_m = re.search(r'\br="([A-Z]+)\d+"', cm.group("attrs"))
            if not ref_m:
                continue
            st = re.search(r'\bs="(\d+)"', cm.group("attrs"))
            if st:
                styles[ref_m.group(1)] = st.group(1)
            f = _row_formula(cm.group(0), p, first_row)
            if f:
                formulas[ref_m.group(1)] = (f, first_row)
    cols = _col_styles(xml, p)
    new_last = header_row + len(rows)
    below = [r for r, _ in found if r > header_row and (last_old is not None and r > last_old) and r <= new_last]
    if below:
        raise ToolkitError("cells.rows-below", row=below[0])
    letters = sorted({k for row in rows for k in row} | set(formulas), key=col_index)
    out_rows = []
    for i, values in enumerate(rows):
        r = header_row + 1 + i
        cells = []
        for letter in letters:
            style = styles.get(letter) or next((s for lo, hi, s in cols if lo <= col_index(letter) <= hi), None)
            value = values.get(letter)
            if letter in formulas and value is None:
                text, old = formulas[letter]
                text = re.sub(rf"(?<![A-Za-z0-9_])(\$?[A-Z]{{1,3}}\$?){old}(?!\d)", rf"\g<1>{r}", text)
                s = f' s="{style}"' if style else ""
                cells.append(f'<{p}c r="{letter}{r}"{s}><{p}f>{text}</{p}f></{p}c>')
            elif value is not None:
                cells.append(_cell_xml(p, f"{letter}{r}", value, style))
        out_rows.append(f'<{p}row r="{r}">{"".join(cells)}</{p}row>')
    new_rows = "".join(out_rows)
    if body:
        start, end = body[0][1].start(), body[-1][1].end()
        xml = xml[:start] + new_rows + xml[end:]
    else:
        after = next((m for r, m in found if r > header_row), None)
        at = after.start() if after else xml.index(f"</{p}sheetData>") if f"</{p}sheetData>" in xml else None
        if at is None:
            xml = re.sub(rf"<{p}sheetData\s*/>", f"<{p}sheetData>{new_rows}</{p}sheetData>", xml, count=1)
        else:
            xml = xml[:at] + new_rows + xml[at:]
    last = max(new_last, header_row + 1)  # a table keeps at least one (blank) data row
    dim = re.search(rf'<{p}dimension\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', xml)
    if dim:
        rows_now = [int(m.group(1)) for m in row_re.finditer(xml)]
        bottom = max(rows_now + [last])
        xml = xml[:dim.start(4)] + str(bottom) + xml[dim.end(4):]
    parts[sheet_part] = xml.encode("utf-8")
    if table_part and table_xml is not None:
        table_xml = re.sub(r'(\bref="[A-Z]+\d+:[A-Z]+)\d+(")', rf"\g<1>{last}\2", table_xml)
        parts[table_part] = table_xml.encode("utf-8")
    return len(body)


def edit_workbook(data: bytes, cells: Mapping[str, Mapping[str, str | float]], notes: Mapping[str, Mapping[str, str]],
                  author: str, file: str = "",
                  tables: Mapping[str, tuple[int, list[Mapping[str, str | float | None]]]] | None = None) -> bytes:
    """The xlsx ``data`` with ``cells`` (sheet name → {A1 ref: text}) set, ``notes`` (sheet name → {A1 ref:
    note}) added and ``tables`` (sheet name → (header row, new data rows): ``replace_rows``) replaced; every part
    not involved is copied unchanged (same bytes, same zip entry order and dates)."""
    try:
        src = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ToolkitError("cells.bad-xlsx", file=file, detail=str(exc)) from exc
    with src:
        infos = src.infolist()
        parts = {i.filename: src.read(i.filename) for i in infos}
        where = sheet_parts(src)
    for sheet in {*cells, *notes, *(tables or {})}:
        if sheet not in where:
            raise ToolkitError("cells.no-sheet", file=file, sheet=sheet)
    for sheet, (header_row, rows) in (tables or {}).items():
        replace_rows(parts, where[sheet], header_row, rows)
    for sheet, values in cells.items():
        if values:
            part = where[sheet]
            parts[part] = set_cells(parts[part].decode("utf-8"), values).encode("utf-8")
    for sheet, texts in notes.items():
        if texts:
            add_notes(parts, where[sheet], texts, author)
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            dst.writestr(info, parts.pop(info.filename))
        for name, body in parts.items():  # parts added (comments, drawings, relationships)
            zi = zipfile.ZipInfo(name, date_time=infos[0].date_time if infos else (1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, body)
    return out.getvalue()
