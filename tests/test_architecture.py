"""The architecture, enforced: the layers contract of pyproject.toml, no private names across
subpackages, the library never importing the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "carbonsim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _subpackage(module: str) -> str:
    """carbonsim.model.arrays -> carbonsim.model; a top-level module is its own subpackage."""
    return ".".join(module.split(".")[:2])


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names], node.lineno


def test_import_linter_contracts_are_kept():
    cli = pytest.importorskip("importlinter.cli")
    assert cli.lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml")) == 0


def test_no_private_name_is_imported_from_another_subpackage():
    offences = []
    for path in PACKAGE.rglob("*.py"):
        here = _subpackage(_module_name(path))
        for module, names, line in _imports(path):
            if not module.startswith("carbonsim") or _subpackage(module) == here:
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                offences.append(f"{path.relative_to(PACKAGE.parent)}:{line} {module} {private}")
    assert offences == []


def test_no_relative_imports():
    """Absolute imports only: a module's imports read the same wherever it is moved to."""
    offences = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offences += [
            f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level > 0
        ]
    assert offences == []


def test_docs_glossary_is_generated_from_the_tables():
    import subprocess
    import sys

    tool = PACKAGE.parent / "tools" / "make_glossary.py"
    done = subprocess.run([sys.executable, str(tool), "--check"], check=False)
    assert done.returncode == 0, "docs/glossary.md is out of date: python tools/make_glossary.py"
