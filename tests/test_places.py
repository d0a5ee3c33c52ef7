"""Places: a name inside a longer proper name is not that place (issue 10: "New York" is not the UK)."""

from __future__ import annotations

from tieline.attributes.places import _names_a_place, _part_of_other_place


def test_places_name_inside_a_longer_name_is_not_the_place(make_doc):
    doc = make_doc("""
        talks NOUN ROOT 0
        in ADP prep 0
        New PROPN compound 3 ent=GPE
        York PROPN pobj 1 ent=GPE+
        """)
    assert _part_of_other_place(doc[3:4])  # York, inside New York
    assert not _part_of_other_place(doc[2:4])  # New York itself


def test_places_parts_of_a_place_and_groups_named_after_it(make_doc):
    doc = make_doc("""
        fighting NOUN ROOT 0
        in ADP prep 0
        Western PROPN compound 3 ent=GPE
        Cambodia PROPN pobj 1 ent=GPE+
        and CCONJ cc 3
        the DET det 8
        International PROPN compound 8 ent=ORG
        Syria PROPN compound 8 ent=ORG+
        Group PROPN conj 3 ent=ORG+
        near ADP prep 0
        Scarborough PROPN compound 11 ent=LOC
        Shoal PROPN pobj 9 ent=LOC+
        """)
    assert not _part_of_other_place(doc[3:4])  # Western Cambodia is in Cambodia
    assert _part_of_other_place(doc[7:8])  # the International Syria Support Group is no place in Syria
    assert _part_of_other_place(doc[10:11])  # Scarborough Shoal is not Scarborough


def test_places_a_war_named_after_a_country_is_no_place_unless_the_act_is_in_it(make_doc):
    # "demonstrated against plans for the Iraq war": what the war is about, not where they marched
    about = make_doc("""
        demonstrated VERB ROOT 0
        against ADP prep 0
        plans NOUN pobj 1
        for ADP prep 2
        the DET det 6
        Iraq PROPN compound 6 ent=EVENT
        war NOUN pobj 3 ent=EVENT+
        """)
    assert not _names_a_place(about[5:6])
    # "killed in the Iraq war": there
    there = make_doc("""
        killed VERB ROOT 0
        in ADP prep 0
        the DET det 4
        Iraq PROPN compound 4 ent=EVENT
        war NOUN pobj 1 ent=EVENT+
        """)
    assert _names_a_place(there[3:4])
