"""Dates written in metadata and text, in English and Russian."""

from __future__ import annotations

import pytest

from archive_browser.core.importers.dates import find_date, find_dates, parse_date_value


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("On 25 July 2024, staff of the CSTO Secretariat met", "2024-07-25"),
        ("in Bishkek on May 28, 2013", "2013-05-28"),
        ("May 28th 2013 in Bishkek", "2013-05-28"),
        ("the 28th of May, 2013", "2013-05-28"),
        ("28 мая 2013 г. в Бишкеке", "2013-05-28"),
        ("«28» мая 2013 года", "2013-05-28"),
        ("19 июля 2024 года министры", "2024-07-19"),
        ("Дата: 28.05.2013", "2013-05-28"),
        ("published 2022-06-24T17:30:00Z", "2022-06-24"),
        ("Sept 3, 2021", "2021-09-03"),
    ],
)
def test_dates_in_text(text: str, iso: str) -> None:
    assert find_date(text) == iso


@pytest.mark.parametrize(
    "text",
    ["May 28th this year", "in 2014", "31 February 2013", "on 45.13.2013", "version 1.2.10.2013"],
)
def test_no_date_is_invented(text: str) -> None:
    assert find_date(text) is None


def test_dates_are_found_in_order() -> None:
    found = find_dates("Held on 19 July 2024; announced on 25 July 2024.")
    assert [iso for _, iso in found] == ["2024-07-19", "2024-07-25"]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2022-06-24T17:30:00Z", "2022-06-24"),
        ("Tue, 28 May 2013 10:00:00 +0000", "2013-05-28"),
        ("28.05.2013", "2013-05-28"),
        ("NA", None),
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_date_values(value: object, iso: str | None) -> None:
    assert parse_date_value(value) == iso
