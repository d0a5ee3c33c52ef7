import pkgutil

import tieline


def test_api_all_is_sorted_and_exported():
    assert tieline.__all__ == sorted(tieline.__all__)
    for name in tieline.__all__:
        assert hasattr(tieline, name), name
    modules = {m.name for m in pkgutil.iter_modules(tieline.__path__)}
    public = {n for n in dir(tieline) if not n.startswith("_")} - modules
    assert public <= set(tieline.__all__)
