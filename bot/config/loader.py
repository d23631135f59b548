"""Load app.yaml and its catalogue files into a DeskConfig, collecting every problem with its file and line."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.config import schema
from bot.config.errors import ConfigError, Problem
from bot.config.references import ItemSource, cross_check
from bot.config.yaml_source import SourceDocument, load_yaml

_CATALOG_LIST = TypeAdapter(list[schema.CatalogItem])

_PATTERN_HINTS = {
    schema.SLACK_USER_ID: "must be a Slack user id like U0123ABCD",
    schema.SLACK_CHANNEL_ID: "must be a Slack channel id like C0123ABCD (not the #name)",
    schema.KEBAB_ID: "must be kebab-case like laptop-repair",
    schema.TEAM_ID: "must be a short lower-case id like it or facilities",
}


def _known_keys() -> list[str]:
    keys: set[str] = set()
    for value in vars(schema).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
            keys.update(value.model_fields)
    return sorted(keys)


def _describe(error: Mapping[str, Any]) -> str:
    loc = [part for part in error["loc"] if part != "[key]"]
    where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    kind, message = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _known_keys(), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it or check the spelling"
        return f"unknown key '{key}' at {where}; {hint}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}' at {where}; add it"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        hint = _PATTERN_HINTS.get(pattern, f"must match {pattern}")
        return f"{where}: '{error.get('input')}' {hint}"
    if kind == "literal_error" or kind == "enum":
        return f"{where}: '{error.get('input')}' is not allowed; {message[0].lower()}{message[1:]}"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    return f"{where}: {message}" if where else message


def _validation_problems(exc: ValidationError, doc: SourceDocument, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part != "[key]")
        problems.append(Problem(doc.file, doc.line_of(prefix + loc), _describe({**error, "loc": prefix + loc})))
    return problems


def load_config(path: str | Path = "app.yaml", env: Mapping[str, str] | None = None) -> schema.DeskConfig:
    """Parse, interpolate and validate; raise ConfigError listing every problem found."""
    env = os.environ if env is None else env
    source = Path(path)
    doc, problems = load_yaml(source, env)
    if doc is None:
        raise ConfigError(problems)
    if not isinstance(doc.data, dict):
        raise ConfigError([*problems, Problem(doc.file, 1, "app.yaml must be a mapping of sections")])

    data = dict(doc.data)
    catalog_files = data.get("catalog_files", [])
    if isinstance(catalog_files, str):
        catalog_files = data["catalog_files"] = [catalog_files]

    config: schema.DeskConfig | None = None
    try:
        config = schema.DeskConfig.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, doc))

    base_dir = source.resolve().parent
    extra_items: list[schema.CatalogItem] = []
    item_sources: dict[str, ItemSource] = {}
    all_sources: list[ItemSource] = []
    inline: list[Any] = data["catalog"] if isinstance(data.get("catalog"), list) else []
    for index, item in enumerate(inline):
        all_sources.append(ItemSource(doc, ("catalog", index)))
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            if item["id"] in item_sources:
                problems.append(
                    Problem(
                        doc.file,
                        doc.line_of(("catalog", index, "id")),
                        f"duplicate catalog id '{item['id']}': already defined on line "
                        f"{item_sources[item['id']].line('id')}",
                    )
                )
            else:
                item_sources[item["id"]] = ItemSource(doc, ("catalog", index))

    for file_index, name in enumerate(catalog_files if isinstance(catalog_files, list) else []):
        items, file_problems, sources = _load_catalog_file(base_dir / str(name), env)
        place = next(iter(sources.values()), None)
        if file_problems and not sources and not items:
            # Report a missing or unreadable file against the line that names it.
            for problem in file_problems:
                where = doc.line_of(("catalog_files", file_index))
                problems.append(Problem(doc.file, where, f"catalog file '{name}': {problem.message}"))
            continue
        problems.extend(file_problems)
        extra_items.extend(items)
        if place is not None:
            all_sources.extend(ItemSource(place.doc, ("catalog", i)) for i in range(_catalog_length(place.doc)))
        for item_id, place in sources.items():
            if item_id in item_sources:
                first = item_sources[item_id]
                problems.append(
                    Problem(
                        place.doc.file,
                        place.line("id"),
                        f"duplicate catalog id '{item_id}': also defined at {first.doc.file}:{first.line('id')}; "
                        "ids must be unique across all catalogue files",
                    )
                )
            else:
                item_sources[item_id] = place

    problems.extend(cross_check(doc, all_sources))
    if config is not None:
        config = config.model_copy(update={"catalog": [*config.catalog, *extra_items]})
        config._base_dir = base_dir
        config._source = source

    if problems:
        raise ConfigError(problems)
    assert config is not None
    return config


def _load_catalog_file(
    path: Path, env: Mapping[str, str]
) -> tuple[list[schema.CatalogItem], list[Problem], dict[str, ItemSource]]:
    doc, problems = load_yaml(path, env)
    if doc is None:
        return [], problems, {}
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("catalog"), list):
        problems.append(Problem(doc.file, 1, "a catalogue file needs a top-level `catalog:` list"))
        return [], problems, {"": ItemSource(doc, ())}
    unknown = [key for key in doc.data if key != "catalog"]
    for key in unknown:
        problems.append(
            Problem(doc.file, doc.line_of((key,)), f"unknown key '{key}'; a catalogue file holds only `catalog:`")
        )
    sources: dict[str, ItemSource] = {}
    for index, item in enumerate(doc.data["catalog"]):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            if item["id"] in sources:
                first = sources[item["id"]].line("id")
                problems.append(
                    Problem(
                        doc.file,
                        doc.line_of(("catalog", index, "id")),
                        f"duplicate catalog id '{item['id']}': already defined on line {first}",
                    )
                )
            else:
                sources[item["id"]] = ItemSource(doc, ("catalog", index))
    try:
        items = _CATALOG_LIST.validate_python(doc.data["catalog"])
    except ValidationError as exc:
        problems.extend(_validation_problems(exc, doc, ("catalog",)))
        items = []
    return items, problems, sources


def _catalog_length(doc: SourceDocument) -> int:
    catalog = doc.data.get("catalog") if isinstance(doc.data, dict) else None
    return len(catalog) if isinstance(catalog, list) else 0
