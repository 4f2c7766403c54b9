"""The one period parser: a reporting period is a month written ``YYYY-MM``.

Every entry point (CLI options, ribbon prompts, the Info sheet, computations) goes through
``parse_period`` so a bad period is refused with the same message everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from ..errors import ToolkitError
from ..i18n import register

register(
    {
        "period.invalid": (
            "The period {value!r} is not a month in the form YYYY-MM.",
            "报告期“{value}”不是 YYYY-MM 格式的月份。",
        ),
    }
)

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def parse_period(period: object) -> pd.Period:
    """``"YYYY-MM"`` (surrounding spaces allowed) as a monthly Period; anything else raises ToolkitError."""
    text = str(period).strip() if period is not None else ""
    if not _PERIOD.fullmatch(text):
        raise ToolkitError("period.invalid", value=text)
    return pd.Period(text, freq="M")


def check_period(period: object) -> str:
    """The period as its canonical text ``YYYY-MM``, or ToolkitError."""
    return str(parse_period(period))


def year_month(period: object) -> tuple[int, int]:
    """``"YYYY-MM"`` -> (year, month), or ToolkitError."""
    p = parse_period(period)
    return p.year, p.month


def period_of(value: object) -> pd.Period | None:
    """A period from a cell or argument: ``YYYY-MM`` text, a date or a Period; blank -> None; junk -> ToolkitError.

    Lenient on purpose (an Info sheet's Period may be a date cell); strict ``YYYY-MM`` is ``parse_period``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, (dt.date, pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).to_period("M")
    text = str(value).strip()
    if not text:
        return None
    try:
        if len(text) == 7 and text[4] == "-":
            return pd.Period(text, freq="M")
        return pd.Timestamp(text).to_period("M")
    except (ValueError, TypeError):
        raise ToolkitError("period.invalid", value=text) from None
