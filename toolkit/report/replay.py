"""The parts of a kept figure that are the same at every draw (the months' axis, the spines, the title, the legend;
the y axis while its limits stay) laid out once and replayed: their calls to the renderer (groups, paths, markers,
words), kept from the draw that made them, are made again on the next draw's renderer, which writes the SVG as a
fresh draw would (its group numbers, marker definitions and clip paths are the renderer's own); after that, the
text those calls wrote is written again with the renderer's numbers and ids in its gaps (``_Text``). What is saved
is matplotlib's layout of them and the SVG writer's formatting (ticks located and formatted, legend boxes packed,
transforms, styles: half of a person page's charts, issue 24).

A part is drawn again, and its calls kept anew, whenever it changed (matplotlib marks it ``stale``) or its
``state`` did (the figure's and axes' places, the view limits it is drawn in), and always when it draws something
other than groups, paths, markers and words (an image, a clip path: kept as it is)."""

from __future__ import annotations

import copy
import functools
import io
import re
from collections.abc import Callable, Hashable
from typing import Any

import matplotlib as mpl
from matplotlib.backend_bases import GraphicsContextBase
from matplotlib.backends.backend_svg import RendererSVG

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
        if kept._clippath is not None or kept.get_hatch() is not None:  # hatch patterns: ids this module does not fill
            self.replayable = False
        return kept


def _call(renderer: Any, name: str, args: tuple[Any, ...]) -> None:
    """One kept call made on ``renderer`` (a drawing one with a graphics context of its own)."""
    if name in _DRAWS:
        gc = renderer.new_gc()
        gc.copy_properties(args[0])
        getattr(renderer, name)(gc, *args[1:])
        gc.restore()
    else:
        getattr(renderer, name)(*args)


def _writer(renderer: Any) -> tuple[Any, Any] | None:
    """The SVG renderer's XML writer and the function it writes with (None: not matplotlib's SVG writer as this
    module knows it; the calls are then made, never their text reused)."""
    try:
        writer = renderer.writer
        return writer, writer._XMLWriter__write
    except AttributeError:
        return None


def _writing(writer: Any) -> tuple[int, int]:
    """Where the writer is: a start tag left open (its ``>`` not yet written), and how deep."""
    return writer._XMLWriter__open, len(writer._XMLWriter__tags)


class _Text:
    """A part's SVG as its kept calls wrote it on a renderer, to be written again on the next renderer instead of
    making them: the text, with the places of what the renderer numbers or names at each draw — its groups' numbers
    (``id="text_12"``), its marker definitions' and clip paths' ids (random) — left as gaps. Written again only
    where the renderer is as it was: the writer at the same place, each marker and clip path either new to this draw
    or already defined, as it was then; else (``write`` returns False) the calls are made."""

    def __init__(self, start: tuple[int, int], end: int, pieces: list[Any]) -> None:
        self.start, self.end, self.pieces = start, end, pieces

    @staticmethod
    def made(renderer: Any, calls: list[tuple[str, tuple[Any, ...]]]) -> _Text | None:
        """The calls made on ``renderer`` and their text kept (None where the writer is not known or the part does
        not end where it started)."""
        found = _writer(renderer)
        if found is None or found[0]._XMLWriter__data:
            for name, args in calls:
                _call(renderer, name, args)
            return None
        writer, write = found
        start = _writing(writer)
        markers, clips, groups = renderer._markers, renderer._clipd, renderer._groupd
        out: list[str] = []
        pieces: list[Any] = []
        known = True  # every group's number found where this module expects it
        writer._XMLWriter__write = out.append
        try:
            for name, args in calls:
                before = len(out), set(markers), set(clips)
                _call(renderer, name, args)
                chunk = "".join(out[before[0]:])
                if name == "open_group" and not args[1]:
                    head, found_id, tail = chunk.partition(f'id="{args[0]}_{groups[args[0]]}"')
                    known = known and bool(found_id)
                    pieces += [head, ("g", args[0]), tail]
                elif name in _DRAWS:
                    pieces += _gaps(chunk, markers, clips, before[1], before[2])
                else:
                    pieces.append(chunk)
        finally:
            writer._XMLWriter__write = write
        write("".join(out))
        if not known or _writing(writer)[1] != start[1] or writer._XMLWriter__data:
            return None
        return _Text(start, writer._XMLWriter__open, pieces)

    def write(self, renderer: Any) -> bool:
        """The kept text written on ``renderer`` with its groups numbered and its ids as the renderer has them (new
        ones made and registered), or False (nothing written) where the renderer is not as it was."""
        found = _writer(renderer)
        if found is None or _writing(found[0]) != self.start or found[0]._XMLWriter__data:
            return False
        markers, clips, groups = renderer._markers, renderer._clipd, renderer._groupd
        new: set[Any] = set()
        for piece in self.pieces:  # the ids checked first: nothing is written or registered unless all hold
            if isinstance(piece, tuple) and piece[0] != "g":
                kind, key, fresh = piece[:3]
                known = key in (markers if kind == "m" else clips) or (kind, key) in new
                if known == fresh:
                    return False
                new.add((kind, key))
        text = []
        for piece in self.pieces:
            if isinstance(piece, str):
                text.append(piece)
            elif piece[0] == "g":
                groups[piece[1]] = groups.get(piece[1], 0) + 1
                text.append(f'id="{piece[1]}_{groups[piece[1]]}"')
            elif piece[0] == "m":
                if piece[1] not in markers:
                    markers[piece[1]] = renderer._make_id("m", piece[1])
                text.append(markers[piece[1]])
            else:
                if piece[1] not in clips:
                    clips[piece[1]] = (piece[3], renderer._make_id("p", piece[1]))
                text.append(clips[piece[1]][1])
        found[1]("".join(text))
        found[0]._XMLWriter__open = self.end
        return True


def _gaps(chunk: str, markers: dict[Any, str], clips: dict[Any, Any], had_markers: set[Any],
          had_clips: set[Any]) -> list[Any]:
    """A drawing call's text split at the marker and clip path ids in it: ("m" or "p", the renderer's key, whether
    the call made it, the clip's value)."""
    ids = {oid: ("m", key, key not in had_markers, None) for key, oid in markers.items() if oid in chunk}
    ids.update({oid: ("p", key, key not in had_clips, value) for key, (value, oid) in clips.items() if oid in chunk})
    if not ids:
        return [chunk]
    pieces: list[Any] = []
    for part in re.split("(" + "|".join(map(re.escape, ids)) + ")", chunk):
        pieces.append(ids.get(part, part))
        if part in ids:  # made at its first place (a marker's definition), referred to after
            ids[part] = (*ids[part][:2], False, ids[part][3])
    return pieces


@functools.lru_cache(maxsize=1)
def supported() -> bool:
    """Whether this matplotlib is as this module knows it: the SVG renderer's and its XML writer's private names, the
    graphics context's clip attributes and a group's id written as ``<name>_<number>``. Checked once per process on a
    throwaway renderer; where anything differs (a matplotlib release that renamed them), no part is replayed and
    every chart is drawn as matplotlib draws it."""
    try:
        renderer = RendererSVG(10, 10, io.StringIO())
        renderer._markers, renderer._clipd, renderer._make_id  # noqa: B018 - probed, not used
        gc = GraphicsContextBase()
        gc._cliprect, gc._clippath  # noqa: B018 - probed, not used
        writer, write = _writer(renderer) or (None, None)
        if writer is None:
            return False
        _writing(writer)
        writer._XMLWriter__data  # noqa: B018 - probed, not used
        out: list[str] = []
        writer._XMLWriter__write = out.append
        try:
            renderer.open_group("probe")
            renderer.close_group("probe")
        finally:
            writer._XMLWriter__write = write
        return renderer._groupd.get("probe") == 1 and 'id="probe_1"' in "".join(out)
    except (AttributeError, TypeError, ValueError, KeyError):
        return False


def replayed(artist: Any, state: Callable[[], Hashable]) -> None:
    """``artist`` (a part of a kept figure) drawn by replaying its last draw's renderer calls (their text, once
    written: ``_Text``) while it is not stale and ``state()`` (what its place depends on beyond itself) is what it
    was then; drawn, and its calls kept, else."""
    draw = artist.draw
    last: list[Any] = [None, None, None]  # the state it was drawn in, its calls (None: not replayable), their text

    def replaying(renderer: Any) -> None:
        now = (state(), mpl.rcParams["svg.fonttype"])
        if last[1] is not None and not artist.stale and last[0] == now:
            if last[2] is None or not last[2].write(renderer):
                last[2] = _Text.made(renderer, last[1])
            return
        recorder = _Recorder(renderer)
        draw(recorder)
        last[:] = [now, recorder.calls if recorder.replayable else None, None]

    artist.draw = replaying


def fixed_parts(fig: Any, ax: Any) -> None:
    """The parts of ``ax`` that a kept figure's updates leave as they are, replayed (``replayed``): the figure's and
    the axes' backgrounds, the x axis (the categories: its limits are part of its state), the y axis while its
    limits stay (a new person's limits make it stale: drawn), the spines (the left one spans the y limits), the title
    and the legend. Nothing where matplotlib is not as this module knows it (``supported``).

    The contract with the caller: after this, those parts are changed only through matplotlib's own setters on the
    part itself (which mark it stale) or through the figure's and axes' places and limits (their state). A change
    made beside them — a legend entry's text set directly, tick labels recoloured, a title's font edited in place,
    an rcParam such as ``axes.unicode_minus`` changed between draws — is not seen, and the part would be replayed as
    it was. The person pages' figures (``report.performance``) set all of these once, when the figure is made."""
    if not supported():
        return
    def place() -> tuple[Any, ...]:
        return fig.dpi, fig.bbox.bounds, ax.bbox.bounds

    def along_x() -> tuple[Any, ...]:
        return (*place(), *ax.viewLim.intervalx)

    def in_view() -> tuple[Any, ...]:
        return (*place(), *ax.viewLim.bounds)

    for part, state in ((fig.patch, place), (ax.patch, place), (ax.xaxis, along_x), (ax.yaxis, in_view),
                        (ax.title, place)):
        replayed(part, state)
    for side, spine in ax.spines.items():
        replayed(spine, along_x if side in ("top", "bottom") else in_view)
    legend = ax.get_legend()
    if legend is not None:
        replayed(legend, place)
