"""The channel-agnostic core stays that way: handlers and the domain import no platform, database or
scheduler library, directly or through anything they import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.layout import SOURCE_PACKAGES

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("aiogram", "telegram", "httpx", "sqlalchemy", "apscheduler", "aiohttp", "asyncpg", "aiosqlite")
PURE_PACKAGES = ("handlers", "services", "core", "domain")


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(p for pkg in PURE_PACKAGES for p in (ROOT / pkg).rglob("*.py")), ids=str)
def test_no_direct_platform_imports(path: Path) -> None:
    assert imported_roots(path) & set(FORBIDDEN) == set()


def test_no_transitive_platform_imports() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts) for pkg in PURE_PACKAGES for p in (ROOT / pkg).rglob("*.py")
    )
    script = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_handlers_do_not_import_storage_or_bot() -> None:
    for path in (ROOT / "handlers").rglob("*.py"):
        assert imported_roots(path) & {"storage", "bot"} == set(), path


def test_arrows_point_one_way() -> None:
    """Services serve handlers and jobs, and import neither; the core and the domain import nothing above them;
    benchmarks use the shared fakes, never the tests."""
    allowed_below = {
        "services": {"bot", "handlers", "storage"},
        "core": {"bot", "handlers", "services", "storage"},
        "domain": {"bot", "handlers", "services", "storage"},
        "fakes": {"bot", "handlers", "services", "storage", "tests", "bench"},
        "bench": {"tests"},
    }
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & forbidden)
        for package, forbidden in allowed_below.items()
        for path in (ROOT / package).rglob("*.py")
        if imported_roots(path) & forbidden
    }
    assert wrong == {}


def source_files() -> list[Path]:
    return sorted(p for pkg in SOURCE_PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts)


def test_no_block_is_more_complex_than_rank_c() -> None:
    """A newcomer can follow every function: cyclomatic complexity no worse than radon's rank C (≤ 20)."""
    from radon.complexity import cc_rank, cc_visit

    too_complex = [
        f"{path.relative_to(ROOT)}:{block.lineno} {block.name} ({block.complexity})"
        for path in source_files()
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if cc_rank(block.complexity) not in "ABC"
    ]
    assert too_complex == []


def test_every_module_is_maintainable() -> None:
    """radon's maintainability index: no module ranked below B."""
    from radon.metrics import mi_rank, mi_visit

    poor = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if mi_rank(mi_visit(path.read_text(encoding="utf-8"), multi=True)) not in "AB"
    ]
    assert poor == []


def test_ruff_reads_every_noqa_marker() -> None:
    """Vietnamese kept on purpose is marked "(noqa: i18n)" inside a comment: ruff would warn about a bare
    ``# noqa: i18n`` (not a rule code) on every run."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--exit-zero", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Invalid `# noqa` directive" not in result.stdout + result.stderr
