"""The market section: customers, product lines, pipeline (``toolkit.core.analysis``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...core import analysis as AN
from ...core.analysis_words import check_sentence, sentence
from ...core.analysis_words import sentences as market_sentences
from ...outputs.labels import LABELS
from ...core.ledger import Ledger
from .words import label, num, with_total


MARKET_ROWS = 10


#: The market sentences of the short summaries (Markdown): the company-level ones, not each customer named.
MARKET_BRIEF = ("concentration", "share_jump", "line_decline", "line_top", "customers_moves", "dso", "coverage_low",
                "complaints_open")


def market_section(ledger: Ledger, period: str, lang: str) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The market section: top customers and concentration, product-line mix and margin, new and lost
    customers, DSO and late payers, pipeline coverage, the feedback trend; the analysis' sentences and last
    month's forecast against the actual (``toolkit.core.analysis``, the same figures as ``toolkit analysis``)."""
    a = AN.compute_analysis(ledger, period, 12)
    status = lambda v: label(v, lang) if v in LABELS else v  # noqa: E731
    cust = a.customers.head(MARKET_ROWS)
    customers = pd.DataFrame({"rank": cust["rank"], "customer": cust["customer"], "signing": cust["signing"],
                              "market_share": cust["share"], "cum_share": cust["cum_share"], "abc": cust["abc"],
                              "share_change": cust.get("share_change"),
                              "customer_status": cust["status"].map(status)})
    ytd = a.ytd
    total = float(ytd.loc[ytd["level"] == "company", "signing"].sum())
    pl = ytd[ytd["level"] == "product_line"]
    lines = pd.DataFrame({"product_line": pl["key"], "signing": pl["signing"],
                          "market_share": pl["signing"] / total if total else None, "gross_margin": pl["gross_margin"],
                          "margin_rate": pl["margin_rate"], "yoy": pl["yoy"]})
    lines = with_total(lines.reset_index(drop=True), "product_line", label("total", lang), ["signing", "gross_margin"])
    lines.loc[lines["_total"], "market_share"] = 1.0 if total else None
    lines.loc[lines["_total"], "margin_rate"] = float(ytd.loc[ytd["level"] == "company", "margin_rate"].iloc[0]) \
        if total else None
    st = a.customer_status
    moves = pd.concat([st[st["status"] == "new"].sort_values("signing_12m", ascending=False, kind="stable")
                       .head(MARKET_ROWS),
                       st[st["status"] == "lost"].sort_values("signing_prev_12m", ascending=False, kind="stable")
                       .head(MARKET_ROWS)], ignore_index=True)
    moves = pd.DataFrame({"customer_status": moves["status"].map(status), "customer": moves["customer"],
                          "department": moves["department"], "last_sign": moves["last_sign"],
                          "signing_12m": moves["signing_12m"], "signing_prev_12m": moves["signing_prev_12m"]})
    dso = a.dso.assign(key=a.dso["key"].where(a.dso["level"] != "company", label("company", lang)),
                       _total=a.dso["level"] == "company")
    dso = pd.concat([dso[~dso["_total"]], dso[dso["_total"]]], ignore_index=True)
    late = a.payment[a.payment["days_late"] > 0].head(MARKET_ROWS)[
        ["customer", "days_to_pay", "terms", "days_late", "overdue"]].reset_index(drop=True)
    if a.pipeline is not None:
        cov = a.pipeline.coverage
        pipeline = cov.assign(key=cov["key"].where(cov["level"] != "company", label("company", lang)),
                              _total=cov["level"] == "company")
        pipeline = pd.concat([pipeline[~pipeline["_total"]], pipeline[pipeline["_total"]]], ignore_index=True)[
            ["key", "weighted_open", "remaining_target", "coverage", "_total"]].rename(columns={"key": "department"})
    else:
        pipeline = pd.DataFrame(columns=["department", "weighted_open", "remaining_target", "coverage"])
    fb = a.feedback.pivot_table(index="month", columns="type", values="count", aggfunc="sum").reindex(a.months)
    feedback = pd.DataFrame({"month": a.months})
    for kind in ("Complaint", "Suggestion", "Competitor", "Market"):
        feedback[kind.lower()] = (fb[kind].fillna(0) if kind in fb else pd.Series(0, index=fb.index)).astype(
            "int64").to_numpy()
    tables = {"market_customers": customers.reset_index(drop=True), "market_lines": lines,
              "market_moves": moves, "market_dso": dso.rename(columns={"key": "department"})[
                  ["department", "receivables", "overdue", "overdue_90", "delivered_90d", "dso", "_total"]],
              "market_late": late, "market_pipeline": pipeline, "market_feedback": feedback}
    conc = a.concentration[a.concentration["level"] == "company"]
    brief = [sentence(k, params, lang) for k, params in a.sentences if k in MARKET_BRIEF]
    check = check_sentence(a.forecast_check, lang)
    market = {"sentences": market_sentences(a, lang), "brief": brief + ([check] if check else []),
              "forecast_check": check,
              "top10_share": num(conc["top10_share"].iloc[0]) if len(conc) else None,
              "hhi": num(conc["hhi"].iloc[0]) if len(conc) else None,
              "dso": num(a.dso["dso"].iloc[0]) if len(a.dso) else None,
              "has_pipeline": a.pipeline is not None}
    return tables, market
