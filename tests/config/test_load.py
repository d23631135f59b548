from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.config.schema import Priority
from tests.conftest import REPO, SHARED_DEV_SET

APP_YAML = REPO / "app.yaml"
ENV: dict[str, str] = {}


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def write(tmp_path: Path, text: str, name: str = "app.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=ENV if env is None else env)
    return [str(p) for p in caught.value.problems]


def test_shipped_app_yaml_is_valid_and_complete() -> None:
    config = load_config(APP_YAML, env=ENV)
    assert {team.id for team in config.teams} == {"it", "hr", "finance", "facilities", "comms"}
    assert len(config.catalog) >= 30
    assert config.team("hr").confidential
    assert config.database.url == "sqlite+aiosqlite:///data/servicedesk.db"
    assert config.slack.bot_token == ""
    # A high-priority IT incident: the standard policy's 1h first response and 8h resolution.
    assert config.targets("it", "laptop-broken", Priority.HIGH) == (60, 480)
    assert config.synonyms["pw"] == ["password"]
    assert config.knowledge_dir == REPO / "knowledge" / "articles"


def test_environment_fills_secrets_and_overrides_defaults() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "DATABASE_URL": "postgresql+asyncpg://desk@db/desk", "PORT": "8080"}
    config = load_config(APP_YAML, env=env)
    assert config.slack.bot_token == "xoxb-1"
    assert config.database.url == "postgresql+asyncpg://desk@db/desk"
    assert config.server.port == 8080


@pytest.mark.skipif(not SHARED_DEV_SET.is_dir(), reason="the shared development set is not next to this checkout")
def test_the_shared_development_catalogue_loads_as_a_catalog_file(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8")
    text = text.replace("catalog_files: []", f"catalog_files: [{SHARED_DEV_SET / 'catalog.yaml'}]")
    # The dev catalogue uses its own team ids and item ids; keep only it so ids and teams line up.
    text = text[: text.index("\ncatalog:\n")] + "\n"
    config = load_config(write(tmp_path, text), env=ENV)
    assert len(config.catalog) == 30
    assert {item.team for item in config.catalog} == {"it", "hr", "finance", "facilities", "comms"}


def test_every_mistake_is_reported_with_its_line(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8")
    text = text.replace("    team: finance\n", "    team: finanse\n", 1)
    text = text.replace("  - id: printer-problem\n", "  - id: password-reset\n", 1)
    text = text.replace(
        "critical: {first_response: 15m, resolution: 4h}", "critical: {first_response: 15x, resolution: 4h}", 1
    )
    text = text.replace("    name: HR\n", "    name: HR\n    agnets: [U0AGNES001]\n", 1)
    text = text.replace("${SLACK_BOT_TOKEN:-}", "${DESK_TOKEN_NOT_SET}", 1)
    path = write(tmp_path, text)

    problems = problems_of(path)

    expected = [
        f"{line_of(text, 'team: finanse')}: catalog item 'expense-claim' names team 'finanse', which is not defined",
        f"{line_of(text, 'id: password-reset', 2)}: duplicate catalog id 'password-reset': already defined on line "
        f"{line_of(text, 'id: password-reset', 1)}",
        f"{line_of(text, 'first_response: 15x')}: sla.policies.standard.critical.first_response: "
        "cannot read duration '15x': expected hours and/or minutes",
        f"{line_of(text, 'agnets:')}: unknown key 'agnets' at teams[1].agnets; did you mean 'agents'?",
        f"{line_of(text, 'DESK_TOKEN_NOT_SET')}: environment variable DESK_TOKEN_NOT_SET is not set",
    ]
    for fragment in expected:
        assert any(p.startswith(f"{path}:") and fragment in p for p in problems), (fragment, problems)
    assert len(problems) == len(expected)


def test_invalid_yaml_points_at_the_syntax_error(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8").replace("  pool_size: 5\n", "  pool_size: [5\n", 1)
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert "invalid YAML" in problems[0]
    assert problems[0].split(":")[1].isdigit()


def test_duplicate_yaml_keys_are_not_silently_dropped(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8").replace("  pool_size: 5\n", "  pool_size: 5\n  pool_size: 50\n", 1)
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        f"{tmp_path / 'app.yaml'}:{line_of(text, 'pool_size: 50')}: duplicate key 'pool_size': "
        f"it was already given on line {line_of(text, 'pool_size: 5')}; keep one of them"
    ]


def test_references_between_sections_are_checked(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8")
    text = text.replace("    calendar: stockholm-lunch-closed\n", "    calendar: gothenburg\n", 1)
    text = text.replace("    sla: people\n    confidential: true", "    sla: vip\n    confidential: true", 1)
    text = text.replace("  default_team: it ", "  default_team: helpdesk ", 1)
    problems = problems_of(write(tmp_path, text))
    assert any("calendar 'gothenburg', which is not defined" in p for p in problems)
    assert any("SLA policy 'vip', which is not defined" in p for p in problems)
    assert any("default_team 'helpdesk' is not a team" in p for p in problems)
    assert len(problems) == 3


def test_bad_values_get_actionable_messages(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8")
    text = text.replace("    channel: C0COMTRIAG\n", "    channel: '#comms-triage'\n", 1)
    text = text.replace('      mon: ["08:00-17:00"]', '      mon: ["17:00-08:00"]', 1)
    text = text.replace("    timezone: Europe/Stockholm\n", "    timezone: Europe/Stockholmm\n", 1)
    text = text.replace("    kind: incident\n    priority: low\n", "    kind: incident\n    priority: urgent\n", 1)
    text = text.replace("  event_concurrency: 32 ", "  event_concurrency: 0 ", 1)
    problems = problems_of(write(tmp_path, text))
    joined = "\n".join(problems)
    assert "must be a Slack channel id like C0123ABCD (not the #name)" in joined
    assert "ends before it starts" in joined
    assert "unknown time zone 'Europe/Stockholmm'" in joined
    assert "'urgent' is not allowed" in joined
    concurrency = [problem for problem in problems if "server.event_concurrency" in problem]
    assert len(concurrency) == 1
    assert "greater than or equal to 1" in concurrency[0]
    assert len(problems) == 5


def test_a_catalog_file_reports_its_own_lines(tmp_path: Path) -> None:
    extra = (
        "catalog:\n  - id: coffee-machine\n    title: Coffee machine\n"
        "    team: kitchen\n    kind: incident\n    priority: low\n"
    )
    write(tmp_path, extra, "extra.yaml")
    text = APP_YAML.read_text(encoding="utf-8").replace("catalog_files: []", "catalog_files: [extra.yaml]")
    text = text.replace("path: knowledge/articles", f"path: {REPO / 'knowledge' / 'articles'}")
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        f"{tmp_path / 'extra.yaml'}:4: catalog item 'coffee-machine' names team 'kitchen', which is not defined; "
        "use one of: it, hr, finance, facilities, comms"
    ]


def test_a_missing_catalog_file_is_reported_where_it_is_named(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8").replace("catalog_files: []", "catalog_files: [nowhere.yaml]")
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert f":{line_of(text, 'nowhere.yaml')}: catalog file 'nowhere.yaml': file not found" in problems[0]


def test_reminders_are_set_once_for_the_desk_not_per_item(tmp_path: Path) -> None:
    text = APP_YAML.read_text(encoding="utf-8").replace(
        "approval: {users: [U0LENA0001], mode: any}", "approval: {users: [U0LENA0001], mode: any, remind_after: 2h}", 1
    )
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert "unknown key 'remind_after' at catalog[" in problems[0]
