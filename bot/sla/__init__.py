"""SLA arithmetic: business calendars, working-time durations and clock state. Pure code: no database,
no Slack, no configuration; the callers store the facts and pass them in."""
