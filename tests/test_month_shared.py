"""The month's shared results (issue 21 item 8): completion, funds, forecast and appraisal are computed once per
ledger, and the outputs and the report that share them show what each would compute on its own."""

from __future__ import annotations

from collections import Counter

from toolkit.core import appraisal as A
from toolkit.core import completion as C
from toolkit.core import forecast as FC
from toolkit.core import funds as F
from toolkit.core.month import shared_results
from toolkit.outputs import build
from toolkit.outputs.jsonfmt import dumps
from toolkit.report import build_context
from report_fixtures import PERIOD, ledger

SHARED = ("completion", "funds", "forecast", "salary")


def test_the_outputs_and_the_report_compute_the_months_results_once(monkeypatch):
    """As the month close runs them: the shared results first, then every output and the report on the same
    ledger; each computation of ``PERIOD`` runs once."""
    led = ledger()
    calls: Counter = Counter()
    for mod, name in ((C, "compute_completion"), (F, "compute_funds"), (FC, "compute_forecast"),
                      (A, "appraisal")):
        real = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _real=real, _name=name, **k:
                            calls.update([(_name, str(a[4] if _name == "appraisal" else a[1]))]) or _real(*a, **k))
    shared_results(led, PERIOD)
    assert calls == {("compute_completion", PERIOD): 1, ("compute_funds", PERIOD): 1,
                     ("compute_forecast", PERIOD): 1, ("appraisal", PERIOD): 1}
    for name in SHARED:
        build(name, led, PERIOD)
    build_context(led, PERIOD)
    assert {k: v for k, v in calls.items() if k[1] == PERIOD} == {
        ("compute_completion", PERIOD): 1, ("compute_funds", PERIOD): 1, ("compute_forecast", PERIOD): 1,
        ("appraisal", PERIOD): 1}


def test_shared_results_are_what_each_output_computes_on_its_own():
    """Each output built on a ledger whose results were shared (and already used by the report) has the same
    payload as on a fresh ledger."""
    shared = ledger()
    shared_results(shared, PERIOD)
    build_context(shared, PERIOD)
    for name in SHARED:
        assert dumps(build(name, shared, PERIOD).payload) == dumps(build(name, ledger(), PERIOD).payload), name
