"""A re-closed month: which version the report is, what it supersedes and what changed (issue 24)."""

from __future__ import annotations

from typing import Any

from ...i18n import register, t
from ...money import fmt_money

register({
    "report.version.head": ("Version {version} of {period}, supersedes version {previous} of {closed_at}.",
                            "{period} 第 {version} 版，取代 {closed_at} 结账的第 {previous} 版。"),
    "report.version.changed": ("What changed: {items}.", "变化：{items}。"),
    "report.version.unchanged": ("No payment changed.", "各项支付均无变化。"),
    "report.version.total": ("{kind} {before} → {after} yuan ({change})", "{kind} {before} → {after} 元（{change}）"),
    "report.version.kind.royalty": ("royalties", "提成"),
    "report.version.kind.floating": ("floating pay", "浮动工资"),
    "report.version.people": ("{n} employee(s)' payments changed", "{n} 名员工的支付有变化"),
    "report.version.added": ("now consolidated: {departments}", "本版新纳入：{departments}"),
    "report.version.left_out": ("now left out: {departments}", "本版未汇总：{departments}"),
})


def version_sentence(facts: dict[str, Any] | None, period: str, lang: str) -> str | None:
    """"Version N of PERIOD, supersedes version N-1 of DATE. What changed: …" for a re-close's
    ``operations.closes.version_facts``; None for a month closed once."""
    if not facts:
        return None
    closed_at = str(facts["previous_closed_at"] or "")[:16].replace("T", " ")
    head = t("report.version.head", lang, version=facts["version"], period=period,
             previous=facts["previous_version"], closed_at=closed_at)
    sep = "; " if lang == "en" else "；"
    items = [t("report.version.total", lang, kind=t(f"report.version.kind.{r['kind']}", lang),
               before=fmt_money(r["before"], grouped=True), after=fmt_money(r["after"], grouped=True),
               change=fmt_money(r["change"], grouped=True, sign=True))
             for r in facts["totals"] if r["change"]]
    if facts["people_changed"]:
        items.append(t("report.version.people", lang, n=facts["people_changed"]))
    for key in ("added", "left_out"):
        if facts[f"departments_{key}"]:
            items.append(t(f"report.version.{key}", lang, departments=", ".join(facts[f"departments_{key}"])))
    tail = t("report.version.changed", lang, items=sep.join(items)) if items else t("report.version.unchanged", lang)
    return f"{head} {tail}" if lang == "en" else head + tail
