"""User dictionaries of actors and trigger phrases, loaded on top of the built-in tables."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from tieline.cli import cli
from tieline.errors import LexiconError
from tieline.lexicon import Lexicon
from tieline.pipeline import Coder
from tieline.types import Document

ACTORS_YAML = """
- name: Zorlan Veskit
  aliases: [Veskit]
  country: ARM
  type: GOV
  valid_from: 2020-01-01
"""
TRIGGERS_CSV = "pattern,event,mode,cameo,requires\nsnub,REJECT,meet,,recipient\n"


def test_user_dictionaries_load_and_validate(tmp_path):
    actors = tmp_path / "actors.yaml"
    actors.write_text(ACTORS_YAML, encoding="utf-8")
    triggers = tmp_path / "triggers.csv"
    triggers.write_text(TRIGGERS_CSV, encoding="utf-8")
    lexicon = Lexicon(user_actors=[actors], user_triggers=[triggers])
    [entry] = lexicon.user_actors
    assert (entry.name, entry.aliases, entry.country, entry.valid_from) == ("Zorlan Veskit", ("Veskit",), "ARM",
                                                                            dt.date(2020, 1, 1))
    first = lexicon.triggers[0]
    assert (first.event, first.mode, first.cameo, first.rule) == ("REJECT", "meet", "125", "triggers.csv:2 snub")


@pytest.mark.parametrize("text, message", [
    ("name,country,type\nSomeone,IRAN,GOV\n", "row 2: country must be an ISO 3166 alpha-3 code"),
    ("name,country,type\nSomeone,IRN,WARLORD\n", "row 2: unknown type 'WARLORD'"),
    ("name,country,type\n,IRN,GOV\n", "row 2: empty name"),
])
def test_user_dictionaries_bad_rows_name_file_and_row(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        _ = Lexicon(user_actors=[path]).user_actors
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.mark.model
def test_user_dictionaries_change_the_coding(nlp, tmp_path):
    actors = tmp_path / "actors.yaml"
    actors.write_text(ACTORS_YAML, encoding="utf-8")
    triggers = tmp_path / "triggers.csv"
    triggers.write_text(TRIGGERS_CSV, encoding="utf-8")
    coder = Coder(nlp, lexicon=Lexicon(user_actors=[actors], user_triggers=[triggers]), event_source="rules")
    text = "Zorlan Veskit met Iran's foreign minister on Monday. Veskit later snubbed Turkey."
    records = [r.to_dict() for r in coder.code([Document("d", text, dt.date(2021, 3, 3))])]
    dyads = {(r["event"], r["actor"]["country"], r["recipient"]["country"]) for r in records}
    assert ("CONSULT", "ARM", "IRN") in dyads and ("REJECT", "ARM", "TUR") in dyads
    before = [r for r in coder.code([Document("d", text, dt.date(2019, 3, 3))]) if r.actor.first.country == "ARM"]
    assert before == []  # outside the entry's dates


@pytest.mark.model
def test_user_dictionaries_from_the_command_line_and_config(tmp_path):
    actors = tmp_path / "actors.yaml"
    actors.write_text(ACTORS_YAML, encoding="utf-8")
    story = tmp_path / "s.txt"
    story.write_text("Zorlan Veskit met Iran's foreign minister in Tehran.", encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(cli, ["code", str(story), "--date", "2021-03-03"])
    assert not any(json.loads(line)["actor"]["country"] == "ARM" for line in plain.stdout.splitlines())
    with_dict = runner.invoke(cli, ["code", str(story), "--date", "2021-03-03", "--actors", str(actors)])
    assert any(json.loads(line)["actor"]["country"] == "ARM" for line in with_dict.stdout.splitlines())
    config = tmp_path / "tieline.yaml"
    config.write_text(f"actors: [{actors}]\nbatch_size: 8\n", encoding="utf-8")
    via_config = runner.invoke(cli, ["--config", str(config), "code", str(story), "--date", "2021-03-03"])
    assert any(json.loads(line)["actor"]["country"] == "ARM" for line in via_config.stdout.splitlines())
    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: blue\n", encoding="utf-8")
    refused = runner.invoke(cli, ["--config", str(bad), "code", str(story)])
    assert refused.exit_code == 2 and "unknown settings ['colour']" in refused.stderr
