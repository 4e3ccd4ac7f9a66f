"""What ships in the wheel is importable as packages: the ways in never load code by
file path, and the benchmarks are a package (`fieldweek bench` runs from a wheel)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

from tests.locations import REPO

LOADING_BY_PATH = frozenset({
    "spec_from_file_location", "module_from_spec", "SourceFileLoader", "SourcelessFileLoader",
    "run_path", "load_source", "exec_module",
})
"""importlib, runpy and imp calls that run a file as code instead of importing a module."""


def _loads_by_path(source: str) -> list[str]:
    """The calls in `source` that load code from a file path, or edit the import path."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in LOADING_BY_PATH:
            found.append(f"line {node.lineno}: {node.attr}")
        elif isinstance(node, ast.Name) and node.id in LOADING_BY_PATH:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and any(a.name in LOADING_BY_PATH for a in node.names):
            found.append(f"line {node.lineno}: imports {', '.join(a.name for a in node.names)}")
        elif (isinstance(node, ast.Attribute) and node.attr in ("insert", "append")
              and isinstance(node.value, ast.Attribute) and node.value.attr == "path"
              and isinstance(node.value.value, ast.Name) and node.value.value.id == "sys"):
            found.append(f"line {node.lineno}: sys.path.{node.attr}")
    return found


def test_the_finder_sees_loading_by_path() -> None:
    """The scan below would catch the way api/ used to load the department generator."""
    source = ("import importlib.util, sys\n"
              "spec = importlib.util.spec_from_file_location('m', 'benchmarks/departments.py')\n"
              "module = importlib.util.module_from_spec(spec)\n"
              "spec.loader.exec_module(module)\nsys.path.insert(0, '.')\n")
    assert len(_loads_by_path(source)) == 4


@pytest.mark.parametrize("path", sorted((REPO / "api").rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_api_never_loads_code_by_file_path(path: Path) -> None:
    """No module under api/ runs a file as code or edits sys.path: everything it needs
    is an installed package."""
    assert _loads_by_path(path.read_text(encoding="utf-8")) == []


def test_benchmarks_is_a_shipped_package() -> None:
    """`benchmarks` and every module in it import as a package, and the wheel lists it."""
    package = importlib.import_module("benchmarks")
    assert package.__file__ is not None and Path(package.__file__).name == "__init__.py"
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert {"departments", "cases", "timetable_suite", "routes_suite", "tables", "charts"} <= modules
    for name in ("departments", "cases", "timetable_suite", "routes_suite", "tables", "charts"):
        importlib.import_module(f"benchmarks.{name}")
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "benchmarks" in settings["tool"]["setuptools"]["packages"]


def test_every_package_is_in_the_wheel() -> None:
    """Every folder of engine/, api/ and benchmarks/ holding an __init__.py is listed in
    pyproject's packages, so the wheel carries it."""
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(settings["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(REPO).parts)
             for top in ("engine", "api", "benchmarks") for init in (REPO / top).rglob("__init__.py")}
    assert found - listed == set()
