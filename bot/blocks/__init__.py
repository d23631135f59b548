"""Block Kit builders. Pure functions from desk state to Slack's JSON; no I/O."""
