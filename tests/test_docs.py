"""The README documents every command, record field and setting; the version lives in one place."""

import re

import tieline
from tieline.about import __version__
from tieline.cli import cli
from tieline.records import record_schema
from tieline.settings import SETTINGS

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_docs_readme_starts_with_the_two_setup_commands():
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_docs_every_command_is_in_the_readme():
    for name in cli.commands:
        assert f"tieline {name}" in README, name


def test_docs_every_record_field_is_in_the_readme():
    for field in record_schema()["properties"]:
        assert f"`{field}`" in README, field


def test_docs_every_setting_is_documented():
    docs = README + (REPO / "docs" / "user-dictionaries.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.help and (setting.name in docs or setting.name.replace("_", "-") in docs), setting.name


def test_docs_version_in_one_place():
    assert tieline.__version__ == __version__
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert not re.search(r'^version\s*=\s*"', pyproject, re.M), "the version lives in tieline/about.py only"
