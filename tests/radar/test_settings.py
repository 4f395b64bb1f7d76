"""Settings from RADAR_* variables: defaults, typos, invalid values, descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from radar.errors import ConfigError
from radar.settings import Settings, check_environment, describe_settings, known_variables, load_settings


def test_the_environment_is_read(radar_env: Path) -> None:
    settings = load_settings()
    assert settings.home == radar_env
    assert settings.store_path == radar_env / "radar.duckdb"
    assert (settings.http.timeout, settings.http.backoff, settings.http.min_interval) == (2.0, 0.01, 0.0)
    assert settings.http.host_intervals == {"export.arxiv.org": 3.0}
    assert settings.ingest.concurrency == 4
    assert "mailto:radar@example.org" in settings.user_agent


def test_explicit_overrides_win_over_the_environment(radar_env: Path, tmp_path: Path) -> None:
    assert load_settings(home=tmp_path / "other").home == tmp_path / "other"


@pytest.mark.parametrize(("name", "suggestion"), [
    ("RADAR_HTTP__TIMOUT", "RADAR_HTTP__TIMEOUT"),
    ("RADAR_HOEM", "RADAR_HOME"),
    ("RADAR_INGEST__BATCHSIZE", "RADAR_INGEST__BATCH_SIZE"),
    ("RADAR_HTTP_TIMEOUT", "RADAR_HTTP__TIMEOUT"),
])
def test_an_unknown_variable_is_rejected_with_a_suggestion(
        radar_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, suggestion: str) -> None:
    monkeypatch.setenv(name, "5")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert f"Unknown setting {name}." in message
    assert f"Did you mean {suggestion}?" in message


def test_an_unknown_variable_far_from_any_name_has_no_suggestion(
        radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_ZZZZZZZZZZZZZZZZ", "1")
    with pytest.raises(ConfigError, match="Unknown setting RADAR_ZZZZZZZZZZZZZZZZ") as info:
        load_settings()
    assert "Did you mean" not in str(info.value)


def test_a_lower_case_typo_is_caught_like_an_upper_case_one(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("radar_hoem", "/tmp/x")
    with pytest.raises(ConfigError, match="Unknown setting radar_hoem. Did you mean RADAR_HOME"):
        load_settings()


def test_a_lower_case_known_name_is_read(radar_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RADAR_HOME")
    monkeypatch.setenv("radar_home", str(tmp_path / "lower"))
    assert load_settings().home == tmp_path / "lower"


def test_check_environment_ignores_other_variables() -> None:
    check_environment({"PATH": "/usr/bin", "RADARX": "1", "HOME": "/root", "RADAR_HOME": "/x",
                       "RADAR_HTTP__HOST_INTERVALS": "{}"})
    with pytest.raises(ConfigError, match="RADAR_INGEST__CONCURENCY"):
        check_environment({"RADAR_INGEST__CONCURENCY": "2"})


@pytest.mark.parametrize(("name", "value", "complaint"), [
    ("RADAR_HTTP__TIMEOUT", "abc", "valid number"),
    ("RADAR_HTTP__TIMEOUT", "0", "greater than 0"),
    ("RADAR_HTTP__RETRIES", "11", "less than or equal to 10"),
    ("RADAR_INGEST__CONCURRENCY", "0", "greater than or equal to 1"),
    ("RADAR_INGEST__BATCH_SIZE", "ten", "valid integer"),
])
def test_an_invalid_value_names_the_variable(
        radar_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, complaint: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith("Invalid settings:")
    assert f"{name}: " in message and complaint in message


@pytest.mark.parametrize(("name", "value"), [
    ("RADAR_HTTP__HOST_INTERVALS", "export.arxiv.org=3"),
    ("RADAR_HTTP", "{not json"),
])
def test_a_value_that_must_be_json_and_is_not_names_the_variable(
        radar_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert f"Invalid settings: {name}: " in str(info.value) and "JSON" in str(info.value)


def test_json_values_are_read(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_HTTP__HOST_INTERVALS", '{"export.arxiv.org": 5, "api.biorxiv.org": 1.5}')
    assert load_settings().http.host_intervals == {"export.arxiv.org": 5.0, "api.biorxiv.org": 1.5}


def test_an_invalid_value_inside_a_json_mapping_names_its_key(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_HTTP__HOST_INTERVALS", '{"export.arxiv.org": "slow"}')
    with pytest.raises(ConfigError, match="RADAR_HTTP__HOST_INTERVALS__EXPORT.ARXIV.ORG: Input should be a valid"):
        load_settings()


def test_known_variables_cover_every_field() -> None:
    known = known_variables()
    assert {"RADAR_HOME", "RADAR_CONFIG", "RADAR_HTTP", "RADAR_INGEST", "RADAR_HTTP__TIMEOUT",
            "RADAR_HTTP__HOST_INTERVALS", "RADAR_INGEST__BATCH_SIZE", "RADAR_INGEST__REJECT_EXCERPT_CHARS"} <= known
    expected = {f"RADAR_{name.upper()}" for name in Settings.model_fields}
    for name, field in Settings.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            expected |= {f"RADAR_{name.upper()}__{sub.upper()}" for sub in field.annotation.model_fields}
    assert known == expected


def test_every_setting_is_described(radar_env: Path) -> None:
    rows = describe_settings(load_settings())
    groups = {f"RADAR_{name.upper()}" for name, field in Settings.model_fields.items()
              if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)}
    assert {"RADAR_HTTP", "RADAR_INGEST", "RADAR_LLM", "RADAR_BRIEF", "RADAR_STORE", "RADAR_SMTP", "RADAR_WEB"} <= groups
    assert {r["variable"] for r in rows} == known_variables() - groups
    assert all(r["description"] and len(r["description"]) > 10 for r in rows)
    assert next(r for r in rows if r["variable"] == "RADAR_HOME")["value"] == str(radar_env)


def test_settings_are_frozen(radar_env: Path) -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.home = Path("/elsewhere")  # type: ignore[misc]


def test_the_class_itself_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Settings(colour="red")  # type: ignore[call-arg]


def test_secrets_in_groups_are_shown_only_as_set(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_LLM__API_KEY", "sk-very-secret")
    rows = describe_settings(load_settings())
    assert next(r for r in rows if r["variable"] == "RADAR_LLM__API_KEY")["value"] == "(set)"
    assert "sk-very-secret" not in repr(rows)


def test_the_smtp_group_reads_its_variables_and_never_shows_the_password(
        radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_SMTP__HOST", "smtp.example.org")
    monkeypatch.setenv("RADAR_SMTP__SECURITY", "ssl")
    monkeypatch.setenv("RADAR_SMTP__USER", "radar")
    monkeypatch.setenv("RADAR_SMTP__PASSWORD", "hunter2-very-secret")
    settings = load_settings()
    assert (settings.smtp.host, settings.smtp.effective_port, settings.smtp.user) == ("smtp.example.org", 465, "radar")
    assert settings.smtp.password is not None and settings.smtp.password.get_secret_value() == "hunter2-very-secret"
    rows = describe_settings(settings)
    assert next(r for r in rows if r["variable"] == "RADAR_SMTP__PASSWORD")["value"] == "(set)"
    assert "hunter2" not in repr(rows) and "hunter2" not in repr(settings)


def test_smtp_ports_default_by_security(radar_env: Path) -> None:
    assert load_settings().smtp.effective_port == 587
    assert load_settings(smtp={"security": "none"}).smtp.effective_port == 25
    assert load_settings(smtp={"security": "ssl", "port": 2465}).smtp.effective_port == 2465


def test_a_login_without_encryption_is_refused(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_SMTP__USER", "radar")
    monkeypatch.setenv("RADAR_SMTP__SECURITY", "none")
    with pytest.raises(ConfigError, match="RADAR_SMTP.*unencrypted.*RADAR_SMTP__SECURITY"):
        load_settings()


def test_a_multilingual_embedding_model_is_one_setting_and_the_grouped_spelling_says_which(
        radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_EMBEDDING_MODEL", "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
    assert load_settings().embedding_model == "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
    monkeypatch.setenv("RADAR_EMBEDDING__MODEL", "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
    with pytest.raises(ConfigError, match="Did you mean RADAR_EMBEDDING_MODEL"):
        load_settings()
