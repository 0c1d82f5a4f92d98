"""bot/config.py: configuration from the environment, with clear errors for bad values."""

from __future__ import annotations

import pytest

from bot.config import load_config
from briefings.errors import InvalidArgument


def test_defaults_without_any_variable() -> None:
    config = load_config({}, dotenv=False)
    assert not config.has_token
    assert config.timezone == "Asia/Shanghai"
    assert config.concurrent_updates == 16


def test_file_url_follows_a_self_hosted_base_url() -> None:
    config = load_config({"TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"}, dotenv=False)
    assert config.base_file_url == "http://127.0.0.1:8081/file/bot"


def test_admin_ids_accept_commas_spaces_and_semicolons() -> None:
    config = load_config({"ADMIN_IDS": "1, 2;3 -100200 x"}, dotenv=False)
    assert config.admin_ids == {1, 2, 3, -100200}


def test_token_never_appears_in_repr() -> None:
    config = load_config({"TELEGRAM_BOT_TOKEN": "123:SECRET"}, dotenv=False)
    assert config.has_token
    assert "SECRET" not in repr(config)


@pytest.mark.parametrize("value", ["1", "64", "256"])
def test_concurrent_updates_in_range(value: str) -> None:
    assert load_config({"CONCURRENT_UPDATES": value}, dotenv=False).concurrent_updates == int(value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONCURRENT_UPDATES", "0"),
        ("CONCURRENT_UPDATES", "1000"),
        ("CONCURRENT_UPDATES", "many"),
        ("WEBHOOK_PORT", "eighty"),
        ("BRIEFINGS_TZ", "Mars/Olympus"),
        ("CATCHUP_UNTIL", "25:00"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(InvalidArgument, match=name):
        load_config({name: value}, dotenv=False)
