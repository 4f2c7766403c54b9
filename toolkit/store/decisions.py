"""The decisions repository: what people decided about money — approval decisions and item states (the approval
queue), and a close's life after it is recorded (approved, exported, paid; the lines finance received).

Every write records who (login, host) and when, in one transaction.
"""

from __future__ import annotations

import itertools
import json
import socket
from typing import Any

import pandas as pd

from ..errors import ToolkitError
from .base import APPROVAL_DECISION_FIELDS, APPROVAL_ITEM_FIELDS, FINANCE_LINE_COLUMNS, current_user, now_iso
from .db import Database, j
from .migrations import q
from .payouts import sql_values


class DecisionRepository:
    """Approvals and finance states over one ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the approval audit trail -------------------------------------------------------------------
    def record_decisions(self, decisions: list[dict[str, Any]]) -> int:
        """``Store.record_decisions``."""
        fields = APPROVAL_DECISION_FIELDS
        rows = [tuple({"decided_at": now_iso(), "user": current_user(), **d}.get(f) for f in fields) for d in decisions]
        if not rows:
            return 0
        with self.db.write():
            self.db.executemany(f"INSERT INTO approval_decisions({', '.join(fields)}) VALUES "
                                f"({', '.join('?' * len(fields))})", rows)
        return len(rows)

    def approval_decisions(self, department: str | None = None, employee_id: str | None = None,
                           decision: str | None = None) -> list[dict[str, Any]]:
        """``Store.approval_decisions``."""
        where, params = [], []
        for col, value in (("department", department), ("employee_id", employee_id), ("decision", decision)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(APPROVAL_DECISION_FIELDS)} FROM approval_decisions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [dict(zip(APPROVAL_DECISION_FIELDS, r)) for r in self.db.read(sql + " ORDER BY id", tuple(params))]

    def approval_items(self, departments: list[str] | None = None) -> dict[tuple[str, str, str], dict[str, Any]]:
        """``Store.approval_items``."""
        sql = f"SELECT {', '.join(APPROVAL_ITEM_FIELDS)} FROM approval_items"
        params: tuple = ()
        if departments is not None:
            if not departments:
                return {}
            sql += f" WHERE department IN ({', '.join('?' * len(departments))})"
            params = tuple(departments)
        out = {}
        for r in self.db.read(sql + " ORDER BY department, kind, item", params):
            rec = dict(zip(APPROVAL_ITEM_FIELDS, r))
            rec["item_values"] = json.loads(rec["item_values"]) if rec["item_values"] else {}
            out[(rec["department"], rec["kind"], rec["item"])] = rec
        return out

    def save_approval_items(self, items: list[dict[str, Any]]) -> int:
        """``Store.save_approval_items``."""
        if not items:
            return 0
        fields = APPROVAL_ITEM_FIELDS
        now = now_iso()
        rows = []
        for d in items:
            rec = {"first_seen": now, "changed_at": now, "forwarded": 0, **d}
            rec["item_values"] = j(rec.get("item_values") or {})
            rows.append(tuple(rec.get(f) for f in fields))
        updates = ", ".join(f"{f}=excluded.{f}" for f in fields if f not in ("department", "kind", "item", "first_seen"))
        with self.db.write():
            self.db.executemany(f"INSERT INTO approval_items({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))}) "
                                f"ON CONFLICT(department, kind, item) DO UPDATE SET {updates}", rows)
        return len(rows)

    # -- money leaving the toolkit: states, finance lines, paid confirmations ---------------------------
    def record_close_event(self, close_id: int, state: str, by_name: str | None = None,
                           detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """``Store.record_close_event``."""
        event = {"state": state, "at": now_iso(), "user": current_user(), "host": socket.gethostname(),
                 "by_name": by_name, "detail": detail or {}}
        with self.db.write():
            row = self.db.execute("SELECT status FROM closes WHERE id=?", (close_id,)).fetchone()
            if row is None:
                raise ToolkitError("close.no-close", id=close_id, path=self.db.url)
            if state == "approved":
                if row[0] != "current":
                    raise ToolkitError("finance.superseded", id=close_id)
                done = self.db.execute("SELECT at, coalesce(by_name, user) FROM close_events WHERE close_id=? AND "
                                       "state='approved'", (close_id,)).fetchone()
                if done is not None:
                    raise ToolkitError("finance.already-approved", at=done[0], by=done[1] or "")
            self.db.execute("INSERT INTO close_events(close_id, state, at, user, host, by_name, detail) "
                            "VALUES (?,?,?,?,?,?,?)", (close_id, state, event["at"], event["user"], event["host"],
                                                      by_name, j(event["detail"])))
        return event

    def close_events(self, close_id: int) -> list[dict[str, Any]]:
        """``Store.close_events``."""
        rows = self.db.read("SELECT state, at, user, host, by_name, detail FROM close_events WHERE close_id=? "
                            "ORDER BY id", (close_id,))
        return [{"state": r[0], "at": r[1], "user": r[2] or "", "host": r[3] or "", "by_name": r[4],
                 "detail": json.loads(r[5] or "{}")} for r in rows]

    def record_finance_lines(self, close_id: int, lines: pd.DataFrame) -> int:
        """``Store.record_finance_lines``."""
        if lines is None or not len(lines):
            return 0
        columns = ("close_id", *(c for c in FINANCE_LINE_COLUMNS if c in lines.columns))
        values = [sql_values(lines[c]) for c in columns[1:]]
        with self.db.write():
            return self.db.executemany(self.db.insert_ignore("finance_lines", columns),
                                       zip(itertools.repeat(close_id), *values))

    def finance_lines(self, close_id: int | None = None, employee_id: str | None = None) -> pd.DataFrame:
        """``Store.finance_lines``."""
        sql = (f"SELECT f.close_id, c.period, c.version, {', '.join('f.' + q(c) for c in FINANCE_LINE_COLUMNS)} "
               "FROM finance_lines f JOIN closes c ON c.id = f.close_id WHERE 1=1")
        params: list[Any] = []
        if close_id is not None:
            sql, params = sql + " AND f.close_id=?", params + [close_id]
        else:
            sql += " AND c.status='current'"
        if employee_id is not None:
            sql, params = sql + " AND f.employee_id=?", params + [employee_id]
        rows = self.db.read(sql + " ORDER BY c.period, f.id", tuple(params))
        return pd.DataFrame(rows, columns=["close_id", "close_period", "close_version", *FINANCE_LINE_COLUMNS])

    def mark_paid(self, close_id: int, paid: dict[str, str], source: str) -> int:
        """``Store.mark_paid``."""
        at, user = now_iso(), current_user()
        with self.db.write():
            return self.db.executemany(
                "UPDATE finance_lines SET paid_date=?, confirmed_at=?, confirmed_by=?, confirmed_from=? "
                "WHERE close_id=? AND line_id=? AND paid_date IS NULL",
                [(date, at, user, source, close_id, line) for line, date in sorted(paid.items())])
