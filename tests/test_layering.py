"""The import graph has layers: tenants/ at the bottom imports no other app of the project,
and no capability app imports offboarding, which sits above them all. Read from the source
(ast), so that an import inside a function or a string lookup through apps.get_model counts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def project_apps() -> set[str]:
    """The apps whose code lives in this repository (not Django's, not libraries)."""
    return {config.name for config in apps.get_app_configs()
            if Path(config.path).resolve().is_relative_to(ROOT)
            and "site-packages" not in Path(config.path).resolve().parts}  # a venv in the repo


def references(path: Path) -> set[str]:
    """Top-level packages a module imports, and app labels it names to apps.get_model."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("get_model", "get_app_config") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value.split(".")[0])
    return found


def violations(package: str, forbidden: set[str]) -> list[str]:
    return sorted(f"{path.relative_to(ROOT)} -> {name}"
                  for path in (ROOT / package).rglob("*.py")
                  for name in references(path) & forbidden)


def test_tenants_imports_no_other_app_of_the_project():
    others = project_apps() - {"tenants"}
    assert {"curation", "training", "inference", "offboarding"} <= others
    assert violations("tenants", others) == []


@pytest.mark.parametrize("app", ["curation", "training", "knowledge", "inference"])
def test_no_capability_app_imports_offboarding(app):
    assert violations(app, {"offboarding"}) == []


def test_training_does_not_reach_up_into_inference():
    assert violations("training", {"inference"}) == []


def test_knowledge_sits_below_inference_and_tenants_does_not_know_it():
    """inference grounds answers on knowledge, never the other way round."""
    assert violations("knowledge", {"inference", "offboarding"}) == []
    assert violations("tenants", {"knowledge"}) == []


@pytest.mark.parametrize("app", ["tenants", "curation", "training", "knowledge", "inference"])
def test_no_capability_app_reaches_up_into_usage(app):
    """usage counts what the capability apps record; none of them depends on it."""
    assert "usage" in project_apps()
    assert violations(app, {"usage"}) == []


def test_usage_sits_below_offboarding():
    assert violations("usage", {"offboarding", "demo"}) == []


@pytest.mark.parametrize("app", ["tenants", "curation", "training", "knowledge", "inference",
                                 "offboarding", "usage"])
def test_the_leakage_report_sits_above_what_it_measures(app):
    """The report attacks the platform from above: nothing it measures may depend on it."""
    assert violations(app, {"leakage"}) == []


def test_the_check_sees_an_import_when_there_is_one(tmp_path):
    """Positive control: the parser finds each form of reaching up."""
    module = tmp_path / "m.py"
    module.write_text("import training.models\n"
                      "def f():\n    from inference import router\n"
                      "    return apps.get_model('curation', 'Example')\n")
    assert references(module) >= {"training", "inference", "curation"}
