"""The ribbon add-in built without Excel, checked by independent readers: oletools (olevba), olefile,
the OOXML parts themselves and LibreOffice through UNO."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser, VBA_Project, decompress_stream
from python_calamine import CalamineWorkbook

import xlwings
from toolkit.cli.main import cli
from toolkit.excel import macros, settings as S
from toolkit.excel import addin as addin_pkg
from toolkit.excel.addin import RIBBON_TEXT, build_addin, build_parts, ribbon_xml, settings_rows
from toolkit.excel.addin import cfb, ovba, package as P
from toolkit.excel.addin.modules import VBA_DIR, addin_modules
from toolkit.excel.addin.via_excel import add_custom_ui

HERE = Path(__file__).resolve().parent
XLWINGS = Path(xlwings.__file__).parent
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
UI_NS = {"customUI/customUI.xml": "http://schemas.microsoft.com/office/2006/01/customui",
         "customUI/customUI14.xml": "http://schemas.microsoft.com/office/2009/07/customui"}
STANDARDS = "C:\\Users\\Director\\Standards 2026 \"final\".xlsx"


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("addin") / "MarketingToolkit.xlam"
    result = CliRunner().invoke(cli, ["--lang", "en", "addin", "build", "-o", str(out), "--standards", STANDARDS,
                                      "--add-in-lang", "zh", "--interpreter-win", "C:\\Python311\\pythonw.exe"])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    return out


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _vba_sources(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {n: zf.read(n) for n in zf.namelist()}


# --- package: content types and relationships -----------------------------------------------------

def test_content_types_and_relationships_are_those_of_an_addin(xlam):
    parts = _parts(xlam)
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {e.get("PartName"): e.get("ContentType") for e in types.iter(f"{CT}Override")}
    defaults = {e.get("Extension"): e.get("ContentType") for e in types.iter(f"{CT}Default")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    for name in parts:  # every part has a content type
        if name != "[Content_Types].xml":
            assert f"/{name}" in overrides or name.rsplit(".", 1)[1] in defaults, name
    for name in overrides:  # and every override names a real part
        assert name[1:] in parts

    rels = {r.get("Type"): r.get("Target") for r in ET.fromstring(parts["_rels/.rels"]).iter(f"{RELS}Relationship")}
    assert rels["http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"] == "xl/workbook.xml"
    assert rels["http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"] == "customUI/customUI.xml"
    assert rels["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"] == "customUI/customUI14.xml"
    assert all(target in parts for target in rels.values())

    wb_rels = {r.get("Type"): r.get("Target")
               for r in ET.fromstring(parts["xl/_rels/workbook.xml.rels"]).iter(f"{RELS}Relationship")}
    assert wb_rels["http://schemas.microsoft.com/office/2006/relationships/vbaProject"] == "vbaProject.bin"
    assert all(f"xl/{target}" in parts for target in wb_rels.values())
    assert parts["xl/vbaProject.bin"][:8] == bytes.fromhex("D0CF11E0A1B11AE1")


def test_workbook_is_hidden_with_one_settings_sheet_read_by_calamine(xlam):
    book = ET.fromstring(_parts(xlam)["xl/workbook.xml"])
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert book.find(f"{ns}workbookPr").get("codeName") == "ThisWorkbook"
    assert book.find(f"{ns}bookViews/{ns}workbookView").get("visibility") == "hidden"
    wb = CalamineWorkbook.from_path(str(xlam))
    assert wb.sheet_names == [S.SHEET_NAME]
    rows = {k: v for k, v in wb.get_sheet_by_index(0).to_python()}
    assert rows == {"UDF_MODULES": "toolkit.excel.udfs", "INTERPRETER_WIN": "C:\\Python311\\pythonw.exe",
                    "TOOLKIT_STANDARDS": STANDARDS, "TOOLKIT_LANG": "zh"}


def test_settings_rows_leave_out_empty_values():
    # an empty row would shadow the user's conf file in xlwings' GetConfig
    assert settings_rows() == {"UDF_MODULES": "toolkit.excel.udfs"}
    assert settings_rows(lang="en", standards="") == {"UDF_MODULES": "toolkit.excel.udfs", "TOOLKIT_LANG": "en"}


# --- VBA project: oletools and olefile --------------------------------------------------------------

def test_olevba_extracts_every_module_exactly_as_written(xlam):
    found = _vba_sources(xlam)
    expected = {m.name: m.source for m in addin_modules()}
    assert set(found) == set(expected) == {"ThisWorkbook", "Sheet1", "xlwings", "Dictionary", "TK_Ribbon"}
    for name, source in expected.items():
        assert _norm(found[name]) == _norm(source), name
    # our own module is the .bas file byte for byte (line ends aside)
    ribbon_bas = (VBA_DIR / "TK_Ribbon.bas").read_bytes().decode("cp1252")
    assert _norm(found["TK_Ribbon"]) == _norm(ribbon_bas)
    # xlwings' module is the installed custom-add-in one, renamed, and passes the ACTIVE workbook (#1746)
    original = _norm((XLWINGS / "xlwings_custom_addin.bas").read_text(encoding="cp1252"))
    assert _norm(found["xlwings"]) == original.replace('PROJECT_NAME As String = "myaddin"',
                                                       'PROJECT_NAME As String = "MarketingToolkit"')
    assert '"BOOK_CALLER", ActiveWorkbook' in found["xlwings"]
    assert '"BOOK_CALLER", ThisWorkbook' not in found["xlwings"]


def test_project_is_source_only_so_office_compiles_it(xlam):
    ole = olefile.OleFileIO(io.BytesIO(_parts(xlam)["xl/vbaProject.bin"]))
    head = ole.openstream("VBA/_VBA_PROJECT").read()
    assert struct.unpack("<HH", head[:4]) == (0x61CC, 0xFFFF)
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)  # strict: raises on odd records
    project.parse_project_stream()
    list(project.parse_modules())
    assert project.codepage == 1252
    kinds = {m.name: m.type for m in project.modules}  # MODULETYPE record: 0x21 procedural, 0x22 document/class
    assert kinds == {"ThisWorkbook": 0x22, "Sheet1": 0x22, "Dictionary": 0x22, "xlwings": 0x21, "TK_Ribbon": 0x21}
    assert all(m.textoffset == 0 for m in project.modules)
    # the module stream is nothing but the compressed source
    assert ole.openstream("VBA/TK_Ribbon").read() == ovba.compress(addin_modules()[-1].source.encode("cp1252"))
    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Module=TK_Ribbon" in text and "Class=Dictionary" in text and "Document=Sheet1/&H00000000" in text
    pid = re.search(r'^ID="(\{[0-9A-F-]+\})"', text, re.M).group(1)
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.M))
    key = sum(pid.encode()) & 0xFF
    assert ovba.decrypt(fields["CMG"]) == (key, b"\0\0\0\0")  # not protected
    assert ovba.decrypt(fields["DPB"]) == (key, b"\0")  # no password
    assert ovba.decrypt(fields["GC"]) == (key, b"\xff")  # visible
    wm = ole.openstream("PROJECTwm").read()
    assert b"TK_Ribbon\0" + "TK_Ribbon".encode("utf-16-le") + b"\0\0" in wm and wm.endswith(b"\0\0")


def test_encryption_matches_what_excel_wrote():
    """Our reading of MS-OVBA 2.4.3 decrypts the fields of an Excel-made project (xlwings' quickstart)."""
    with zipfile.ZipFile(XLWINGS / "quickstart_addin_ribbon.xlam") as zf:
        ole = olefile.OleFileIO(io.BytesIO(zf.read("xl/vbaProject.bin")))
    text = ole.openstream("PROJECT").read().decode("cp1252")
    pid = re.search(r'^ID="(\{[0-9A-F-]+\})"', text, re.M).group(1)
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.M))
    key = sum(pid.encode()) & 0xFF
    assert ovba.decrypt(fields["GC"]) == (key, b"\xff")
    assert ovba.decrypt(fields["CMG"]) == (key, b"\0\0\0\0")
    assert ovba.decrypt(ovba.encrypt(b"abc", pid, seed=0x5D))[1] == b"abc"
    with pytest.raises(ValueError):
        ovba.decrypt("00FF00")


@pytest.mark.parametrize("data", [
    b"", b"a", b"abcabcabcabc" * 400, bytes(range(256)) * 40, b"\0" * 10000,
    random.Random(7).randbytes(9000), (XLWINGS / "xlwings_custom_addin.bas").read_bytes(),
])
def test_compression_round_trips_through_oletools(data):
    packed = ovba.compress(data)
    assert packed[0] == 1
    assert bytes(decompress_stream(bytearray(packed))) == data
    if len(data) > 4096 and len(set(data)) < 100:
        assert len(packed) < len(data) / 2  # it really compresses


def test_compound_file_streams_read_back_with_olefile():
    rng = random.Random(3)
    tree = {"VBA": {f"Module{i}": rng.randbytes(rng.choice([0, 1, 63, 64, 65, 4095, 4096, 5000, 70000]))
                    for i in range(40)},
            "PROJECT": b"x" * 300, "PROJECTwm": b"", "Empty": {}}
    ole = olefile.OleFileIO(io.BytesIO(cfb.write_cfb(tree)))
    for name, data in tree["VBA"].items():
        assert ole.openstream(f"VBA/{name}").read() == data
    assert ole.openstream("PROJECT").read() == b"x" * 300
    assert ole.get_type("Empty") == olefile.STGTY_STORAGE
    # the siblings form a red-black tree: no red node has a red child, equal black height everywhere
    entries = ole.direntries

    def black_height(sid: int, parent_red: bool = False) -> int:
        if sid == olefile.NOSTREAM:
            return 0
        e = entries[sid]
        red = e.color == 0  # MS-CFB: 0 red, 1 black
        assert not (red and parent_red)
        left, right = black_height(e.sid_left, red), black_height(e.sid_right, red)
        assert left == right
        return left + (0 if red else 1)

    for e in entries:
        if e is not None and e.entry_type in (olefile.STGTY_STORAGE, olefile.STGTY_ROOT):
            black_height(e.sid_child)
    with pytest.raises(ValueError):
        cfb.write_cfb({"a/b": b""})


def test_builds_are_reproducible(tmp_path):
    a, b = build_addin(tmp_path / "a.xlam"), build_addin(tmp_path / "b.xlam")
    assert a.read_bytes() == b.read_bytes()


# --- ribbon ---------------------------------------------------------------------------------------

def _buttons(xml: bytes, ns: str) -> list[ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == f"{{{ns}}}customUI"
    tabs = root.findall(f".//{{{ns}}}tab")
    assert [t.get("label") for t in tabs] in (["Marketing"], ["营销"])
    groups = tabs[0].findall(f"{{{ns}}}group")
    assert len(groups) >= 4 and all(g.get("label") for g in groups)
    return [b for g in groups for b in g.findall(f"{{{ns}}}button")]


def test_every_onaction_names_a_ribbon_sub_in_the_vba(xlam):
    parts = _parts(xlam)
    code = "\n".join(_vba_sources(xlam).values())
    subs = set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*control\s+As\s+IRibbonControl\s*\)", code, re.M | re.I))
    for part, ns in UI_NS.items():
        buttons = _buttons(parts[part], ns)
        for b in buttons:
            assert b.get("label") and b.get("imageMso") and b.get("screentip"), b.get("id")
            assert b.get("onAction") in subs, (part, b.get("onAction"))
        assert len({b.get("id") for b in buttons}) == len(buttons)


def test_every_macro_has_a_button(xlam):
    """Each name in toolkit.excel.macros.NAMES is run by exactly one ribbon callback, and it is on the ribbon."""
    source = _vba_sources(xlam)["TK_Ribbon"]
    calls = dict(re.findall(r'Sub (\w+)\(control As IRibbonControl\)\s*\n\s*TK_Run "(\w+)"', _norm(source)))
    assert sorted(calls.values()) == sorted(macros.NAMES)
    actions = {b.get("onAction") for b in _buttons(_parts(xlam)["customUI/customUI14.xml"], UI_NS["customUI/customUI14.xml"])}
    assert set(calls) <= actions
    # the Python command RunPython receives: settings first, then the macro by name; no double quotes
    run = re.search(r'RunPython "(.*?)" & macroName', _norm(source).replace(' _\n', ' '), re.S)
    assert run and "tks.use_hex(" in source and "tkm." in source


def test_both_ribbon_parts_offer_the_same_buttons():
    old, new = ribbon_xml()
    key = lambda xml, ns: [(b.get("id"), b.get("label"), b.get("onAction"), b.get("imageMso")) for b in _buttons(xml, ns)]
    assert key(old, UI_NS["customUI/customUI.xml"]) == key(new, UI_NS["customUI/customUI14.xml"])


def _labels(xml: bytes) -> dict[str, str]:
    return {e.get("id"): e.get("label") for e in ET.fromstring(xml).iter() if e.get("label") is not None}


def test_chinese_build_holds_the_chinese_labels(xlam, tmp_path):
    """The fixture is built with --add-in-lang zh: every label of both built ribbon parts is the catalog's
    Chinese; an English build (``--lang en``) ships the XML of customui/ unchanged."""
    parts = _parts(xlam)
    for part in UI_NS:
        labels = _labels(parts[part])
        assert set(labels) == {k.removeprefix("ribbon.") for k in RIBBON_TEXT}
        for control, label in labels.items():
            assert label == RIBBON_TEXT[f"ribbon.{control}"][1] != RIBBON_TEXT[f"ribbon.{control}"][0]
            assert re.search(r"[\u4e00-\u9fff]", label), (control, label)
    assert _labels(parts["customUI/customUI14.xml"])["tkCompanyReport"] == "公司报告"
    out = tmp_path / "en.xlam"
    assert CliRunner().invoke(cli, ["addin", "build", "-o", str(out), "--lang", "en"]).exit_code == 0
    built = _parts(out)
    for part in UI_NS:
        shipped = (Path(addin_pkg.__file__).parent / part.replace("customUI/", "customui/")).read_bytes()
        assert built[part] == shipped
        assert set(_labels(shipped).values()) == {en for en, _ in RIBBON_TEXT.values()}


# --- settings handed over from VBA ----------------------------------------------------------------

def _vba_hex(text: str) -> str:
    """What TK_Hex in TK_Ribbon.bas computes: AscW of each UTF-16 unit as 4 hex digits."""
    data = text.encode("utf-16-be")
    return "".join(f"{int.from_bytes(data[i:i + 2], 'big'):04X}" for i in range(0, len(data), 2))


def test_use_hex_round_trips_any_path(monkeypatch, tmp_path):
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    path = "D:\\标准\\it's \"2026\" | $HOME.xlsx"
    S.use_hex(_vba_hex(path), _vba_hex("zh"))
    assert os.environ[S.STANDARDS_KEY] == path
    assert S.load_settings() == S.Settings(standards=path, lang="zh")
    S.use_hex("", "")
    assert S.STANDARDS_KEY not in os.environ and S.LANG_KEY not in os.environ
    with pytest.raises(ValueError):
        S.decode_hex("ZZ")


def test_settings_layers_follow_xlwings_order(monkeypatch, tmp_path):
    monkeypatch.delenv(S.STANDARDS_KEY, raising=False)
    monkeypatch.delenv(S.LANG_KEY, raising=False)
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    user = S.user_conf_path()
    user.parent.mkdir(parents=True)
    user.write_text('"TOOLKIT_STANDARDS","C:\\user.xlsx"\n"TOOLKIT_LANG","zh"\n', encoding="utf-8")
    assert S.load_settings() == S.Settings("C:\\user.xlsx", "zh")
    book = tmp_path / "dept" / "Sales.xlsx"
    book.parent.mkdir()
    (book.parent / S.FILE_NAME).write_text('"toolkit_standards","C:\\dir.xlsx"\n', encoding="utf-8")
    assert S.load_settings(book) == S.Settings("C:\\dir.xlsx", "zh")
    assert S.load_settings(book, sheet={"TOOLKIT_STANDARDS": "C:\\sheet.xlsx", "TOOLKIT_LANG": ""}).standards == "C:\\sheet.xlsx"
    monkeypatch.setenv(S.STANDARDS_KEY, "C:\\env.xlsx")
    assert S.load_settings(book).standards == "C:\\env.xlsx"


# --- CLI and the Excel path ---------------------------------------------------------------------

def test_cli_refuses_a_missing_folder(tmp_path):
    result = CliRunner().invoke(cli, ["--lang", "en", "addin", "build", "-o", str(tmp_path / "no" / "x.xlam")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and str(tmp_path / "no") in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows --via-excel really drives Excel")
def test_via_excel_fails_clearly_off_windows(tmp_path):
    result = CliRunner().invoke(cli, ["--lang", "en", "addin", "build", "--via-excel", "-o", str(tmp_path / "x.xlam")])
    assert result.exit_code == 2
    assert "Windows only" in result.output
    assert not (tmp_path / "x.xlam").exists()


def test_add_custom_ui_makes_the_same_ribbon_parts(tmp_path):
    """The step --via-excel applies to Excel's saved add-in, run on our own package without ribbon."""
    parts = build_parts(settings_rows())
    bare = {k: v for k, v in parts.items() if not k.startswith("customUI/")}
    bare["_rels/.rels"] = re.sub(rb'<Relationship [^>]*ui/extensibility[^>]*/>', b"", parts["_rels/.rels"])
    P.write_package(tmp_path / "bare.xlam", bare)
    add_custom_ui(tmp_path / "bare.xlam", tmp_path / "full.xlam", *ribbon_xml())
    full = _parts(tmp_path / "full.xlam")
    assert full["customUI/customUI14.xml"] == parts["customUI/customUI14.xml"]
    rels = {r.get("Type"): (r.get("Target"), r.get("Id"))
            for r in ET.fromstring(full["_rels/.rels"]).iter(f"{RELS}Relationship")}
    assert rels[P.UI_2007][0] == "customUI/customUI.xml" and rels[P.UI_2010][0] == "customUI/customUI14.xml"
    assert len({rid for _, rid in rels.values()}) == len(rels) == 5


# --- LibreOffice through UNO ------------------------------------------------------------------------

def _uno_python() -> str | None:
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


def _lo_source(text: str) -> str:
    """LibreOffice's copy of a module minus the lines it adds (VBA mode header)."""
    added = ("Rem Attribute VBA_ModuleType=", "Option VBASupport 1", "Option ClassModule")
    return "\n".join(line for line in _norm(text).split("\n") if not line.startswith(added)).strip("\n")


def test_libreoffice_lists_the_same_modules_with_the_same_source(xlam):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    python = _uno_python()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module (Debian: apt-get install python3-uno)")
    done = subprocess.run([python, str(HERE / "lo_vba_probe.py"), str(xlam)], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    modules = {key.split("/", 1)[1]: src for key, src in seen["modules"].items() if key.startswith("MarketingToolkit/")}
    expected = {m.name: m.source for m in addin_modules()}
    assert set(modules) == set(expected)
    for name, source in expected.items():
        # LibreOffice keeps the code and drops the Attribute lines (it stores them as module properties)
        want = "\n".join(line for line in _norm(source).split("\n") if not line.startswith("Attribute "))
        assert _lo_source(modules[name]) == want.strip("\n"), name
    assert seen["sheets"] == [S.SHEET_NAME]
    assert dict(map(tuple, seen["cells"][S.SHEET_NAME]))[S.STANDARDS_KEY] == STANDARDS


def _vba_messages(text: str) -> list[tuple[str, str]]:
    """(English, Chinese) of every TK_Say("english", "UTF-16 hex") in VBA source, decoded as the VBA loop does
    (ChrW of each 4-hex-digit code unit)."""
    out = []
    for english, hexed in re.findall(r'TK_Say\("([^"]*)", "([0-9A-F]*)"\)', text):
        assert len(hexed) % 4 == 0, hexed
        units = bytes.fromhex(hexed)
        out.append((english, units.decode("utf-16-be")))
    return out


def test_vba_messages_are_the_catalogs_in_both_languages():
    from toolkit.excel.addin import VBA_MESSAGES
    from toolkit.i18n import t

    text = (VBA_DIR / "TK_Ribbon.bas").read_bytes().decode("cp1252")
    used = _vba_messages(text)
    assert sorted(set(used)) == sorted(set(VBA_MESSAGES.values()))
    assert all(t(key, "zh") == zh for key, (_, zh) in VBA_MESSAGES.items())
    assert "MsgBox \"" not in text  # no message box text outside TK_Say
    assert 'If LCase$(Left$(TK_Setting("TOOLKIT_LANG"), 2)) <> "zh" Then' in text



def test_libreoffice_basic_runs_the_message_function_in_both_languages():
    # TK_Say as shipped, with its TK_Setting("TOOLKIT_LANG") replaced by a parameter, run by LibreOffice's
    # VBA-compatible Basic: an interpreter independent of our Python decoding of the hex literals.
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    python = _uno_python()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module (Debian: apt-get install python3-uno)")
    from toolkit.excel.addin import VBA_MESSAGES

    text = _norm((VBA_DIR / "TK_Ribbon.bas").read_bytes().decode("cp1252"))
    body = re.search(r"Private Function TK_Say\(ByVal english As String, ByVal chineseHex As String\) As String\n"
                     r"(.*?)\nEnd Function", text, re.S).group(1)
    body = body.replace('TK_Setting("TOOLKIT_LANG")', "lang").replace("TK_Say =", "Probe =")
    source = ("Option VBASupport 1\nFunction Probe(ByVal lang As String, ByVal english As String, "
              f"ByVal chineseHex As String) As String\n{body}\nEnd Function\n")
    pairs = _vba_messages(text)
    calls = [[lang, en, hexed] for lang in ("zh", "en", "zh-CN")
             for en, hexed in re.findall(r'TK_Say\("([^"]*)", "([0-9A-F]*)"\)', text)]
    done = subprocess.run([python, str(HERE / "lo_basic_probe.py")], input=json.dumps({
        "source": source, "function": "Probe", "calls": calls}), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    n = len(pairs)
    assert got[:n] == [zh for _, zh in pairs] and got[2 * n:] == [zh for _, zh in pairs]
    assert got[n:2 * n] == [en for en, _ in pairs]
    assert {zh for _, zh in pairs} == {zh for _, zh in VBA_MESSAGES.values()}
