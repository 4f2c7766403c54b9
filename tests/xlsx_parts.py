"""A workbook's parts for drift tests: XML in canonical form, so the result does not depend on lxml.

openpyxl serialises through lxml when it is installed and through the standard library otherwise (``<a/>``
against ``<a />``, attribute order): the same document either way, different bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path


def zip_parts(path: Path) -> dict[str, bytes]:
    """Each part of the xlsx at ``path``; XML parts as C14N, other parts as they are."""
    with zipfile.ZipFile(path) as zf:
        return {name: _canonical(name, zf.read(name)) for name in sorted(zf.namelist())}


def _canonical(name: str, data: bytes) -> bytes:
    """An XML part in canonical form (attribute order and empty-element spelling normalised)."""
    if not name.endswith((".xml", ".rels")):
        return data
    return ET.canonicalize(data.decode("utf-8")).encode("utf-8")
