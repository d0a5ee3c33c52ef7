import tieline


def test_api_all_is_sorted_and_exported():
    assert tieline.__all__ == sorted(tieline.__all__)
    for name in tieline.__all__:
        assert hasattr(tieline, name), name
    public = {n for n in dir(tieline) if not n.startswith("_")} - {
        "about", "actors", "attributes", "cli", "coref", "errors", "evaluate", "events", "lexicon", "parse",
        "pipeline", "read", "records", "settings", "store", "types"}
    assert public <= set(tieline.__all__)
