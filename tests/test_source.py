"""One way in (issue 21): every operation takes a ``Source``; the standards are read and checked once under one
policy, the store is opened once, and the ways in (workbooks, store, open workbook) give the same ledger."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli.main import cli
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_workbook
from toolkit.operations import source as source_module
from toolkit.operations.approval_queue import build_queue
from toolkit.operations.close_month import close_month
from toolkit.operations.closes import backdated_in_consolidation, written_dated_tables
from toolkit.operations.compute import compute
from toolkit.operations.consolidate import consolidate
from toolkit.operations.plan import load_plan_inputs
from toolkit.operations.source import Source
import pandas as pd
from toolkit.schema import DEPARTMENT
from toolkit.store import codec, load_ledger_from_store

CLEAN = ("east", "south", "west")


@pytest.fixture(scope="module")
def broken_standards(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample standards with one Roster row's Name left blank: an error finding of the standards."""
    wb = openpyxl.load_workbook(sample_dir / "standards.xlsx")
    wb["Roster"]["B2"].value = None
    path = tmp_path_factory.mktemp("std") / "standards.xlsx"
    wb.save(path)
    return path


def _clean(sample_dir: Path) -> list[Path]:
    return [sample_dir / f"dept-{k}.xlsx" for k in CLEAN]


def test_the_standards_have_an_error_finding(broken_standards: Path) -> None:
    errors = [f for f in Source(standards=broken_standards).standards_findings() if f.severity == "error"]
    assert errors and all(f.file == str(broken_standards) for f in errors)


def test_standards_are_read_once_per_source(sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = source_module.read_file
    monkeypatch.setattr(source_module, "read_file", lambda *a: calls.append(a) or real(*a))
    source = Source(_clean(sample_dir), sample_dir / "standards.xlsx")
    first, second = source.ledger("2026-10"), source.ledger("2026-10")
    assert len([c for c in calls if c[1:] == ("standards",)]) == 1
    assert first.standards is second.standards


def test_the_approval_queue_checks_the_standards(sample_dir: Path, broken_standards: Path) -> None:
    with pytest.raises(ToolkitError) as exc:
        build_queue(Source(_clean(sample_dir), broken_standards), jobs=1)
    assert exc.value.key == "source.standards-errors" and str(broken_standards) in exc.value.message()
    assert build_queue(Source(_clean(sample_dir), broken_standards, force=True), jobs=1).items is not None


def test_approvals_queue_cli_refuses_broken_standards_unless_forced(sample_dir: Path, broken_standards: Path,
                                                                    tmp_path: Path) -> None:
    args = ["approvals", "queue", *map(str, _clean(sample_dir)), "--standards", str(broken_standards),
            "-o", str(tmp_path / "q.xlsx")]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "standards workbook" in refused.output and not (tmp_path / "q.xlsx").exists()
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "q.xlsx").exists()


def test_plan_from_the_store_checks_a_given_standards(sample_dir: Path, broken_standards: Path,
                                                      tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    consolidate(Source(_clean(sample_dir), sample_dir / "standards.xlsx", db), "2026-10", jobs=1)
    assert load_plan_inputs(Source(db=db), 2027).source == "store"
    with pytest.raises(ToolkitError) as exc:
        load_plan_inputs(Source(standards=broken_standards, db=db), 2027)
    assert exc.value.key == "source.standards-errors"


def test_reading_history_never_creates_a_store(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError) as exc:
        load_plan_inputs(Source(db=tmp_path / "none.db"), 2027)
    assert exc.value.key == "source.no-store" and not (tmp_path / "none.db").exists()


def test_paths_and_db_together_are_refused(sample_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolkitError) as exc:
        Source(_clean(sample_dir), sample_dir / "standards.xlsx", tmp_path / "s.db").ledger("2026-10")
    assert exc.value.key == "source.both-inputs"
    with pytest.raises(ToolkitError) as exc:
        Source(_clean(sample_dir)).ledger("2026-10")
    assert exc.value.key == "source.needs-input"


def test_the_month_close_opens_the_store_once(sample_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real = source_module.open_store
    monkeypatch.setattr(source_module, "open_store", lambda url: opened.append(url) or real(url))
    folder = tmp_path / "in"
    folder.mkdir()
    for p in [*_clean(sample_dir), sample_dir / "standards.xlsx"]:
        (folder / p.name).write_bytes(p.read_bytes())
    with Source([folder], db=tmp_path / "s.db") as source:
        res = close_month(source, "2026-10", tmp_path / "out", jobs=1)
        assert res.close is not None and source.store_url == str(tmp_path / "s.db")
    assert opened == [str(tmp_path / "s.db")]


def test_the_open_workbook_gives_the_ledger_the_files_give(sample_dir: Path) -> None:
    east = sample_dir / "dept-east.xlsx"
    from_file = Source([east], sample_dir / "standards.xlsx").ledger("2026-10")
    opened = Source(workbook=read_workbook(east), standards=sample_dir / "standards.xlsx").ledger("2026-10")
    assert list(opened.langs) == list(from_file.langs)
    for key, frame in from_file.tables.items():
        assert list(opened.tables[key].columns) == list(frame.columns)
        assert opened.tables[key].drop(columns="source").equals(frame.drop(columns="source")), key


def test_consolidation_hands_over_the_ledger_the_store_would_read_back(sample_dir: Path, tmp_path: Path) -> None:
    """The month close's ledger from the rows consolidation just wrote equals the one read back from the store:
    same frames, dtypes, order, findings and languages."""


    with Source([sample_dir], db=tmp_path / "s.db") as source:
        res = consolidate(source, "2026-10", jobs=1, hand_over=True)
        ids = [f.snapshot_id for f in res.consolidated]
        assert sorted(res.handed) == sorted(ids)
        with source.store() as store:
            handed = load_ledger_from_store(store, "2026-10", ids, res.handed)
            read = load_ledger_from_store(store, "2026-10", ids)
    assert not any(res.handed.values())  # taken out as they were stacked
    assert list(handed.tables) == list(read.tables)
    for key, frame in read.tables.items():
        pd.testing.assert_frame_equal(handed.tables[key], frame, check_exact=True, obj=key)
    assert [f.to_dict() for f in handed.findings] == [f.to_dict() for f in read.findings]
    assert (handed.langs, handed.sources, handed.files) == (read.langs, read.sources, read.files)


def test_the_backdated_check_takes_the_rows_just_written_as_the_store_reads_them_back(sample_dir: Path,
                                                                                      tmp_path: Path) -> None:
    """consolidate's backdated check in a close decodes each department's Contracts and Collections from the
    tables just written (``handed``) instead of reading them back: the same frames (values, dtypes, order, tables
    present) and the same findings as read from the store, after a close (when the check runs)."""
    with Source([sample_dir], db=tmp_path / "s.db") as source:
        close_month(source, "2026-09", tmp_path / "out", jobs=1)
        res = consolidate(source, "2026-10", jobs=1, hand_over=True)
        with source.store() as store:
            assert store.closes(current_only=True)
            compared = 0
            for outcome in res.consolidated:
                encoded = res.handed[outcome.snapshot_id]
                read = written_dated_tables(store, outcome.snapshot_id)
                given = written_dated_tables(store, outcome.snapshot_id, encoded)
                assert list(given) == list(read), outcome.department
                for key, frame in read.items():
                    pd.testing.assert_frame_equal(given[key], frame, check_exact=True, obj=key)
                    compared += 1
                data = read_workbook(Path(outcome.path))
                assert ([f.to_dict() for f in backdated_in_consolidation(store, outcome, data, encoded)]
                        == [f.to_dict() for f in backdated_in_consolidation(store, outcome, data)])
    assert compared >= len(res.consolidated)  # Contracts at least, in every department


def test_stacked_decoding_equals_each_snapshot_decoded_and_stacked() -> None:
    """codec.decode_stacked (one cast per column over every department's rows) gives what decoding each
    snapshot and pd.concat-ing them gives: categorical columns with different or equal categories, missing values
    of every dtype; different recorded dtypes are left to the per-snapshot path (None)."""
    table = DEPARTMENT.table("Expenses")
    base = {"_row": pd.array([2, 3], dtype="Int64"), "claim_no": pd.Series(["C1", None], dtype="str"),
            "date": pd.to_datetime(["2026-10-01", None]), "employee_id": pd.Series(["E1", "E2"], dtype="str"),
            "category": pd.Categorical(["travel", None]), "days": pd.array([1, None], dtype="Int64"),
            "amount": [12.5, float("nan")], "receipt": pd.array([True, None], dtype="boolean")}
    other = {**base, "category": pd.Categorical(["meals", "travel"]), "amount": [0.125, 3.0]}
    same = {**base, "category": pd.Categorical(["travel", "travel"])}

    def encoded(columns: dict) -> codec.EncodedTable:
        return codec.encode_table(pd.DataFrame(columns), table)

    for frames in ([base, other, base], [base, same], [base]):
        parts = [encoded(f) for f in frames]
        expected = pd.concat([codec.decode_table(e, table) for e in parts], ignore_index=True)
        pd.testing.assert_frame_equal(codec.decode_stacked(parts, table), expected, check_exact=True)
    assert str(codec.decode_stacked([encoded(base), encoded(other)], table)["category"].dtype) != "category"
    assert codec.decode_stacked([encoded(base), encoded({**base, "days": [1.0, 2.0]})], table) is None
    assert codec.decode_stacked([], table) is None


def test_consolidate_refuses_broken_standards_without_offering_force(sample_dir: Path, broken_standards: Path,
                                                                    tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["consolidate", *map(str, _clean(sample_dir)), "--period", "2026-10",
                                      "--standards", str(broken_standards), "--db", str(tmp_path / "s.db"),
                                      "-o", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 2 and str(broken_standards) in result.output
    assert "fix them first" in result.output and "--force" not in result.output
    assert not (tmp_path / "c.xlsx").exists()


def test_a_link_in_a_folder_is_left_out_and_said_by_every_computation(sample_dir: Path, tmp_path: Path) -> None:
    """Issue 22: a symbolic link to a workbook outside the folder (and a dangling one) is not followed by a
    computation from workbooks either: each is left out with a warning naming it, so the run exits 1, never
    silently counting or dropping it."""
    folder = tmp_path / "depts"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(sample_dir / "dept-east.xlsx", folder / "dept-east.xlsx")
    shutil.copy(sample_dir / "dept-south.xlsx", outside / "dept-south.xlsx")
    (folder / "dept-south.xlsx").symlink_to(outside / "dept-south.xlsx")
    (folder / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    result = compute(Source([folder], sample_dir / "standards.xlsx"), "royalties", "2026-10")
    links = {f.value: f for f in result.ledger.findings if f.code == "file-link-skipped"}
    assert set(links) == {str(folder / "dept-south.xlsx"), str(folder / "gone.xlsx")}
    assert "does not exist" in links[str(folder / "gone.xlsx")].message("en")
    assert "不存在" in links[str(folder / "gone.xlsx")].message("zh")
    assert "does not exist" not in links[str(folder / "dept-south.xlsx")].message("en")
    assert set(result.ledger.left_out) >= set(links) and result.exit_code == 1
    assert set(result.ledger.tables["Contracts"]["source"].astype(str)) == {str(folder / "dept-east.xlsx")}
    # ... and every computation's output says so, not only the exit code: the warning is listed with its figures
    # (a number left out of a total makes the total unreliable), in text and JSON, in both languages
    link = str(folder / "dept-south.xlsx")
    for name in ("royalties", "salary", "completion", "funds", "forecast"):
        for lang, words in (("en", "symbolic link"), ("zh", "符号链接")):
            text = CliRunner().invoke(cli, ["--lang", lang, name, str(folder), "--standards",
                                            str(sample_dir / "standards.xlsx"), "--period", "2026-10"])
            assert text.exit_code == 1, (name, lang, text.output)
            assert link in text.output and words in text.output, (name, lang, text.output[-600:])
        payload = CliRunner().invoke(cli, [name, str(folder), "--standards", str(sample_dir / "standards.xlsx"),
                                           "--period", "2026-10", "--format", "json"])
        listed = [f for f in json.loads(payload.stdout)["findings"] if f["code"] == "file-link-skipped"]
        assert sorted(f["value"] for f in listed) == sorted(links), name
