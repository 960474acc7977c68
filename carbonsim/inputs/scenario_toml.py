"""A scenario written back as TOML (merged: no ``extends``), which
:func:`~carbonsim.inputs.scenario.load_scenario` reads back to the same scenario."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from carbonsim.definitions.levers import LeverSpec, lever_table
from carbonsim.inputs.sampling import Distribution

if TYPE_CHECKING:
    from carbonsim.inputs.scenario import Scenario

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


# ---------------------------------------------------------------------------------------------
# TOML writer
# ---------------------------------------------------------------------------------------------
def _toml_string(text: str) -> str:
    escapes = {
        '"': '\\"',
        "\\": "\\\\",
        "\n": "\\n",
        "\t": "\\t",
        "\r": "\\r",
        "\b": "\\b",
        "\f": "\\f",
    }
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, Distribution):
        return _toml_value(value.to_table())
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(float(value))


def _comment(spec: LeverSpec) -> str:
    text = f"# {spec.name_zh} [{spec.unit}] {spec.description}"
    return " ".join(text.split())


def _to_toml(scenario: Scenario) -> str:
    lines = ["# Written by carbonsim Scenario.to_toml(): levers merged, no 'extends'."]
    lines += [f"id = {_toml_string(scenario.id)}"]
    for key in ("name_zh", "name_en", "description"):
        if getattr(scenario, key):
            lines.append(f"{key} = {_toml_string(getattr(scenario, key))}")
    specs = lever_table()
    tables = {k: v for k, v in scenario.levers.items() if isinstance(v, dict)}
    lines += ["", "[levers]"]
    for name, value in scenario.levers.items():
        if name not in tables:
            lines += [_comment(specs[name]), f"{name} = {_toml_value(value)}"]
    for name, value in tables.items():
        lines += ["", _comment(specs[name]), f"[levers.{name}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()]
    return "\n".join(lines) + "\n"
