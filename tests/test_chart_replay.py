"""The unchanged parts of a kept chart figure replayed from their last draw (``toolkit.report.replay``): the SVG is
the one a fresh figure draws, ids aside, whatever changed in between."""

from __future__ import annotations

import math
import re

import pytest
from matplotlib.axis import Axis
from report_fixtures import same_ids

from toolkit.report import charts, replay
from toolkit.report.replay import fixed_parts

MONTHS = [f"{m:02d}" for m in range(1, 13)]



def _figure(replay: bool, hatch: str | None = None) -> tuple:
    """A person page's kind of chart: bars and a line with markers, month ticks, a title and a legend under it."""
    fig, ax = charts._fig(height=4.0, bottom=0.75)
    x = list(range(12))
    bars = ax.bar(x, [0.0] * 12, 0.4, label="bars", color=charts.COLORS[0], hatch=hatch)
    line = ax.plot(x, [math.nan] * 12, marker="o", label="line", color=charts.COLORS[2])[0]
    ax.set_xticks(x, MONTHS)
    charts._title(ax, "Title")
    ax.legend(fontsize=9, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.09), frameon=False)
    ax.set_xlim(-0.6, 11.6)
    if replay:
        fixed_parts(fig, ax)
    return fig, ax, bars, line


def _draw(kept: tuple, heights: list[float], points: list[float] | None) -> str:
    """The figure drawn with these bars and line (None: the line hidden)."""
    fig, ax, bars, line = kept
    line.set_visible(points is not None)
    points = [math.nan] * 12 if points is None else points
    for rect, h in zip(bars, heights):
        rect.set_height(h)
    line.set_ydata(points)
    ax.relim()
    ax.autoscale_view(scalex=False)
    return same_ids(charts._svg(fig, close=False))


PEOPLE = [([float(i) for i in range(12)], [i / 10 for i in range(12)]),
          ([5.0] * 12, [0.5] * 12),
          ([5.0] * 12, [0.5] * 12),
          ([3.0] * 6 + [0.0] * 6, [0.2] * 6 + [math.nan] * 6),
          ([1.0] * 12, [math.nan] * 12),
          ([1.0] * 12, None),  # no marker drawn before the legend's: it must define it itself
          ([2.0] * 12, [0.1] * 12)]


def _fresh(heights: list[float], points: list[float] | None, hatch: str | None = None) -> str:
    made = _figure(replay=False, hatch=hatch)
    try:
        return _draw(made, heights, points)
    finally:
        charts.plt.close(made[0])


def test_a_kept_figure_with_replayed_parts_draws_what_a_fresh_figure_draws(monkeypatch):
    """Person after person in one kept figure, its axis, spines, title and legend replayed: each SVG is a fresh
    figure's (ids aside), also where the legend's marker is no longer defined by the line before it; and the parts
    are replayed, not drawn (the months' axis lays its ticks out at the first draw only)."""
    kept = _figure(replay=True)
    drawn: list[str] = []
    ticks = Axis._update_ticks  # what drawing an axis does first: not done when it is replayed
    monkeypatch.setattr(Axis, "_update_ticks", lambda self: (drawn.append(self.axis_name), ticks(self))[1])
    try:
        for i, (heights, points) in enumerate(PEOPLE):
            drawn.clear()
            svg = _draw(kept, heights, points)
            assert ("x" in drawn) == (i == 0), i  # drawn once, then replayed (as calls, then as their text)
            assert svg == _fresh(heights, points), i
    finally:
        charts.plt.close(kept[0])


def test_a_replayed_part_that_changed_or_moved_is_drawn_again():
    """A title changed, other x limits, another figure size: the kept parts are drawn again, as a fresh figure."""
    kept = _figure(replay=True)
    try:
        heights, points = PEOPLE[0]
        for _ in range(3):  # kept, then replayed as calls, then as text
            _draw(kept, heights, points)
        fig, ax = kept[:2]
        ax.set_title("Another title", fontsize=11, y=1.0, x=ax.title.get_position()[0])
        changed = _draw(kept, heights, points)
        assert "Another title" in changed and ">Title<" not in changed
        ax.set_xticks(range(12), [m + "!" for m in MONTHS])
        assert "01!" in _draw(kept, heights, points)
        fresh = _figure(replay=False)
        try:
            fresh[1].set_title("Another title", fontsize=11, y=1.0, x=fresh[1].title.get_position()[0])
            fresh[1].set_xticks(range(12), [m + "!" for m in MONTHS])
            assert _draw(kept, heights, points) == _draw(fresh, heights, points)
        finally:
            charts.plt.close(fresh[0])
        fig.set_size_inches(7.0, 4.0)
        moved = _draw(kept, heights, points)
        assert 'viewBox="0 0 504 288"' in moved
    finally:
        charts.plt.close(kept[0])


@pytest.mark.parametrize("rounds", [1, 4])
def test_replayed_parts_leave_other_figures_alone(rounds):
    """A figure without replayed parts (the report's kind) draws the same before and after kept ones were replayed."""
    before = _fresh(*PEOPLE[3])
    kept = _figure(replay=True)
    try:
        for _ in range(rounds):
            _draw(kept, *PEOPLE[1])
        assert _fresh(*PEOPLE[3]) == before
    finally:
        charts.plt.close(kept[0])


def test_hatched_parts_are_drawn_not_replayed():
    """Hatch patterns have ids of their own that a replay does not fill in: a legend with hatched bars is drawn at
    every draw, and each SVG is a fresh figure's (the review's case: a replay wrote a second pattern's reference
    without its definition)."""
    kept = _figure(replay=True, hatch="//")
    try:
        for heights, points in PEOPLE[:4]:
            assert _draw(kept, heights, points) == _fresh(heights, points, hatch="//")
    finally:
        charts.plt.close(kept[0])


def test_a_matplotlib_whose_private_names_changed_replays_nothing(monkeypatch):
    """Replay reads matplotlib's SVG writer's private state; where a release renamed it (simulated: the writer's
    place not readable), ``supported`` says so once and no part is replayed: every draw lays its parts out, and
    the SVGs are a fresh figure's."""
    def renamed(writer):
        raise AttributeError("_XMLWriter__open")

    monkeypatch.setattr(replay, "_writing", renamed)
    replay.supported.cache_clear()
    try:
        assert replay.supported() is False
        kept = _figure(replay=True)
        drawn: list[str] = []
        ticks = Axis._update_ticks
        monkeypatch.setattr(Axis, "_update_ticks", lambda self: (drawn.append(self.axis_name), ticks(self))[1])
        try:
            for heights, points in PEOPLE[:3]:
                drawn.clear()
                assert _draw(kept, heights, points) == _fresh(heights, points)
                assert "x" in drawn  # laid out again: not replayed
        finally:
            charts.plt.close(kept[0])
    finally:
        monkeypatch.undo()
        replay.supported.cache_clear()
    assert replay.supported() is True  # this matplotlib (the probe itself, unpatched)
