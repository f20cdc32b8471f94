"""Page 1 -- Overview, the decision first: the headline index and its change, what to fix first
(in words, with links to the details), then construct cards, complaint share, the trend of the
headline index (other constructs on request) and the path diagram. Every figure says whether it
is one wave or pooled, and n used of n collected. Drawn in two passes on a new filter: point
estimates first (every figure), then what to fix first and the bootstrap (CIs, significance)."""

from __future__ import annotations

import streamlit as st

from app_pages import common, driver_data, overview_extras, store_facts
from app_pages.common import T, fmt
from csi.accounts.roles import pages_for
from csi.drivers.complaints import complaint_rate
from csi.drivers.scores import outcome_id
from csi.errors import CsiError
from csi.estimate.waves import trend_table, wave_labels
from csi.report import overview as ov
from csi.report.figures import trend_figure
from csi.report.fix_first import fix_first_heading, fix_first_texts, no_lever_text
from csi.report.missing import missing_statement
from csi.report.path_layout import readable_path_diagram
from csi.report.scope import collected_by_wave, scope_label
from csi.report.store_view import complaint_columns
from csi.report.tables import construct_labels


def main() -> None:
    got = common.page_data()
    if got is None:
        return
    survey, frame, key, lang = got
    labels = construct_labels(survey, lang)
    st.title(survey.t(survey.title, lang))
    n_boot = common.n_boot_setting()
    large = store_facts.large_store(survey)  # issue 15: counts and fits from the database
    collected = store_facts.collected(survey, frame)
    n_collected = store_facts.n_collected(survey, frame)
    # Two passes. First the point estimates of every wave and of the pooled fit (no bootstrap:
    # a fraction of a second), so the headline, the cards, the trend and the path diagram show
    # at once; then what to fix first and the bootstrap, whose CIs and significance replace the
    # first drawing in the same slots. The point estimates do not depend on the bootstrap, so
    # the numbers drawn first are the final ones. When the bootstrapped fit is already cached
    # it is drawn at once (one pass), and on a large store too: there the database aggregates
    # once for the point estimates and the bucket bootstrap together.
    done = large or common.fit_waves_done(survey, key, n_boot=n_boot)
    try:
        quick = common.fit_waves(survey, frame, key, n_boot=n_boot if done else 0)
    except CsiError as exc:
        common.show_error(exc)
        return

    c1, c2 = st.columns([2, 1])
    head_slot = c1.empty()
    fix_slot = c1.empty()
    with c2:
        n, start, end = store_facts.response_span(survey, frame)
        st.write(T("n_resp", n=n, start=start, end=end))
        st.write(missing_statement(store_facts.fit_missing(survey, quick.pooled), lang))
        if ov.binary_constructs(survey):
            try:
                rate = complaint_rate(survey, store_facts.counted_frame(survey, frame,
                                                                        complaint_columns(survey))).iloc[0]
            except CsiError as exc:
                common.show_error(exc)
            else:
                common.show_rate(st, rate, scope=scope_label(lang, used=int(rate["n"]), collected=n_collected,
                                                             n_waves=len(collected)))
    nps_slot = st.empty()  # the NPS details, above the cards as before
    cards_slot = st.empty()
    _headline_and_cards(head_slot, cards_slot, _recent(quick), survey, labels, collected, pooled=quick.pooled,
                        n_collected=n_collected, pending=not done)
    fix_slot.caption(T("fix_first_pending"))
    skipped_slot = st.container()
    for wave, reason in quick.skipped.items():  # waves whose own fit failed, with the reason
        skipped_slot.info(T("wave_skipped", wave=wave, reason=reason))
    pooled_scope = scope_label(lang, used=quick.pooled.n_obs, collected=n_collected, n_waves=len(collected))
    trend = trend_table(quick.groups)
    trend_slot = None
    if trend["wave"].nunique() > 1:
        st.subheader(T("trend"))
        more = _trend_choice(survey, trend, labels)
        trend_slot = st.empty()
        _trend(trend_slot, trend, labels, [survey.headline_id, *more], "trend_chart" if done else "trend_points")
    st.subheader(T("path_diagram"))
    path_slot = st.empty()
    _path(path_slot, survey, quick.pooled, labels, lang, pooled_scope, "path_chart" if done else "path_points")
    st.caption(T("path_note") + " " + pooled_scope)
    # the NPS after the headline is drawn: its first use imports scipy.stats (~1 CPU s), which
    # would otherwise delay the index on a cold server; it is drawn in its place all the same
    with nps_slot.container():
        overview_extras.show(survey, frame, key, where=c2)  # NPS (issue 19)
    # what to fix first needs the point fit only (its scores and weights; its intervals come
    # from its own resamples), so it does not wait for the model's bootstrap; on a large store
    # the database's fit has no scores: the sample's fit stands in
    with fix_slot.container():
        _fix_first_panel(survey, frame, key, store_facts.row_result(survey, frame, key, quick.pooled), n_boot, lang)

    if not done:
        try:  # pooled and per-wave fits in one bootstrap (stratified by wave)
            fits = common.fit_waves(survey, frame, key, n_boot=n_boot)
        except CsiError as exc:
            common.show_error(exc)
            return
        _headline_and_cards(head_slot, cards_slot, _recent(fits), survey, labels, collected,
                            pooled=fits.pooled, n_collected=n_collected)
        if trend_slot is not None:
            _trend(trend_slot, trend_table(fits.groups), labels, [survey.headline_id, *more], "trend_chart")
        _path(path_slot, survey, fits.pooled, labels, lang, pooled_scope, "path_chart")
    pooled = (quick if done else fits).pooled
    for w in pooled.warnings:
        st.warning(w)
    overview_extras.show_alerts(survey, frame, key)  # issue 19: after the numbers, it reads comments


def _recent(fits):
    """The trend rows of the last two waves of a ``StrataFit`` (None when no wave has a fit)."""
    trend = trend_table(fits.groups)
    recent = trend[trend["wave"].isin(wave_labels(trend)[-2:])]
    return recent if len(recent) else None


def _path(slot, survey, pooled, labels, lang, scope, key) -> None:
    """The path diagram of ``pooled`` into ``slot`` (significance shown once it has CIs)."""
    slot.plotly_chart(readable_path_diagram(pooled.path_coefficients, pooled.index, labels, lang=lang,
                                            constructs=list(survey.constructs), paths=survey.effective_paths,
                                            scope=scope, width=None), key=key)


def _fix_first_panel(survey, frame, key, pooled, n_boot, lang) -> None:
    """The "What to fix first" panel: the top levers in words, each linking to the details."""
    try:
        target = outcome_id(survey)
        ff = driver_data.fix_first_ranking(key, survey.sha256, target, n_boot, survey, frame, pooled)
    except CsiError as exc:
        st.info(T("not_available", reason=exc))
        return
    with st.container(border=True):
        st.subheader(fix_first_heading(lang))
        texts = fix_first_texts(ff, survey, lang)
        if not texts:
            st.write(no_lever_text(ff, survey, lang))
        for k, t in enumerate(texts, start=1):
            st.markdown(f"**{k}. {t.title}** — {t.cause} {t.gain}")
        if "drivers" in pages_for(st.session_state.get("role", "viewer")):  # a viewer has no Drivers page
            st.page_link("app_pages/drivers.py", label=T("fix_first_details"), icon=":material/target:")
        st.caption(scope_label(lang, used=ff.n, collected=len(frame), n_waves=len(collected_by_wave(frame))))


def _trend_choice(survey, trend, labels) -> list[str]:
    """The other constructs to show beside the headline index in the trend (a widget drawn once)."""
    binary = set(ov.binary_constructs(survey))
    head = survey.headline_id
    others = [c for c in labels if c in set(trend["construct"]) and c not in binary and c != head]
    return st.multiselect(T("trend_others"), others, default=[], key="trend_more",
                          format_func=lambda c: labels.get(c, c), help=T("trend_help"))


def _trend(slot, trend, labels, constructs, key) -> None:
    """The index per wave of ``constructs`` with its band (none before the bootstrap) into ``slot``."""
    slot.plotly_chart(trend_figure(trend, labels, y_title=T("index"), x_title=T("wave"), constructs=constructs),
                      key=key)


def _headline_and_cards(head_slot, cards_slot, trend, survey, labels, collected, *, pooled=None,
                        n_collected: int = 0, pending: bool = False) -> None:
    """Draw the headline (index, CI, change in words) and the construct cards into their slots.

    ``trend``: rows of the last two waves (``index_by_wave``), or None to show ``pooled``.
    ``pending``: point estimates without bootstrap yet -- CIs and significance are marked as
    being computed (the delta is shown uncoloured).
    """
    lang = common.lang()
    head = survey.headline_id
    if trend is not None:
        waves = list(dict.fromkeys(trend["wave"]))
        last = trend[trend["wave"] == waves[-1]]
        cur = ov.headline(_Idx(last), head)
        change = None
        if len(waves) > 1:
            prev = ov.headline(_Idx(trend[trend["wave"] == waves[-2]]), head)
            change = ov.wave_change(cur, prev, waves[-2])
        scope = scope_label(lang, used=cur.n_obs, collected=collected.get(str(waves[-1]), cur.n_obs),
                            wave=str(waves[-1]))
        cards = last
    else:  # no usable wave: show the pooled fit
        cur, change, cards = ov.headline(pooled, head), None, pooled.index
        scope = scope_label(lang, used=cur.n_obs, collected=n_collected or cur.n_obs, n_waves=len(collected))

    with head_slot.container():
        st.metric(T("headline_of", label=labels.get(head, head)), fmt(cur.score),
                  delta=None if change is None else f"{change.diff:+.1f}",
                  delta_color="normal" if not pending and change is not None and change.significant
                  else "off")
        st.caption(scope)
        if pending:
            st.caption(T("ci_pending"))
            st.write(T("change_pending"))
        else:
            st.caption(T("ci95", low=fmt(cur.ci_low), high=fmt(cur.ci_high)))
            st.write(ov.change_sentence(change, lang))
        common.headline_note(st, cur.n_obs, survey)  # issue 20: filters, n, small-n caution

    binary = ov.binary_constructs(survey)
    shown = [r for r in cards.itertuples(index=False) if r.construct not in binary]
    with cards_slot.container():
        st.subheader(T("construct_indices"))
        st.caption(scope)
        cols = st.columns(max(len(shown), 1))
        marks = common.caution_cells([cur.n_obs] * len(shown), survey)  # issue 20
        for col, r, mark in zip(cols, shown, marks, strict=False):
            col.metric(labels.get(r.construct, r.construct), fmt(r.score))
            col.caption(("[…]" if pending else f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]")
                        + (f" · {mark}" if mark else ""))


class _Idx:
    """Adapter: a per-wave slice of the trend table looks like an IndexResult to ``headline``."""

    def __init__(self, rows):
        self.index = rows
        self.n_obs = int(rows["n_obs"].iloc[0]) if len(rows) else 0


main()
