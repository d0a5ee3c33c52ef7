from tieline.coref import DocumentContext, _edit_distance_at_most_one
from tieline.types import Actor, Mention


def test_coref_edit_distance():
    assert _edit_distance_at_most_one("houling", "houlin")
    assert _edit_distance_at_most_one("rouhani", "rohani")
    assert not _edit_distance_at_most_one("putin", "puton!")
    assert not _edit_distance_at_most_one("iran", "iraq!")


def test_coref_surname_and_pronoun(make_doc):
    doc = make_doc("""
        Mohammad PROPN compound 1 ent=PERSON
        Jahromi PROPN nsubj 2 ent=PERSON+
        spoke VERB ROOT 2 speak
        . PUNCT punct 2
        Jahromi PROPN nsubj 5 ent=PERSON
        left VERB ROOT 5 leave
        . PUNCT punct 5
        He PRON nsubj 8 he
        returned VERB ROOT 8 return
    """)
    ctx = DocumentContext()
    iran = Actor("Iran", "IRN", "GOV")
    ctx.remember_person(doc[1], iran)
    assert ctx.person(doc[4]) == iran
    ctx.observe(Mention("Jahromi", doc[4].idx, doc[4].idx + 7, iran, "person"), doc[4])
    res = ctx.resolve_pronoun(doc[7], 0)
    assert res is not None and res.mentions[0].actor == iran


def test_coref_the_two_sides_is_the_last_pair(make_doc):
    doc = make_doc("""
        The DET det 2
        two NUM nummod 2
        sides NOUN nsubj 3 side
        agreed VERB ROOT 3 agree
    """)
    ctx = DocumentContext()
    ctx.begin_sentence(doc[0:4], {}, 0)
    a = Mention("Iran", 0, 4, Actor("Iran", "IRN", "GOV"), "country")
    b = Mention("Malaysia", 10, 18, Actor("Malaysia", "MYS", "GOV"), "country")
    ctx.observe_pair(a, b)
    res = ctx.resolve_definite(doc[2], None, 100)
    assert [m.actor.country for m in res.mentions] == ["IRN", "MYS"]


def test_coref_the_two_countries_are_never_one_country_named_before(make_doc):
    # "... US sanctions on the country. ... talks will strengthen ties between the two countries":
    # with no pair of parties lately, the two are no one, not the last "country" (the US)
    doc = make_doc("""
        The DET det 1
        country NOUN nsubj 2 country
        suffered VERB ROOT 2 suffer
        . PUNCT punct 2
        The DET det 6
        two NUM nummod 6
        countries NOUN nsubj 7 country
        agreed VERB ROOT 7 agree
    """)
    ctx = DocumentContext()
    ctx.begin_sentence(doc[0:4], {}, 0)
    ctx.observe(Mention("country", doc[1].idx, doc[1].idx + 7, Actor("United States", "USA", "GOV"), "definite"), doc[1])
    ctx.begin_sentence(doc[4:8], {}, 0)
    assert ctx.resolve_definite(doc[6], None, 0) is None


def test_coref_subject_pronoun_continues_the_last_subject(make_doc):
    # "Yildirim met May. He accused the EU and thanked her.": he is Yildirim, the subject, not
    # May, named last; an object pronoun still takes the person named last
    doc = make_doc("""
        Yildirim PROPN nsubj 1 ent=PERSON
        met VERB ROOT 1 meet
        May PROPN dobj 1 ent=PERSON
        . PUNCT punct 1
        He PRON nsubj 5 he
        accused VERB ROOT 5 accuse
        her PRON dobj 5 she
    """)
    ctx = DocumentContext()
    turkey, britain = Actor("Turkey", "TUR", "GOV"), Actor("United Kingdom", "GBR", "GOV")
    ctx.begin_sentence(doc[0:4], {}, 0)
    ctx.observe(Mention("Yildirim", 0, 8, turkey, "person"), doc[0])
    ctx.observe(Mention("May", doc[2].idx, doc[2].idx + 3, britain, "person"), doc[2])
    ctx.begin_sentence(doc[4:7], {}, 0)
    assert ctx.resolve_pronoun(doc[4], 0).mentions[0].actor == turkey
    assert ctx.resolve_pronoun(doc[6], 0).mentions[0].actor == britain


def test_coref_the_president_is_the_person_named_with_that_title(make_doc):
    # "President Aliyev met Vice President Oktay. The President spoke."
    doc = make_doc("""
        President PROPN compound 1
        Aliyev PROPN nsubj 2 ent=PERSON
        met VERB ROOT 2 meet
        Vice PROPN compound 4
        President PROPN compound 5
        Oktay PROPN dobj 2 ent=PERSON
        . PUNCT punct 2
        The DET det 8
        President PROPN nsubj 9 president
        spoke VERB ROOT 9 speak
    """)
    ctx = DocumentContext()
    azerbaijan, turkey = Actor("Azerbaijan", "AZE", "GOV"), Actor("Turkey", "TUR", "GOV")
    ctx.begin_sentence(doc[0:7], {}, 0)
    ctx.observe(Mention("President Aliyev", 0, 16, azerbaijan, "person"), doc[1])
    ctx.observe(Mention("Vice President Oktay", doc[3].idx, doc[5].idx + 5, turkey, "person"), doc[5])
    ctx.begin_sentence(doc[7:10], {}, 0)
    assert ctx.resolve_definite(doc[8], "GOV", 0).mentions[0].actor == azerbaijan


def test_we_in_a_quotation_is_its_speaker_named_after_it_or_before_it(make_doc):
    from tieline.speakers import quoted_speaker

    after = make_doc("""
“ PUNCT punct 2
We PRON nsubj 2
signed VERB ROOT 2 sign
a DET det 4
deal NOUN dobj 2
. PUNCT punct 2
” PUNCT punct 2
Cavusoglu PROPN nsubj 8
said VERB ROOT 8 say
. PUNCT punct 8
""")
    assert quoted_speaker(after[1]).text == "Cavusoglu"
    assert quoted_speaker(after[7]) is None  # the speaker himself is outside the quotation

    before = make_doc("""
Sisi PROPN nsubj 1
added VERB ROOT 1 add
: PUNCT punct 1
“ PUNCT punct 5
It PRON nsubj 5
is AUX ccomp 1 be
good ADJ acomp 5
. PUNCT punct 1
We PRON nsubj 9
agree VERB ROOT 9
. PUNCT punct 9
” PUNCT punct 9
""")
    assert quoted_speaker(before[8]).text == "Sisi"

    unsaid = make_doc("""
“ PUNCT punct 2
We PRON nsubj 2
agree VERB ROOT 2
. PUNCT punct 2
” PUNCT punct 2
Talks PROPN nsubj 6
ended VERB ROOT 6 end
. PUNCT punct 6
""")
    assert quoted_speaker(unsaid[1]) is None  # no verb of saying names anyone


def test_the_story_country_counts_office_holders_named_in_full():
    from tieline.types import Name

    blair = Actor("Tony Blair", "GBR", "GOV")

    def names(start: int, end: int) -> dict:
        name = Name(start, end, "leader", blair)
        return {i: name for i in range(start, end)}

    in_full = DocumentContext()
    in_full.read_story([names(0, 2), names(4, 6)])  # "Tony Blair ... Tony Blair"
    assert in_full.story_country().country == "GBR"
    by_surname = DocumentContext()
    by_surname.read_story([names(0, 1), names(4, 5)])  # "Blair ... Blair": another Blair may be meant
    assert by_surname.story_country() is None


def test_an_it_that_stands_for_the_clause_after_it_is_no_party(make_doc):
    from tieline.coref import expletive

    unfair = make_doc("""
        it PRON nsubj 1
        was AUX ROOT 1 be
        not PART neg 1
        fair ADJ acomp 1
        to PART aux 5
        blame VERB xcomp 1 blame
        them PRON dobj 5
    """)
    assert expletive(unfair[0])
    ready = make_doc("""
        it PRON nsubj 1
        was AUX ROOT 1 be
        ready ADJ acomp 1
        to PART aux 4
        talk VERB xcomp 2 talk
    """)
    assert not expletive(ready[0])  # "Iran said it was ready to talk": Iran
    reported = make_doc("""
        it PRON nsubjpass 2
        is AUX auxpass 2 be
        reported VERB ROOT 2 report
        that SCONJ mark 5
        Iran PROPN nsubj 5
        talked VERB ccomp 2 talk
    """)
    assert expletive(reported[0])
    asked = make_doc("""
        it PRON nsubjpass 2
        was AUX auxpass 2 be
        asked VERB ROOT 2 ask
        to PART aux 4
        leave VERB xcomp 2 leave
    """)
    assert not expletive(asked[0])  # "Iran said it was asked to leave": Iran
