"""Outbox senders: they render the current state of a ticket and deliver it to Slack."""
