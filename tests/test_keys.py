"""Issue 22: one key normaliser (``toolkit.core.keys``) shared by validation and every join of the computations.

For every key the computations join on (employee, contract, plan, product line, department, city) a key written
the way people write it (other case, full-width, spaces, a zero-width space, ``1002.0``) is either accepted by
validation and then found by the join, or is an error at its cell — never a row validation accepted and the
computation silently dropped."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core.completion import compute_completion
from toolkit.core.departments import department_key, departments_of
from toolkit.core import keys
from toolkit.core.keys import DOMAINS, canonical, canonical_tables, key_form, master_map
from toolkit.core.ledger import Ledger, roster_departments
from toolkit.core.royalties import compute_royalties
from toolkit.core.validation import validate
from toolkit.io.reader import read_workbook

SAMPLE = Path(__file__).resolve().parent.parent / "workbooks" / "sample"
PERIOD = "2026-10"


@pytest.fixture(scope="module")
def books():
    return read_workbook(SAMPLE / "dept-east.xlsx"), read_workbook(SAMPLE / "standards.xlsx")


def _respell(value: object, i: int) -> object:
    """A key as people retype it: the i-th of five habits."""
    if value is None or pd.isna(value):
        return value
    text = str(value)
    return [text.lower(), text.upper() + " ", "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text),
            f"{text[:2]}\u200b{text[2:]}", f" {text.swapcase()}"][i % 5]


def _respelled(series: pd.Series) -> pd.Series:
    return pd.Series([_respell(v, i) for i, v in enumerate(series.tolist())], index=series.index, dtype="str")


def _ledger(dept, std) -> Ledger:
    dept = copy.deepcopy(dept)
    dept.info["department"] = department_key(dept.info["department"], roster_departments(std)).key
    return Ledger.from_workbooks([dept], std)


def _figures(ledger: Ledger) -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = compute_royalties(ledger, PERIOD).lines
    return (lines[["employee_id", "department", "ytd_base", "ytd_royalty", "payment"]].reset_index(drop=True),
            compute_completion(ledger, PERIOD).reset_index(drop=True))


def test_key_form_folds_case_width_spaces_invisible_characters_and_dot_zero() -> None:
    assert {key_form(v) for v in ("E1002", "e1002", "Ｅ１００２", "E 1002", "E1002\u200b", "\ufeffE1002")} == {"e1002"}
    assert key_form("1002.0") == key_form(1002.0) == key_form(1002) == key_form("1002") == "1002"
    assert key_form("1002.5") == "1002.5" and key_form(None) is None and key_form(float("nan")) is None
    assert key_form("hx-cloud") == key_form("HX-Cloud") != key_form("HX-Grid")


@pytest.mark.parametrize("domain", [d for d in DOMAINS if d.refs], ids=lambda d: d.name)
def test_every_join_finds_every_key_validation_accepts(books, domain) -> None:
    """Respell every referring key of a domain: validation accepts them (with an info, no unknown-* error) and the
    ledger's tables hold the master's spelling, so every merge/map/isin of the computations finds them."""
    dept, std = copy.deepcopy(books[0]), copy.deepcopy(books[1])
    clean = _figures(_ledger(books[0], books[1]))
    for book, table, col in domain.refs:
        frame = (dept if book == "department" else std).tables[table]
        if col in frame.columns and frame[col].notna().any():
            frame[col] = _respelled(frame[col])
    found = validate(dept, std, PERIOD) + validate(std, None, PERIOD)
    unknown = [f for f in found if f.code.startswith("unknown-")]
    assert unknown == [], [f.message() for f in unknown[:3]]
    assert "key-normalized" in {f.code for f in found}
    ledger = _ledger(dept, std)
    book, table, col = domain.master
    masters = set((ledger.tables if book == "department" else ledger.standards.tables)[table][col].dropna())
    for book, table, col in domain.refs:
        frame = (ledger.tables if book == "department" else ledger.standards.tables)[table]
        if col in frame.columns:
            assert set(frame[col].dropna()) <= masters, (table, col)
    got = _figures(ledger)
    pd.testing.assert_frame_equal(got[0], clean[0])
    pd.testing.assert_frame_equal(got[1], clean[1])


def test_numeric_ids_written_1002_and_1002_0_are_one_employee(books) -> None:
    """Roster IDs kept as numbers (1002) and department IDs pasted as text 1002.0: the same people, same pay."""
    dept, std = copy.deepcopy(books[0]), copy.deepcopy(books[1])
    clean = _figures(_ledger(books[0], books[1]))
    roster = std.tables["Roster"]
    roster["employee_id"] = roster["employee_id"].str.removeprefix("E").astype("str")
    changes = std.tables["RosterChanges"]  # the sample's transfer and promotion name the same people
    changes["employee_id"] = changes["employee_id"].str.removeprefix("E").astype("str")
    for frame in dept.tables.values():
        for col in ("employee_id", "split_employee_id", "reviewer"):  # the sample's reviewers are named by ID
            if col in frame.columns:
                frame[col] = frame[col].map(lambda v: None if pd.isna(v) else f"{v[1:]}.0", na_action="ignore")
                frame[col] = frame[col].astype("str")
    found = validate(dept, std, PERIOD)
    assert not [f for f in found if f.severity == "error"]
    got = _figures(_ledger(dept, std))
    assert got[0]["ytd_royalty"].sum() == pytest.approx(clean[0]["ytd_royalty"].sum()) and got[0]["ytd_royalty"].sum() > 0
    assert list(got[0]["employee_id"]) == [e[1:] for e in clean[0]["employee_id"]]


def test_a_key_that_matches_nothing_is_an_error_at_its_cell(books) -> None:
    dept, std = copy.deepcopy(books[0]), copy.deepcopy(books[1])
    dept.tables["Contracts"].loc[0, "product_line"] = "HX Clouds"
    std.tables["Roster"].loc[1, "royalty_plan"] = "Key Account Retro"
    found = validate(dept, std, PERIOD) + validate(std, None, PERIOD)
    bad = {(f.code, f.severity, f.sheet, f.cell) for f in found if f.code in ("unknown-product-line", "unknown-plan")}
    pl = dept.layout["Contracts"].columns["product_line"][0]
    plan = std.layout["Roster"].columns["royalty_plan"][0]
    assert bad == {("unknown-product-line", "error", dept.layout["Contracts"].sheet, f"{pl}2"),
                   ("unknown-plan", "error", std.layout["Roster"].sheet, f"{plan}3")}


def test_a_plan_typed_in_lower_case_pays_as_the_plan(books) -> None:
    dept, std = copy.deepcopy(books[0]), copy.deepcopy(books[1])
    std.tables["Roster"]["royalty_plan"] = std.tables["Roster"]["royalty_plan"].str.lower()
    found = validate(std, None, PERIOD)
    assert not [f for f in found if f.severity == "error"]
    normalized = [f for f in found if f.code == "key-normalized"]
    assert normalized and "Royalty Plans" in normalized[0].message() and normalized[0].message("zh")
    assert _figures(_ledger(dept, std))[0].equals(_figures(_ledger(*books))[0])


def test_department_in_the_other_language_is_the_roster_department_or_an_error(books) -> None:
    dept, std = copy.deepcopy(books[0]), copy.deepcopy(books[1])
    dept.info["department"] = "华东"  # the Roster says East China
    found = [f for f in validate(dept, std, PERIOD) if "department" in f.code]
    assert [(f.code, f.severity) for f in found] == [("unknown-department", "error")]
    assert "East China" in found[0].message() and "East China" in found[0].message("zh")  # closest by meaning
    roster = std.tables["Roster"]
    roster["department_other"] = roster["department"].map({"East China": "华东"}).astype("str")
    assert department_key("华东区", departments_of(roster)).key == "East China"
    found = [f for f in validate(dept, std, PERIOD) if "department" in f.code]
    assert [(f.code, f.severity) for f in found] == [("department-other-name", "info")]
    pd.testing.assert_frame_equal(_figures(_ledger(dept, std))[0], _figures(_ledger(*books))[0])


def test_canonical_tables_copies_only_what_changes(books) -> None:
    dept, std = books
    tables, standards = canonical_tables(dept.tables, std.tables)
    assert all(tables[k] is dept.tables[k] for k in dept.tables)
    assert all(standards[k] is std.tables[k] for k in std.tables)
    assert unicodedata.normalize("NFKC", "Ｅ") == "E"


def test_rules_that_look_keys_up_see_them_as_the_joins_do(books) -> None:
    """A claim by ``e1002`` (the Roster's E1002) over the policy limit is over the limit for E1002's grade: the
    expense rule looks the grade up with the same normaliser as the computations, never skipping the check."""
    dept, std = copy.deepcopy(books[0]), copy.deepcopy(books[1])
    claims = dept.tables["Expenses"]
    claims.loc[0, "amount"] = 999_999.0
    clean = {(f.code, f.cell) for f in validate(dept, std, PERIOD) if f.code == "over-policy-limit"}
    claims["employee_id"] = claims["employee_id"].str.lower()
    found = validate(dept, std, PERIOD)
    assert {(f.code, f.cell) for f in found if f.code == "over-policy-limit"} == clean and clean
    assert "key-normalized" in {f.code for f in found} and not [f for f in found if f.code == "unknown-employee"]


def test_canonical_takes_the_reference_path_whenever_a_key_changes(books) -> None:
    """``canonical``'s shortcut (the column's distinct values as a set: nothing to respell) gives what its
    reference ``_respelled`` gives on every key column of the sample, as written, respelled by people's habits,
    with blanks, and with IDs as numbers (an object column): the very column when nothing changes, else equal."""
    dept, std = books
    books_ = {"department": dept.tables, "standards": std.tables}
    checked = changed = 0
    for domain in DOMAINS:
        masters = master_map(books_[domain.master[0]][domain.master[1]][domain.master[2]].tolist())
        for book, table, col in (domain.master, *domain.refs):
            frame = books_[book].get(table)
            if frame is None or col not in frame.columns or not len(frame):
                continue
            s = frame[col]
            blanks = s.where(pd.Series(range(len(s)), index=s.index) % 3 != 0)
            as_numbers = pd.Series([1002.0 if i % 4 == 0 else v for i, v in enumerate(s.tolist())], index=s.index,
                                   dtype=object)
            for series in (s, _respelled(s), blanks, _respelled(blanks), as_numbers):
                got, want = canonical(series, masters), keys._respelled(series, masters)
                assert (got is series) == (want is series), (table, col)
                pd.testing.assert_series_equal(got, want, check_exact=True)
                checked += 1
                changed += want is not series
    # IDs kept as numbers (a Roster of digits, a column read as objects): a float is respelled as its master
    digits = master_map(["1002", "1003", "1004"])
    for series in (pd.Series([1002.0, None, "1004", 1003.0], dtype=object), pd.Series([None, 7.0], dtype=object)):
        got, want = canonical(series, digits), keys._respelled(series, digits)
        assert (got is series) == (want is series)
        pd.testing.assert_series_equal(got, want, check_exact=True)
    assert canonical(pd.Series([1002.0], dtype=object), digits).tolist() == ["1002"]
    assert checked > 40 and changed > 20, (checked, changed)
