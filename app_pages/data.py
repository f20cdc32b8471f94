"""Page 6 -- Data: upload a response file, its validation report, rejected rows, import batches,
exports (responses XLSX, result tables XLSX, the management report as self-contained HTML: the
same report as ``csi report --format html``, built from the filtered responses and the
dashboard's cached fit)."""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import streamlit as st

from app_pages import common, st_strings
from app_pages.access import audit_download
from app_pages.common import T
from app_pages.data_tracking import tracking_section
from csi.errors import CsiError
from csi.report.export import frames_to_xlsx, result_tables
from csi.report.i18n_dashboard import plain_table

PLATFORM_CHOICES = ("", "plain", "wenjuanxing", "qualtrics", "surveymonkey", "google_forms", "generic")


#: Text encodings offered on the upload ("" = detected: BOM, UTF-8, then GB18030). Issue 20.
ENCODING_CHOICES = ("", "utf-8", "gb18030", "big5", "cp1252", "utf-16", "shift_jis", "euc_kr", "latin-1")


@st.cache_data(show_spinner=False, max_entries=8)
def _read(digest: str, platform: str, sha: str, name: str, _data: bytes, _survey, encoding: str = ""):
    from csi.cases.intake import keeps_contact
    from csi.io import read_responses

    return read_responses(io.BytesIO(_data), _survey, platform=platform or None, file_name=name,
                          encoding=encoding or None, keep_contact=keeps_contact(_survey))


def _app_message(exc: CsiError) -> str:
    """A file error in words for the app (the command line's "pass --encoding" advice becomes
    the encoding selector of this page). Issue 20."""
    text = str(exc)
    if "--encoding" in text:
        text = text.split(";")[0] + "; " + T("choose_encoding")
    return text


def _previous_batch(survey, file_hash: str | None):
    """The stored import batch of this exact file (same hash), or None. Issue 20."""
    if not file_hash:
        return None
    batches = common.store().batches(survey)
    hit = batches[(batches["file_hash"] == file_hash) & (batches["kind"] == "import")]
    return None if hit.empty else hit.iloc[-1]


def _issues_table(result) -> pd.DataFrame:
    rows = [{"row": i.row, "column": i.column, "value": None if i.value is None else str(i.value),
             "expected": i.expected} for i in result.issues]
    return pd.DataFrame(rows, columns=["row", "column", "value", "expected"])


def _upload(survey) -> None:
    st.subheader(T("upload"))
    c1, c2 = st.columns(2)
    auto, auto_enc = T("auto_detect"), T("encoding_auto")  # not T() inside: format_func runs later
    platform = c1.selectbox(T("platform"), PLATFORM_CHOICES, key="upload_platform",
                            format_func=lambda p: p or auto)
    encoding = c2.selectbox(T("encoding"), ENCODING_CHOICES, key="upload_encoding",
                            format_func=lambda e: e or auto_enc, help=T("encoding_help"))
    up = st_strings.file_uploader(st, T("upload"), type=["csv", "tsv", "txt", "xlsx", "xls"], key="upload_file",
                                  label_visibility="collapsed")
    if up is None:
        return
    data = up.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    bar = st.progress(0.1, text=up.name)
    try:
        result = _read(digest, platform, survey.sha256, up.name, data, survey, encoding)
    except CsiError as exc:
        bar.empty()
        st.error(T("import_failed", error=_app_message(exc)))
        for issue in (getattr(exc, "issues", None) or [])[:20]:
            st.caption(str(issue))
        return
    bar.progress(1.0, text=up.name)
    bar.empty()
    st.subheader(f"{T('import_report')}: {up.name}")
    st.caption(T("detected", platform=result.platform, encoding=result.encoding))
    done_key = f"imported_{digest}"
    prev = None if st.session_state.get(done_key) else _previous_batch(survey, result.file_hash)
    if prev is not None:  # this very file is stored already: say when, show no counts
        st.info(T("already_imported", date=str(prev["created_at"])[:10], batch=int(prev["batch_id"])))
        return
    c = st.columns(4)
    c[0].metric(T("rows_read"), result.rows_read)
    c[1].metric(T("imported"), len(result.valid))
    c[2].metric(T("rejected"), len(result.rejected))
    c[3].metric(T("duplicates"), result.duplicates)
    if result.unmapped_columns:
        st.caption(T("unmapped", cols=", ".join(map(str, result.unmapped_columns))))
    if result.issues:
        st.markdown(f"**{T('issues')}**")
        st.dataframe(_issues_table(result), hide_index=True, key="issues_table")
    if len(result.rejected):
        st.download_button(T("download_rejected"), result.rejected.to_csv(index=False).encode("utf-8-sig"),
                           file_name=f"rejected-{up.name}.csv", mime="text/csv", key="dl_rejected",
                           on_click=audit_download, args=(f"{len(result.rejected)} rejected rows of {up.name}",))
    if st.session_state.get(done_key):
        st.success(st.session_state[done_key])
    elif len(result.valid) and st.button(T("import_button"), key="import_button", type="primary"):
        bar = st.progress(0.3, text=T("import_button"))
        try:
            # issue 18: consented contact data need the vault key (refused without it); cases open
            from app_pages.access import secret
            from csi.cases.intake import cases_after_import, contact_key, contacts_offered

            key = contact_key(survey, None, secret("CSI_PII_KEY")) \
                if contacts_offered(survey, result.valid, result.contacts) else None
            summary = common.store().import_frame(
                survey, result.valid, source_name=up.name, file_hash=result.file_hash,
                platform=result.platform, rejected=result.rejected, issues=result.issues,
                missing_types=result.missing_types)
            cases_after_import(common.store(), survey, result, summary, key=key)
            if not summary.already_imported:  # issue 19: comments analysed on import, not on view
                from csi.store.comment_cache import warm_comment_cache

                warm_comment_cache(survey, result.valid, common.database_url())
        except CsiError as exc:
            bar.empty()
            common.show_error(exc)
            return
        bar.progress(1.0)
        bar.empty()
        n = getattr(summary, "imported", getattr(summary, "n_imported", len(result.valid)))
        st.session_state[done_key] = T("import_done", n=n, batch=getattr(summary, "batch_id", "?"))
        if summary.already_imported:  # stored meanwhile from another session
            prev = _previous_batch(survey, result.file_hash)
            st.session_state[done_key] = T("already_imported", batch=summary.batch_id,
                                           date=str(prev["created_at"])[:10] if prev is not None else "?")
        st.rerun()


def _batches(survey) -> None:
    st.subheader(T("batches"))
    try:
        batches = common.store().batches(survey)
    except CsiError as exc:
        common.show_error(exc)
        return
    st.dataframe(plain_table(batches.drop(columns=["file_hash"], errors="ignore"), common.lang(), 3),
                 hide_index=True, key="batches_table")


def _exports(survey) -> None:
    st.subheader(T("export"))
    if not st.toggle(T("prepare_exports"), key="export_toggle"):
        return
    from app_pages import store_facts

    if store_facts.large_store(survey):  # issue 15: the rows are not loaded into the page
        from csi.report.store_view import export_note

        st.info(export_note(common.responses_meta(survey)["n"], common.lang()))
        return
    try:
        frame, key = common.responses(survey)
        sub, sub_key = common.filtered_responses(survey)
    except CsiError as exc:
        common.show_error(exc)
        return
    if frame.empty:
        return
    lang = common.lang()
    st.download_button(T("export_responses"), _xlsx_responses(key, frame),
                       file_name=f"{survey.id}-responses.xlsx", key="dl_responses",
                       on_click=audit_download, args=(f"{len(frame)} responses of {survey.id} as xlsx",))
    if not sub.empty:
        try:
            fits = common.fit_waves(survey, sub, sub_key)
            html = _report_html(sub_key, survey.sha256, lang, common.n_boot_setting(), survey, sub, fits)
        except CsiError as exc:
            common.show_error(exc)
            return
        st.download_button(T("export_results"), frames_to_xlsx(result_tables(fits.pooled)),
                           file_name=f"{survey.id}-results.xlsx", key="dl_results")
        st.download_button(T("export_html"), html.encode("utf-8"), mime="text/html",
                           file_name=f"{survey.id}-report.html", key="dl_html")


@st.cache_data(show_spinner=False, max_entries=4)
def _report_html(data_key: str, sha: str, lang: str, n_boot: int, _survey, _frame: pd.DataFrame, _fits) -> str:
    """The management report (:func:`csi.report.management.build_management_report`, rendered by
    :func:`csi.report.render.to_html`, as ``csi report --format html``) of the filtered
    responses, reusing the dashboard's fit ``_fits`` (same ``n_boot``, seed 0)."""
    import warnings

    from csi.report.management import build_management_report
    from csi.report.render import to_html

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fit's warnings are in the report's notes
        rep = build_management_report(_survey, _frame, lang=lang, n_boot=n_boot, seed=0, fits=_fits)
    return to_html(rep)


@st.cache_data(show_spinner=False, max_entries=2)
def _xlsx_responses(data_key: str, _frame: pd.DataFrame) -> bytes:
    return frames_to_xlsx({"responses": _frame})


def main() -> None:
    survey = common.current_survey()
    if survey is None:
        st.warning(T("no_surveys"))
        return
    st.title(T("page_data"))
    _upload(survey)
    _batches(survey)
    tracking_section(survey)  # issue 20: invitations, response rates, open link and QR code
    _exports(survey)


main()
