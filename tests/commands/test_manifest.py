from __future__ import annotations

import pytest
import yaml

from bot.cli import main
from tests.conftest import REPO

CONFIG = str(REPO / "app.yaml")


def test_http_manifest_points_every_request_url_at_the_desk(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--config", CONFIG, "--url", "https://desk.example.se/", "--no-socket-mode"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    url = "https://desk.example.se/slack/events"
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["features"]["slash_commands"][0] == {
        "command": "/helpdesk",
        "description": "Ask for help, or see your tickets",
        "usage_hint": "[what you need] | status [KEY] | queue",
        "should_escape": False,
        "url": url,
    }
    assert {"message.im", "app_mention", "reaction_added", "app_home_opened"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
    assert {"chat:write", "im:history", "users:read", "usergroups:read"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
    callbacks = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert callbacks == {"desk.new_request_shortcut", "desk.ticket_from_message"}


def test_socket_mode_manifest_needs_no_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--config", CONFIG, "--socket-mode"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]


def test_http_manifest_without_url_says_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--config", CONFIG, "--no-socket-mode"]) == 1
    assert "HTTP mode needs the desk's public URL: pass --url" in capsys.readouterr().err
