# The same real desk and Slack stand-in as the end-to-end tests.
from tests.slack.conftest import desk, desk_env, slack

__all__ = ["desk", "desk_env", "slack"]
