"""Validation of the knowledge folder for `servicedesk check`."""

from __future__ import annotations

from pathlib import Path

from bot.config import DeskConfig, Problem
from bot.config.errors import display_path


def check_knowledge(config: DeskConfig) -> tuple[int, list[Problem]]:
    """(number of valid articles, problems). Articles must parse and their `related` ids must exist."""
    folder = config.knowledge_dir
    source = display_path(config.source) if config.source else "app.yaml"
    if not folder.is_dir():
        return 0, [
            Problem(source, 1, f"knowledge.path '{config.knowledge.path}' is not a folder; create it or fix the path")
        ]
    from knowledge.loading import parse_article

    problems: list[Problem] = []
    count = 0
    seen: dict[str, Path] = {}
    catalog_ids = {item.id for item in config.catalog}
    for path in sorted(folder.glob("*.md")):
        shown = display_path(path)
        try:
            article = parse_article(path.read_text(encoding="utf-8"), source=str(path))
        except (ValueError, OSError) as exc:
            # The loader names the file itself; the problem line names it already.
            problems.append(Problem(shown, 1, str(exc).removeprefix(f"{path}: ")))
            continue
        if article.id in seen:
            problems.append(
                Problem(shown, 1, f"duplicate article id '{article.id}': also used by {display_path(seen[article.id])}")
            )
            continue
        seen[article.id] = path
        for related in article.related:
            if related not in catalog_ids:
                problems.append(
                    Problem(shown, 1, f"related catalogue item '{related}' does not exist; fix or remove it")
                )
        count += 1
    return count, problems
