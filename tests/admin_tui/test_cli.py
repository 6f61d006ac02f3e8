"""``kds-admin``'s settings: flags, then KDS_* variables, then the local server's token file."""

from __future__ import annotations

import json

import pytest

from admin_tui.cli import main, parse_args, resolve


@pytest.fixture
def local(tmp_path, monkeypatch):
    monkeypatch.delenv("KDS_TOKEN", raising=False)
    monkeypatch.delenv("KDS_URL", raising=False)
    monkeypatch.setenv("KDS_DATA_DIR", str(tmp_path))
    (tmp_path / "local-tokens.json").write_text(
        json.dumps({"admin": "file-admin", "kitchen": "file-kitchen", "url": "http://h:1"})
    )
    return tmp_path


def test_the_local_token_file_is_the_default(local) -> None:
    assert resolve(parse_args([])) == (["http://h:1"], "file-admin")


def test_environment_beats_the_file(local, monkeypatch) -> None:
    monkeypatch.setenv("KDS_TOKEN", "env-token")
    monkeypatch.setenv("KDS_URL", "http://a:1,http://b:2")
    assert resolve(parse_args([])) == (["http://a:1", "http://b:2"], "env-token")


def test_flags_beat_everything(local, monkeypatch) -> None:
    monkeypatch.setenv("KDS_TOKEN", "env-token")
    args = parse_args(["--url", "http://x:1", "--url", "http://y:2,http://z:3", "--token", "t"])
    assert resolve(args) == (["http://x:1", "http://y:2", "http://z:3"], "t")


def test_no_token_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("KDS_TOKEN", raising=False)
    assert main(["--data-dir", str(tmp_path)]) == 2
    assert "no token" in capsys.readouterr().err


def test_a_mistyped_url_is_a_usage_error_without_the_token(tmp_path, capsys) -> None:
    assert main(["--url", "http://127.0.0.1:99999", "--token", "kds_secret"]) == 2
    err = capsys.readouterr().err
    assert "'http://127.0.0.1:99999' is not a server URL (port out of range 0-65535)" in err
    assert "kds_secret" not in err
