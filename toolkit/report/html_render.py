"""Renders the HTML report: Jinja2 with autoescaping, one self-contained page (inline CSS and SVG)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..errors import ToolkitError
from ..i18n import register
from . import filters as FL
from .charts import all_charts, lines_chart, pareto_chart
from ..outputs.labels import LABELS
from .sections.words import COLUMNS, column_label, text

#: The package's page templates (statements, performance files), whose fonts the report's template includes.
PAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"

register({"report.html.template": ("HTML report template {file}: {detail}", "HTML 报告模板 {file}：{detail}")})


def records(frame: Any) -> list[dict[str, Any]]:
    """A table as a list of row dicts (blanks stay None/NaN; the filters print them as empty)."""
    return frame.astype(object).to_dict("records")


def html_context(context: dict[str, Any], charts: dict[str, str] | None = None) -> dict[str, Any]:
    """The context plus what the HTML template needs: row records, labels by key and the SVG charts."""
    lang = context.get("lang", "en")
    return {**context,
            "records": {name: records(frame) for name, frame in context["tables"].items()},
            "labels_by_key": {k: column_label(k, lang) for k, (en, _) in LABELS.items() if "{" not in en},
            "charts": charts if charts is not None else all_charts(context)}


#: The HTML report's charts drawn from the market section alone (``market_charts``), by chart name.
MARKET_CHARTS = {"pareto": (pareto_chart, "market_customers", "chart_pareto"),
                 "product_lines": (lines_chart, "market_lines", "chart_lines")}


def market_charts(section: tuple[dict[str, Any], dict[str, Any]], lang: str) -> dict[str, str]:
    """The HTML report's market charts (the customers' Pareto, the product lines) drawn from the market section
    (``sections.market.market_section``) alone — what ``all_charts`` draws from a context built with it: its
    tables, their columns and labels, the charts' titles —, so the month close's HTML process draws them before
    the context exists."""
    tables = section[0]
    names = [name for _, name, _ in MARKET_CHARTS.values()]
    partial = {"tables": tables, "columns": {n: list(COLUMNS[n]) for n in names},
               "labels": {n: [column_label(k, lang) for k, _ in COLUMNS[n]] for n in names},
               "text": {key: text(key, lang) for _, _, key in MARKET_CHARTS.values()}}
    return {chart: draw(partial) for chart, (draw, _, _) in MARKET_CHARTS.items()}


@lru_cache(maxsize=8)
def _environment(folder: str, lang: str, unit: str) -> jinja2.Environment:
    """The Jinja2 environment of the templates in ``folder`` for ``lang`` and the money ``unit``, one per process: it
    keeps each template compiled, and compiles it again when its file changes (``auto_reload``: a director's edited
    template is honoured at the next render)."""
    # the template's own folder first (a director's edited copy and what it includes), then the package's page
    # templates, so any report template can include the person pages' fonts ("person_fonts.css.j2")
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), jinja2.FileSystemLoader(str(PAGE_TEMPLATES))])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                             autoescape=True, trim_blocks=False, auto_reload=True)
    env.filters.update(FL.jinja_filters(lang, unit))
    return env


def render_html(context: dict[str, Any], template: str | Path, market: dict[str, str] | None = None) -> str:
    """The report page as text, from the Jinja2 template file ``template`` (autoescaped); ``market``: the
    context's market charts, drawn already (``market_charts``)."""
    path = Path(template)
    env = _environment(str(path.parent), context.get("lang", "en"), context.get("unit", {}).get("key", "yuan"))
    try:
        return env.get_template(path.name).render(**html_context(context, all_charts(context, market)))
    except (jinja2.TemplateError, OSError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno else ""
        raise ToolkitError("report.html.template", file=str(path), detail=where + str(exc)) from exc
