"""The layout of app_support: a package that only re-exports, modules that never loop back.

Pages write ``import app_support as ui``; every ``ui.X`` they (and app.py, views, tests) use must
be re-exported, and importing the package must not pull in the page sections (views).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app_support  # noqa: E402

PACKAGE = ROOT / "app_support"
USERS = [
    ROOT / "app.py",
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted(PACKAGE.glob("*.py")),
    *sorted(p for p in (ROOT / "tests").glob("*.py") if p.name != Path(__file__).name),
    *sorted((ROOT / "benchmarks").glob("*.py")),
]


def _imports_of(path: Path) -> set[str]:
    """Modules a file imports, at any depth (``from app_support import x`` gives app_support)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _loaded_by_package() -> list[str]:
    """app_support modules that ``import app_support`` loads, in a fresh interpreter."""
    code = "import sys, app_support; print(' '.join(m for m in sys.modules if 'app_support.' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_every_ui_name_used_anywhere_is_re_exported():
    used = {
        name
        for path in USERS
        for name in re.findall(r"\bui\.([A-Za-z_]\w*)", path.read_text(encoding="utf-8"))
    }
    assert used, "expected pages to use ui.X"
    assert sorted(used - set(app_support.__all__)) == []
    assert all(hasattr(app_support, name) for name in app_support.__all__)


def test_the_package_does_not_import_the_page_sections():
    loaded = _loaded_by_package()
    assert "app_support.auth" in loaded
    assert "app_support.views" not in loaded


@pytest.mark.parametrize(
    "module", sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "views"))
)
def test_no_module_inside_the_package_imports_the_package_itself(module):
    # Each module imports the specific module it needs (app_support.store_access, ...), so
    # there is no loop through the package's __init__ to hide behind an import in a function.
    assert "app_support" not in _imports_of(PACKAGE / f"{module}.py")


def test_the_package_file_only_re_exports():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Assign"}
