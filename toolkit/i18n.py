"""User-facing text in English and Chinese (zh-CN): one catalog, looked up by key.

Messages live in ``MESSAGES`` as ``key -> (english, chinese)`` templates formatted with
``str.format``; modules add their own keys with ``register``. Code and comments stay English.
"""

from __future__ import annotations

import locale
import os

LANGS = ("en", "zh")

MESSAGES: dict[str, tuple[str, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """Add message templates; a key registered twice with different text is a programming error."""
    for key, pair in messages.items():
        if key in MESSAGES and MESSAGES[key] != pair:
            raise ValueError(f"message key {key!r} registered twice")
        MESSAGES[key] = pair


def t(key: str, lang: str = "en", **params: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``params``."""
    en, zh = MESSAGES[key]
    template = zh if lang == "zh" else en
    return template.format(**params)


def default_lang() -> str:
    """The user's language from TOOLKIT_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG); else English."""
    for var in ("TOOLKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh" if loc.lower().startswith("zh") else "en"


def normalize_lang(lang: str | None) -> str:
    """'zh', 'zh-CN', 'zh_CN.UTF-8' -> 'zh'; anything else -> 'en'; None -> the default."""
    if not lang:
        return default_lang()
    return "zh" if lang.lower().startswith("zh") else "en"
