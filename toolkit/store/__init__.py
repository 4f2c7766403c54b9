"""The history store: every consolidation run, its sources and per department+period snapshots.

``open_store(url_or_path)`` gives a ``Store``: a SQLite file by default (``--db``, else the
``TOOLKIT_DB`` environment variable, else ``toolkit.db`` in the working folder). ``sqlite:///path``
URLs are accepted, and ``postgresql://user@host/db`` opens a PostgreSQL store behind the same interface (docs/store.md).
The store is three repositories (``snapshots``, ``payouts``, ``decisions``) over one connection (``db.Database``).
"""

from __future__ import annotations

from ..i18n import register
from .ledger import load_ledger_from_store
from .connect import DB_ENV, DEFAULT_DB, DEFAULT_TIMEOUT, default_db, open_store
from .postgres import mask_url
from .base import CloseInfo, CloseRecord, Run, RunInfo, SaveResult, SnapshotInfo, SourceRecord, Store
from .migrations import SCHEMA_VERSION

register(
    {
        "store.busy": (
            "The history store {path} is busy: another consolidation is writing to it. Try again when it has finished.",
            "历史库 {path} 正忙：另一个合并任务正在写入。请等它完成后重试。",
        ),
        "store.newer": (
            "The history store {path} was written by a newer toolkit (store version {found}; this toolkit "
            "supports up to {supported}). Upgrade the toolkit or choose another --db.",
            "历史库 {path} 由更新版本的工具写入（库版本 {found}；本工具最高支持 {supported}）。"
            "请升级工具或用 --db 指定其他文件。",
        ),
        "store.not-a-store": (
            "{path} is not a toolkit history store ({detail}).",
            "{path} 不是本工具的历史库（{detail}）。",
        ),
        "store.cannot-open": ("Cannot open the history store {path}: {detail}", "无法打开历史库 {path}：{detail}"),
        "store.unsupported-url": (
            "History store {url}: {scheme} databases are not supported; use a SQLite file path, sqlite:///PATH or "
            "postgresql://USER@HOST/DATABASE.",
            "历史库 {url}：不支持 {scheme} 数据库；请使用 SQLite 文件路径、sqlite:///路径或 postgresql://用户@主机/数据库。",
        ),
        "db.versions-differ": (
            "Cannot copy {source} into {target}: the stores' versions differ ({found} and {expected}); open both with "
            "this toolkit first (db check) so both are migrated.",
            "无法将 {source} 复制到 {target}：两个历史库版本不同（{found} 与 {expected}）；请先用本工具打开两者（db check）完成迁移。",
        ),
        "db.target-not-empty": (
            "Cannot copy into {target}: it already holds a history. Copy into a new, empty store.",
            "无法复制到 {target}：其中已有历史。请复制到一个新的空历史库。",
        ),
        "db.unknown-table": ("The store {source} has a table this toolkit does not know: {table}.",
                             "历史库 {source} 含有本工具不认识的表：{table}。"),
        "db.copy-mismatch": (
            "The copy into {target} does not match its source (rows or checksums differ in: {tables}).",
            "复制到 {target} 的内容与来源不一致（以下表的行数或校验和不同：{tables}）。",
        ),
        "db.same-store": ("Source and target are the same store ({url}).", "来源与目标是同一个历史库（{url}）。"),
        "store.no-driver": (
            "History store {url}: PostgreSQL needs the psycopg driver; install it with: pip install "
            "\"marketing-toolkit[postgres]\" (or pip install \"psycopg[binary]>=3.1,<4\").",
            "历史库 {url}：使用 PostgreSQL 需要 psycopg 驱动；请安装：pip install \"marketing-toolkit[postgres]\""
            "（或 pip install \"psycopg[binary]>=3.1,<4\"）。",
        ),
        "close.later-closed": (
            "{period} cannot be closed again: {later} is already closed. Corrections to {period} are paid in the "
            "next open period as itemised adjustments.",
            "{period} 不能重新结账：{later} 已经结账。对 {period} 的更正将作为逐项调整在下一个未结账期间支付。",
        ),
        "close.already-closed": (
            "{period} is already closed (version {version}, {closed_at}); to close it again, run with --reopen.",
            "{period} 已经结账（第 {version} 版，{closed_at}）；如需重新结账，请加 --reopen。",
        ),
        "close.running": (
            "Another close of {period} is running since {since} ({user} on {host}) on the history store {path}; "
            "try again when it has finished.",
            "另一个 {period} 的结账自 {since} 起正在运行（{host} 上的 {user}，历史库 {path}）；请等它完成后重试。",
        ),
        "close.history-changed": (
            "The close of {period} was not recorded: the history it was computed against changed meanwhile "
            "({other} was closed at {closed_at}). Run the close again.",
            "{period} 的结账未记录：计算所依据的历史在此期间已改变（{other} 于 {closed_at} 结账）。请重新结账。",
        ),
        "finance.superseded": ("Close {id} was superseded by a re-close; approve the current version.",
                               "结账记录 {id} 已被重新结账取代；请批准当前版本。"),
        "finance.already-approved": ("This close was already approved ({at}, {by}).",
                                     "该结账已于 {at} 由 {by} 批准。"),
        "close.no-close": ("No close {id} in the history store {path}.", "历史库 {path} 中没有结账记录 {id}。"),
        "store.no-snapshot": ("No snapshot {id} in the history store {path}.", "历史库 {path} 中没有快照 {id}。"),
        "store.no-departments": (
            "The history store {path} holds no department for period {period}; consolidate first.",
            "历史库 {path} 中没有 {period} 期的部门数据；请先合并。",
        ),
        "store.no-standards": (
            "The history store {path} holds no standards workbook for period {period}; consolidate with --standards.",
            "历史库 {path} 中没有 {period} 期的标准工作簿；请使用 --standards 合并。",
        ),
    }
)

__all__ = [
    "CloseInfo",
    "CloseRecord",
    "DB_ENV",
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "Run",
    "RunInfo",
    "SaveResult",
    "SnapshotInfo",
    "SourceRecord",
    "Store",
    "default_db",
    "load_ledger_from_store",
    "mask_url",
    "open_store",
]
