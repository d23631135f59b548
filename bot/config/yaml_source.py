"""YAML loading that remembers where every value came from, expands ${VAR} / ${VAR:-default}
from the environment, and reports duplicate keys (PyYAML silently keeps the last one)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config.errors import Problem, display_path

Path_ = tuple[str | int, ...]

_ENV_REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


@dataclass
class SourceDocument:
    """A parsed YAML file: plain Python data plus the line of each value (1-based), keyed by its path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the value at `path`, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


def interpolate(text: str, env: Mapping[str, str]) -> tuple[str, list[str]]:
    """Expand ${VAR} and ${VAR:-default}; return the text and the names that were unset without default."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, default = match.group("name"), match.group("default")
        value = env.get(name)
        if value is not None and (value != "" or default is None):
            return value
        if default is not None:
            return default
        missing.append(name)
        return ""

    return _ENV_REF.sub(replace, text), missing


def load_yaml(path: Path, env: Mapping[str, str] | None = None) -> tuple[SourceDocument | None, list[Problem]]:
    env = os.environ if env is None else env
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(shown, 1, "file not found; check the path (relative paths are from app.yaml)")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(shown, 1, f"cannot read the file: {exc}")]

    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(shown, line, f"invalid YAML: {exc.problem or exc}; fix the syntax here")]
    finally:
        loader.dispose()

    doc = SourceDocument(file=shown, data=None)
    problems: list[Problem] = []
    if root is None:
        doc.data = {}
        return doc, problems
    doc.data = _build(root, (), doc, problems, env, yaml.SafeLoader(""))
    return doc, problems


def _build(
    node: yaml.Node,
    path: Path_,
    doc: SourceDocument,
    problems: list[Problem],
    env: Mapping[str, str],
    constructor: yaml.SafeLoader,
) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                problems.append(Problem(doc.file, key_node.start_mark.line + 1, "keys must be plain words"))
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                problems.append(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        f"duplicate key '{key}': it was already given on line "
                        f"{doc.lines[(*path, key)]}; keep one of them",
                    )
                )
                continue
            result[key] = _build(value_node, (*path, key), doc, problems, env, constructor)
            # Point at the key rather than the value: for nested blocks that is the line people look at.
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), doc, problems, env, constructor) for index, item in enumerate(node.value)]
    value = constructor.construct_object(node, deep=True)
    if isinstance(value, str) and "${" in value:
        value, missing = interpolate(value, env)
        for name in missing:
            problems.append(
                Problem(
                    doc.file,
                    node.start_mark.line + 1,
                    f"environment variable {name} is not set; export it or write ${{{name}:-default}}",
                )
            )
    return value
