"""The .xlam file itself: an OOXML package holding a workbook, its settings sheet, the ribbon and the VBA.

Parts and relationships are those of an Excel-made add-in (compare xlwings' quickstart_addin_ribbon.xlam):
the main part has the add-in content type, ``xl/vbaProject.bin`` hangs off the workbook, and the
package relates to ``customUI/customUI.xml`` (Office 2007) and ``customUI/customUI14.xml`` (2010+).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .. import settings as S

ADDIN_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"
UI_2007 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
UI_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_ML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OD = "application/vnd.openxmlformats-officedocument"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

#: Parts the ribbon lives in, with their package relationship type.
CUSTOM_UI = (("customUI/customUI.xml", UI_2007), ("customUI/customUI14.xml", UI_2010))


def content_types(extra_parts: tuple[str, ...] = ()) -> str:
    overrides = [
        ("/xl/workbook.xml", ADDIN_MAIN),
        ("/xl/worksheets/sheet1.xml", f"{_OD}.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", f"{_OD}.spreadsheetml.styles+xml"),
        ("/xl/vbaProject.bin", VBA_PROJECT),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{_OD}.extended-properties+xml"),
    ]
    body = "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
    return (f'{_XML}<Types xmlns="{_PKG}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{body}</Types>')


def _rels(items: list[tuple[str, str]]) -> str:
    body = "".join(f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"/>'
                   for i, (t, target) in enumerate(items, 1))
    return f'{_XML}<Relationships xmlns="{_PKG}/relationships">{body}</Relationships>'


def package_rels() -> str:
    return _rels([(f"{_R}/officeDocument", "xl/workbook.xml"),
                  (f"{_PKG}/relationships/metadata/core-properties", "docProps/core.xml"),
                  (f"{_R}/extended-properties", "docProps/app.xml"),
                  *[(rel, part) for part, rel in CUSTOM_UI]])


def workbook_xml() -> str:
    # The add-in's window is hidden and an add-in never shows its sheets; the settings sheet keeps the
    # default state, as in Excel-made add-ins (a workbook whose every sheet is hidden is a repair case).
    return (f'{_XML}<workbook xmlns="{_ML}" xmlns:r="{_R}"><workbookPr codeName="ThisWorkbook"/>'
            '<bookViews><workbookView visibility="hidden" activeTab="0"/></bookViews>'
            f'<sheets><sheet name="{escape(S.SHEET_NAME)}" sheetId="1" r:id="rId1"/></sheets>'
            '<calcPr calcId="191029"/></workbook>')


def workbook_rels() -> str:
    return _rels([(f"{_R}/worksheet", "worksheets/sheet1.xml"), (f"{_R}/styles", "styles.xml"),
                  (REL_VBA, "vbaProject.bin")])


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def sheet_xml(settings: dict[str, str]) -> str:
    """The settings sheet: one KEY / value row each, from A1 down, as xlwings' GetConfigFromSheet reads it."""
    rows = "".join(f'<row r="{i}">{_cell(f"A{i}", k)}{_cell(f"B{i}", v)}</row>'
                   for i, (k, v) in enumerate(settings.items(), 1))
    return (f'{_XML}<worksheet xmlns="{_ML}" xmlns:r="{_R}"><sheetPr codeName="Sheet1"/>'
            '<cols><col min="1" max="1" width="24" customWidth="1"/><col min="2" max="2" width="60" customWidth="1"/></cols>'
            f'<sheetData>{rows}</sheetData></worksheet>')


STYLES = (f'{_XML}<styleSheet xmlns="{_ML}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def core_xml(title: str) -> str:
    return (f'{_XML}<cp:coreProperties xmlns:cp="{_PKG}/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{escape(title)}</dc:title><dc:creator>Marketing Toolkit</dc:creator></cp:coreProperties>')


APP = (f'{_XML}<Properties xmlns="{_R.rsplit("/", 1)[0]}/extended-properties" '
       'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
       '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity></Properties>')


def custom_ui_parts(ui_2007: bytes, ui_2010: bytes) -> dict[str, bytes]:
    return {CUSTOM_UI[0][0]: ui_2007, CUSTOM_UI[1][0]: ui_2010}


def write_package(path: Path, parts: dict[str, bytes]) -> None:
    """Write ``parts`` (name -> bytes, content types first) as a zip, atomically (temp file + rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
