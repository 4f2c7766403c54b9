"""Files Excel opens without a word but a strict reader refuses: recognise them and read a repaired copy.

Found on third-party files (Apache POI's test spreadsheets, issue 14): a workbook encrypted only with
Excel's built-in default password ``VelvetSweatshop`` (Excel opens it without asking), zip part names
written with backslashes, and a sharedStrings part whose ``count``/``uniqueCount`` attributes are absurd
(python-calamine sizes its table from them and could abort). The repair is a private temporary copy;
the user's file is never touched, and each repair is reported as a ``file-repaired`` info finding.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from pathlib import Path

from . import xlsx_scan

#: Excel's built-in password for "encrypted" files that need no password to open.
DEFAULT_PASSWORD = "VelvetSweatshop"
MIN_SI_BYTES = 7  # '<si><t/></si>' minus slack: a uniqueCount beyond size/7 is a lie
_SST_ROOT = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_SHEET_ENTRY = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*?/>")
_RID = re.compile(rb"\b[\w.-]+:id\s*=\s*[\"']([^\"']*)[\"']")
_SST_COUNTS = re.compile(rb"\s(?:count|uniqueCount)\s*=\s*[\"']\d+[\"']")

#: Repair keys, as the ``file-repaired`` finding names them (English, Chinese).
REPAIRS = {
    "default-password": ("it was encrypted with Excel's default password only, and was decrypted",
                         "文件仅使用 Excel 默认密码加密，已解密读取"),
    "backslash-names": ("its part names use backslashes; they were read as forward slashes",
                        "文件内部件名使用反斜杠，已按正斜杠读取"),
    "macro-sheets": ("its Excel 4.0 macro sheets were skipped (they hold no data the toolkit reads)",
                     "文件中的 Excel 4.0 宏表已跳过（其中没有工具读取的数据）"),
    "sst-counts": ("its shared-strings part declares impossible counts; they were ignored",
                   "共享字符串部件声明的数量不可能成立，已忽略"),
    "dangling-sheets": ("it lists sheets that have no content in the file (Excel drops them); they were skipped",
                        "文件列出了内容并不存在的工作表（Excel 会忽略它们），已跳过"),
}


def _temp_path(suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="toolkit-repair-", suffix=suffix)
    os.close(fd)
    return Path(name)


def needed(zf: zipfile.ZipFile) -> tuple[str, ...]:
    """The repairs an xlsx package needs (empty for nearly every file; cheap: names and one part's head)."""
    out: list[str] = []
    names = zf.namelist()
    if any("\\" in n for n in names):
        out.append("backslash-names")
        return tuple(out)  # the other checks look parts up by name: they run on the repaired copy
    if _macro_sheet_ids(zf):
        out.append("macro-sheets")
    if _dangling_sheet_ids(zf):
        out.append("dangling-sheets")
    parts = xlsx_scan.workbook_parts(zf)
    if parts.shared_strings:
        sst_size = zf.getinfo(parts.shared_strings).file_size
        sheet_bytes = sum(zf.getinfo(m).file_size for m in parts.sheets.values())
        counts = xlsx_scan.shared_string_counts(zf, parts.shared_strings)
        if counts.get("uniqueCount", 0) > sst_size // MIN_SI_BYTES + 1000 or counts.get("count", 0) > sheet_bytes + 1000:
            out.append("sst-counts")
    return tuple(out)


def repaired_copy(path: Path, fixes: tuple[str, ...]) -> Path:
    """A temporary copy of the package with ``fixes`` applied (the caller deletes it)."""
    out = _temp_path(".xlsx")
    sst, book, macro_ids = None, None, set()
    with zipfile.ZipFile(path) as zf:
        if "sst-counts" in fixes:
            sst = xlsx_scan.workbook_parts(zf).shared_strings
        if "macro-sheets" in fixes:
            book, macro_ids = xlsx_scan.workbook_member(zf), _macro_sheet_ids(zf)
        if "dangling-sheets" in fixes:
            book, macro_ids = xlsx_scan.workbook_member(zf), macro_ids | _dangling_sheet_ids(zf)
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                name = info.filename.replace("\\", "/") if "backslash-names" in fixes else info.filename
                if name == sst:
                    data = _drop_counts(data)
                elif name == book:
                    data = _drop_sheets(data, macro_ids)
                dst.writestr(name, data)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return out


def _drop_counts(data: bytes) -> bytes:
    """The sharedStrings part without the root's count attributes (they are hints; the items are the truth)."""
    root = _SST_ROOT.search(data)
    if root is None:
        return data
    return data[: root.start()] + _SST_COUNTS.sub(b"", root.group(0)) + data[root.end():]


def _macro_sheet_ids(zf: zipfile.ZipFile) -> set[str]:
    """Relationship ids of the workbook's Excel 4.0 macro sheets (python-calamine refuses the whole file)."""
    book = xlsx_scan.workbook_member(zf)
    if book is None:
        return set()
    rels = xlsx_scan.find_member(zf, posixpath.join(posixpath.dirname(book), "_rels", "workbook.xml.rels"))
    if rels is None:
        return set()
    from defusedxml import ElementTree as SafeET

    return {rel.get("Id", "") for rel in SafeET.fromstring(zf.read(rels))
            if rel.get("Type", "").endswith(("/xlMacrosheet", "/xlIntlMacrosheet"))}


def _dangling_sheet_ids(zf: zipfile.ZipFile) -> set[str]:
    """Relationship ids (possibly empty) of ``<sheet>`` entries whose part is missing (POI's 60825.xlsx lists a
    VBA module sheet with ``r:id=""``): python-calamine refuses the whole file, Excel drops them."""
    book = xlsx_scan.workbook_member(zf)
    if book is None:
        return set()
    rels = xlsx_scan.find_member(zf, posixpath.join(posixpath.dirname(book), "_rels", "workbook.xml.rels"))
    from defusedxml import ElementTree as SafeET  # as _macro_sheet_ids: only for packages being checked

    targets = {}
    if rels is not None:
        for rel in SafeET.fromstring(zf.read(rels)):
            targets[rel.get("Id", "")] = xlsx_scan._resolve(posixpath.dirname(book), rel.get("Target", ""))
    out = set()
    for m in _SHEET_ENTRY.finditer(zf.read(book)):
        rid = _RID.search(m.group(0))
        key = rid.group(1).decode() if rid else ""
        if key not in targets or xlsx_scan.find_member(zf, targets[key]) is None:
            out.add(key)
    return out


def _drop_sheets(data: bytes, ids: set[str]) -> bytes:
    """The workbook part without the ``<sheet>`` entries of relationship ``ids``."""
    def keep(m: re.Match[bytes]) -> bytes:
        rid = _RID.search(m.group(0))
        return b"" if rid and rid.group(1).decode() in ids else m.group(0)

    return _SHEET_ENTRY.sub(keep, data)


def ole_kind(path: Path) -> str | None:
    """"xls" for a legacy workbook (BIFF8 "Workbook" or BIFF5 "Book" stream, any case), "encrypted" for an
    encrypted workbook (OOXML in an OLE container, or an encrypted .xls), None for any other OLE file."""
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(e).casefold() for e in ole.listdir()}
        if "encryptioninfo" in streams and "encryptedpackage" in streams:
            return "encrypted"
        if "workbook" in streams or "book" in streams:
            return "encrypted" if _xls_encrypted(path) else "xls"
    except Exception:  # noqa: BLE001 - not a readable OLE file
        return None
    return None


def _xls_encrypted(path: Path) -> bool:
    """An .xls with a FILEPASS record (RC4 or XOR encryption)."""
    try:
        import msoffcrypto

        with open(path, "rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # noqa: BLE001 - msoffcrypto does not know BIFF5 files: those are not encrypted by it either
        return False


def decrypt_default(path: Path) -> tuple[Path, str] | None:
    """(temporary decrypted copy, "xlsx" or "xls") when Excel's default password opens ``path``; else None."""
    import msoffcrypto

    out = _temp_path(".tmp")
    try:
        with open(path, "rb") as fh, open(out, "wb") as dst:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=DEFAULT_PASSWORD)
            office.decrypt(dst)
        with open(out, "rb") as fh:
            magic = fh.read(2)
    except Exception:  # noqa: BLE001 - a real password (or a broken file): the caller says "password-protected"
        out.unlink(missing_ok=True)
        return None
    fmt = "xlsx" if magic == b"PK" else "xls"
    final = out.with_suffix("." + fmt)
    out.rename(final)
    return final, fmt


def _book_stream(path: Path) -> bytes:
    """The BIFF stream of an .xls (``Workbook`` or ``Book``), or b"" when there is none."""
    import olefile  # only for an .xls the reader refused: not on the reading path

    with olefile.OleFileIO(str(path)) as ole:
        stream = next((s for s in ole.listdir() if s[-1].casefold() in ("workbook", "book")), None)
        return ole.openstream(stream).read() if stream else b""


def xls_version(path: Path) -> str:
    """The Excel version of an .xls from its first BOF record ("97-2003", "5.0/95"; "97-2003" when unsure)."""
    try:
        data = _book_stream(path)
        if data[:2] == b"\x09\x08" and len(data) >= 6:
            version = int.from_bytes(data[4:6], "little")
            return "97-2003" if version == 0x0600 else "5.0/95"
    except Exception:  # noqa: BLE001 - only the message's wording is at stake
        pass
    return "97-2003"


def _verifier(password: str) -> int:
    """The 16-bit password verifier of XOR obfuscation (MS-OFFCRYPTO 2.3.7.1, CreatePasswordVerifier_Method1)."""
    verifier = 0
    for byte in reversed([len(password), *password.encode("latin-1")]):
        verifier = (((verifier >> 14) & 1) | ((verifier << 1) & 0x7FFF)) ^ byte
    return verifier ^ 0xCE4B


def xls_default_xor(path: Path) -> bool:
    """An .xls whose FILEPASS record is XOR obfuscation with Excel's default password (Excel opens it without
    asking; python-calamine refuses it as password-protected)."""
    try:
        data = _book_stream(path)
        i = 0
        while i + 4 <= len(data) and i < 1 << 16:
            kind, size = int.from_bytes(data[i:i + 2], "little"), int.from_bytes(data[i + 2:i + 4], "little")
            body = data[i + 4:i + 4 + size]
            if kind == 0x002F:  # FILEPASS: BIFF5 (key, verifier) or BIFF8 (type 0 = XOR, key, verifier)
                if size == 4:
                    return int.from_bytes(body[2:4], "little") == _verifier(DEFAULT_PASSWORD)
                if size == 6 and body[:2] == b"\x00\x00":
                    return int.from_bytes(body[4:6], "little") == _verifier(DEFAULT_PASSWORD)
                return False
            i += 4 + size
    except Exception:  # noqa: BLE001 - not an .xls we can look into: the caller keeps "password-protected"
        return False
    return False
