"""Widgets of the respondent form (shared by the public form and the survey editor preview).

Phone first: a scale is one row of equal buttons (up to 11 points fit 360 px), its "don't
know" option on a row of its own below, the anchors under the row's ends; multiple choice is
a list of check boxes under their group headings (no untranslated "Select all"); Streamlit's
English typing hints under text boxes ("Press Ctrl+Enter to apply") are hidden.

Answers survive a language switch: widget keys carry the language (labels differ, so the
widgets differ), and every answer is also kept language-free in
``st.session_state[prefix + "answers"]``, from which the widgets of the other language are
filled when the language changes.
"""

from __future__ import annotations

import html

import streamlit as st

from csi.report.form import FormField, FormSection, is_visible, scale_choices
from csi.report.i18n import tr

#: Phone layout of the form. Streamlit gives each keyed container the class ``st-key-<key>``.
FORM_CSS = """
<style>
[class*="st-key-csi-scale-"] .stElementContainer, [class*="st-key-csi-scale-"] .stRadio {
  width: 100% !important; }
[class*="st-key-csi-scale-"] [role="radiogroup"] {
  display: flex !important; flex-wrap: wrap; gap: 6px 3px; width: 100%; }
[class*="st-key-csi-scale-"] [role="radiogroup"] > div { flex: 1 1 0; min-width: 0; margin: 0 !important; }
[class*="st-key-csi-scale-"] [data-testid="stRadioOption"] {
  width: 100%; margin: 0 !important; padding: 0 !important; }
[class*="st-key-csi-scale-"] [data-testid="stRadioOption"] > div { width: 100%; gap: 0; }
[class*="st-key-csi-scale-"] [data-testid="stRadioOption"] > div > div:not([data-testid="stMarkdownContainer"]) {
  display: none; }
[class*="st-key-csi-scale-"] [data-testid="stRadioOption"] [data-testid="stMarkdownContainer"] { width: 100%; }
[class*="st-key-csi-scale-"] [data-testid="stRadioOption"] p {
  border: 1px solid rgba(128, 128, 128, .55); border-radius: 6px; padding: 10px 0; margin: 0;
  text-align: center; font-size: 15px; line-height: 1; white-space: nowrap; }
[class*="st-key-csi-scale-"] [data-testid="stRadioOption"]:has(input:checked) p {
  background: #ff4b4b; border-color: #ff4b4b; color: #fff; font-weight: 600; }
[class*="st-key-csi-scale-dk-"] [role="radiogroup"] > div:last-child { flex: 1 0 100%; margin-top: 4px !important; }
[class*="st-key-csi-scale-dk-"] [role="radiogroup"] > div:last-child p {
  border-style: dashed; font-size: 14px; padding: 9px 6px; }
.csi-anchors { display: flex; justify-content: space-between; gap: 12px; font-size: 13px;
  opacity: .75; margin: 2px 0 6px 0; line-height: 1.3; }
[class*="st-key-csi-scale-"] > .stElementContainer:first-child p { font-size: 14px; margin-bottom: 0; }
.csi-anchors span:last-child { text-align: right; }
[class*="st-key-csi-missing-"] { border-left: 4px solid #ff4b4b; padding-left: 8px; }
[data-testid="InputInstructions"] { display: none !important; }
.st-key-csi-hp { position: absolute !important; left: -10000px !important; width: 1px;
  height: 1px; overflow: hidden; }
</style>
"""


def widget_key(prefix: str, fid: str, lang: str, code: str | None = None) -> str:
    """The session-state key of a field's widget in one language (``code``: a check box)."""
    return f"{prefix}{fid}-{lang}" + ("" if code is None else f"-{code}")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _md(text: str) -> str:
    """Plain text for st.markdown (markdown characters escaped)."""
    for ch in "\\`*_[]#<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def _anchors_row(f: FormField) -> None:
    if not f.anchors:
        return
    ends = [f.anchors[0], f.anchors[-1]] if len(f.anchors) > 1 else [f.anchors[0]]
    spans = "".join(f"<span>{html.escape(p)} = {html.escape(t)}</span>" for p, t in ends)
    st.markdown(f'<div class="csi-anchors">{spans}</div>', unsafe_allow_html=True)


def _restore(f: FormField, prefix: str, lang: str, value: object) -> None:
    """Fill the widget(s) of ``f`` in ``lang`` from the kept answer (language switch)."""
    ss = st.session_state
    if f.kind == "multi":
        ticked = set(value or [])
        for code, _ in f.options:
            ss[widget_key(prefix, f.id, lang, code)] = code in ticked
    elif value is None:
        ss.pop(widget_key(prefix, f.id, lang), None)
    else:
        ss[widget_key(prefix, f.id, lang)] = value


def widget(f: FormField, prefix: str, lang: str) -> object:
    """Draw the widget(s) of one field; return its current answer (widget value)."""
    key = widget_key(prefix, f.id, lang)
    label = f.text + (" *" if f.required else "")
    if f.kind == "likert":
        sc = f.scale
        dk = float(sc.dont_know) if sc.dont_know is not None else None
        choices = scale_choices(sc)

        def show(v: float) -> str:
            return (f.dont_know_label or tr("form_dont_know", lang)) if dk is not None and v == dk else _num(v)

        kind = "dk-" if dk is not None else ""
        with st.container(key=f"csi-scale-{kind}{key}", gap="xsmall"):
            st.markdown(_md(label))
            _anchors_row(f)  # above the row of points: the don't-know row stays below
            return st.radio(label, choices, index=None, horizontal=True, key=key, format_func=show,
                            label_visibility="collapsed")
    if f.kind == "yes_no":
        return st.radio(label, [1.0, 0.0], index=None, horizontal=True, key=key,
                        format_func=lambda v: _label(f, v, lang))
    if f.kind == "choice":
        names = dict(f.options)
        return st.radio(label, list(names), index=None, key=key, format_func=lambda c: names.get(c, c))
    if f.kind == "multi":
        st.markdown(f"**{html.escape(label)}**")
        groups = dict(f.group_labels)
        ticked, last = [], None
        for code, name in f.options:
            g = groups.get(code)
            if g and g != last:
                st.caption(g)
                last = g
            if st.checkbox(name, key=widget_key(prefix, f.id, lang, code)):
                ticked.append(code)
        return ticked
    if f.kind == "number":
        return st.number_input(label, value=None, min_value=f.min, max_value=f.max, key=key)
    if f.kind == "date":
        return st.date_input(label, value=None, key=key, format="YYYY-MM-DD")
    return st.text_area(label, key=key, height=80)


def _label(f: FormField, point: float, lang: str) -> str:
    """A yes/no field's option text: the scale's label when it has one, else Yes/No."""
    text = f.scale.labels.get(int(point), f.scale.labels.get(point)) if f.scale is not None else None
    if isinstance(text, dict):
        return text.get(lang) or next(iter(text.values()))
    return text or tr("yes" if point == 1.0 else "no", lang)


def render_form(survey, sections: list[FormSection], lang: str, prefix: str, *,
                known: dict | None = None, missing=()) -> dict[str, object]:
    """Render every visible field (``show_if`` honoured live); return the answers so far.

    ``known``: answers given by an invitation (not asked, but they drive ``show_if``);
    ``missing``: ids of required fields to mark as unanswered (after a failed submit).
    """
    del survey  # texts are already localized in the sections
    ss = st.session_state
    st.markdown(FORM_CSS, unsafe_allow_html=True)
    kept: dict = ss.setdefault(prefix + "answers", {})
    if ss.get(prefix + "lang") != lang:  # first run or a language switch: refill the widgets
        for sec in sections:
            for f in sec.fields:
                _restore(f, prefix, lang, kept.get(f.id))
        ss[prefix + "lang"] = lang
    answers: dict[str, object] = dict(known or {})
    missing = set(missing)
    for sec in sections:
        if not any(is_visible(f, answers) for f in sec.fields):
            continue
        st.subheader(sec.title)
        for f in sec.fields:
            if not is_visible(f, answers):
                continue
            unanswered = f.id in missing and _blank(_current(f, prefix, lang))
            with st.container(key=f"csi-{'missing' if unanswered else 'q'}-{f.id}"):
                if unanswered:
                    st.markdown(f":red[:material/error: **{tr('form_required_here', lang)}**]")
                value = widget(f, prefix, lang)
            kept[f.id] = value
            answers[f.id] = value
    return answers


def _current(f: FormField, prefix: str, lang: str) -> object:
    """The answer the widget(s) of ``f`` hold now (before they are drawn in this run)."""
    ss = st.session_state
    if f.kind == "multi":
        return [c for c, _ in f.options if ss.get(widget_key(prefix, f.id, lang, c))]
    return ss.get(widget_key(prefix, f.id, lang))


def _blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


#: Takes the honeypot out of reach of people: Streamlit sets no ``tabindex`` or ``aria-hidden``
#: on a widget, so this script does, and again whenever Streamlit redraws the field. The field
#: stays in the page (off screen, ``FORM_CSS``) for scripted clients to fill; keyboard users do
#: not reach it (``tabindex=-1``, ``inert``) and screen readers do not announce it
#: (``aria-hidden``, ``inert``).
HONEYPOT_JS = """<script>(function () {
  const hide = () => {
    const box = document.querySelector('.st-key-csi-hp');
    if (!box) { return; }
    if (box.getAttribute('aria-hidden') !== 'true') { box.setAttribute('aria-hidden', 'true'); }
    if (!box.inert) { box.inert = true; }
    box.querySelectorAll('input, textarea, button, a, [tabindex]').forEach(el => {
      if (el.getAttribute('tabindex') !== '-1') { el.setAttribute('tabindex', '-1'); }
      if (el.tagName === 'INPUT' && el.getAttribute('autocomplete') !== 'off') { el.setAttribute('autocomplete', 'off'); }
    });
  };
  hide();
  if (!window.csiHoneypotObserver) {
    window.csiHoneypotObserver = new MutationObserver(hide);
    window.csiHoneypotObserver.observe(document.body, {childList: true, subtree: true});
  }
})();</script>"""


def honeypot(lang: str) -> str:
    """A text field that scripted clients tend to fill and people never reach: off screen,
    out of the tab order and hidden from screen readers (:data:`HONEYPOT_JS`)."""
    with st.container(key="csi-hp"):
        value = st.text_input(tr("form_honeypot", lang), key="csi_hp_website", autocomplete="off",
                              label_visibility="visible")
        st.html(HONEYPOT_JS, unsafe_allow_javascript=True)
    return value


def scroll_to(fid: str, nonce: int) -> None:
    """Scroll the page so that the question ``fid`` is in view (after a failed submit); waits
    up to 5 s for the question to be drawn."""
    sel = f".st-key-csi-missing-{fid}"
    st.html(f"<script>/* {nonce} */ (function () {{ let n = 0; const go = () => {{"
            f" const el = document.querySelector('{sel}');"
            " if (el) { el.scrollIntoView({block: 'center'}); } else if (n++ < 50) { setTimeout(go, 100); } };"
            " setTimeout(go, 200); })();</script>", unsafe_allow_javascript=True)
