from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.yaml_source import load_yaml
from bot.i18n import catalogue, placeholders

I18N = Path(__file__).resolve().parents[1] / "bot" / "i18n"


@pytest.mark.parametrize("language", ["en", "sv"])
def test_catalogue_is_valid_yaml_without_duplicate_keys(language: str) -> None:
    document, problems = load_yaml(I18N / f"{language}.yaml", env={})
    assert document is not None
    assert problems == []


def test_both_languages_have_the_same_messages_and_placeholders() -> None:
    english, swedish = catalogue("en"), catalogue("sv")
    assert set(english) == set(swedish)
    mismatched = [key for key in english if placeholders(english[key]) != placeholders(swedish[key])]
    assert mismatched == []
