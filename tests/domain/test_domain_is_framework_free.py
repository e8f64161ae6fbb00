"""ARCHITECTURE rule 2: nothing in productize.domain imports Django (or the Django apps)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "productize" / "domain"
FORBIDDEN = (
    "django",
    "ninja",
    "django_htmx",
    "productize.catalog",
    "productize.audit",
    "productize.ingest",
    "productize.api",
    "productize.web",
)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_domain_module_imports_a_framework() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert files, "the domain package has modules"
    offenders = {
        f"{path.relative_to(DOMAIN)} imports {name}"
        for path in files
        for name in _imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    }
    assert not offenders, sorted(offenders)


def test_importing_the_whole_domain_does_not_load_django() -> None:
    modules = [
        "productize.domain." + p.relative_to(DOMAIN).with_suffix("").as_posix().replace("/", ".")
        for p in sorted(DOMAIN.rglob("*.py"))
        if p.name != "__init__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "print(len(loaded)); sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
