"""Data quality: the findings shown, policy findings among them."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ...core.findings import Finding, codes, finding_type
from .words import label


#: Finding codes shown as expense policy findings: the catalog's ``policy`` tag.
POLICY_CODES = codes("policy")


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def findings_frame(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    recs = [{
        "severity": f.severity, "code": f.code,
        "title": finding_type(f.code).title[1 if lang == "zh" else 0],
        # a finding's file may be missing as NaN (read back from a frame): never shown as "nan"
        "file": (str(f.file).replace("\\", "/").rsplit("/", 1)[-1] if f.file is not None and pd.notna(f.file)
                 and str(f.file) else None),
        "sheet": f.sheet, "cell": f.cell, "value": None if f.value is None else str(f.value),
        "message": f.message(lang),
    } for f in findings]
    frame = pd.DataFrame(recs, columns=["severity", "code", "title", "file", "sheet", "cell", "value", "message"])
    if len(frame):
        frame = frame.assign(_o=frame["severity"].map(SEVERITY_ORDER).fillna(9)).sort_values(
            ["_o", "file", "code"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return frame


def quality_tables(find_frame: pd.DataFrame, lang: str) -> dict[str, pd.DataFrame]:
    """The policy findings (expenses section), every finding and their count by code (data quality)."""
    summary = find_frame.groupby(["severity", "code", "title"], sort=False).size().rename("count").reset_index() \
        if len(find_frame) else pd.DataFrame(columns=["severity", "code", "title", "count"])
    out = {"policy_findings": find_frame[find_frame["code"].isin(POLICY_CODES)].reset_index(drop=True),
           "findings": find_frame.drop(columns="code"), "findings_summary": summary}
    return {name: frame.assign(severity=frame["severity"].map(lambda v: label(v, lang)))
            for name, frame in out.items()}
