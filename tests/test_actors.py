"""Actor resolution on parses built by hand."""

from tieline.coref import DocumentContext


def _resolve(finders, doc, index):
    actors, _ = finders
    names = actors.find_names(doc, None)
    ctx = DocumentContext()
    for sent in doc.sents:
        ctx.begin_sentence(sent, names, 0)
    res = actors.resolve(doc[index], names, 0, ctx)
    return None if res is None else [(m.actor.country, m.actor.type, m.actor.abbrev, m.text) for m in res.mentions]


def test_actors_possessive_country_and_role(finders, make_doc):
    doc = make_doc("""
        Iran PROPN poss 3 ent=GPE
        's PART case 0
        ICT PROPN compound 3
        Ministry PROPN nsubj 4 ministry
        met VERB ROOT 4 meet
    """)
    assert _resolve(finders, doc, 3) == [("IRN", "GOV", None, "Iran 's ICT Ministry")]


def test_actors_titled_person_with_adjective(finders, make_doc):
    # "Malaysian Minister of International Trade Darell Leiking"
    doc = make_doc("""
        Malaysian ADJ amod 1 ent=NORP
        Minister PROPN nmod 6 minister
        of ADP prep 1
        International PROPN compound 4
        Trade PROPN pobj 2
        Darell PROPN compound 6 ent=PERSON
        Leiking PROPN dobj 6 ent=PERSON+
    """)
    assert _resolve(finders, doc, 6)[0][:2] == ("MYS", "GOV")


def test_actors_apposition_names_the_organisation(finders, make_doc):
    # "Houlin Zhao, the secretary-general of ITU, visited"
    doc = make_doc("""
        Houlin PROPN compound 1 ent=PERSON
        Zhao PROPN nsubj 7 ent=PERSON+
        , PUNCT punct 1
        the DET det 4
        secretary-general NOUN appos 1
        of ADP prep 4
        ITU PROPN pobj 5 ent=ORG
        visited VERB ROOT 7 visit
    """)
    assert _resolve(finders, doc, 1)[0][2] == "ITU"


def test_actors_capital_and_building_stand_for_government(finders, make_doc):
    doc = make_doc("""
        Tehran PROPN nsubj 1 ent=GPE
        rejected VERB ROOT 1 reject
        the DET det 4
        White PROPN compound 4
        House PROPN dobj 1
    """)
    assert _resolve(finders, doc, 0) == [("IRN", "GOV", None, "Tehran")]
    assert _resolve(finders, doc, 4)[0][:2] == ("USA", "GOV")


def test_actors_people_resolve_to_where_they_live(finders, make_doc):
    # "Bosnian Serbs demanded"
    doc = make_doc("""
        Bosnian ADJ amod 1 ent=NORP
        Serbs PROPN nsubj 2 ent=NORP
        demanded VERB ROOT 2 demand
    """)
    assert _resolve(finders, doc, 1)[0][0] == "BIH"


def test_actors_plain_noun_is_no_actor(finders, make_doc):
    doc = make_doc("""
        The DET det 1
        weather NOUN nsubj 2
        improved VERB ROOT 2 improve
    """)
    assert _resolve(finders, doc, 1) is None


def test_actors_international_organisation_by_acronym(finders, make_doc):
    doc = make_doc("""
        NATO PROPN nsubj 1 ent=ORG
        warned VERB ROOT 1 warn
    """)
    [(country, kind, abbrev, _)] = _resolve(finders, doc, 0)
    assert (kind, abbrev) == ("IGO", "NATO")


def test_actors_bare_surname_of_the_one_office_holder(finders, blank_nlp):
    import datetime as dt

    actors, _ = finders
    doc = blank_nlp("Sharon met Arafat.")
    names = actors.find_names(doc, dt.date(2004, 9, 1))
    assert names[0].actor.country == "ISR" and names[2].actor.country == "PSE"
    assert actors.find_names(blank_nlp("Sharon met Arafat."), dt.date(2020, 1, 1)).get(0) is None


def test_actors_office_holders_for_the_story_date(finders, blank_nlp):
    import datetime as dt

    actors, _ = finders

    def who(text, day):
        return sorted({(n.actor.country, n.actor.type) for n in actors.find_names(blank_nlp(text), day).values()})

    assert who("Trump spoke.", dt.date(2019, 6, 1)) == [("USA", "GOV")]
    assert who("Merkel spoke.", dt.date(2019, 1, 1)) == [("DEU", "GOV")]
    assert who("Merkel spoke.", dt.date(2023, 1, 1)) == [("DEU", "ELI")]  # a former leader resolves as such
    assert who("Erdogan spoke.", dt.date(2019, 1, 1)) == [("TUR", "GOV")]
    assert who("Abiy spoke.", dt.date(2020, 1, 1)) == [("ETH", "GOV")]
