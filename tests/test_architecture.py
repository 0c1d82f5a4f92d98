"""The guard rails of docs/architecture.md hold, and CI checks them: the import contracts
(``briefings`` never imports ``telegram`` or ``bot``; no import cycles in ``bot/`` or
``briefings/``) and ruff run in the README's test command, which ``.ci/run`` runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    readme = (REPO / "README.md").read_text("utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    (command,) = [b for b in blocks if "requirements-dev.txt" in b]
    return command


def test_ci_runs_the_readme_test_command_with_the_import_contracts_and_ruff():
    command = _readme_test_command()
    ci = (REPO / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]
    assert ci.replace(" -q ", " ") == command
    steps = [s.strip() for s in command.split("&&")]
    assert ".venv/bin/lint-imports" in steps
    assert ".venv/bin/ruff check ." in steps
    assert steps.index(".venv/bin/lint-imports") < steps.index(".venv/bin/python -m pytest")


def test_the_import_contracts_are_kept():
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.argv = ['lint-imports', '--no-cache']; lint_imports_command()",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout
    for contract in ("never imports telegram or bot", "cycles between the modules of bot/"):
        assert contract in run.stdout
