"""Which files a list of PATH arguments names: files as given, folders expanded to their workbooks.

Folders yield every ``.xlsx``/``.xlsm``/``.xls``/``.xlsb``/``.ods`` inside (sorted by name), skipping Excel/LibreOffice lock
files (``~$Book.xlsx``, ``.~lock.Book.xlsx#``), hidden files and symbolic links (issue 22: a link may point at a
workbook outside the folder, or nowhere; ``skipped_files`` lists each link as ``link`` or ``link-dangling``, so the
user is told either way). A file named explicitly is kept even if it is not a workbook (or is a link), so the caller
can report it as unreadable instead of silently ignoring it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from datetime import UTC, datetime
import hashlib

from .safety import SUPPORTED, is_lock_file

WORKBOOK_SUFFIXES = SUPPORTED  # what the reader reads


def text_name(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``'s name is text (UTF-8): a name some unzip tools leave in another encoding (GBK bytes) is
    kept by Python as undecodable bytes, which no store, JSON or message can carry."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(path: str | os.PathLike[str]) -> str:
    """``path`` as text to show and record: undecodable bytes of its name as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def is_candidate(path: Path) -> bool:
    """A workbook a folder scan should pick up."""
    name = path.name
    return (path.suffix.lower() in WORKBOOK_SUFFIXES and not name.startswith(".") and not is_lock_file(name)
            and not path.is_symlink() and path.is_file() and text_name(path))


def discover_workbooks(paths: Iterable[str | os.PathLike[str]], recursive: bool = False) -> list[Path]:
    """Files named by ``paths`` in order, folders expanded (``recursive``: sub-folders too, hidden ones skipped),
    each file once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = p.rglob("*") if recursive else p.iterdir()
            items = sorted(
                (f for f in found if is_candidate(f)
                 and not any(part.startswith(".") for part in f.relative_to(p).parts[:-1])),
                key=lambda f: str(f.relative_to(p)).casefold(),
            )
        else:
            items = [p] if text_name(p) else []  # a name that is not text: ``skipped_files`` says so
        for f in items:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def skip_reason(path: Path) -> str | None:
    """Why a folder scan leaves a file out: ``link``, ``link-dangling``, ``name-not-text``, ``lock``, ``hidden``,
    ``temporary``, ``not-spreadsheet``
    (None: it is a candidate). Added for ``toolkit consolidate``, which reports what it skipped."""
    name = path.name
    if path.is_symlink():
        return "link" if path.exists() else "link-dangling"
    if not text_name(path):
        return "name-not-text"
    if is_lock_file(name):
        return "lock"
    if name.startswith("."):
        return "hidden"
    if name.startswith("~") or name.endswith("~") or name.lower().endswith((".tmp", ".bak", ".swp", ".part")):
        return "temporary"
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return "not-spreadsheet"
    return None


def skipped_files(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, str]]:
    """Files inside the folders of ``paths`` (one level) that ``discover_workbooks`` leaves out, with
    ``skip_reason``, and files named whose name is not text (``name-not-text``); sub-folders are not listed."""
    out: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if not text_name(p):
            out.append((p, "name-not-text"))
        elif p.is_dir():
            for f in sorted(p.iterdir(), key=lambda f: f.name.casefold()):
                if (f.is_file() or f.is_symlink()) and not is_candidate(f):
                    out.append((f, skip_reason(f) or "not-spreadsheet"))
    return out


def file_identity(path: Path) -> tuple[int, str, str]:
    """Size, modification time (UTC ISO) and SHA-256 of a file, read in 1 MB blocks."""
    st = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    mtime = datetime.fromtimestamp(st.st_mtime, UTC).isoformat()
    return st.st_size, mtime, digest.hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes (hex), as consolidation records it."""
    return file_identity(Path(path))[2]
