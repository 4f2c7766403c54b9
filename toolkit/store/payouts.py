"""The payouts repository: the payout ledger — closes, their snapshots, payments, adjustments and stored results.

A close is recorded in ONE transaction (``record_close``): a killed close leaves nothing; the checks that make a
close valid (no later period closed, not already closed, the history it was computed against unchanged) run inside
that transaction, so two closes serialise on the store's one writer.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import ToolkitError
from .base import ADJUSTMENT_COLUMNS, PAYMENT_COLUMNS, CloseInfo, CloseRecord, now_iso
from .db import Database, j, maybe_stall
from .migrations import q, result_table_name

_CLOSE_COLS = ("id, period, year, month, version, closed_at, user, host, toolkit_version, run_id, departments, "
               "not_consolidated, outputs, notes, status, superseded_by")


class PayoutRepository:
    """Closes, payments, adjustments and stored results over one ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def next_close_version(self, period: str) -> int:
        """``Store.next_close_version``."""
        rows = self.db.read("SELECT coalesce(max(version), 0) FROM closes WHERE period=?", (period,))
        return int(rows[0][0]) + 1

    def record_close(self, close: CloseRecord, payments: pd.DataFrame, adjustments: pd.DataFrame,
                     results: dict[str, pd.DataFrame], reopen: bool = False,
                     based_on: list[int] | None = None) -> CloseInfo:
        """``Store.record_close``."""
        db = self.db
        year, month = int(close.period[:4]), int(close.period[5:7])
        with db.write():
            if based_on is not None:  # the history it was computed against must still be the history
                now = [int(r[0]) for r in db.execute("SELECT id FROM closes WHERE status='current' ORDER BY id")]
                if now != sorted(int(i) for i in based_on):
                    changed = db.execute(
                        "SELECT period, closed_at FROM closes WHERE status='current' ORDER BY id DESC LIMIT 1").fetchone()
                    raise ToolkitError("close.history-changed", period=close.period,
                                       other=changed[0] if changed else "-", closed_at=changed[1] if changed else "-")
            later = db.execute("SELECT period FROM closes WHERE status='current' AND period > ? "
                               "ORDER BY period DESC LIMIT 1", (close.period,)).fetchone()
            if later is not None:
                raise ToolkitError("close.later-closed", period=close.period, later=later[0])
            cur = db.execute("SELECT id, version, closed_at FROM closes WHERE status='current' AND period=?",
                             (close.period,)).fetchone()
            if cur is not None and not reopen:
                raise ToolkitError("close.already-closed", period=close.period, version=cur[1], closed_at=cur[2])
            version = int(db.execute("SELECT coalesce(max(version), 0) FROM closes WHERE period=?",
                                     (close.period,)).fetchone()[0]) + 1
            if cur is not None:  # the unique index allows one current version: step the old one aside first
                db.execute("UPDATE closes SET status='superseded' WHERE id=?", (cur[0],))
            cid = db.insert(
                "INSERT INTO closes(period, year, month, version, closed_at, user, host, toolkit_version, run_id, "
                "departments, not_consolidated, outputs, notes, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'current')",
                (close.period, year, month, version, now_iso(), close.user, close.host, __version__, close.run_id,
                 j(close.departments), j(close.not_consolidated), j(close.outputs), j(close.notes)),
            )
            if cur is not None:
                db.execute("UPDATE closes SET superseded_by=? WHERE id=?", (cid, cur[0]))
            db.executemany("INSERT INTO close_snapshots(close_id, snapshot_id) VALUES (?, ?)",
                           [(cid, int(i)) for i in sorted(set(close.snapshot_ids))])
            self._insert_frame("payments", cid, payments, PAYMENT_COLUMNS)
            self._insert_frame("adjustments", cid, adjustments, ADJUSTMENT_COLUMNS)
            for name, frame in results.items():
                self._store_frame(result_table_name(name), cid, frame)
            maybe_stall()  # test hook: everything written, nothing committed
        return self.close_info(cid)

    def _insert_frame(self, table: str, close_id: int, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
        """Rows of ``frame`` (the listed columns it has; the others take their defaults) into a ledger table."""
        if frame is None or not len(frame):
            return
        columns = tuple(c for c in columns if c in frame.columns)
        values = [sql_values(frame[c]) for c in columns]
        sql = (f"INSERT INTO {q(table)} (close_id, {', '.join(q(c) for c in columns)}) "
               f"VALUES ({', '.join('?' * (len(columns) + 1))})")
        self.db.executemany(sql, zip(itertools.repeat(close_id), *values))

    def _store_frame(self, table: str, close_id: int, frame: pd.DataFrame) -> None:
        """A result frame into its typed table, adding the columns it has that the table lacks."""
        if frame is None or not len(frame):
            return
        have = set(self.db.columns(table))
        added = [col for col in frame.columns if str(col) not in have]
        if added:
            self.db.add_columns(table, [(str(col), sql_type(frame[col])) for col in added])
            self.db.table_altered(table)
        names = [str(c) for c in frame.columns]
        values = [sql_values(frame[c]) for c in frame.columns]
        sql = (f"INSERT INTO {q(table)} (close_id, {', '.join(q(c) for c in names)}) "
               f"VALUES ({', '.join('?' * (len(names) + 1))})")
        self.db.executemany(sql, zip(itertools.repeat(close_id), *values))

    def _close(self, r: tuple) -> CloseInfo:
        sids = [int(x[0]) for x in self.db.read("SELECT snapshot_id FROM close_snapshots WHERE close_id=? "
                                                 "ORDER BY snapshot_id", (r[0],))]
        return CloseInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7] or "", r[8], r[9], sids,
                         json.loads(r[10]), json.loads(r[11]), json.loads(r[12]), json.loads(r[13]), r[14], r[15])

    def closes(self, period: str | None = None, year: int | None = None,
               current_only: bool = False) -> list[CloseInfo]:
        """``Store.closes``."""
        sql, params = f"SELECT {_CLOSE_COLS} FROM closes WHERE 1=1", []
        if period is not None:
            sql, params = sql + " AND period=?", params + [period]
        if year is not None:
            sql, params = sql + " AND year=?", params + [year]
        if current_only:
            sql += " AND status='current'"
        return [self._close(r) for r in self.db.read(sql + " ORDER BY id", tuple(params))]

    def close_info(self, close_id: int) -> CloseInfo:
        """``Store.close_info``."""
        rows = self.db.read(f"SELECT {_CLOSE_COLS} FROM closes WHERE id=?", (close_id,))
        if not rows:
            raise ToolkitError("close.no-close", id=close_id, path=self.db.url)
        return self._close(rows[0])

    def _ledger_rows(self, table: str, columns: tuple[str, ...], where: list[tuple[str, Any]],
                     current_only: bool) -> pd.DataFrame:
        sql = (f"SELECT t.close_id, c.period AS close_period, c.version AS close_version, "
               f"{', '.join('t.' + q(c) for c in columns)} FROM {q(table)} t JOIN closes c ON c.id = t.close_id "
               "WHERE 1=1")
        params: list[Any] = []
        for cond, value in where:
            if value is not None:
                sql, params = sql + f" AND {cond}", params + [value]
        if current_only:
            sql += " AND c.status='current'"
        rows = self.db.read(sql + " ORDER BY c.period, t.close_id, t.id", tuple(params))
        return pd.DataFrame(rows, columns=["close_id", "close_period", "close_version", *columns])

    def payments(self, year: int | None = None, employee_id: str | None = None, close_id: int | None = None,
                 current_only: bool = True) -> pd.DataFrame:
        """``Store.payments``."""
        return self._ledger_rows("payments", PAYMENT_COLUMNS, [("t.year=?", year), ("t.employee_id=?", employee_id),
                                                               ("t.close_id=?", close_id)],
                                 current_only and close_id is None)

    def adjustments(self, close_id: int | None = None, year: int | None = None,
                    employee_id: str | None = None, current_only: bool = True) -> pd.DataFrame:
        """``Store.adjustments``."""
        return self._ledger_rows("adjustments", ADJUSTMENT_COLUMNS, [
            ("t.close_id=?", close_id), ("t.year=?", year), ("t.employee_id=?", employee_id)],
            current_only and close_id is None)

    def close_results(self, close_id: int, name: str) -> pd.DataFrame:
        """``Store.close_results``."""
        table = result_table_name(name)
        cols = [c for c in self.db.columns(table) if c not in ("close_id", self.db.rowid)]
        rows = self.db.read(f"SELECT {', '.join(q(c) for c in cols) or 'NULL'} FROM {q(table)} WHERE close_id=? "
                            f"ORDER BY {self.db.rowid}", (close_id,))
        return pd.DataFrame(rows, columns=cols) if cols else pd.DataFrame()


def sql_type(s: pd.Series) -> str:
    """The SQL type of a result column, from its dtype (dates are ISO text, booleans 0/1)."""
    kind = getattr(s.dtype, "kind", "O")
    if kind in "iub" or str(s.dtype) in ("Int64", "boolean"):
        return "INTEGER"
    if kind == "f" or str(s.dtype) == "Float64":
        return "REAL"
    return "TEXT"


def sql_values(s: pd.Series) -> list[Any]:
    """A column as plain Python values for the driver: NaN/NA -> None, dates -> ISO text, numpy scalars unboxed."""
    kind = getattr(s.dtype, "kind", "O")
    if kind == "M":
        text = s.dt.strftime("%Y-%m-%d").astype(object)
        return [None if pd.isna(v) else v for v in text.where(s.notna(), None)]
    if isinstance(s.dtype, np.dtype) and kind in "fiub":  # numpy numbers: unboxed in C, NaN -> None (the loop's values)
        arr = s.to_numpy()
        if kind == "b":
            return arr.astype(np.int64).tolist()
        values = arr.tolist()
        if kind == "f":
            for i in np.flatnonzero(np.isnan(arr)).tolist():
                values[i] = None
        return values
    objects = s.astype(object).tolist()
    if all(type(v) is str or v is None for v in objects):  # text columns: nothing to convert
        return objects
    out = []
    for v in objects:
        if v is None or (not isinstance(v, (str, bytes, list, dict)) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, (bool,)):
            out.append(int(v))
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d"))
        elif hasattr(v, "item"):
            out.append(v.item())
        elif isinstance(v, (str, int, float)):
            out.append(v)
        else:
            out.append(str(v))
    return out
