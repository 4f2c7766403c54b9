"""The fonts a PDF's pages set their own text in (not the text of form XObjects laid over them, like the stamped
footers), with the characters each one's ToUnicode map gives (tests of the person pages' fonts, issue 24)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf

_HEX = r"<([0-9A-Fa-f]+)>"


def _chars(cmap: bytes) -> set[str]:
    """The characters a ToUnicode CMap maps glyphs to (``bfchar`` pairs and ``bfrange`` runs)."""
    text = cmap.decode("latin-1")
    out: set[str] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for _src, dst in re.findall(rf"{_HEX}\s*{_HEX}", block):
            out.add(bytes.fromhex(dst).decode("utf-16-be"))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(rf"{_HEX}\s*{_HEX}\s*{_HEX}", block):
            first = ord(bytes.fromhex(dst).decode("utf-16-be"))
            out.update(chr(first + i) for i in range(int(hi, 16) - int(lo, 16) + 1))
    return out


def page_fonts(path: Path) -> list[tuple[str, str, set[str]]]:
    """(base font name, "TrueType" | "Type3" | other subtype, characters) of every font the pages' resources list."""
    fonts = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
                subtype = str(font.get("/Subtype", ""))
                if subtype == "/Type0":  # CID font: the descendant tells TrueType (FontFile2) from CFF
                    desc = font["/DescendantFonts"][0]
                    subtype = "TrueType" if "/FontFile2" in desc.get("/FontDescriptor", {}) else str(desc["/Subtype"])
                unicode = _chars(font["/ToUnicode"].read_bytes()) if "/ToUnicode" in font else set()
                fonts.append((str(font.get("/BaseFont", "")), subtype.lstrip("/"), unicode))
    return fonts


def font_installed(family: str) -> bool:
    """Whether fontconfig knows ``family`` (False where fc-list itself is missing)."""
    try:
        return bool(subprocess.run(["fc-list", family], capture_output=True, text=True).stdout)
    except FileNotFoundError:
        return False
