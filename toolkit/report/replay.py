"""The parts of a kept figure that are the same at every draw (the months' axis, the spines, the title, the legend)
laid out once and replayed: their calls to the renderer (groups, paths, markers, words), kept from the draw that
made them, are made again on the next draw's renderer, which writes the SVG as a fresh draw would (its group
numbers, marker definitions and clip paths are the renderer's own); only matplotlib's layout of them is saved
(ticks located and formatted, legend boxes packed, transforms: half of a person page's charts, issue 24).

A part is drawn again, and its calls kept anew, whenever it changed (matplotlib marks it ``stale``) or its
``state`` did (the figure's and axes' places, the view limits it is drawn in), and always when it draws something
other than groups, paths, markers and words (an image, a clip path: kept as it is)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from typing import Any

from matplotlib.backend_bases import GraphicsContextBase

#: The renderer's drawing calls a replay can make again; any other (an image, a collection, rasterizing) makes the
#: part one that is always drawn.
_DRAWS = ("draw_path", "draw_markers", "draw_text")


class _Recorder:
    """The draw's renderer as a part draws on it: every call passed on, the drawing ones also kept (``calls``) with
    copies of what they were given (graphics context, paths, transforms, font), as they were at the call."""

    def __init__(self, renderer: Any) -> None:
        self._renderer = renderer
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.replayable = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("draw", "start_", "stop_")):  # a drawing call not kept: this part cannot be replayed
            self.replayable = False
        return getattr(self._renderer, name)

    def open_group(self, s: str, gid: str | None = None) -> None:
        self.calls.append(("open_group", (s, gid)))
        self._renderer.open_group(s, gid)

    def close_group(self, s: str) -> None:
        self.calls.append(("close_group", (s,)))
        self._renderer.close_group(s)

    def draw_path(self, gc: Any, path: Any, transform: Any, rgbFace: Any = None) -> None:
        self.calls.append(("draw_path", (self._gc(gc), copy.deepcopy(path), transform.frozen(), copy.copy(rgbFace))))
        self._renderer.draw_path(gc, path, transform, rgbFace)

    def draw_markers(self, gc: Any, marker_path: Any, marker_trans: Any, path: Any, trans: Any,
                     rgbFace: Any = None) -> None:
        self.calls.append(("draw_markers", (self._gc(gc), copy.deepcopy(marker_path), marker_trans.frozen(),
                                            copy.deepcopy(path), trans.frozen(), copy.copy(rgbFace))))
        self._renderer.draw_markers(gc, marker_path, marker_trans, path, trans, rgbFace)

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False,
                  mtext: Any = None) -> None:
        # mtext: the Text itself (the SVG writer anchors the words at its position): unchanged while the part is
        # neither stale nor moved (its state), which is when the call is replayed
        self.calls.append(("draw_text", (self._gc(gc), x, y, s, prop.copy(), angle, ismath, mtext)))
        self._renderer.draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    def _gc(self, gc: Any) -> GraphicsContextBase:
        """A copy of the graphics context as it is now (its clip box frozen); a clip path is not copied: the part
        is then drawn every time."""
        kept = GraphicsContextBase()
        kept.copy_properties(gc)
        if kept._cliprect is not None:
            kept._cliprect = kept._cliprect.frozen()
        if kept._clippath is not None:
            self.replayable = False
        return kept


def _replay(renderer: Any, calls: list[tuple[str, tuple[Any, ...]]]) -> None:
    """The kept calls made on ``renderer``, each drawing one with a graphics context of its own."""
    for name, args in calls:
        if name in _DRAWS:
            gc = renderer.new_gc()
            gc.copy_properties(args[0])
            getattr(renderer, name)(gc, *args[1:])
            gc.restore()
        else:
            getattr(renderer, name)(*args)


def replayed(artist: Any, state: Callable[[], Hashable]) -> None:
    """``artist`` (a part of a kept figure) drawn by replaying its last draw's renderer calls while it is not stale
    and ``state()`` (what its place depends on beyond itself) is what it was then; drawn, and its calls kept, else."""
    draw = artist.draw
    last: list[Any] = [None, None]  # the state it was drawn in, its calls (None: not replayable)

    def replaying(renderer: Any) -> None:
        now = state()
        if last[1] is not None and not artist.stale and last[0] == now:
            _replay(renderer, last[1])
            return
        recorder = _Recorder(renderer)
        draw(recorder)
        last[:] = [now, recorder.calls if recorder.replayable else None]

    artist.draw = replaying


def fixed_parts(fig: Any, ax: Any) -> None:
    """The parts of ``ax`` that a kept figure's updates leave as they are, replayed (``replayed``): the figure's and
    the axes' backgrounds, the x axis (the categories: its limits are part of its state), the spines (the left one
    spans the y limits), the title and the legend."""
    def place() -> tuple[Any, ...]:
        return fig.dpi, fig.bbox.bounds, ax.bbox.bounds

    def along_x() -> tuple[Any, ...]:
        return (*place(), *ax.viewLim.intervalx)

    def in_view() -> tuple[Any, ...]:
        return (*place(), *ax.viewLim.bounds)

    for part, state in ((fig.patch, place), (ax.patch, place), (ax.xaxis, along_x), (ax.title, place)):
        replayed(part, state)
    for side, spine in ax.spines.items():
        replayed(spine, along_x if side in ("top", "bottom") else in_view)
    legend = ax.get_legend()
    if legend is not None:
        replayed(legend, place)
