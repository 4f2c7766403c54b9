"""The director's approval queue on the sample folder: what it lists, deciding, applying, refusing, the audit trail.

Pending rows are found independently with openpyxl (headers in either language), the copies are compared with the
originals cell by cell (openpyxl) and part by part (zip), and the copies are read back by the toolkit's reader.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from approval_helpers import _isolated, folder, read_once, run, sheet_names, sheet_values  # noqa: F401 - the shared fixtures
from toolkit.cli.main import cli
from toolkit.core.approval_routes import changes
from toolkit.io.reader import read_workbook
from toolkit.operations.approval_apply import decision_log
from toolkit.operations.approval_queue import build_queue
from toolkit.operations.source import Source

SHEETS = {"Expenses": ("Expenses", "费用"), "Advances": ("Advances", "借款"), "Leave": ("Leave", "休假")}
QUEUE_SHEETS = {"Expenses": "Expense Claims", "Advances": "Loan Slips", "Leave": "Leave Requests"}
PENDING = {None, "", "Pending", "待审批"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pending_rows(folder: Path) -> set[tuple[str, str, int]]:
    """(file name, sheet, row) of every Pending or blank-approval row, read with openpyxl."""
    out = set()
    for path in sorted(folder.glob("dept-*.xlsx")):
        for kind, names in SHEETS.items():
            name = next(n for n in names if n in sheet_names(path))
            rows = sheet_values(path, name)  # read once per content (approval_helpers)
            col = next(i for i, h in enumerate(rows[0]) if h in ("Approval", "审批"))
            for r, values in enumerate(rows[1:], start=2):
                if any(v is not None for v in values) and values[col] in PENDING:
                    out.add((path.name, name, r))
    return out


def queue_rows(path: Path) -> dict[str, list[dict]]:
    out = {}
    for kind, name in QUEUE_SHEETS.items():
        rows = sheet_values(path, name)  # the queue read once per content (approval_helpers)
        out[kind] = [dict(zip(rows[0], r)) for r in rows[1:]]
    return out


def make_queue(folder: Path, out: Path, *extra: object):
    res = run("approvals", "queue", folder, "--standards", folder / "standards.xlsx", "-o", out, *extra)
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def queued(approval_queues) -> SimpleNamespace:
    """One copy of the sample with its two queues, made once for the tests that leave the workbooks alone (each
    takes its own copy of a queue before writing decisions into it): ``plain`` and ``clean`` (--approve-clean);
    ``built``, the library's queue of it (conftest.approval_queues, shared with tests/test_approval_flow.py)."""
    return approval_queues


def queue_copy(queued: SimpleNamespace, which: str, tmp_path: Path) -> tuple[Path, Path]:
    """(the shared sample folder, a private copy of its ``plain`` or ``clean`` queue)."""
    queue = tmp_path / "queue.xlsx"
    shutil.copyfile(getattr(queued, which), queue)
    return queued.folder, queue


def test_queue_lists_every_pending_item_once_with_flags(queued):
    folder, out, output = queued.folder, queued.plain, queued.output
    rows = queue_rows(out)
    listed = [(Path(r["File"]).name, r["Sheet"], r["Row"]) for kind in rows for r in rows[kind]]
    assert len(listed) == len(set(listed))  # exactly once
    assert set(listed) == pending_rows(folder)
    assert all(rows[k] for k in rows)  # loan slips, claims and leave requests all have pending items
    for kind, items in rows.items():
        statuses = [r["Status"] for r in items]
        assert statuses == sorted(statuses, key=lambda s: s != "Clean")  # clean items first
        for r in items:
            assert (r["Status"] == "Clean") == (not r["Flags"])
            known = "not in the standards Roster" not in (r["Flags"] or "")
            assert bool(r["Name"] and r["Grade"]) == known and r["Department"] and len(r["Row Hash"]) == 16
            assert r["Decision"] is None and r["Comment"] is None
    # North China's deliberate problems show on their rows, in words, with severity
    north = {(r["Sheet"], r["Row"]): r["Flags"] for k in rows for r in rows[k] if r["File"].endswith("dept-north.xlsx")}
    assert any("[Error]" in (f or "") and "E2099" in f for f in north.values())
    assert any("[Error]" in (f or "") and "overlaps" in f for f in north.values())
    # budget use against the annual Expense target: the share is what the two money columns say
    for r in rows["Expenses"]:
        if r["Person Expense Target"]:
            assert r["Person Budget Used"] == pytest.approx(r["Person YTD Expense"] / r["Person Expense Target"])
            assert ("Expense budget" in (r["Flags"] or "")) == (max(r["Person Budget Used"],
                                                                     r["Department Budget Used"] or 0,
                                                                     r["Category Budget Used"] or 0) >= 0.8)
    # loan slips above the general manager's threshold (5,000 in the sample) are routed to the GM
    for r in rows["Advances"]:
        assert (r["Route"] == "General manager") == (r["Amount"] > 5000)
    assert "64 pending item(s)" in output or "pending item(s)" in output


def test_queue_shows_the_use_of_the_claims_category_budget(queued):
    """Issue 28: each pending claim shows its department's spend in the claim's category (January to the claim's
    month, itself included, rejected claims left out) against the year's budget for the category (the Budget
    sheet's twelve months), and a flag naming the category when 80% or more is used."""
    rows = queue_rows(queued.plain)["Expenses"]
    books = {}
    flagged = 0
    for r in rows:
        path = Path(r["File"])
        if path not in books:  # each workbook read, and its live claims found, once
            data = read_once(path)  # the shared folder's workbooks, read once per content
            ex = data.tables["Expenses"]
            books[path] = (data, ex, ex[(ex["approval"] != "Rejected").fillna(True) & ex["date"].notna()
                                        & ex["amount"].notna()])
        data, ex, live = books[path]
        budget = data.tables["Budget"]
        claim = ex[ex["_row"] == r["Row"]].iloc[0]
        target = budget[budget["category"] == claim["category"]][[f"m{i:02d}" for i in range(1, 13)]].sum().sum()
        used = live[(live["category"] == claim["category"]) & (live["date"].dt.year == claim["date"].year)
                    & (live["date"].dt.month <= claim["date"].month)]["amount"].sum()
        assert r["Category YTD Expense (Department)"] == pytest.approx(used, abs=0.005)
        if claim["date"].year == data.info["year"] and target > 0:
            assert r["Category Budget (Department)"] == pytest.approx(target, abs=0.005)
            assert r["Category Budget Used"] == pytest.approx(used / target)
            if used / target >= 0.8:
                flagged += 1
                assert f"the department's {claim['category']} budget" in r["Flags"]
        else:
            assert r["Category Budget (Department)"] is None
    assert flagged  # the sample has claims in categories already over 80% of their budget


def test_queue_in_chinese_and_approve_clean(folder, tmp_path):
    out = tmp_path / "q-zh.xlsx"
    res = run("--lang", "zh", "approvals", "queue", folder, "--standards", folder / "standards.xlsx",
              "--approve-clean", "-o", out)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert {"费用报销", "借款单", "休假申请", "概览"} <= set(wb.sheetnames)
    rows = list(wb["费用报销"].iter_rows(values_only=True))
    head = rows[0]
    for r in rows[1:]:
        rec = dict(zip(head, r))
        assert rec["审批决定"] == ("批准" if rec["状态"] == "无提示" and rec["审批路径"] == "总监" else None)
    dv = wb["费用报销"].data_validations.dataValidation
    assert any("批准" in (v.formula1 or "") and "退回" in (v.formula1 or "") for v in dv)
    texts = {r.text for cf in wb["费用报销"].conditional_formatting for r in cf.rules}
    assert {"[错误]", "[警告]", "无提示"} <= texts  # flags coloured by severity, clean items green


def _decide(queue: Path) -> dict[str, tuple[str, int]]:
    """Reject one flagged claim without errors, return another with a comment; the clean ones stay Approve."""
    wb = openpyxl.load_workbook(queue)
    ws = wb["Expense Claims"]
    head = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(head)}
    picked: dict[str, tuple[str, int]] = {}
    for r in range(2, ws.max_row + 1):
        flags = ws.cell(r, col["Flags"]).value or ""
        if flags and "[Error]" not in flags:
            which = "Reject" if "Reject" not in picked else "Return" if "Return" not in picked else None
            if which:
                ws.cell(r, col["Decision"]).value = which
                ws.cell(r, col["Comment"]).value = ("Attach the hotel invoice" if which == "Return"
                                                    else "Not a business expense")
                picked[which] = (Path(ws.cell(r, col["File"]).value).name, ws.cell(r, col["Row"]).value)
    wb.save(queue)
    return picked


def _cells(path: Path) -> dict[tuple[str, str], tuple[object, str | None]]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.comment.text if c.comment else None)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None or c.comment}


def test_decide_apply_to_copies_changes_only_those_cells(queued, tmp_path):
    folder, queue = queue_copy(queued, "clean", tmp_path)
    picked = _decide(queue)
    before = {p.name: sha(p) for p in folder.glob("*.xlsx")}
    decided = {(Path(r["File"]).name, r["Sheet"], r["Row"]): r for k, rs in queue_rows(queue).items() for r in rs
               if r["Decision"]}
    out, db = tmp_path / "decided", tmp_path / "audit.db"
    res = run("approvals", "apply", queue, "-o", out, "--db", db, "--approver", "Zhao Director")
    assert res.exit_code == 0, res.output
    assert {p.name: sha(p) for p in folder.glob("*.xlsx")} == before  # originals untouched

    cells_of = {}
    for copy in sorted(out.glob("*.xlsx")):
        orig = folder / copy.name
        a, b = _cells(orig), _cells(copy)
        cells_of[copy.name] = b
        changed = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
        data = read_once(orig)
        expected = set()
        for (name, sheet, row), r in decided.items():
            if name != copy.name:
                continue
            kind = next(k for k, names in SHEETS.items() if sheet in names)
            layout = data.layout[kind]
            expected.add((sheet, layout.cell("approval", row)))
            if r["Decision"] in ("Approve", "Reject") and "approver" in layout.columns:
                expected.add((sheet, layout.cell("approver", row)))
        assert changed == expected, copy.name
        for sheet, cell in changed:  # every decided row carries the dated note
            value, note = b[(sheet, cell)]
            assert value == "Zhao Director" or "Zhao Director" in (note or "")
        # zip parts: nothing removed; untouched parts byte-identical
        za, zb = zipfile.ZipFile(orig), zipfile.ZipFile(copy)
        assert set(za.namelist()) <= set(zb.namelist())
        touched = {n for n in za.namelist() if za.read(n) != zb.read(n)}
        sheets_changed = {s for s, _ in changed}
        allowed = {"[Content_Types].xml"} | {n for n in za.namelist() if n.startswith("xl/worksheets/")}
        assert touched <= allowed
        assert len([n for n in touched if n.endswith(".xml") and "worksheets/sheet" in n]) == len(sheets_changed)

    # reading the copies back shows the decisions; the returned claim is still pending with its note
    copies: dict[str, object] = {}  # each copy read once, not once per decided row
    for (name, sheet, row), r in decided.items():
        kind = next(k for k, names in SHEETS.items() if sheet in names)
        frame = (copies.get(name) or copies.setdefault(name, read_workbook(out / name))).tables[kind]
        value = frame.loc[frame["_row"] == row, "approval"].iloc[0]
        if (name, row) == picked["Return"]:
            assert pd.isna(value) or value == "Pending"
        else:
            assert value == {"Approve": "Approved", "Reject": "Rejected"}[r["Decision"]]
    note = cells_of[picked["Return"][0]]
    assert any(n and "Attach the hotel invoice" in n and n.startswith("Returned by Zhao Director") for _, n in note.values())

    # the audit trail lists every decision, with who, what, the comment and the flags shown
    log = decision_log(Source(db=str(db)))
    assert len(log) == len(decided)
    assert {(Path(d["source_path"]).name, d["sheet"], d["row"]) for d in log} == set(decided)
    ret = next(d for d in log if d["decision"] == "Return")
    assert ret["comment"] == "Attach the hotel invoice" and ret["flags"] and ret["approver"] == "Zhao Director"
    text = run("approvals", "log", "--db", db)
    assert text.exit_code == 0 and "Attach the hotel invoice" in text.output

    # a new queue over the copies lists only what is still pending: the returned claim among them
    again = tmp_path / "again.xlsx"
    shutil.copy(folder / "standards.xlsx", out / "standards.xlsx")
    make_queue(out, again)
    left = {(Path(r["File"]).name, r["Row"]) for rs in queue_rows(again).values() for r in rs}
    assert picked["Return"] in left and picked["Reject"] not in left
    assert len(left) == len(pending_rows(folder)) - len(decided) + 1


def test_in_place_keeps_a_backup(queued_folder, tmp_path):
    folder, queue = queue_copy(queued_folder, "clean", tmp_path)  # the sample's --approve-clean queue (conftest)
    original = (folder / "dept-east.xlsx").read_bytes()
    res = run("approvals", "apply", queue, "--in-place", "--db", tmp_path / "a.db", "--approver", "Zhao")
    assert res.exit_code == 0, res.output
    backups = list((folder / "approval-backups").glob("dept-east-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert (folder / "dept-east.xlsx").read_bytes() != original
    # the backups folder is not read as departments by the next queue
    make_queue(folder, tmp_path / "q2.xlsx")


@pytest.mark.parametrize("problem", ["changed", "excel-lock", "libreoffice-lock"])
def test_changed_or_open_workbook_is_refused_and_nothing_changes(queued_folder, tmp_path, problem):
    folder, queue = queue_copy(queued_folder, "clean", tmp_path)  # the sample's --approve-clean queue (conftest)
    east = folder / "dept-east.xlsx"
    if problem == "changed":
        wb = openpyxl.load_workbook(east)
        wb["Info"]["B5"] = "edited"
        wb.save(east)
    else:
        (folder / ("~$dept-east.xlsx" if problem == "excel-lock" else ".~lock.dept-east.xlsx#")).write_text("x")
    before = {p.name: sha(p) for p in folder.glob("*.xlsx")}
    for mode in (["-o", tmp_path / "out"], ["--in-place"]):
        res = run("approvals", "apply", queue, *mode, "--db", tmp_path / "a.db", "--approver", "Zhao")
        assert res.exit_code == 2
        lines = [ln for ln in res.output.splitlines() if ln.strip() and not ln.startswith("[")]
        assert len(lines) == 1 and "dept-east.xlsx" in lines[0] and "Nothing was written" in lines[0]
        assert ("changed since the queue" in lines[0]) == (problem == "changed")
    assert {p.name: sha(p) for p in folder.glob("*.xlsx")} == before
    assert not list((tmp_path / "out").glob("*.xlsx")) and not (folder / "approval-backups").exists()
    assert decision_log(Source(db=str(tmp_path / "a.db"))) == []


def test_approver_cannot_approve_own_claim(queued, tmp_path):
    folder, queue = queue_copy(queued, "clean", tmp_path)
    own = next(r for r in queue_rows(queue)["Expenses"] if r["Decision"] == "Approve")
    res = run("approvals", "apply", queue, "-o", tmp_path / "out", "--db", tmp_path / "a.db", "--approver", "Me",
              "--approver-id", own["Employee ID"])
    assert res.exit_code == 1
    assert "approver's own item" in res.output and own["Claim No"] in res.output
    copy = read_workbook(tmp_path / "out" / Path(own["File"]).name).tables["Expenses"]
    assert copy.loc[copy["_row"] == own["Row"], "approval"].isna().all() or \
        copy.loc[copy["_row"] == own["Row"], "approval"].eq("Pending").all()
    refused = [d for d in decision_log(Source(db=str(tmp_path / "a.db"))) if d["outcome"] == "refused"]
    assert refused and all(d["employee_id"] == own["Employee ID"] for d in refused)


def test_approving_a_gm_item_is_refused_forwarding_notes_it(queued, tmp_path):
    folder, queue = queue_copy(queued, "plain", tmp_path)
    wb = openpyxl.load_workbook(queue)
    ws = wb["Loan Slips"]
    head = {c.value: i + 1 for i, c in enumerate(ws[1])}
    gm = [r for r in range(2, ws.max_row + 1) if ws.cell(r, head["Route"]).value == "General manager"]
    assert len(gm) >= 2
    ws.cell(gm[0], head["Decision"]).value = "Approve"
    ws.cell(gm[1], head["Decision"]).value = "转呈总经理"  # either language is accepted
    wb.save(queue)
    res = run("approvals", "apply", queue, "-o", tmp_path / "out", "--db", tmp_path / "a.db", "--approver", "Zhao")
    assert res.exit_code == 1 and "general manager" in res.output
    log = decision_log(Source(db=str(tmp_path / "a.db")))
    assert [d["outcome"] for d in log if d["decision"] == "Approve"] == ["refused"]
    assert [d["outcome"] for d in log if d["decision"] == "Forward"] == ["applied"]


def test_bad_decision_and_not_a_queue(queued, tmp_path):
    folder, queue = queue_copy(queued, "plain", tmp_path)
    wb = openpyxl.load_workbook(queue)
    wb["Leave Requests"]["A2"].value  # noqa: B018 - the sheet exists
    head = [c.value for c in wb["Leave Requests"][1]]
    wb["Leave Requests"].cell(2, head.index("Decision") + 1).value = "Maybe"
    wb.save(queue)
    res = run("approvals", "apply", queue, "--approver", "Z", "--db", tmp_path / "a.db")
    assert res.exit_code == 2 and "'Maybe' is not a decision" in res.output
    res = run("approvals", "apply", folder / "dept-east.xlsx", "--approver", "Z", "--db", tmp_path / "a.db")
    assert res.exit_code == 2 and "is not an approval queue" in res.output
    res = run("approvals", "apply", queue, "--db", tmp_path / "a.db")
    assert res.exit_code == 2 and "No approver name" in res.output


def test_old_workbook_without_advance_approval_is_readable_and_left_out(folder, tmp_path):
    """A department workbook made before loan slips had an Approval column: read, and its slips not queued."""
    east = folder / "dept-east.xlsx"
    wb = openpyxl.load_workbook(east)
    ws = wb["Advances"]
    ws.delete_cols(8)
    table = ws.tables["Advances"]
    table.ref = table.ref.replace("H", "G")
    table.autoFilter.ref = table.ref
    table.tableColumns = table.tableColumns[:7]
    wb.save(east)
    data = read_workbook(east)
    assert "approval" not in data.layout["Advances"].columns
    q = build_queue(Source([folder], folder / "standards.xlsx"))
    assert not q.items["Advances"]["file"].str.endswith("dept-east.xlsx").any()
    assert any("dept-east.xlsx" in s and "Approval" in s for s in q.skipped)


def test_ribbon_queue_and_apply_buttons(folder, tmp_path):
    """The Approval queue and Apply decisions buttons, run headless through ``toolkit macro``."""
    res = CliRunner().invoke(cli, ["macro", "approval_queue", "--book", str(folder / "dept-south.xlsx"),
                                   "--out", str(tmp_path / "active.xlsx"), "--standards", str(folder / "standards.xlsx"),
                                   "--answer", f"queue-folder={folder}"])
    assert res.exit_code == 0, res.output
    queue = folder / "approvals" / "approval-queue-2026-10.xlsx"
    assert queue.exists() and "pending item(s)" in res.output
    rows = queue_rows(queue)
    assert {(Path(r["File"]).name, r["Sheet"], r["Row"]) for rs in rows.values() for r in rs} == pending_rows(folder)
    # decide one loan slip in the open queue (the macro works on a copy of it), then apply to copies
    wb = openpyxl.load_workbook(queue)
    ws = wb["Loan Slips"]
    head = {c.value: i + 1 for i, c in enumerate(ws[1])}
    ws.cell(2, head["Decision"]).value = "Approve"
    slip = (Path(ws.cell(2, head["File"]).value).name, ws.cell(2, head["Row"]).value)
    wb.save(queue)
    before = sha(folder / slip[0])
    res = CliRunner().invoke(cli, ["macro", "apply_decisions", "--book", str(queue), "--out",
                                   str(tmp_path / "q" / "queue.xlsx"), "--answer", "approver=Zhao", "--answer",
                                   "inplace=no"], env={"TOOLKIT_DB": str(tmp_path / "a.db")})
    assert res.exit_code == 0, res.output
    copy = tmp_path / "q" / "queue-applied" / slip[0]
    frame = read_workbook(copy).tables["Advances"]
    assert frame.loc[frame["_row"] == slip[1], "approval"].iloc[0] == "Approved"
    assert sha(folder / slip[0]) == before
    assert [d["decision"] for d in decision_log(Source(db=str(tmp_path / "a.db")))] == ["Approve"]


def test_facts_next_to_each_item(queued):
    """Exposure, leave balance, colleagues off and history, recomputed row by row from the workbooks."""
    folder, q = queued.folder, queued.built
    books = {p.name: read_once(p) for p in folder.glob("dept-*.xlsx")}  # read once per content (approval_helpers)
    roster = read_once(folder / "standards.xlsx").tables["Roster"].set_index("employee_id")
    live = {k: pd.concat([b.tables[k].assign(file=n) for n, b in books.items()]) for k in SHEETS}
    live = {k: f[f["approval"].ne("Rejected").fillna(True)] for k, f in live.items()}
    for r in q.items["Advances"].to_dict("records"):
        mine = live["Advances"][live["Advances"]["employee_id"] == r["employee_id"]]
        upto = mine[mine["date"] <= r["date"]]
        assert r["outstanding_after"] == pytest.approx((upto["amount"] - upto["repaid"].fillna(0)).clip(lower=0).sum())
        late = mine[(mine["due_date"] < pd.Timestamp("2026-10-31")) & (mine["amount"] > mine["repaid"].fillna(0))
                    & (mine["slip_no"] != r["slip_no"])]
        assert r["overdue_count"] == len(late)
    for r in q.items["Leave"].to_dict("records"):
        others = live["Leave"][(live["Leave"]["start"] <= r["end"]) & (live["Leave"]["end"] >= r["start"])
                               & (live["Leave"]["request_no"] != r["request_no"])]
        same_dept = others[(others["file"] == Path(r["file"]).name) & (others["employee_id"] != r["employee_id"])]
        assert r["colleagues_off"] == ", ".join(dict.fromkeys(roster.loc[e, "name"] for e in same_dept["employee_id"]))
        if r["type"] == "Annual":
            year = live["Leave"][(live["Leave"]["employee_id"] == r["employee_id"]) & (live["Leave"]["type"] == "Annual")
                                 & (live["Leave"]["start"].dt.year == r["start"].year)]
            taken = year[year["approval"].eq("Approved") | (year["start"] <= r["start"])]["days"].sum()
            assert r["balance_after"] == pytest.approx(roster.loc[r["employee_id"], "leave_days"] - taken)
    for r in q.items["Expenses"].to_dict("records"):
        mine = live["Expenses"][(live["Expenses"]["employee_id"] == r["employee_id"])
                                & (live["Expenses"]["claim_no"] != r["claim_no"])]
        window = mine[(mine["date"] >= r["date"] - pd.DateOffset(months=3)) & (mine["date"] <= r["date"])]
        assert (r["claims_3m"], r["claims_3m_amount"]) == (len(window), pytest.approx(window["amount"].sum()))


def test_colleague_off_the_same_days_is_named(folder, queued):
    east = folder / "dept-east.xlsx"
    q = queued.built  # the same sample, before this test's change
    item = next(r for r in q.items["Leave"].to_dict("records") if r["file"].endswith("dept-east.xlsx"))
    roster = read_once(folder / "standards.xlsx").tables["Roster"]
    colleague = roster[(roster["department"] == "East China") & (roster["employee_id"] != item["employee_id"])].iloc[0]
    wb = openpyxl.load_workbook(east)
    ws = wb["Leave"]
    ws.append(["EC-XJ-TEST", colleague["employee_id"], "Personal", item["start"], item["start"], 1, "Approved"])
    table = ws.tables["Leave"]
    table.ref = table.autoFilter.ref = f"A1:G{ws.max_row}"
    wb.save(east)
    q = build_queue(Source([folder], folder / "standards.xlsx"), jobs=1)
    again = q.items["Leave"].set_index("request_no").loc[item["request_no"]]
    assert colleague["name"] in again["colleagues_off"]


def test_changes_since_returned_show_values_in_the_queues_language():
    """Issue 24: a Chinese queue shows a resubmitted item's changed Yes/No and category values in Chinese (the
    store keeps the English codes), an English one in English; a blank is a dash."""
    old = {"amount": "860.00", "receipt": "No", "category": "Travel", "description": ""}
    new = {"amount": "820.00", "receipt": "Yes", "category": "Accommodation", "description": "Hotel"}
    assert changes(old, new, "Expenses", "zh").split("\n") == [
        "金额：860.00 → 820.00", "有票据：否 → 是", "类别：差旅 → 住宿", "说明：— → Hotel"]
    assert changes(old, new, "Expenses", "en").split("\n") == [
        "Amount: 860.00 → 820.00", "Receipt: No → Yes", "Category: Travel → Accommodation", "Description: — → Hotel"]
