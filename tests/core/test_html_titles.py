"""HTML titles keep the headline and lose the site's name and section."""

from __future__ import annotations

import pytest

from archive_browser.core.importers.html import parse_html

BODY = (
    "<p>Members of the European Parliament voted on Tuesday for a network of charging "
    "stations along the main roads of the Union, every sixty kilometres by 2026.</p>"
    "<p>The rules still need the approval of the Council before they take effect.</p>"
)


def page(title: str, head: str = "", h1: str = "", url: str = "") -> str:
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    return (
        f"<html lang='en'><head><title>{title}</title>{head}{canonical}</head><body>"
        f"<article>{f'<h1>{h1}</h1>' if h1 else ''}{BODY}</article></body></html>"
    )


HEADLINE = "Car-recharging stations every 60 km by 2026, say MEPs"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # og:site_name names the site; "News" is a section.
        (
            page(
                f"{HEADLINE} | News | European Parliament",
                '<meta property="og:site_name" content="European Parliament">',
            ),
            HEADLINE,
        ),
        # No site name given, but the page's own h1 is the headline.
        (page(f"{HEADLINE} - Official website of Europe", h1=HEADLINE), HEADLINE),
        # The site's name first, from application-name.
        (
            page(
                f"Kremlin — {HEADLINE}",
                '<meta name="application-name" content="Kremlin">',
            ),
            HEADLINE,
        ),
        # The host name: "President of Russia" is not known, "Kremlin" is in kremlin.ru.
        (
            page(f"{HEADLINE} • Kremlin", url="http://en.kremlin.ru/events/1"),
            f"{HEADLINE} • Kremlin",
        ),
        (page(f"{HEADLINE} :: Kremlin", url="http://en.kremlin.ru/events/1"), HEADLINE),
        # A dash inside the headline stays.
        (page("Putin - Xi talks in Moscow"), "Putin - Xi talks in Moscow"),
        (
            page("Statement by the Secretary General - Press releases"),
            "Statement by the Secretary General",
        ),
    ],
)
def test_site_names_are_stripped(html: str, expected: str) -> None:
    assert parse_html(html).title == expected
