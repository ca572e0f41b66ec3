"""config.toml [ui] and [keys]: checked with one line naming the file, line, key and the nearest
valid one; flags over the file; an unknown binding id stops the console before it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from mluvii_tui.cli.main import build_parser, main
from mluvii_tui.cli.serve import ConsoleSettings, console_settings
from mluvii_tui.config.paths import config_file
from mluvii_tui.config.profiles import ConfigError, ConfigFile


def _write(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_config():
    yield
    config_file().unlink(missing_ok=True)


def test_ui_and_keys_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[ui]\nclipboard = "osc52"\nmouse = false\n[keys]\n"app.help" = "f2"\n')
    config = ConfigFile.load(path)
    assert config.ui.clipboard == "osc52" and config.ui.mouse is False
    assert config.keys == {"app.help": "f2"}
    path.write_text('[ui]\nclipboard = "osc"\n')
    with pytest.raises(ConfigError, match=r"line 2: clipboard: 'osc' is not a mode \(did you"):
        ConfigFile.load(path)
    path.write_text('[ui]\nmouse = "no"\n')
    with pytest.raises(ConfigError, match="mouse: expected true or false"):
        ConfigFile.load(path)
    path.write_text('[ui]\ncolour = "x"\n')
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        ConfigFile.load(path)


def test_flags_over_the_file() -> None:
    _write('[ui]\nmouse = true\ntheme = "dark"\n[keys]\n"sessions.export" = "ctrl+e"\n')
    args = build_parser().parse_args(["--no-mouse", "--theme", "light"])
    settings = console_settings(args)
    assert settings == ConsoleSettings(
        keys={"sessions.export": "ctrl+e"}, clipboard="auto", mouse=False, theme="light"
    )


def test_unknown_binding_id_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    path = _write('[keys]\n"sessions.exprot" = "ctrl+e"\n')
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: [keys]: unknown binding id 'sessions.exprot'" in err
    assert "did you mean 'sessions.export'?" in err and "Traceback" not in err
