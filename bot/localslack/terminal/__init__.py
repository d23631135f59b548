"""A terminal client for the local workspace: people type, the desk answers through the Slack stand-in.

`render` turns Block Kit into plain lines with numbered choices (pure), `prompts` walks a modal's inputs,
`session` is the interactive loop and `local` starts the desk, the stand-in and the session together."""
