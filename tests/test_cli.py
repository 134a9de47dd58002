"""The command line, through click's runner: summaries, messages, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from prepexport import __version__
from prepexport.cli import main

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "docs" / "example.yaml"
INVALID = ROOT / "tests" / "fixtures" / "invalid"


def test_check_prints_counts_per_kind() -> None:
    result = CliRunner().invoke(main, ["check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{EXAMPLE}: valid",
        "  2 areas",
        "  2 topics",
        "  4 cards (2 basic, 1 reversible, 1 cloze)",
        "  1 formula",
        "  1 drill",
        "  1 misconception",
        "  1 framework",
        "  1 roadmap: one-week (1 week)",
        "  1 reference",
        "0 warnings",
    ]


def test_check_invalid_source_exits_1_with_located_messages() -> None:
    source = INVALID / "many-errors.yaml"
    result = CliRunner().invoke(main, ["check", str(source)])
    assert result.exit_code == 1
    assert f"{source}:13:11: topics[0].tier: must be between 1 and 3, not 4" in result.stderr
    assert result.stderr.rstrip().endswith(f"error: {source}: 6 errors; nothing was written")
    assert "Traceback" not in result.output


def test_check_missing_file_exits_1() -> None:
    result = CliRunner().invoke(main, ["check", "no/such.yaml"])
    assert result.exit_code == 1
    assert "no/such.yaml: file not found" in result.stderr


def test_check_defaults_to_the_embedded_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "source/knowledge.yaml: file not found" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert CliRunner().invoke(main, ["build", str(EXAMPLE), "--paper", "a3"]).exit_code == 2
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--weeks", "5"])
    assert result.exit_code == 2
    assert "--weeks 5: no roadmap has 5 weeks (available: 1)" in result.stderr
    assert CliRunner().invoke(main, ["frobnicate"]).exit_code == 2


def test_a_weeks_no_plan_has_is_refused_even_when_no_workbook_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--only", "deck", "--weeks", "5", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--weeks 5: no roadmap has 5 weeks (available: 1)" in result.stderr
    assert not list(tmp_path.iterdir())


def test_build_with_invalid_source_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(INVALID / "duplicate-key.yaml"), "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists()


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "source" / "knowledge.schema.json").read_text(encoding="utf-8")


def test_version_and_help() -> None:
    assert CliRunner().invoke(main, ["--version"]).stdout.strip() == f"prepexport, version {__version__}"
    for command in ([], ["check"], ["build"], ["schema"]):
        result = CliRunner().invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_format_reference_embeds_the_checked_example() -> None:
    reference = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    assert f"```yaml\n{EXAMPLE.read_text(encoding='utf-8')}```" in reference


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prepexport", "check", str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{EXAMPLE}: valid")
