"""The sales forecast: the JSON payload (docs/json.md), the Forecast and History sheets and the text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core import forecast as FC
from ..core import month as M
from ..core.ledger import Ledger
from ..i18n import t
from ..io.writer import SheetFrame
from .jsonfmt import findings_json, records
from .labels import label, localized
from .sheets import findings_sheets
from .text import findings_text, text_table
from .base import Output
from ..money import fmt_money_column

if TYPE_CHECKING:
    from .base import Output

#: ``method`` is the forecasting method here, not a royalty plan's.
_KEYS = {"method": "forecast_method", "value": "signing_value"}


def build(ledger: Ledger, period: str, lang: str = "en") -> Output:
    """Each series' forecast and history with the backtest, and the payload documented in docs/json.md."""
    res = M.forecast(ledger, period)  # shared with the report (``core.month``)
    series = []
    for row in records(res.series, list(res.series.columns), ratio_cols=("mase",)):
        sel_f = (res.forecast["level"] == row["level"]) & (res.forecast["key"] == row["key"])
        sel_h = (res.history["level"] == row["level"]) & (res.history["key"] == row["key"])
        row["forecast"] = records(res.forecast[sel_f], ["month", "value"], money_cols=("value",))
        row["history"] = records(res.history[sel_h], ["month", "value"], money_cols=("value",))
        series.append(row)
    findings = ledger.unreliable_findings()
    payload = {"period": res.period, "horizon": FC.HORIZON, "holdout": FC.HOLDOUT, "series": series,
               "findings": findings_json(findings, lang)}
    return Output("forecast", res.period, lang, payload, res, findings)


def forecast_table(res: FC.ForecastResult) -> tuple[pd.DataFrame, list[Any]]:
    """Each series with its method, MASE and the forecast months as columns; and those months."""
    wide = res.forecast.pivot_table(index=["level", "key"], columns="month", values="value", sort=False)
    table = res.series.merge(wide.reset_index(), on=["level", "key"], how="left")
    return table, [c for c in table.columns if c not in res.series.columns]


def sheets(out: Output) -> list[SheetFrame]:
    """Forecast (series × months), History and the findings."""
    res, lang = out.result, out.lang
    table, months = forecast_table(res)
    fmts = {m: "money" for m in months} | {label("mase", lang): "number"}
    return [SheetFrame(t("output.sheet.forecast", lang), localized(table, lang, _KEYS), fmts, table_name="Forecast"),
            SheetFrame(t("output.sheet.history", lang), localized(res.history, lang, _KEYS),
                       {label("signing_value", lang): "money"}, table_name="History"),
            *findings_sheets(out.findings, lang)]


def text(out: Output) -> str:
    """The forecast table; then the findings."""
    res, lang = out.result, out.lang
    table, months = forecast_table(res)
    shown = table.assign(
        mase=table["mase"].map(lambda v: f"{v:.3f}", na_action="ignore"),
        **{m: fmt_money_column(table[m], grouped=True) for m in months},
    )
    lines = [t("output.title.forecast", lang, period=out.payload["period"]), text_table(localized(shown, lang, _KEYS))]
    if out.findings:
        lines += ["", findings_text(out.findings, lang)]
    return "\n".join(lines)
