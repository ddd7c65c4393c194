"""Settings: notes.ini parsing, precedence, validation, and the generated reference docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.config import (
    SETTINGS,
    ConfigError,
    Source,
    load_settings,
    parse_notes_ini,
    render_reference,
)

REPO = Path(__file__).resolve().parents[2]


def write_ini(folder: Path, text: str) -> None:
    (folder / "notes.ini").write_text(text, encoding="utf-8")


def test_defaults_apply_without_notes_ini(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.http_host == "127.0.0.1"
    assert settings.http_port == 8080
    assert settings.syncml_auth_types == ("md5", "basic")
    assert settings.max_message_size == 4 * 1024 * 1024
    assert settings.max_msg_size == 150000
    assert settings.max_obj_size == 4000000
    assert settings.session_timeout == 900
    assert settings.log_level == "INFO"
    assert settings.push_enable_apns is False
    assert {v.source for v in settings.entries()} == {Source.DEFAULT}
    assert settings.warnings == []


def test_notes_ini_values_are_typed_and_case_insensitive(tmp_path: Path) -> None:
    write_ini(
        tmp_path,
        "[Notes]\n"
        "; a comment\n"
        "# another\n"
        "nts_http_port=9001\n"
        "NTS_SYNCML_AUTH_TYPES = Basic\n"
        "NTS_PUSH_ENABLE_APNS=TRUE\n"
        "NTS_LOG_LEVEL=debug\n",
    )
    settings = load_settings(tmp_path)
    assert settings.http_port == 9001
    assert settings["nts_http_port"] == 9001
    assert settings.syncml_auth_types == ("basic",)
    assert settings.push_enable_apns is True
    assert settings.log_level == "FINE"  # DEBUG is the older spelling of the seed's FINE
    entry = settings.entry("NTS_HTTP_PORT")
    assert (entry.source, entry.line, entry.text) == (Source.NOTES_INI, 4, "9001")


def test_command_line_beats_notes_ini_beats_default(tmp_path: Path) -> None:
    write_ini(tmp_path, "NTS_HTTP_PORT=9001\nNTS_HTTP_HOST=0.0.0.0\n")
    settings = load_settings(tmp_path, {"NTS_HTTP_PORT": 9100, "NTS_HTTP_HOST": None})
    assert settings.http_port == 9100
    assert settings.entry("NTS_HTTP_PORT").source is Source.COMMAND_LINE
    # None means "flag not given": notes.ini stays in force.
    assert settings.http_host == "0.0.0.0"
    assert settings.entry("NTS_HTTP_HOST").source is Source.NOTES_INI
    assert settings.entry("NTS_MAX_MSG_SIZE").source is Source.DEFAULT


def test_unknown_nts_key_is_kept_with_a_warning(tmp_path: Path) -> None:
    write_ini(tmp_path, "NTS_HTTP_PROT=9000\nKeyFileName=server.id\n")
    settings = load_settings(tmp_path)
    unknown = settings.entry("NTS_HTTP_PROT")
    assert unknown.known is False and unknown.value == "9000"
    assert any("NTS_HTTP_PROT" in w and "line 1" in w for w in settings.warnings)
    # Non-Traveler keys of a Domino notes.ini are kept aside, quietly.
    assert "KEYFILENAME" in settings.other
    assert "KEYFILENAME" not in settings
    assert settings.http_port == 8080


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("NTS_HTTP_PORT=eighty", "whole number"),
        ("NTS_HTTP_PORT=70000", "between 0 and 65535"),
        ("NTS_SYNCML_AUTH_TYPES=md5,ntlm", "ntlm"),
        ("NTS_SYNCML_AUTH_TYPES=", "at least one"),
        ("NTS_PUSH_ENABLE_APNS=maybe", "true or false"),
        ("NTS_LOG_LEVEL=LOUD", "FINEST"),
        ("NTS_MAX_MESSAGE_SIZE=10", "at least 1024"),
    ],
)
def test_bad_value_names_key_value_and_line(tmp_path: Path, line: str, needle: str) -> None:
    write_ini(tmp_path, "; header\n" + line + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert line.split("=")[0] in message
    assert "notes.ini line 2" in message
    assert needle in message


def test_bad_command_line_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="command line"):
        load_settings(tmp_path, {"NTS_HTTP_PORT": "x"})
    with pytest.raises(ConfigError, match="not a setting"):
        load_settings(tmp_path, {"NTS_NOPE": "1"})


def test_malformed_lines_other_sections_and_duplicates_warn(tmp_path: Path) -> None:
    entries, warnings = parse_notes_ini(
        "just words\n"
        "NTS_HTTP_PORT=1\n"
        "[Other]\n"
        "NTS_HTTP_HOST=10.0.0.1\n"
        "[notes]\n"
        "NTS_HTTP_PORT=2\n"
        "NTS_X=a;b\n"
    )
    values = {e.key: e.value for e in entries}
    assert values == {"NTS_HTTP_PORT": "2", "NTS_X": "a;b"}
    assert len(warnings) == 3
    assert "line 1" in warnings[0]
    assert "[Other]" in warnings[1]
    assert "set again" in warnings[2]


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "notes.ini").write_bytes(b"\xef\xbb\xbfNTS_HTTP_PORT=9002\r\n")
    assert load_settings(tmp_path).http_port == 9002


def test_docs_carry_the_generated_reference_table() -> None:
    docs = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    match = re.search(
        r"<!-- settings-table:start -->\n(.*?)<!-- settings-table:end -->", docs, re.S
    )
    assert match, "docs/configuration.md lost its settings-table markers"
    assert match.group(1) == render_reference(), (
        "docs/configuration.md is out of date: paste `traveler-server config docs` between "
        "the settings-table markers"
    )
    for setting in SETTINGS:
        assert f"`{setting.key}`" in docs
