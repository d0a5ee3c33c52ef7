"""Every data table loads and is consistent; a bad user table names its file and row."""

import pytest

from tieline.errors import LexiconError
from tieline.lexicon import EVENT_TYPES, SECTOR_CODES, Lexicon


def test_lexicon_tables_load_and_agree(lexicon):
    iso3 = {c.iso3 for c in lexicon.countries}
    assert len(iso3) == len(lexicon.countries) >= 240
    assert {p.country for p in lexicon.places} <= iso3
    assert all(-90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in lexicon.places)
    assert all(o.country is None or o.country in iso3 for o in lexicon.organizations)
    assert len({o.abbrev for o in lexicon.organizations}) == len(lexicon.organizations)
    assert all(m.country in iso3 and m.type in SECTOR_CODES for m in lexicon.metonyms)
    assert all(leader.country in iso3 and leader.type in SECTOR_CODES for leader in lexicon.leaders)
    assert set(lexicon.event_types) == set(EVENT_TYPES)
    for pattern in lexicon.triggers:
        assert pattern.cameo in lexicon.cameo, pattern.rule
        if pattern.mode:
            assert (pattern.event, pattern.mode) in lexicon.modes, pattern.rule
    assert {e for e, _ in lexicon.modes} <= set(EVENT_TYPES)
    assert all(code in lexicon.cameo for _, code in lexicon.modes.values())
    assert {t.event for t in lexicon.triggers} == set(EVENT_TYPES)
    assert lexicon.light_verbs["object"] and lexicon.contexts and lexicon.fields and lexicon.discards


def test_lexicon_bad_user_table_names_file_and_row(tmp_path):
    (tmp_path / "agents.csv").write_text("term,type\nminister,GOV\nwarlord,XYZ\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        _ = Lexicon(tmp_path).agents
    assert "agents.csv row 3" in str(err.value) and "XYZ" in str(err.value)


def test_lexicon_user_table_replaces_builtin(tmp_path):
    (tmp_path / "metonyms.csv").write_text("phrase,country,type,name\nthe Palace,GBR,GOV,UK monarchy\n")
    assert [m.phrase for m in Lexicon(tmp_path).metonyms] == ["the Palace"]


def test_lexicon_trigger_rows_have_no_stray_particles(lexicon):
    # a space inside an alternative list splits it into a particle by mistake ("aid worker")
    for pattern in lexicon.triggers:
        assert all(" " not in p and "|" not in p for p in pattern.particles), pattern.rule
        assert len(pattern.particles) <= 4, pattern.rule


def test_lexicon_trigger_word_that_is_no_particle_names_the_row(tmp_path):
    # "*envoy|prime minister|king": the space made "minister|king" particles the verb never has
    (tmp_path / "triggers.csv").write_text("pattern,event,mode,cameo,requires\n"
                                           "welcome *envoy|prime minister|king,CONSULT,,,\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        _ = Lexicon(tmp_path).triggers
    assert "triggers.csv row 2" in str(err.value) and "king, minister" in str(err.value)


def test_lexicon_trigger_rows_are_unique(lexicon):
    seen = {}
    for pattern in lexicon.triggers:
        key = (pattern.head, pattern.noun, pattern.objects, pattern.particles, pattern.event, pattern.requires)
        assert key not in seen, f"{pattern.rule} repeats row {seen[key]}"
        seen[key] = pattern.row
