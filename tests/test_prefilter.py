"""The first pass that picks the sentences worth parsing (tieline.prefilter)."""

from __future__ import annotations

import pytest

from tieline.parse import parse_documents, split_segments
from tieline.prefilter import SentenceFilter
from tieline.types import Document


@pytest.fixture(scope="module")
def cheap(blank_nlp, lexicon) -> SentenceFilter:
    return SentenceFilter(blank_nlp, lexicon)


def kept_texts(sentence_filter: SentenceFilter, text: str) -> list[str]:
    selection = sentence_filter.select(split_segments(text, 20_000))
    for offset, piece in selection.pieces:  # every stretch is the text at its offset
        assert text[offset:offset + len(piece)] == piece
    return [piece for _, piece in selection.pieces]


def test_forms_undo_regular_endings(cheap):
    assert "sign" in cheap.forms("signed")
    assert "ban" in cheap.forms("banned")
    assert "accuse" in cheap.forms("accusing")
    assert "sanction" in cheap.forms("sanctions")


@pytest.fixture(scope="module")
def full(nlp, lexicon) -> SentenceFilter:
    """With the model's lemmatizer tables (irregular forms), as the coder builds it."""
    return SentenceFilter(nlp, lexicon)


def test_forms_read_irregular_verbs_from_the_model_tables(full):
    assert "meet" in full.forms("met")
    assert "send" in full.forms("sent")


def test_sentences_end_at_punctuation_before_a_capital(cheap):
    doc = cheap.make_doc("Iran met Armenia. Prices rose 3.5 pct in the U.S. market. \u201cWe agree,\u201d he said.")
    spans = [doc[s:e].text.strip() for s, e in cheap.sentences(doc)]
    assert spans == ["Iran met Armenia.", "Prices rose 3.5 pct in the U.S. market.", "\u201cWe agree,\u201d he said."]


def test_a_market_sentence_is_not_parsed(cheap):
    text = "Iran and Armenia signed a treaty on Monday. Wheat prices rose 3 pct in Chicago trading."
    assert kept_texts(cheap, text) == ["Iran and Armenia signed a treaty on Monday."]


def test_a_trigger_needs_a_possible_actor(cheap):
    assert kept_texts(cheap, "Output was cut sharply last year.") == []
    assert kept_texts(cheap, "The government rejected the plan.") == ["The government rejected the plan."]
    assert kept_texts(cheap, "Unions called a strike.") == ["Unions called a strike."]  # the table has "union"


def test_say_is_a_trigger_only_with_an_obligation(cheap):
    assert kept_texts(cheap, "Iran said the weather was fine.") == []
    assert kept_texts(cheap, "Iran said Israel must leave.") == ["Iran said Israel must leave."]


def test_march_the_month_is_no_march(cheap):
    assert kept_texts(cheap, "Sales in March reached a record, the firm reported.") == []
    assert kept_texts(cheap, "Thousands of workers march on the ministry.") != []


def test_two_named_actors_are_kept_for_the_model(cheap):
    assert kept_texts(cheap, "The road from Iran to Armenia is long.") == ["The road from Iran to Armenia is long."]


def test_the_sentence_a_pronoun_points_back_to_is_parsed(full):
    text = "Prices of oil were steady. Iran's minister arrived in Kuala Lumpur on Monday. He met Malaysia's minister."
    assert kept_texts(full, text) == ["Iran's minister arrived in Kuala Lumpur on Monday. He met Malaysia's minister."]


def test_candidates_are_the_sentences_that_can_hold_an_event(full):
    text = "Oil was steady in Kuala Lumpur on Monday. He met Malaysia's minister."
    selection = full.select(split_segments(text, 20_000))
    start = text.index("He met")
    assert selection.candidates == ((start, len(text)),)
    assert [piece for _, piece in selection.pieces] == [text]  # parsed with the sentence before, as context


def test_counts_report_the_share_parsed(blank_nlp, lexicon):
    fresh = SentenceFilter(blank_nlp, lexicon)
    fresh.select([(0, "Iran met Armenia. Wheat rose 3 pct. Corn fell 2 pct. Soy was flat.")])
    assert (fresh.counts.sentences, fresh.counts.kept) == (4, 1)
    assert fresh.counts.share == 0.25


def test_parsed_stretches_keep_their_offsets(nlp, full):
    text = "Wheat prices rose 3 pct. Iran and Armenia signed a treaty on Monday."
    [parsed] = parse_documents(nlp, [Document("d", text)], select=full.select)
    [segment] = parsed.segments
    assert text[segment.offset:] == segment.doc.text
    assert parsed.may_hold_event(segment.offset, len(text))
    assert not parsed.may_hold_event(0, 10)


def test_a_story_with_nothing_to_parse_is_coded_empty(nlp, full):
    [parsed] = parse_documents(nlp, [Document("d", "Wheat prices rose 3 pct in Chicago.")], select=full.select)
    assert parsed.segments == ()


def test_records_are_those_of_full_parsing(nlp):
    from tieline.pipeline import Coder

    text = ("KUALA LUMPUR, Dec 2 (Reuters) - Wheat prices rose 3 pct. Iran's ICT minister met Malaysia's trade "
            "minister in Kuala Lumpur on Monday. Palm oil was flat. He also criticised US sanctions on Iran.")
    quick = [r.to_dict() for r in Coder(nlp, event_source="rules").code_text(text)]
    full = [r.to_dict() for r in Coder(nlp, event_source="rules", parse_all=True).code_text(text)]
    assert quick and quick == full


def test_the_story_country_is_counted_over_the_whole_text(cheap):
    text = "Britain's economy grew, British officials said.\nWheat rose 3 pct.\nMr Harwood accused Mr Pellow."
    selection = cheap.select(split_segments(text, 20_000))
    assert [a.country for a in selection.story_countries] == ["GBR", "GBR"]
    assert [piece for _, piece in selection.pieces] == ["Mr Harwood accused Mr Pellow."]  # a name no table knows
    # an office holder named in full tells the story's country too; a surname alone may be anyone's
    text = "Tony Blair spoke in Sheffield.\nBlair said MPs had accused Mr Pellow."
    assert [a.country for a in cheap.select(split_segments(text, 20_000)).story_countries] == ["GBR"]


def test_a_sport_story_is_off_topic_from_its_whole_text(cheap):
    sport = ("Arsenal beat Chelsea 2-1 in the Premier League on Sunday. The striker scored twice in the match. "
             "The coach praised the team and the goalkeeper. England's football captain met Brazil's coach.")
    selection = cheap.select(split_segments(sport, 20_000))
    assert selection.off_topic
    # none of its events would be written, so none of it is parsed, not even "met"
    assert selection.pieces == [] and selection.candidates == ()
    politics = "Iran and Armenia signed a treaty. The ministers met in Yerevan."
    assert not cheap.select(split_segments(politics, 20_000)).off_topic


def test_the_parser_goes_on_from_the_first_passs_tokens(nlp, full):
    text = ("Prices fell.  Iran's minister  didn't meet Malaysia's envoy in K.L. on Monday, officials said.\n\n"
            "Gov't troops can't  attack   them , he said.\nWheat rose 3 pct. Palm oil was flat.\n"
            "Iran and Iraq didn't sign the accord.")
    selection = full.select(split_segments(text, 20_000))
    assert len(selection.tokenized) == len(selection.pieces) >= 2
    for (_, piece), tokens in zip(selection.pieces, selection.tokenized):
        again = nlp.make_doc(piece)  # what tokenizing the stretch's text alone gives
        assert tokens.text == piece
        assert [(t.text, t.whitespace_, t.norm_) for t in tokens] == [(t.text, t.whitespace_, t.norm_) for t in again]
    assert any(t.norm_ == "not" for tokens in selection.tokenized for t in tokens)  # a special case's norm kept


def test_the_sentence_after_a_quotation_spoken_by_we_is_parsed_for_its_speaker(full):
    text = ("Prices of oil were steady. \u201cIt was a good day. We signed a trade deal with Malaysia.\u201d "
            "Cavusoglu said. Markets closed higher.")
    assert kept_texts(full, text) == [
        "\u201cIt was a good day. We signed a trade deal with Malaysia.\u201d Cavusoglu said."]
