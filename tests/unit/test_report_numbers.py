"""csi.report: filters, overview numbers (wave change), editor saving, exports, figures."""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
import pytest

from csi.estimate import waves
from csi.estimate.waves import wave_labels
from csi.report import overview as ov
from csi.report.editor import SurveyVersionExistsError, check_yaml, save_survey_version
from csi.report.export import frames_to_xlsx, neutralise_formulas
from csi.report.figures import layer_positions, path_diagram
from csi.report.filters import Filters, date_bounds, filter_frame, frame_fingerprint
from csi.report.i18n import LABELS, LANGUAGES, tr


def test_every_label_in_both_languages():
    for key, entry in LABELS.items():
        for lang in LANGUAGES:
            assert entry.get(lang), f"{key} has no {lang} text"
        # both translations use the same placeholders
        import string

        names = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in LANGUAGES]
        assert names[0] == names[1], key
    assert tr("nope", "zh") == "nope"


FRAME = pd.DataFrame({
    "wave": ["2026Q1", "2026Q1", "2026Q2", None],
    "channel": ["jd", "tmall", "jd", "jd"],
    "submitted_at": pd.to_datetime(["2026-01-02 23:59", "2026-02-01 00:00", "2026-04-01 00:00", "2026-05-01 00:00"]),
})


def test_filters():
    assert len(filter_frame(FRAME, Filters())) == 4
    assert filter_frame(FRAME, Filters(waves=("2026Q1",))).index.tolist() == [0, 1]
    assert filter_frame(FRAME, Filters(segment=("channel", "jd"))).index.tolist() == [0, 2, 3]
    # inclusive end date: the whole last day counts
    r = filter_frame(FRAME, Filters(date_range=(dt.date(2026, 1, 2), dt.date(2026, 1, 2))))
    assert r.index.tolist() == [0]
    assert filter_frame(FRAME, Filters(segment=("nope", "x"))).empty
    assert wave_labels(FRAME) == ["2026Q1", "2026Q2"]
    assert date_bounds(FRAME) == (dt.date(2026, 1, 2), dt.date(2026, 5, 1))
    assert Filters(waves=("b", "a")).key == Filters(waves=("a", "b")).key


@pytest.mark.parametrize("filters", [Filters(), Filters(waves=("2026Q1",))])
def test_filtered_frame_is_independent_of_its_input(filters):
    frame = FRAME.copy()
    out = filter_frame(frame, filters)
    out.loc[out.index[0], "channel"] = "changed"
    out["extra"] = 1.0
    pd.testing.assert_frame_equal(frame, FRAME)
    assert frame_fingerprint(FRAME) != frame_fingerprint(FRAME.iloc[:3])


def test_wave_change_hand_computed():
    cur = ov.Headline("satisfaction", 72.0, 0.6, 70.8, 73.2, 500)
    prev = ov.Headline("satisfaction", 70.4, 0.8, 68.8, 72.0, 500)
    c = ov.wave_change(cur, prev, "2026Q1")
    assert c.diff == pytest.approx(1.6) and c.se == pytest.approx(1.0)  # sqrt(0.36 + 0.64)
    assert c.p_value == pytest.approx(2 * (1 - 0.945200708), abs=1e-6)  # Phi(1.6) = 0.9452007
    assert not c.significant
    assert "not a significant change" in ov.change_sentence(c, "en")
    assert "变化不显著" in ov.change_sentence(c, "zh")
    down = ov.wave_change(prev, ov.Headline("s", 75.0, 0.5, 0, 0, 1), "Q0")
    assert down.significant and "significant fall" in ov.change_sentence(down, "en")
    zero = ov.wave_change(cur, ov.Headline("s", 72.0, 0.0, 0, 0, 1), "Q0")
    assert zero.se == 0.6 and zero.diff == 0.0
    nan = ov.wave_change(ov.Headline("s", 1.0, 0.0, 0, 0, 1), ov.Headline("s", 1.0, 0.0, 0, 0, 1), "Q")
    assert math.isnan(nan.p_value) and not nan.significant


def test_index_by_wave_uses_fit_per_wave(flagship):
    calls = []

    class R:
        def __init__(self, n):
            self.n_obs = n
            self.index = pd.DataFrame({"construct": ["satisfaction"], "score": [float(n)], "se": [1.0],
                                       "ci_low": [0.0], "ci_high": [1.0]})

    def fake_fit(survey, sub, n_boot, seed):
        calls.append((len(sub), n_boot, seed))
        return R(len(sub))

    out = waves.index_by_wave(flagship, FRAME, fit_fn=fake_fit, n_boot=7, seed=3).table
    assert calls == [(2, 7, 3), (1, 7, 3)]
    assert out["wave"].tolist() == ["2026Q1", "2026Q2"] and out["score"].tolist() == [2.0, 1.0]
    assert ov.response_span(FRAME) == (4, "2026-01-02", "2026-05-01")


def test_editor_check_and_save(tmp_path, flagship):
    s, issues = check_yaml(flagship.source_text)
    assert s is not None and issues == []
    bad = flagship.source_text.replace("scale: expect10", "scale: nope", 1)
    s, issues = check_yaml(bad)
    assert s is None and issues[0].line == bad.splitlines().index("    scale: nope") + 1
    (tmp_path / "a.yaml").write_text(flagship.source_text, encoding="utf-8")
    with pytest.raises(SurveyVersionExistsError, match="already exists"):
        save_survey_version(flagship.source_text, tmp_path)
    saved, path = save_survey_version(flagship.source_text.replace('version: "1.0"', 'version: "2.0"'), tmp_path)
    assert path.name == "ecommerce_csi-2.0.yaml" and saved.version == "2.0"


def test_exports():
    f = pd.DataFrame({"t": ["=SUM(A1)", "+1", "@x", "ok", None], "x": [-1.0, 2.0, 3.0, 4.0, 5.0]})
    n = neutralise_formulas(f)
    assert n["t"].tolist()[:4] == ["'=SUM(A1)", "'+1", "'@x", "ok"] and n["x"].tolist()[0] == -1.0
    back = pd.read_excel(io.BytesIO(frames_to_xlsx({"a" * 40: f})), sheet_name=None)
    assert list(back) == ["a" * 31] and back["a" * 31]["x"].iloc[0] == -1.0


def test_path_diagram_greys_non_significant():
    assert layer_positions(["a", "b", "c"], [("a", "c"), ("b", "c")]) == {
        "a": (0.0, 1.0), "b": (0.0, 0.0), "c": (1.0, 0.5)}
    paths = pd.DataFrame({"source": ["a", "b"], "target": ["c", "c"], "estimate": [0.5, 0.01],
                          "ci_low": [0.4, -0.1], "ci_high": [0.6, 0.1], "p_value": [0.001, 0.8]})
    idx = pd.DataFrame({"construct": ["a", "b", "c"], "score": [70.0, 60.0, 65.0]})
    fig = path_diagram(paths, idx, {"a": "A"})
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert [a.arrowcolor for a in arrows] == ["#1f4e79", "#b0b0b0"]
    assert any(t == "0.50" for t in (a.text for a in fig.layout.annotations))
    assert np.isclose(fig.data[0].x, [0, 0, 1]).all()


def test_latest_survey_files_picks_highest_version(tmp_path, root):
    from csi.report.editor import latest_survey_files

    text = (root / "surveys" / "ecommerce_csi.yaml").read_text(encoding="utf-8")
    for name, version in [("ecommerce_csi.yaml", "1.0"), ("ecommerce_csi-1.9.yaml", "1.9"),
                          ("ecommerce_csi-1.10.yaml", "1.10"), ("zz.yaml", None)]:
        body = text.replace('version: "1.0"', f'version: "{version}"') if version else "id: [broken"
        (tmp_path / name).write_text(body, encoding="utf-8")
    files = sorted(tmp_path.glob("*.yaml"))
    latest = latest_survey_files(files)
    assert list(latest) == ["ecommerce_csi"]  # the broken file is skipped
    assert latest["ecommerce_csi"].name == "ecommerce_csi-1.10.yaml"  # 1.10 > 1.9 > 1.0


@pytest.mark.parametrize("mask", [[True, True, False, False], [False, True, True, True], [True, False, True, False],
                                  [False] * 4, [True] * 4])
def test_rows_where_is_boolean_selection(mask):
    frame = FRAME.set_index(pd.Index([10, 11, 12, 13]))
    got = waves._rows_where(frame, np.array(mask))
    pd.testing.assert_frame_equal(got, frame[np.array(mask)])
    got.loc[got.index[:1], "channel"] = "changed"  # a slice of the input, but never a way to change it
    assert frame["channel"].tolist() == ["jd", "tmall", "jd", "jd"]
