"""The words of the site in its language: built-in sets for English and Korean, any word of
any language set or replaced by `site.labels` in the config, and dates as the language writes
them. The language is `site.language`'s first part (`ko-KR` → `ko`); English fills any gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

ENGLISH = {
    "categories": "Categories",
    "latest": "Latest",
    "subscribe": "Subscribe",
    "subscribe_hint": "A feed brings every new release to your feed reader (Feedly, NetNewsWire, "
    "Thunderbird, newsboat...): copy a link below into it.",
    "all_feeds": "all feeds (OPML)",
    "this_category": "This category",
    "everything": "Everything",
    "cut_off": "The text was cut off at the source; this is all the publisher released.",
    "not_found": "Page not found",
    "not_found_hint": "This page does not exist, or no longer does. "
    "The latest releases are on the front page.",
    "home": "Front page",
    "older": "Older releases",
    "newer": "Newer releases",
    "page": "Page",
    "older_release": "Older in this category",
    "newer_release": "Newer in this category",
    "feed_note": "this page is a feed. Copy its address into your feed reader (Feedly, "
    "NetNewsWire, Thunderbird, newsboat...) to receive every new release.",
}
KOREAN = {
    "categories": "분야",
    "latest": "최신 보도자료",
    "subscribe": "구독",
    "subscribe_hint": "피드를 구독하면 새 보도자료가 피드 리더(Feedly, Thunderbird 등)로 바로 전달됩니다. "
    "아래 주소를 피드 리더에 추가하세요.",
    "all_feeds": "전체 피드 목록 (OPML)",
    "this_category": "이 분야",
    "everything": "전체",
    "cut_off": "원문이 중간에 끊겨 있습니다. 발행처가 공개한 내용은 여기까지입니다.",
    "not_found": "페이지를 찾을 수 없습니다",
    "not_found_hint": "없는 페이지이거나 삭제된 페이지입니다. 최신 보도자료는 첫 페이지에 있습니다.",
    "home": "첫 페이지",
    "older": "이전 보도자료",
    "newer": "최근 보도자료",
    "page": "쪽",
    "older_release": "이 분야의 이전 보도자료",
    "newer_release": "이 분야의 다음 보도자료",
    "feed_note": "이 페이지는 피드입니다. 주소를 피드 리더에 추가하면 새 보도자료를 받아볼 수 있습니다.",
}
BUILT_IN: dict[str, dict[str, str]] = {"en": ENGLISH, "ko": KOREAN}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


def primary(language: str) -> str:
    return language.split("-", 1)[0].lower()


def labels_for(language: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """Every label in `language`: the config's overrides, then the built-in set, then English."""
    return {**ENGLISH, **BUILT_IN.get(primary(language), {}), **overrides}


def date(day: dt.date, language: str) -> str:
    """A day as the language writes it: `4 December 2026`, `2026년 12월 4일`, `2026年12月4日`."""
    code = primary(language)
    if code == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    if code in ("ja", "zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
