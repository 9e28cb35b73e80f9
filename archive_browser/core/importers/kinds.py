"""Guessing the kind of a release (news, speech, interview, statement, transcript)."""

from __future__ import annotations

import re

from archive_browser.core.textnorm import fold

_TITLE_RULES = (
    ("interview", re.compile(r"\binterview|интервью")),
    ("statement", re.compile(r"\bstatement\b|\bdeclaration\b|\bjoint communiqu|заявлени|декларац")),
    ("transcript", re.compile(r"\btranscript\b|стенограмм")),
    (
        "speech",
        re.compile(
            r"\b(speech|address|remarks|greetings|message)\b|выступлени|обращени|послани|приветстви"
        ),
    ),
)
_LEDE_RULES = (
    (
        "interview",
        re.compile(
            r"\btold\b.{0,80}\b(correspondent|journalist|news agency|newspaper|tv channel)"
            r"|\bin an interview\b|\banswered questions\b|рассказал.{0,60}корреспондент"
            r"|в интервью"
        ),
    ),
    (
        "speech",
        re.compile(
            r"^(allow me\b|dear\b|ladies and gentlemen|colleagues|friends,|good (morning|afternoon|"
            r"evening)|distinguished|уважаем|дорогие|добрый (день|вечер)|коллеги|друзья,|"
            r"разрешите|позвольте)"
        ),
    ),
)


#: Words one of which the interview pattern of the lede needs (looked for first: a substring
#: test is quicker than the pattern's search when, as mostly, none is there).
_INTERVIEW_WORDS = ("told", "in an interview", "answered questions", "рассказал", "в интервью")


def guess_kind(title: str, body: str) -> str:
    """The likely kind of a release from its title and first lines; "news" when unsure."""
    folded_title = fold(title)
    for kind, pattern in _TITLE_RULES:
        if pattern.search(folded_title):
            return kind
    lede = fold(body[:500])
    for kind, pattern in _LEDE_RULES:
        if kind == "interview" and not any(w in lede for w in _INTERVIEW_WORDS):
            continue
        if pattern.search(lede):
            return kind
    return "news"
