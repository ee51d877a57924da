"""The architecture's invariants (ARCHITECTURE.md), checked on every run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "clientfocus"


def test_import_contracts_hold():
    """analytics and exchange never import Django; domain apps never import the CLI."""
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "lint-imports")], capture_output=True, text=True, cwd=SRC.parent.parent
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def _writes(tree: ast.AST, models: set[str]) -> list[int]:
    """Lines that call .create/.bulk_create/.update/.delete on one of `models`' managers."""
    hits = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr
            in {"create", "bulk_create", "update", "delete", "get_or_create", "update_or_create"}
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "objects"
            and isinstance(node.func.value.value, ast.Name)
            and node.func.value.value.id in models
        ):
            hits.append(node.lineno)
    return hits


def test_only_sales_services_write_sale_lines_and_the_rollup():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel == "sales/services.py" or "/tests/" in rel or "/migrations/" in rel:
            continue
        lines = _writes(ast.parse(path.read_text(encoding="utf-8")), {"Sale", "MonthlySales", "DailySales"})
        offenders += [f"{rel}:{n}" for n in lines]
    assert offenders == []


def test_only_access_module_builds_company_scopes():
    """No module other than accounts/access.py filters companies by owner or team on its own."""
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if (
            rel == "accounts/access.py"
            or "/tests/" in rel
            or "/migrations/" in rel
            or rel.startswith("core/testing")
        ):
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("owner__team", "owner_id=user", "owner=request.user", "owner=user"):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
    assert offenders == []


def test_translation_catalogues_are_complete():
    result = subprocess.run(
        [sys.executable, "scripts/i18n.py", "check"], capture_output=True, text=True, cwd=SRC.parent.parent
    )
    assert result.returncode == 0, result.stdout


def test_passwords_are_hashed_with_argon2(db):  # keeps the real hasher (see conftest)
    from clientfocus.accounts.models import User

    user = User.objects.create_user(username="hash-check", password="очень-длинный-пароль")
    assert user.password.startswith("argon2$")
