"""Charts that tell the truth about time (issue 13)."""

import pandas as pd
import pytest

from tieline.plot import all_periods, party_name, plot_timeline


@pytest.mark.parametrize(("periods", "expected"), [
    (["1987", "1990"], ["1987", "1988", "1989", "1990"]),
    (["1987-11", "1988-02"], ["1987-11", "1987-12", "1988-01", "1988-02"]),
    (["2024-02-27", "2024-03-01"], ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]),
    (["2024-W51", "2025-W02"], ["2024-W51", "2024-W52", "2025-W01", "2025-W02"]),
    (["2020-W52", "2021-W01"], ["2020-W52", "2020-W53", "2021-W01"]),  # 2020 has 53 ISO weeks
    (["2021-W03"], ["2021-W03"]),
    ([], []),
])
def test_a_chart_axis_runs_through_the_empty_periods(periods, expected):
    assert all_periods(pd.Index(periods)) == expected


def test_periods_of_mixed_forms_are_left_as_they_are():
    assert all_periods(pd.Index(["1987-03", "1988"])) == ["1987-03", "1988"]


def test_a_chart_names_countries_and_says_what_it_counts(tmp_path):
    assert party_name("irn") == "Iran (IRN)" and party_name("ZZGRP") == "ZZGRP"
    frame = pd.DataFrame({"period": ["2024-01", "2024-04"], "quad": [1, 4], "events": [2, 1],
                          "mean_score": [3.0, -9.0]})
    out = tmp_path / "t.svg"
    plot_timeline(frame, out, title="Events involving Iran (IRN)")
    text = out.read_text(encoding="utf-8")
    assert "3 events, by month" in text and "2024-02" in text and "2024-03" in text  # the empty months are there
