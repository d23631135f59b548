from __future__ import annotations

import pytest

from knowledge.models import Article, CatalogEntry


def entry(
    id: str,
    title: str,
    title_sv: str = "",
    description: str = "",
    keywords: tuple[str, ...] = (),
    kind: str = "request",
) -> CatalogEntry:
    return CatalogEntry(id, title, title_sv, description, keywords, "it", kind, "medium")


@pytest.fixture
def small_catalog() -> list[CatalogEntry]:
    return [
        entry(
            "password-reset",
            "Password reset or locked account",
            "Återställ lösenord eller låst konto",
            "Help when your account is locked or you cannot reset your password.",
            ("password", "locked out", "lösenord", "kan inte logga in"),
            kind="incident",
        ),
        entry(
            "printer-problem",
            "Printer problem",
            "Problem med skrivare",
            "Report a printer that is jammed, offline or out of toner.",
            ("printer", "paper jam", "skrivare"),
        ),
        entry(
            "vacation-request",
            "Vacation request",
            "Semesteransökan",
            "Apply for vacation days or change approved vacation.",
            ("vacation", "holiday", "semester"),
        ),
        entry(
            "access-card",
            "Access card",
            "Passerkort",
            "Order, replace or block an access card for the office doors.",
            ("access card", "badge", "passerkort", "tappat kortet"),
        ),
    ]


@pytest.fixture
def small_articles() -> list[Article]:
    return [
        Article(
            "kb-connect-vpn",
            "Connect to the VPN when working remotely",
            ("vpn", "remote-work"),
            "en",
            (),
            "Click the shield icon and choose Connect. Sign in with your work email.",
        ),
    ]
