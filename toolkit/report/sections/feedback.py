"""Market feedback of the month."""

from __future__ import annotations

import pandas as pd

from ...core.ledger import Ledger
from ...schema import enums as E


def feedback_tables(ledger: Ledger, p: pd.Period, lang: str) -> dict[str, pd.DataFrame]:
    fb = ledger.tables["Feedback"]
    fb = fb[fb["date"].notna() & (fb["date"].dt.to_period("M") == p)].sort_values("date", kind="stable")
    items = pd.DataFrame({
        "date": fb["date"], "department": fb["department"].astype("str"), "customer": fb["customer"],
        "product_line": fb["product_line"],
        "type": fb["type"].map(lambda v: E.FEEDBACK_TYPE.label(v, lang) if v in E.FEEDBACK_TYPE.values else v),
        "content": fb["content"], "owner": fb["owner"],
        "status": fb["status"].map(lambda v: E.FEEDBACK_STATUS.label(v, lang) if v in E.FEEDBACK_STATUS.values else v),
    }).reset_index(drop=True)
    summary = pd.DataFrame({"type": list(E.FEEDBACK_TYPE.values)})
    summary["count"] = [int((fb["type"] == v).sum()) for v in summary["type"]]
    summary["open"] = [int(((fb["type"] == v) & (fb["status"] != "Closed")).sum()) for v in summary["type"]]
    summary["type"] = summary["type"].map(lambda v: E.FEEDBACK_TYPE.label(v, lang))
    return {"feedback": items, "feedback_summary": summary}
