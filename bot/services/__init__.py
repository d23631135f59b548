"""Use cases of the desk. Each public coroutine is one transaction; none of them imports Slack."""
