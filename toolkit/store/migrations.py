"""The store's schema version and its migrations, from the first release on.

``SCHEMA_VERSION`` is kept in SQLite's ``PRAGMA user_version``; each migration moves the store one
version up inside the opening transaction. A store whose version is newer than ``SCHEMA_VERSION`` was
written by a newer toolkit and is refused. Snapshot data tables (one per schema table, typed columns)
follow the schema additively (``data_table_ddl``): a column the schema gains is added on open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..schema import DEPARTMENT, STANDARDS, ColType, Table

#: Written into ``PRAGMA application_id`` so a foreign SQLite file is not taken for a store ("TOOL").
APPLICATION_ID = 0x544F4F4C

#: SQL type of each schema type. Dates are ISO text (readable by any SQL tool), booleans 0/1.
SQL_TYPES: dict[ColType, str] = {
    ColType.TEXT: "TEXT",
    ColType.INTEGER: "INTEGER",
    ColType.NUMBER: "REAL",
    ColType.MONEY: "REAL",
    ColType.PERCENT: "REAL",
    ColType.DATE: "TEXT",
    ColType.MONTH: "TEXT",
    ColType.BOOL: "INTEGER",
}

#: Workbook kinds and the prefix of their data tables.
KIND_PREFIX = {"department": "dept", "standards": "std"}
SCHEMAS = {"department": DEPARTMENT, "standards": STANDARDS}


def data_table_name(kind: str, key: str) -> str:
    """The SQL table holding the rows of schema table ``key`` of ``kind`` workbooks, e.g. ``dept_Contracts``."""
    return f"{KIND_PREFIX[kind]}_{key}"


def q(name: str) -> str:
    """A quoted SQL identifier (column keys such as ``end`` and ``limit`` are SQL keywords)."""
    return '"' + name.replace('"', '""') + '"'


def data_table_ddl(kind: str, table: Table) -> list[str]:
    """CREATE statements for one schema table's snapshot rows (idempotent)."""
    name = data_table_name(kind, table.key)
    cols = ", ".join(f"{q(c.key)} {SQL_TYPES[c.type]}" for c in table.columns)
    return [
        f"CREATE TABLE IF NOT EXISTS {q(name)} (snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), "
        f"_row INTEGER, {cols}, _extra TEXT)",
        f"CREATE INDEX IF NOT EXISTS {q('ix_' + name)} ON {q(name)}(snapshot_id)",
    ]


V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    user TEXT,
    host TEXT,
    toolkit_version TEXT NOT NULL,
    period TEXT NOT NULL,
    command TEXT NOT NULL,
    status TEXT,
    summary TEXT
);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL,
    department TEXT NOT NULL,
    period TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime TEXT NOT NULL,
    created_at TEXT NOT NULL,
    lang TEXT,
    info TEXT,
    row_counts TEXT NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    infos INTEGER NOT NULL,
    findings TEXT NOT NULL,
    is_current INTEGER NOT NULL,
    superseded_by INTEGER REFERENCES snapshots(id)
);
CREATE UNIQUE INDEX ux_snapshots_current ON snapshots(kind, department, period) WHERE is_current = 1;
CREATE INDEX ix_snapshots_dept ON snapshots(department, period);
CREATE TABLE snapshot_tables (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    table_key TEXT NOT NULL,
    rows INTEGER NOT NULL,
    columns TEXT NOT NULL,
    dtypes TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, table_key)
);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path TEXT NOT NULL,
    size INTEGER,
    mtime TEXT,
    sha256 TEXT,
    kind TEXT,
    department TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    infos INTEGER NOT NULL DEFAULT 0,
    snapshot_id INTEGER REFERENCES snapshots(id)
);
CREATE INDEX ix_sources_run ON sources(run_id);
CREATE TABLE migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    toolkit_version TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Migration:
    """One step up: ``version`` is the store version after it ran."""

    version: int
    name: str
    apply: Callable[[object], None]  # receives a connection (``db.Database`` or sqlite3's) inside a transaction


def _v1(conn: object) -> None:
    for statement in V1.split(";"):
        if statement.strip():
            conn.execute(statement)  # type: ignore[attr-defined]


#: Result tables a close stores (``res_<name>``): one typed column per column of the computation's frame,
#: added as a computation gains columns (``payouts.PayoutRepository._store_frame``); each has a ``current_<name>`` view.
RESULT_TABLES = ("royalty_lines", "royalty_trace", "completion", "salaries", "funds_receivables", "funds_aging",
                 "funds_demand", "forecast")

V2 = """
CREATE TABLE closes (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    version INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    user TEXT,
    host TEXT,
    toolkit_version TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    departments TEXT NOT NULL,
    not_consolidated TEXT NOT NULL,
    outputs TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('current', 'superseded')),
    superseded_by INTEGER REFERENCES closes(id)
);
CREATE UNIQUE INDEX ux_closes_current ON closes(period) WHERE status = 'current';
CREATE UNIQUE INDEX ux_closes_version ON closes(period, version);
CREATE TABLE close_snapshots (
    close_id INTEGER NOT NULL REFERENCES closes(id),
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    PRIMARY KEY (close_id, snapshot_id)
);
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    close_id INTEGER NOT NULL REFERENCES closes(id),
    employee_id TEXT NOT NULL,
    name TEXT,
    department TEXT,
    year INTEGER NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('royalty', 'floating')),
    entry TEXT NOT NULL CHECK (entry IN ('payment', 'opening', 'prior-year')),
    ytd_earned REAL,
    paid_before REAL,
    amount REAL NOT NULL,
    regular REAL NOT NULL,
    adjustment REAL NOT NULL
);
CREATE INDEX ix_payments_close ON payments(close_id);
CREATE INDEX ix_payments_employee ON payments(employee_id, year);
CREATE TABLE adjustments (
    id INTEGER PRIMARY KEY,
    close_id INTEGER NOT NULL REFERENCES closes(id),
    employee_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    closed_period TEXT,
    change TEXT NOT NULL CHECK (change IN ('added', 'removed', 'changed', 'other')),
    reason TEXT,
    sheet TEXT,
    contract_no TEXT,
    receipt_no TEXT,
    source TEXT,
    "row" INTEGER,
    amount_before REAL,
    amount_after REAL,
    credited_before REAL,
    credited_after REAL,
    effect REAL NOT NULL,
    prior_year INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_adjustments_close ON adjustments(close_id);
CREATE VIEW current_closes AS SELECT * FROM closes WHERE status = 'current';
CREATE VIEW current_payments AS
    SELECT c.period AS close_period, c.version AS close_version, c.closed_at, p.*
    FROM payments p JOIN closes c ON c.id = p.close_id WHERE c.status = 'current';
CREATE VIEW current_adjustments AS
    SELECT c.period AS close_period, c.version AS close_version, c.closed_at, a.*
    FROM adjustments a JOIN closes c ON c.id = a.close_id WHERE c.status = 'current';
"""


#: Result tables added by later migrations (created there, not by ``_v2``): the manual adjustments a close paid.
LATER_RESULT_TABLES = ("pay_adjustments", "royalty_segments")


def result_table_name(name: str) -> str:
    """The SQL table holding a close's stored result ``name`` (e.g. ``res_royalty_lines``)."""
    assert name in RESULT_TABLES or name in LATER_RESULT_TABLES, name
    return f"res_{name}"


def _v2(conn: object) -> None:
    for statement in V2.split(";"):
        if statement.strip():
            conn.execute(statement)  # type: ignore[attr-defined]
    for name in RESULT_TABLES:
        table = q(result_table_name(name))
        conn.execute(f"CREATE TABLE {table} (close_id INTEGER NOT NULL REFERENCES closes(id))")  # type: ignore[attr-defined]
        conn.execute(f"CREATE INDEX {q('ix_res_' + name)} ON {table}(close_id)")  # type: ignore[attr-defined]
        conn.execute(  # type: ignore[attr-defined]
            f"CREATE VIEW {q('current_' + name)} AS SELECT c.period AS close_period, c.version AS close_version, "
            f"r.* FROM {table} r JOIN closes c ON c.id = r.close_id WHERE c.status = 'current'")


#: The approval queue's audit trail: one row per decision applied or refused (``toolkit approvals apply``).
APPROVAL_DECISIONS = """
CREATE TABLE approval_decisions (
    id INTEGER PRIMARY KEY,
    decided_at TEXT NOT NULL,
    user TEXT,
    approver TEXT,
    approver_id TEXT,
    queue TEXT,
    period TEXT,
    department TEXT,
    source_path TEXT NOT NULL,
    sheet TEXT NOT NULL,
    row INTEGER NOT NULL,
    kind TEXT NOT NULL,
    item TEXT,
    employee_id TEXT,
    amount REAL,
    decision TEXT NOT NULL,
    comment TEXT,
    flags TEXT,
    outcome TEXT NOT NULL,
    reason TEXT,
    written_to TEXT
);
CREATE INDEX ix_approval_decisions_item ON approval_decisions(department, kind, item);
CREATE INDEX ix_approval_decisions_employee ON approval_decisions(employee_id)
"""


#: Approvals as approvers work: each item's state (pending, returned, resubmitted, forwarded, approved, rejected)
#: keyed by department and item, with the values it had when last decided (what changed when it comes back);
#: the audit trail gains the approved part, the approver a delegate decided for, and the queue's role.
APPROVAL_ITEMS = """
CREATE TABLE approval_items (
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    employee_id TEXT,
    state TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    source_path TEXT,
    row_hash TEXT,
    item_values TEXT,
    decided_by TEXT,
    on_behalf_of TEXT,
    comment TEXT,
    forwarded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (department, kind, item)
);
ALTER TABLE approval_decisions ADD COLUMN approved_amount REAL;
ALTER TABLE approval_decisions ADD COLUMN on_behalf_of TEXT;
ALTER TABLE approval_decisions ADD COLUMN role TEXT
"""

#: Money leaving the toolkit (issue 25): the close's states (approved, exported, paid: one event each, who and
#: when), the lines finance received (payroll and reimbursement) with what finance confirmed paid, and the
#: manual adjustments each close paid (``res_pay_adjustments``, recorded in the close's own transaction).
FINANCE = """
CREATE TABLE close_events (
    id INTEGER PRIMARY KEY,
    close_id INTEGER NOT NULL REFERENCES closes(id),
    state TEXT NOT NULL CHECK (state IN ('approved', 'exported', 'paid')),
    at TEXT NOT NULL,
    user TEXT,
    host TEXT,
    by_name TEXT,
    detail TEXT
);
CREATE INDEX ix_close_events_close ON close_events(close_id);
CREATE TABLE finance_lines (
    id INTEGER PRIMARY KEY,
    close_id INTEGER NOT NULL REFERENCES closes(id),
    line_id TEXT NOT NULL,
    file TEXT NOT NULL CHECK (file IN ('payroll', 'reimbursement')),
    employee_id TEXT,
    name TEXT,
    department TEXT,
    cost_centre TEXT,
    pay_item TEXT NOT NULL,
    payroll_code TEXT,
    reference TEXT,
    amount REAL NOT NULL,
    exported_at TEXT NOT NULL,
    paid_date TEXT,
    confirmed_at TEXT,
    confirmed_by TEXT,
    confirmed_from TEXT
);
CREATE UNIQUE INDEX ux_finance_lines ON finance_lines(close_id, line_id);
CREATE TABLE res_pay_adjustments (close_id INTEGER NOT NULL REFERENCES closes(id));
CREATE INDEX ix_res_pay_adjustments ON res_pay_adjustments(close_id);
CREATE VIEW current_pay_adjustments AS SELECT c.period AS close_period, c.version AS close_version, r.*
    FROM res_pay_adjustments r JOIN closes c ON c.id = r.close_id WHERE c.status = 'current';
CREATE VIEW current_finance_lines AS SELECT c.period AS close_period, c.version AS close_version, f.*
    FROM finance_lines f JOIN closes c ON c.id = f.close_id WHERE c.status = 'current'
"""
#: Views for BI tools (Datasette, Metabase): the latest snapshot of each department and the analysis' tables
#: (docs/analysis.md, "Views for BI tools"). Dates are ISO text, so ``substr(date, 1, 7)`` is the month.
_LATEST_STANDARDS = "(SELECT max(id) FROM v_latest_snapshots WHERE kind = 'standards')"
_PROBABILITY = ("COALESCE((SELECT value FROM std_Thresholds WHERE snapshot_id = " + _LATEST_STANDARDS
                + " AND name = 'Stage Probability {stage}' ORDER BY _row LIMIT 1), {default}) / 100.0")
ANALYSIS_VIEWS = f"""
CREATE VIEW v_latest_snapshots AS
    SELECT s.* FROM snapshots s WHERE s.is_current = 1 AND s.period = (
        SELECT max(s2.period) FROM snapshots s2
        WHERE s2.kind = s.kind AND s2.department = s.department AND s2.is_current = 1);
CREATE VIEW v_product_lines AS
    SELECT product_line, gross_margin, royalty_factor, min(_row) AS _row FROM std_ProductLines
    WHERE snapshot_id = {_LATEST_STANDARDS} GROUP BY product_line;
CREATE VIEW v_contracts AS
    SELECT x.*, x.amount * x.margin_rate AS gross_margin FROM (
    SELECT s.department, c.contract_no, c.sign_date, substr(c.sign_date, 1, 7) AS month,
           CAST(substr(c.sign_date, 1, 4) AS INTEGER) AS year, trim(c.customer) AS customer, c.employee_id,
           c.product_line, c.amount, c.status, c.delivered, c.payment_terms, c.split_employee_id, c.split_share,
           COALESCE((SELECT p.gross_margin FROM std_ProductLines p
                     WHERE p.snapshot_id = {_LATEST_STANDARDS} AND p.product_line = c.product_line
                       AND (p.valid_from IS NULL OR substr(p.valid_from, 1, 7) <= substr(c.sign_date, 1, 7))
                     ORDER BY CASE WHEN p.valid_from IS NULL THEN 1 ELSE 0 END, p.valid_from DESC, p._row
                     LIMIT 1), 0) AS margin_rate
    FROM dept_Contracts c JOIN v_latest_snapshots s ON s.id = c.snapshot_id AND s.kind = 'department') x;
CREATE VIEW v_sales_by_product_line AS
    SELECT year, month, product_line, count(*) AS contracts, sum(amount) AS signing,
           sum(gross_margin) AS gross_margin, sum(gross_margin) / nullif(sum(amount), 0) AS margin_rate,
           sum(CASE WHEN status = 'Terminated' THEN 1 ELSE 0 END) AS terminations
    FROM v_contracts GROUP BY year, month, product_line;
CREATE VIEW v_sales_by_department AS
    SELECT year, month, department, count(*) AS contracts, sum(amount) AS signing, sum(gross_margin) AS gross_margin,
           sum(amount) / nullif(count(*), 0) AS avg_deal
    FROM v_contracts GROUP BY year, month, department;
CREATE VIEW v_sales_by_customer AS
    SELECT year, customer, count(*) AS contracts, sum(amount) AS signing, min(sign_date) AS first_sign,
           max(sign_date) AS last_sign
    FROM v_contracts WHERE customer IS NOT NULL AND customer <> '' GROUP BY year, customer;
CREATE VIEW v_customer_pareto AS
    SELECT year, customer, signing, rank, share, cum_share,
           CASE WHEN cum_share - share < 0.8 - 1e-12 THEN 'A' WHEN cum_share - share < 0.95 - 1e-12 THEN 'B'
                ELSE 'C' END AS abc
    FROM (SELECT year, customer, signing,
                 row_number() OVER (PARTITION BY year ORDER BY signing DESC, customer) AS rank,
                 signing / sum(signing) OVER (PARTITION BY year) AS share,
                 sum(signing) OVER (PARTITION BY year ORDER BY signing DESC, customer
                                    ROWS UNBOUNDED PRECEDING) / sum(signing) OVER (PARTITION BY year) AS cum_share
          FROM v_sales_by_customer WHERE signing > 0) AS ranked;
CREATE VIEW v_collections AS
    SELECT s.department, r.receipt_no, r.receipt_date, substr(r.receipt_date, 1, 7) AS month,
           CAST(substr(r.receipt_date, 1, 4) AS INTEGER) AS year, r.contract_no, r.amount, r.method,
           c.customer, c.product_line, c.employee_id, c.sign_date, c.payment_terms,
           julianday(r.receipt_date) - julianday(c.sign_date) AS days_to_pay,
           julianday(r.receipt_date) - julianday(c.sign_date) - COALESCE(c.payment_terms, 0) AS days_late
    FROM dept_Collections r JOIN v_latest_snapshots s ON s.id = r.snapshot_id AND s.kind = 'department'
    LEFT JOIN v_contracts c ON c.contract_no = r.contract_no AND c.department = s.department;
CREATE VIEW v_collections_by_month AS
    SELECT year, month, department, count(*) AS receipts, sum(amount) AS collection
    FROM v_collections GROUP BY year, month, department;
CREATE VIEW v_customer_payment AS
    SELECT customer, count(*) AS receipts, sum(amount) AS collected,
           sum(amount * days_to_pay) / sum(amount) AS days_to_pay,
           sum(amount * COALESCE(payment_terms, 0)) / sum(amount) AS terms,
           sum(amount * days_late) / sum(amount) AS days_late
    FROM v_collections WHERE amount > 0 AND customer IS NOT NULL GROUP BY customer;
CREATE VIEW v_pipeline AS
    SELECT s.department, o.opportunity_no, trim(o.customer) AS customer, o.product_line, o.route, o.stage,
           o.expected_amount, o.expected_close, substr(o.expected_close, 1, 7) AS expected_month, o.employee_id,
           o.lost_reason, o.contract_no,
           CASE o.stage WHEN 'Won' THEN 1.0 WHEN 'Lost' THEN 0.0
                WHEN 'Lead' THEN {_PROBABILITY.format(stage="Lead", default=10)}
                WHEN 'Qualified' THEN {_PROBABILITY.format(stage="Qualified", default=25)}
                WHEN 'Proposal' THEN {_PROBABILITY.format(stage="Proposal", default=50)}
                WHEN 'Negotiation' THEN {_PROBABILITY.format(stage="Negotiation", default=75)}
                ELSE 0.0 END AS probability,
           o.stage IN ('Lead', 'Qualified', 'Proposal', 'Negotiation') AS is_open
    FROM dept_Opportunities o JOIN v_latest_snapshots s ON s.id = o.snapshot_id AND s.kind = 'department';
CREATE VIEW v_pipeline_by_stage AS
    SELECT department, stage, count(*) AS opportunities, sum(expected_amount) AS amount,
           sum(expected_amount * probability) AS weighted
    FROM v_pipeline GROUP BY department, stage;
CREATE VIEW v_feedback AS
    SELECT s.department, f.date, substr(f.date, 1, 7) AS month, f.customer, f.product_line, f.type, f.content,
           f.owner, f.status
    FROM dept_Feedback f JOIN v_latest_snapshots s ON s.id = f.snapshot_id AND s.kind = 'department'
"""

#: The views PostgreSQL cannot take in SQLite's spelling: a bare column beside an aggregate is SQLite's "value of
#: the row the aggregate chose"; PostgreSQL says it with DISTINCT ON (the first row of each product line).
PG_VIEWS = {
    "v_product_lines": f"""CREATE VIEW v_product_lines AS
    SELECT DISTINCT ON (product_line) product_line, gross_margin, royalty_factor, _row FROM std_ProductLines
    WHERE snapshot_id = {_LATEST_STANDARDS} ORDER BY product_line, _row""",
}

#: The views, in the order they are created (each names only those before it).
VIEWS = tuple(stmt.split()[2] for stmt in ANALYSIS_VIEWS.split(";") if stmt.strip())


def ensure_data_tables(conn: object) -> None:
    """Create missing data tables and add the columns the schema gained (additive, idempotent)."""
    for kind, schema in SCHEMAS.items():
        for table in schema.tables:
            name = data_table_name(kind, table.key)
            for statement in data_table_ddl(kind, table):
                conn.execute(statement)  # type: ignore[attr-defined]
            have = set(conn.columns(name))  # type: ignore[attr-defined]
            for col in table.columns:
                if col.key not in have:
                    statement = f"ALTER TABLE {q(name)} ADD COLUMN {q(col.key)} {SQL_TYPES[col.type]}"
                    conn.execute(statement)  # type: ignore[attr-defined]


def _views(conn: object) -> None:
    ensure_data_tables(conn)  # the tables the views read exist before the views, with the columns they read
    # idempotent: a store stepped back by hand (or a later migration recreating them) holds them; dropped last
    # first, as PostgreSQL refuses to drop a view another one reads
    for name in reversed(VIEWS):
        conn.execute(f"DROP VIEW IF EXISTS {q(name)}")  # type: ignore[attr-defined]
    for statement in ANALYSIS_VIEWS.split(";"):
        if statement.strip():
            if getattr(conn, "dialect", "sqlite") == "postgresql" and statement.split()[2] in PG_VIEWS:
                statement = PG_VIEWS[statement.split()[2]]
            conn.execute(statement)  # type: ignore[attr-defined]


#: Migration 8 (issue 23): each close's royalty segments (DOMAIN.md, "Royalty across a change"): which segment of a
#: person's year — months, plan, base, target — earned what (``res_royalty_segments``, recorded with the close).
ROYALTY_SEGMENTS = """
CREATE TABLE res_royalty_segments (close_id INTEGER NOT NULL REFERENCES closes(id));
CREATE INDEX ix_res_royalty_segments ON res_royalty_segments(close_id);
CREATE VIEW current_royalty_segments AS SELECT c.period AS close_period, c.version AS close_version, r.*
    FROM res_royalty_segments r JOIN closes c ON c.id = r.close_id WHERE c.status = 'current'
"""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial: runs, sources, snapshots, typed data tables", _v1),
    Migration(2, "the payout ledger: closes, payments, adjustments, stored results and current_* views", _v2),
    Migration(3, "approval decisions (the approval queue's audit trail)",
              lambda conn: [conn.execute(s) for s in APPROVAL_DECISIONS.split(";") if s.strip()]),  # type: ignore
    Migration(4, "money leaving the toolkit: close states, finance lines and paid confirmations, manual adjustments",
              lambda conn: [conn.execute(s) for s in FINANCE.split(";") if s.strip()]),  # type: ignore
    Migration(5, "approval item states; the audit trail's approved amount, delegation and role",
              lambda conn: [conn.execute(s) for s in APPROVAL_ITEMS.split(";") if s.strip()]),  # type: ignore
    Migration(6, "views for BI tools: v_sales_by_product_line, v_customer_pareto, v_pipeline, ...", _views),
    Migration(7, "findings of a source stored without a snapshot (a rejected department), for the report's data "
                  "quality from the store", lambda conn: conn.execute(  # type: ignore[attr-defined]
                      "ALTER TABLE sources ADD COLUMN findings TEXT")),
    Migration(8, "royalty segments of each close (issue 23: which segment paid what)",
              lambda conn: [conn.execute(s) for s in ROYALTY_SEGMENTS.split(";") if s.strip()]),  # type: ignore
    Migration(11, "views for BI tools again: a contract's margin from its product line's version in force in its "
                  "sign month (issue 23: Valid From on Product Lines)", _views),
)

#: The newest store version this toolkit reads and writes.
SCHEMA_VERSION = MIGRATIONS[-1].version
