"""The desk's side of the Slack Web API: one long-lived client, retries, caches, and typed calls."""
