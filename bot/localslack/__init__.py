"""A local stand-in for Slack: the Web API over real HTTP, a small seeded workspace, and a driver that acts
as the people in it, delivering signed events, commands and interactions to the desk.

Standalone on purpose: it imports aiohttp, yaml and the standard library, and from the desk only bot.clock."""
