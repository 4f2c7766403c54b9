"""Shared output helpers for the computing commands (completion, funds, forecast, royalties).

Use them from a command module like this::

    @click.command("royalties")
    @compute_options              # PATH..., --standards, --db, --period, --format, -o, --force
    def royalties_cmd(paths, standards, db, period, fmt, output, force): ...
        ledger = load_inputs(paths, standards, db, force=force, period=period)
        if fmt == "json": emit_json(payload, output)          # stdout when output is None
        elif fmt == "xlsx": write_xlsx(require_output(output, fmt), [SheetFrame(...)], lang)
        else: emit_text(text, output)

JSON conventions (docs/json.md): money is a string with two decimals (``money``/``money_column``),
ratios are numbers rounded to 4 decimals (``ratio``), blanks are null, keys stay English.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from ..core.findings import Finding
from ..errors import ToolkitError
from ..i18n import register, t
from ..money import round_series

register(
    {
        "output.needs-path": (
            "--format {fmt} needs an output file: add -o PATH.",
            "--format {fmt} 需要输出文件：请加上 -o PATH。",
        ),
        "output.findings": ("Findings ({count}):", "问题（{count} 个）："),
        "output.needs-input": ("Give department workbooks (PATH...) with --standards, or --db.",
                               "请提供部门工作簿（PATH...）和 --standards，或者 --db。"),
        "output.both-inputs": ("Give either PATH... or --db, not both.", "PATH... 与 --db 只能二选一。"),
        "output.none": ("(nothing)", "（无）"),
        "output.sheet.findings": ("Findings", "问题"),
    }
)

FORMATS = ("text", "json", "xlsx")
RATIO_DIGITS = 4
_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?%?")


def compute_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Click decorator: ``PATH...`` ``--standards`` ``--db`` ``--period`` ``--format`` ``-o/--output`` ``--force``."""
    options = [
        click.argument("paths", nargs=-1, required=False, type=click.Path(exists=True, path_type=Path)),
        click.option("--standards", "standards", default=None, type=click.Path(exists=True, dir_okay=False,
                     path_type=Path), help="The director's standards workbook (with PATH...)."),
        click.option("--db", default=None, metavar="PATH|URL",
                     help="Read the period's consolidated departments from the history store instead of files."),
        click.option("--period", required=True, metavar="YYYY-MM", help="The month to compute."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write to this file (required for xlsx; default stdout)."),
        click.option("--force", is_flag=True, help="Compute even when the input has error findings."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_inputs(paths: Sequence[Path], standards: Path | None, db: str | None, *, force: bool,
                period: str) -> Any:
    """The ledger from workbooks (``PATH... --standards``) or from the history store (``--db``)."""
    from ..inputs import load_ledger

    if db and paths:
        raise ToolkitError("output.both-inputs")
    if db:
        from ..store import load_ledger_from_store

        return load_ledger_from_store(db, period)
    if not paths or standards is None:
        raise ToolkitError("output.needs-input")
    return load_ledger(paths, standards, force=force, period=period)


def require_output(output: Path | None, fmt: str) -> Path:
    """The output path, or a ToolkitError when a binary format has none."""
    if output is None:
        raise ToolkitError("output.needs-path", fmt=fmt)
    return output


def money(x: Any) -> str | None:
    """Money as the JSON string "1234.50" (half away from zero), None when blank."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    return money_column(pd.Series([float(x)])).iloc[0]


def money_column(values: pd.Series) -> pd.Series:
    """A column as JSON money strings ("1234.50"), None for blanks; vectorised rounding."""
    rounded = round_series(values.astype("float64"))
    out = rounded.map(lambda v: f"{v:.2f}", na_action="ignore")
    return out.astype(object).where(rounded.notna(), None)


def ratio(x: Any, digits: int = RATIO_DIGITS) -> float | None:
    """A ratio as a JSON number rounded to ``digits`` decimals, None when blank or infinite."""
    if x is None or x is pd.NA:
        return None
    v = float(x)
    return None if not math.isfinite(v) else round(v, digits)


def records(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    money_cols: Iterable[str] = (),
    ratio_cols: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts with exactly ``columns``: money as strings, ratios rounded, blanks None."""
    money_cols, ratio_cols = set(money_cols), set(ratio_cols)
    out: dict[str, list[Any]] = {}
    for col in columns:
        s = frame[col]
        if col in money_cols:
            out[col] = money_column(s).tolist()
        elif col in ratio_cols:
            r = s.astype("float64").round(RATIO_DIGITS)
            out[col] = [None if not math.isfinite(v) else float(v) for v in r.fillna(np.inf)]
        else:
            out[col] = [_plain(v) for v in s.astype(object)]
    return [dict(zip(columns, row)) for row in zip(*(out[c] for c in columns))] if len(frame) else []


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (pd.Timestamp,)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def findings_json(findings: Iterable[Finding], lang: str) -> list[dict[str, Any]]:
    """Findings in their documented JSON form, with the file each came from."""
    return [{**f.to_dict(lang), "file": f.file} for f in findings]


def _write_text_file(path: Path, text: str) -> None:
    from ..io.writer import atomic_save

    atomic_save(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def emit_text(text: str, output: Path | None) -> None:
    """Text to stdout, or atomically to ``output``."""
    if output is None:
        click.echo(text)
    else:
        _write_text_file(output, text if text.endswith("\n") else text + "\n")


def emit_json(payload: Mapping[str, Any], output: Path | None) -> None:
    """Pretty UTF-8 JSON to stdout, or atomically to ``output``."""
    emit_text(json.dumps(payload, ensure_ascii=False, indent=2), output)


def text_table(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """A plain aligned table of ``frame`` (already formatted as text); headers renamed by ``headers``."""
    if frame.empty:
        return t("output.none", lang)
    cols = list(frame.columns)
    names = [str((headers or {}).get(c, c)) for c in cols]
    cells = [["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in frame[c].astype(object)]
             for c in cols]
    widths = [max([_width(n)] + [_width(v) for v in col]) for n, col in zip(names, cells)]
    numeric = [all(_NUMBER.fullmatch(v) for v in col if v) and any(col) for col in cells]
    def line(values: Sequence[str]) -> str:
        parts = [(v.rjust if num else v.ljust)(w - (_width(v) - len(v))) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()
    rows = [line(names), line(["-" * w for w in widths])]
    rows += [line([col[i] for col in cells]) for i in range(len(frame))]
    return "\n".join(rows)


def _width(text: str) -> int:
    from ..io.writer import display_width

    return display_width(text)


def findings_text(findings: Sequence[Finding], lang: str, limit: int = 50) -> str:
    """Findings as lines "file sheet!cell message", at most ``limit`` of them."""
    if not findings:
        return ""
    lines = [t("output.findings", lang, count=len(findings))]
    for f in findings[:limit]:
        where = Path(f.file).name if f.file else ""
        lines.append(f"  [{f.severity}] {where}: {f.message(lang)}" if where else f"  [{f.severity}] {f.message(lang)}")
    if len(findings) > limit:
        lines.append(f"  … (+{len(findings) - limit})")
    return "\n".join(lines)


def findings_frame(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    """Findings as a frame for an xlsx sheet."""
    cols = ["file", "severity", "code", "sheet", "cell", "value", "message"]
    return pd.DataFrame(findings_json(findings, lang), columns=cols)


def findings_sheets(findings: Sequence[Finding], lang: str) -> list[Any]:
    """The Findings sheet every computation's xlsx ends with; none when there are no findings."""
    from ..io.writer import SheetFrame

    if not findings:
        return []
    return [SheetFrame(t("output.sheet.findings", lang), findings_frame(findings, lang), table_name="Findings")]


def write_xlsx(path: Path, sheets: Sequence[Any], lang: str) -> Path:
    """Styled workbook of ``toolkit.io.writer.SheetFrame`` sheets, written atomically."""
    from ..io.writer import write_frames

    return write_frames(path, sheets, lang)
