"""The command line and the config file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kds_tui.cli import default_keys, main, parser, settings_from
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
    loaded = load_config(path, default_keys())
    assert loaded["keymap"] == {"next": "b,f5", "bump_1": "f1"}
    assert (loaded["thresholds"].warn, loaded["thresholds"].late) == (180, 450)
    assert loaded["station"] == "grill" and loaded["bell"] is False


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[keys]\nfly = "x"\n', "unknown name(s) in [keys]: fly; known: all_day, bump_1,"),
        ("[display]\nbel = false\n", "unknown name(s) in [display]: bel; known: bell, station"),
        ("[age]\nwarn = 3\n", "unknown name(s) in [age]: warn; known: late_minutes, warn_minutes"),
        (
            '[colours]\nnew = "red"\n',
            "unknown table(s): colours; known: age, allergens, display, keys",
        ),
        ("bell = false\n", "unknown table(s): bell;"),
        (
            '[keys]\nnext = "f1"\nbump_1 = "f1"\n',
            '[keys] "f1" is given to both next and bump_1; a key can do one thing only: '
            "pick another key for one of them",
        ),
        (
            '[keys]\nundo = "d"\n',
            '[keys] "d" is given to undo but is also item_done\'s default key; '
            'pick another key for undo, or remap item_done too (item_done = "...")',
        ),
        ('[keys]\nquit = "?"\n', '"?" is given to quit but is also help\'s default key'),
        (
            '[keys]\nnext = "notakey"\n',
            '[keys] next = "notakey": "notakey" is not a key name Textual knows; '
            "use key names such as f1, enter, space,",
        ),
        ('[keys]\nnext = "enter,F5"\n', '"F5" is not a key name'),
        ('[keys]\nnext = "shift+ctrl+x"\n', '"shift+ctrl+x" is not a key name'),
        ('[keys]\nnext = "hyperdrive+x"\n', '"hyperdrive+x" is not a key name'),
        ('[keys]\nnext = "f1,"\n', '"" is not a key name'),
        ("[keys]\nnext = 3\n", "[keys] next must be a key name"),
        ("[age]\nwarn_minutes = 10\nlate_minutes = 5\n", "0 < warn_minutes < late_minutes"),
        ('[age]\nwarn_minutes = "soon"\n', "must be numbers"),
        ("[display]\nbell = 1\n", "bell must be true or false"),
        ("keys = 1\n", "[keys] must be a table"),
        ('[allergens]\npeanuts = "peanut"\n', "[allergens] peanuts must be a list of words"),
        ("[allergens]\nignore = [1]\n", "[allergens] ignore must be a list of words"),
        ('[allergens]\npeanuts = [" "]\n', "[allergens] peanuts: ' ' is not a word"),
        ('[allergens]\ndefaults = "no"\n', "[allergens] defaults must be true or false"),
        ('allergens = ["x"]\n', "[allergens] must be a table"),
        ("[keys\n", "not valid TOML"),
    ],
)
def test_a_bad_config_file_says_what_is_wrong(tmp_path: Path, text: str, words: str):
    path = tmp_path / "k.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=None) as caught:
        load_config(path, default_keys())
    assert words in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    "key",
    "f1 f24 enter space escape tab insert b B 0 / slash minus exclamation_mark ctrl+x alt+b "
    "ctrl+shift+f1 shift+tab".split(),
)
def test_any_key_textual_knows_can_be_bound(tmp_path: Path, key: str):
    path = tmp_path / "k.toml"
    path.write_text(f'[keys]\nnext = "{key}"\nhelp = "?"\n')
    assert load_config(path, default_keys())["keymap"] == {"next": key, "help": "?"}


def test_a_default_key_is_free_once_its_binding_is_remapped(tmp_path: Path):
    path = tmp_path / "k.toml"
    path.write_text('[keys]\nundo = "d"\nitem_done = "x"\nnext = "1"\nbump_1 = "f1"\n')
    assert load_config(path, default_keys())["keymap"]["undo"] == "d"


def test_the_command_refuses_a_bad_config_or_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("KDS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KDS_TOKEN", raising=False)
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read config file" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_text('[keys]\nnext = "notakey"\n')
    assert main(["--config", str(tmp_path / "bad.toml"), "--token", "t"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"kds-kitchen: {tmp_path / 'bad.toml'}: ")
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


def test_the_allergen_words_are_set_in_the_config_file(tmp_path: Path):
    path = tmp_path / "k.toml"
    path.write_text('[allergens]\npeanuts = ["花生"]\nchilli = ["chilli"]\nignore = ["oats"]\n')
    allergens = load_config(path, default_keys())["allergens"]
    assert allergens.named(["花生", "extra chilli", "oats"]) == ["peanuts", "chilli"]
    assert allergens.named(["sesame"]) == ["sesame"], "the EU list is kept"
    path.write_text('[allergens]\ndefaults = false\nchilli = ["chilli"]\n')
    only = load_config(path, default_keys())["allergens"]
    assert only.named(["sesame", "chilli"]) == ["chilli"]


def test_the_example_config_file_loads():
    example = Path(__file__).parents[2] / "kds_tui" / "kitchen.example.toml"
    loaded = load_config(example, default_keys())
    assert loaded["thresholds"].warn == 300 and loaded["thresholds"].late == 600


def test_the_examples_in_the_example_file_and_the_readme_load(tmp_path: Path):
    root = Path(__file__).parents[2]
    example = (root / "kds_tui" / "kitchen.example.toml").read_text()
    # The example file's remaps are commented out; they must work once uncommented.
    uncommented = re.sub(r"^# (\w+ = )", r"\1", example, flags=re.MULTILINE)
    assert uncommented != example
    (tmp_path / "example.toml").write_text(uncommented)
    assert load_config(tmp_path / "example.toml", default_keys())["keymap"]["bump_2"] == "f2"
    readme = re.search(r"```toml\n(.*?)```", (root / "README.md").read_text(), re.DOTALL)
    assert readme is not None
    (tmp_path / "readme.toml").write_text(readme.group(1))
    assert load_config(tmp_path / "readme.toml", default_keys())["station"] == "grill"
