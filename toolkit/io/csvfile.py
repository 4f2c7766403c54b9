"""CSV files for finance (issue 25): UTF-8 with a byte-order mark (Excel then reads Chinese text right), CRLF line
ends, money with two decimals and no thousands separator, text never read as a formula; written atomically, the
same bytes for the same rows. Reading back accepts the BOM or not."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .writer import atomic_save
from ..money import fmt_money


def _cell(value: object, money: bool) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if money:
        return fmt_money(float(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    # text starting like a formula is written as text (DESIGN.md, "Files are sacred"), as a spreadsheet shows it
    return "'" + text if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not _number(text)) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_bytes(frame: pd.DataFrame, money: tuple[str, ...] = ()) -> bytes:
    """``frame`` (headers, then rows) as CSV bytes: UTF-8 with BOM, CRLF, money columns with 2 decimals."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([str(c) for c in frame.columns])
    cols = list(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([_cell(v, c in money) for c, v in zip(cols, row)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_csv(path: str | Path, frame: pd.DataFrame, money: tuple[str, ...] = ()) -> Path:
    """Write ``frame`` as CSV (``csv_bytes``) atomically; returns the path."""
    data = csv_bytes(frame, money)
    return atomic_save(path, lambda tmp: Path(tmp).write_bytes(data))


def read_csv_rows(path: str | Path) -> list[list[str]]:
    """A CSV file's rows as text (UTF-8 with or without BOM; GB18030 as the fallback Chinese Excel writes)."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        text = raw.decode("utf-8", errors="replace")
    return [row for row in csv.reader(io.StringIO(text))]


def read_table(path: str | Path) -> pd.DataFrame:
    """The first table of a small file people send back: CSV/TXT as text (``read_csv_rows``), else the first sheet
    of a workbook (values as read, header in row 1)."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return frame_of(read_csv_rows(path))
    return pd.read_excel(path, sheet_name=0, dtype=object, engine="calamine")


def frame_of(rows: list[list[str]]) -> pd.DataFrame:
    """Rows (header first) as a frame of text."""
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(padded[1:], columns=padded[0], dtype=object)
