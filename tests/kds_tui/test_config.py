"""The command line and the config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kds_tui.cli import binding_ids, main, parser, settings_from
from kds_tui.config import ConfigError, load_config


def test_flags_then_environment_then_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KDS_DATA_DIR", str(tmp_path))
    (tmp_path / "local-tokens.json").write_text(
        '{"admin": "a", "kitchen": "k", "url": "http://127.0.0.1:5999"}'
    )
    defaults = settings_from(parser().parse_args([]), {})
    assert defaults.urls == ("http://127.0.0.1:5999",) and defaults.token == "k"
    assert defaults.station is None and defaults.bell and not defaults.pickup

    env = {"KDS_URL": "http://a:1,http://b:2", "KDS_TOKEN": "t", "KDS_STATION": "fry"}
    from_env = settings_from(parser().parse_args([]), env)
    assert from_env.urls == ("http://a:1", "http://b:2")
    assert (from_env.token, from_env.station) == ("t", "fry")

    args = ["--url", "http://x:1", "--url", "http://y:2", "--token", "f", "--station", "grill"]
    flags = settings_from(parser().parse_args([*args, "--no-bell", "--pickup"]), env)
    assert flags.urls == ("http://x:1", "http://y:2")
    assert (flags.token, flags.station, flags.bell, flags.pickup) == ("f", "grill", False, True)


def test_a_config_file(tmp_path: Path):
    path = tmp_path / "k.toml"
    path.write_text(
        '[keys]\nnext = "b, f5"\nbump_1 = "f1"\n[age]\nwarn_minutes = 3\nlate_minutes = 7.5\n'
        '[display]\nstation = "grill"\nbell = false\n'
    )
    loaded = load_config(path, binding_ids())
    assert loaded["keymap"] == {"next": "b,f5", "bump_1": "f1"}
    assert (loaded["thresholds"].warn, loaded["thresholds"].late) == (180, 450)
    assert loaded["station"] == "grill" and loaded["bell"] is False


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[keys]\nfly = "x"\n', "unknown key binding(s) fly"),
        ("[keys]\nnext = 3\n", "[keys] next must be a key name"),
        ("[age]\nwarn_minutes = 10\nlate_minutes = 5\n", "0 < warn_minutes < late_minutes"),
        ('[age]\nwarn_minutes = "soon"\n', "must be numbers"),
        ("[display]\nbell = 1\n", "bell must be true or false"),
        ("keys = 1\n", "[keys] must be a table"),
        ("[keys\n", "not valid TOML"),
    ],
)
def test_a_bad_config_file_says_what_is_wrong(tmp_path: Path, text: str, words: str):
    path = tmp_path / "k.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=None) as caught:
        load_config(path, binding_ids())
    assert words in str(caught.value) and str(path) in str(caught.value)


def test_the_command_refuses_a_bad_config_or_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("KDS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KDS_TOKEN", raising=False)
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read config file" in capsys.readouterr().err
    assert main([]) == 2
    assert "no token" in capsys.readouterr().err
    for url, words in [
        ("http://127.0.0.1:99999", "port out of range 0-65535"),
        ("ftp://kitchen", "it is ftp, not http or https"),
        ("http://", "it has no host"),
    ]:
        assert main(["--url", url, "--token", "kds_secret"]) == 2
        err = capsys.readouterr().err
        assert f"'{url}' is not a server URL ({words})" in err and "http://127.0.0.1:5000" in err
        assert "kds_secret" not in err and "Traceback" not in err


def test_the_example_config_file_loads():
    example = Path(__file__).parents[2] / "kds_tui" / "kitchen.example.toml"
    loaded = load_config(example, binding_ids())
    assert loaded["thresholds"].warn == 300 and loaded["thresholds"].late == 600
