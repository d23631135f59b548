"""Messages the desk sends on its own initiative (SLA warnings and breaches, ...)."""
