"""`productize check` and `productize schema` on the command line."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from productize.cli import main
from productize.commands.check import github_annotation
from productize.domain.findings import Finding, Severity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID = str(FIXTURES / "valid")
BROKEN = str(FIXTURES / "broken")


def test_valid_tree_passes_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", VALID]) == 0
    out = capsys.readouterr().out
    assert "warning[deprecated-interface]" in out
    assert "    hint: ask `payments`'s owners" in out
    assert out.rstrip().endswith("5 files, 10 documents: 0 errors, 1 warning")


def test_strict_fails_on_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--strict", VALID]) == 1
    out = capsys.readouterr().out
    assert "error[deprecated-interface]" in out
    assert "1 error, 0 warnings (strict: warnings count as errors)" in out


def test_broken_tree_fails_and_names_file_line_and_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", BROKEN]) == 1
    out = capsys.readouterr().out
    assert f"{BROKEN}/invalid-value.productize.yaml:4:8: error[invalid-value]:" in out
    assert "hint: did you mean `growing`?" in out


def test_default_path_is_the_current_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(VALID)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "products/checkout/product.yaml:27:7: warning" in out


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", BROKEN]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 37
    assert report["errors"] > 0 and report["warnings"] == 3
    finding = next(f for f in report["findings"] if f["code"] == "unknown-field")
    assert finding["severity"] == "error"
    assert (finding["line"], finding["column"], finding["field"]) == (4, 1, "owner")
    assert finding["hint"] == "did you mean `owners`?"


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "github", BROKEN]) == 1
    lines = capsys.readouterr().out.splitlines()
    expected = (
        f"::error file={BROKEN}/unknown-field.productize.yaml,line=4,col=1,"
        "title=productize check%3A unknown-field::unknown field `owner` — did you mean `owners`?"
    )
    assert expected in lines
    assert any(line.startswith("::warning file=") and "line=" not in line for line in lines)
    assert lines[-1].startswith("37 files, ")


def test_github_annotation_escapes_what_would_break_the_command() -> None:
    finding = Finding("a,b:c%.yaml", 0, 0, Severity.ERROR, "x", "line one\nline two 100%")
    assert github_annotation(finding) == (
        "::error file=a%2Cb%3Ac%25.yaml,title=productize check%3A x::line one%0Aline two 100%25"
    )


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", VALID, "/no/such/dir"]) == 2
    assert "no such file or directory: /no/such/dir" in capsys.readouterr().err


def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--format", "xml"])
    assert exited.value.code == 2
    assert main(["check", "--jobs", "0", VALID]) == 2


def test_partial_ignores_ids_declared_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "product.yaml").write_text(
        "kind: product\nid: solo\nname: Solo\nloop: commerce\nowners: [alice]\n"
    )
    assert main(["check", str(tmp_path)]) == 1
    assert "--partial" in capsys.readouterr().out
    assert main(["check", "--partial", str(tmp_path)]) == 0


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "productize check --format github ." in out
    assert "exit status: 0 no errors, 1 errors" in out


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert len(schema["oneOf"]) == 5


def test_schema_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "schema.json"
    assert main(["schema", "--output", str(target)]) == 0
    assert json.loads(target.read_text())["$id"].startswith("urn:productize:")
    assert capsys.readouterr().out == ""
    assert main(["schema", "--output", str(tmp_path / "no" / "dir" / "x.json")]) == 2


def _env_without_django() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    return env


def test_python_m_productize_check_runs_as_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "productize", "check", "--format", "json", BROKEN],
        capture_output=True,
        text=True,
        env=_env_without_django(),
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["files"] == 37
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_check_never_imports_django() -> None:
    code = (
        "import sys\n"
        "from productize.cli import main\n"
        f"status = main(['check', {VALID!r}])\n"
        "main(['schema'])\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO:', loaded, file=sys.stderr)\n"
        "sys.exit(status if not loaded else 99)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_env_without_django(),
        timeout=120,
    )
    assert "DJANGO: []" in result.stderr, result.stderr
    assert result.returncode == 0


def test_progress_bar_is_drawn_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import productize.commands.check as check_command

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(check_command, "PROGRESS_MIN_FILES", 1)
    calls: list[tuple[int, int]] = []
    real = check_command._progress

    def spy() -> Iterator[Callable[[int, int], None]]:
        with real() as update:
            assert update is not None

            def recording(done: int, total: int) -> None:
                calls.append((done, total))
                update(done, total)

            yield recording

    monkeypatch.setattr(check_command, "_progress", contextlib.contextmanager(spy))
    assert main(["check", VALID]) == 0
    assert calls == [(5, 5)]
    assert "0 errors" in capsys.readouterr().out


def test_nothing_to_check_passes_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "no descriptor files found" in captured.err
    assert "0 files, 0 documents: 0 errors, 0 warnings" in captured.out
