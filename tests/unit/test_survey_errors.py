"""Every way a survey file can be wrong is reported as a located SpecIssue (file:line:column).

Most cases mutate ``tests/data/surveys/mini.yaml`` (a minimal valid survey; its line numbers are
referred to below as "mini line N"); encoding and byte-level cases are fixture files in
``tests/data/surveys/`` (see PROVENANCE.md). Lines and columns are 1-based, as an editor shows them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from csi.errors import SpecIssue, SurveySpecError
from csi.survey import load_survey, parse_survey
from csi.survey.load import MAX_INDENT, MAX_NESTING, MAX_SURVEY_BYTES

DATA = Path(__file__).resolve().parent.parent / "data" / "surveys"
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")
LINES = MINI.splitlines(keepends=True)


def mutate(*edits: tuple[str, str]) -> str:
    """Apply (old, new) replacements to mini.yaml; each ``old`` must occur exactly once."""
    text = MINI
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in mini.yaml"
        text = text.replace(old, new)
    return text


def after_line(n: int, extra: str) -> str:
    """mini.yaml with ``extra`` inserted after (1-based) line ``n``."""
    return "".join(LINES[:n]) + extra + "".join(LINES[n:])


def issues_of(source: str | bytes) -> list[SpecIssue]:
    with pytest.raises(SurveySpecError) as info:
        parse_survey(source, file="t.yaml")
    return info.value.issues


def one_issue(source: str | bytes) -> SpecIssue:
    found = issues_of(source)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def check(issue: SpecIssue, line: int | None, column: int | None, message: str, path: str | None = None):
    assert (issue.line, issue.column) == (line, column), str(issue)
    assert re.search(message, issue.message), str(issue)
    if path is not None:
        assert issue.path == path, str(issue)
    assert issue.file == "t.yaml"


def test_mini_is_valid():
    s = parse_survey(MINI, file="t.yaml")
    assert s.id == "mini"
    assert LINES[7] == "    min: 1\n"  # the line numbers below rely on this layout
    assert LINES[29] == "      - id: cl1\n"


# -- YAML level ---------------------------------------------------------------------------------
def test_yaml_syntax_error_unclosed_flow_list():
    # mini line 5 `languages: [en, zh` -- the parser notices at the next line's `:`.
    src = mutate(("languages: [en, zh]", "languages: [en, zh"))
    check(one_issue(src), 6, 7, r"^YAML syntax error: .*expected ',' or ']'")


def test_tab_indentation():
    src = mutate(("    max: 10\n", "\tmax: 10\n"))
    check(one_issue(src), 9, 1, r"tabs")


def test_tab_indentation_fixture_file():
    with pytest.raises(SurveySpecError, match=r"tab_indent.yaml:5:1: .*spaces, not tabs"):
        load_survey(DATA / "tab_indent.yaml")


def test_duplicate_key_points_at_the_second_one():
    src = after_line(9, "    max: 7\n")
    check(one_issue(src), 10, 5, r'duplicate key "max"; each key may appear once')


def test_second_yaml_document_is_rejected():
    check(one_issue(MINI + "---\nid: other\n"), 40, 1, r"another document")


# -- shape (pydantic) ---------------------------------------------------------------------------
def test_string_where_number():
    src = mutate(("    min: 1\n", "    min: one\n"))
    check(one_issue(src), 8, 10, r"^got 'one'; expected a number$", "scales.s10.min")


def test_list_where_mapping():
    src = mutate(("    labels:\n      1: {en: Low, zh: 低}\n      10: {en: High, zh: 高}\n",
                  "    labels: [Low, High]\n"))
    check(one_issue(src), 10, 13, r"^got list; expected a mapping$", "scales.s10.labels")


def test_mapping_where_list():
    src = mutate(("    items:\n      - id: cl1\n        text: {en: Buy again, zh: 再次购买}\n",
                  "    items: {id: cl1, text: Buy again}\n"))
    check(one_issue(src), 29, 12, r"^got mapping; expected a list$", "constructs.loyalty.items")


def test_null_where_mapping():
    src = mutate(("    min: 0\n    max: 1\n", ""))  # `yesno:` is left with no value
    check(one_issue(src), 14, 3, r"got an empty value; expected a mapping", "scales.yesno")


def test_number_where_text():
    src = mutate(("text: {en: Buy again, zh: 再次购买}", "text: 5"))
    check(one_issue(src), 31, 15, r"got 5; expected a text or a mapping of language to text")


def test_unknown_key_lists_the_expected_keys():
    src = after_line(9, "    maximum: 10\n")
    check(one_issue(src), 10, 5, r"^unknown key 'maximum'; expected one of min, max, step, labels, "
          r"dont_know, dont_know_label, missing_codes, export_codes$", "scales.s10.maximum")


def test_unknown_top_level_key():
    issue = one_issue(MINI + "colour: red\n")
    check(issue, 40, 1, r"^unknown key 'colour'; expected one of id, version, title, languages, "
          r"description, scales, constructs, paths, questions, drivers, sections, interactions, higher_order, followup, comments, alerts, access, reporting, headline$", "colour")


def test_headline_names_an_unknown_construct():
    issue = one_issue(MINI + "headline: happiness\n")
    check(issue, 40, 11, r"^unknown construct 'happiness'; expected one of satisfaction, loyalty$", "headline")


def test_headline_defaults_to_satisfaction_and_can_name_another_construct():
    assert parse_survey(MINI, file="t.yaml").headline_id == "satisfaction"
    assert parse_survey(MINI + "headline: loyalty\n", file="t.yaml").headline_id == "loyalty"


def test_no_satisfaction_construct_and_no_headline_is_a_located_error():
    src = mutate(("  satisfaction:\n    label: {en: Satisfaction, zh: 满意度}",
                  "  happiness:\n    label: {en: Happiness, zh: 幸福}"))
    issue = one_issue(src + "paths:\n  - happiness -> loyalty\n")
    check(issue, 18, 3, r"no 'satisfaction' construct for the headline index; name the headline construct "
          r"with `headline: <construct id>`, one of happiness, loyalty$", "constructs")


def test_unknown_key_in_a_list_item():
    src = mutate(("        text: {en: Buy again, zh: 再次购买}\n",
                  "        text: {en: Buy again, zh: 再次购买}\n        weight: 2\n"))
    check(one_issue(src), 32, 9, r"unknown key 'weight'; expected one of id, text, reverse, scale, "
          r"required, show_if, short", "constructs.loyalty.items[0].weight")


def test_missing_required_key_in_item():
    src = mutate(("        text: {en: Buy again, zh: 再次购买}\n", ""))
    # reported at the item's mapping (mini line 30, after "- ")
    check(one_issue(src), 30, 9, r"^missing required key 'text'$", "constructs.loyalty.items[0].text")


def test_missing_required_top_level_key():
    src = mutate(("id: mini\n", ""))
    check(one_issue(src), 2, 1, r"^missing required key 'id'$", "id")


def test_unknown_section_field():
    issue = one_issue(MINI + "sections:\n  - title: One\n    fields: [cs1, nope]\n")
    check(issue, 42, 19, r"unknown field 'nope' in form section", "sections[0].fields[1]")


def test_unknown_key_in_a_section():
    issue = one_issue(MINI + "sections:\n  - title: One\n    fields: [cs1]\n    page: 2\n")
    check(issue, 43, 5, r"^unknown key 'page'; expected one of title, fields$", "sections[0].page")


@pytest.mark.parametrize(
    "bad_id",
    ["CL1", "cl 1", "忠诚", "1cl", "cl-1"],
    ids=["capitals", "space", "chinese", "leading-digit", "hyphen"],
)
def test_invalid_item_id(bad_id):
    src = mutate(("- id: cl1", f"- id: {bad_id!r}" if " " in bad_id else f"- id: {bad_id}"))
    check(one_issue(src), 30, 13, r"not a valid id; expected ASCII snake_case",
          "constructs.loyalty.items[0].id")


def test_invalid_language_key_in_a_text_is_located_at_the_key():
    # one issue, not also "expected a text" from the plain-string branch of a display text
    src = mutate(("text: {en: Buy again, zh: 再次购买}", "text: {EN: Buy again, zh: 再次购买}"))
    check(one_issue(src), 31, 16, r"got 'EN'; not a language code", "constructs.loyalty.items[0].text.EN")


def test_non_numeric_scale_label_key():
    src = mutate(("      10: {en: High", "      ten: {en: High"))
    check(one_issue(src), 12, 7, r"^got 'ten'; expected a number$", "scales.s10.labels.ten")


def test_unknown_literal():
    src = mutate(("    type: single_choice\n", "    type: dropdown\n"))
    check(one_issue(src), 34, 11, r"got 'dropdown'; expected 'single_choice', 'multiple_choice', .* or 'date'",
          "questions[0].type")


def test_invalid_language_code():
    src = mutate(("languages: [en, zh]", "languages: [en, Chinese]"))
    issue = issues_of(src)[0]
    check(issue, 5, 17, r"not a language code; expected e.g. zh, en, zh-TW", "languages[1]")


# -- empty / not a mapping / bytes --------------------------------------------------------------
@pytest.mark.parametrize("name", ["empty.yaml", "whitespace_only.yaml"])
def test_empty_files(name):
    with pytest.raises(SurveySpecError) as info:
        load_survey(DATA / name)
    [issue] = info.value.issues
    assert (issue.line, issue.column) == (1, 1)
    assert "the file is empty" in issue.message
    assert issue.file.endswith(name)


def test_comment_only_text_is_empty():
    check(one_issue("# nothing here\n"), 1, 1, r"the file is empty")


def test_top_level_list():
    with pytest.raises(SurveySpecError, match=r"top_level_list.yaml:1:1: expected a mapping .*got a list"):
        load_survey(DATA / "top_level_list.yaml")


def test_tagged_values():
    check(one_issue("!0\n"), 1, 1, r"expected a mapping of survey keys")
    issue = one_issue(mutate(("    min: 1\n", "    min: !!int one\n")))
    assert issue.line is None and issue.message.startswith("YAML value cannot be read")


def test_top_level_scalar():
    check(one_issue("just a sentence\n"), 1, 1, r"got a text")


def test_binary_junk():
    with pytest.raises(SurveySpecError) as info:
        load_survey(DATA / "binary_junk.yaml")
    [issue] = info.value.issues
    assert (issue.line, issue.column) == (1, 1)
    assert issue.message.startswith("not UTF-8 text (byte 0x80)")


def test_gbk_encoded_file_points_at_first_non_utf8_byte():
    # mini line 4 `title: {en: Mini, zh: 迷你}`: 迷 is the first non-ASCII character, column 23.
    with pytest.raises(SurveySpecError) as info:
        load_survey(DATA / "gbk_encoded.yaml")
    [issue] = info.value.issues
    assert (issue.line, issue.column) == (4, 23)
    assert "save the survey as UTF-8" in issue.message


def test_nul_byte():
    # mini line 31 `        text: {en: Buy again, ...}`: the NUL replaces the space in "Buy again".
    with pytest.raises(SurveySpecError) as info:
        load_survey(DATA / "nul_byte.yaml")
    [issue] = info.value.issues
    assert (issue.line, issue.column) == (31, 23)
    assert "NUL byte" in issue.message


def test_utf8_bom_is_accepted():
    assert parse_survey(b"\xef\xbb\xbf" + MINI.encode("utf-8")).id == "mini"


def test_huge_file(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(MINI.encode("utf-8") + b"#" + b"x" * MAX_SURVEY_BYTES + b"\n")
    with pytest.raises(SurveySpecError) as info:
        load_survey(path)
    [issue] = info.value.issues
    assert issue.line is None and issue.column is None
    assert "larger than 2048 KiB" in issue.message


def test_huge_text():
    with pytest.raises(SurveySpecError, match="too large"):
        parse_survey(MINI + "#" + "x" * MAX_SURVEY_BYTES)


def test_deep_flow_nesting():
    # `title: ` is 7 columns; the (MAX_NESTING + 1)-th "[" is at column 8 + MAX_NESTING.
    src = mutate(("title: {en: Mini, zh: 迷你}", "title: " + "[" * 100 + "]" * 100))
    check(one_issue(src), 4, 8 + MAX_NESTING, r"nesting too deep")


def test_deep_block_nesting():
    src = "".join("  " * i + "k:\n" for i in range(200))
    # line n is indented 2(n-1) columns; the first one over MAX_INDENT is n = MAX_INDENT/2 + 2
    check(one_issue(src), MAX_INDENT // 2 + 2, MAX_INDENT + 1, r"nesting too deep")


def test_deep_block_sequence_on_one_line():
    check(one_issue("- " * 5000 + "x\n"), 1, MAX_INDENT + 1, r"nesting too deep")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SurveySpecError, match="file not found"):
        load_survey(tmp_path / "nope.yaml")
    with pytest.raises(SurveySpecError, match="is a directory"):
        load_survey(tmp_path)


# -- cross-references (checks.py) ---------------------------------------------------------------
def test_unknown_scale_reference():
    src = mutate(("    scale: s10\n    items:\n      - id: cl1", "    scale: s5\n    items:\n      - id: cl1"))
    check(one_issue(src), 28, 12, r"^unknown scale 's5' for construct 'loyalty'; expected one of s10, yesno$",
          "constructs.loyalty.scale")


def test_item_in_two_constructs():
    src = mutate(("- id: cl1", "- id: cs1"))
    check(one_issue(src), 30, 13, r"item 'cs1' is already defined at constructs.satisfaction.items\[0\].id",
          "constructs.loyalty.items[0].id")


def test_question_id_clashes_with_item():
    src = mutate(("  - id: channel", "  - id: cs2"))
    check(one_issue(src), 33, 9, r"id 'cs2' is already defined", "questions[0].id")


def test_unknown_construct_in_path_and_the_resulting_orphan():
    found = issues_of(MINI + "paths:\n  - satisfaction -> loyality\n")
    assert len(found) == 2, found
    # loyalty is now in no path (an orphan); satisfaction is named by the bad path, so it is not
    check(found[0], 27, 5, r"construct 'loyalty' is in no structural path \(orphan\)", "constructs.loyalty")
    check(found[1], 41, 5, r"^unknown construct 'loyality'; expected one of satisfaction, loyalty$",
          "paths[0].to")


def test_path_forms_are_equivalent():
    forms = ["  - satisfaction -> loyalty\n", "  - [satisfaction, loyalty]\n",
             "  - {from: satisfaction, to: loyalty}\n"]
    models = [parse_survey(MINI + "paths:\n" + f).to_model() for f in forms]
    assert all(m.paths == (("satisfaction", "loyalty"),) for m in models)


def test_cycle():
    issue = one_issue(MINI + "paths:\n  - satisfaction -> loyalty\n  - loyalty -> satisfaction\n")
    check(issue, 41, 3, r"cycle: satisfaction -> loyalty -> satisfaction", "paths")


def test_self_loop_and_duplicate_path():
    found = issues_of(MINI + "paths:\n  - satisfaction -> loyalty\n  - satisfaction -> loyalty\n"
                      "  - loyalty -> loyalty\n")
    assert [(i.line, i.column) for i in found] == [(42, 5), (43, 5)]
    assert "listed twice" in found[0].message
    assert "cannot predict itself" in found[1].message


def test_orphan_constructs_with_empty_paths():
    found = issues_of(MINI + "paths: []\n")
    assert [(i.line, i.column, i.path) for i in found] == [
        (19, 5, "constructs.satisfaction"), (27, 5, "constructs.loyalty")]
    assert all("orphan" in i.message for i in found)


def test_paths_omitted_with_non_acsi_construct():
    src = mutate(("  loyalty:\n", "  brand:\n"))
    check(one_issue(src), 27, 5, r"construct 'brand' is not in the default ACSI model .* under `paths:`",
          "constructs.brand")


def test_min_not_below_max():
    src = mutate(("    min: 1\n", "    min: 10\n"))
    check(one_issue(src), 9, 10, r"^scale max \(10\) must be greater than min \(10\)$", "scales.s10.max")


def test_non_finite_scale_bound():
    src = mutate(("    max: 10\n", "    max: .inf\n"))
    check(one_issue(src), 9, 10, r"scale max must be a finite number; got inf")


def test_scale_with_too_many_points():
    src = mutate(("    max: 10\n", "    max: 1e12\n"))
    check(one_issue(src), 9, 10, r"more than 10001 points")


def test_step_not_dividing_the_range():
    src = after_line(9, "    step: 4\n")
    check(one_issue(src), 10, 11, r"not a multiple of step 4", "scales.s10.step")


def test_label_outside_the_scale():
    src = mutate(("      10: {en: High, zh: 高}", "      11: {en: High, zh: 高}"))
    check(one_issue(src), 12, 11, r"^label for 11 is outside the scale; expected a point from 1 to 10$")


def test_dont_know_code_inside_the_scale():
    src = mutate(("dont_know: 99", "dont_know: 5"))
    check(one_issue(src), 13, 16, r"the don't-know code 5 lies inside the scale 1..10", "scales.s10.dont_know")


def test_missing_code_inside_the_scale():
    src = after_line(13, "    missing_codes: [-99, 3]\n")
    check(one_issue(src), 14, 26, r"missing code 3 lies inside the scale", "scales.s10.missing_codes[1]")


def test_undeclared_language_in_a_text():
    src = mutate(("text: {en: Versus ideal, zh: 与理想比较}", "text: {en: Versus ideal, fr: Idéal}"))
    check(one_issue(src), 25, 38, r"^language 'fr' is not declared; expected one of en, zh$",
          "constructs.satisfaction.items[1].text.fr")


def test_undeclared_language_in_a_scale_label():
    src = mutate(("1: {en: Low, zh: 低}", "1: {en: Low, de: Niedrig}"))
    check(one_issue(src), 11, 24, r"language 'de' is not declared", "scales.s10.labels[1].de")


def test_show_if_on_unknown_field():
    src = after_line(31, "        show_if: {field: nope, equals: 1}\n")
    check(one_issue(src), 32, 26, r"show_if refers to unknown field 'nope'",
          "constructs.loyalty.items[0].show_if.field")


def test_show_if_with_a_value_the_field_cannot_take():
    src = after_line(31, "        show_if: {field: channel, in: [web, shop]}\n")
    check(one_issue(src), 32, 18, r"show_if value 'shop' is not an answer of 'channel'; expected one of web, app",
          "constructs.loyalty.items[0].show_if")


def test_show_if_needs_exactly_one_condition():
    src = after_line(31, "        show_if: {field: cs1, equals: 1, not_in: [2]}\n")
    check(one_issue(src), 32, 18, r"exactly one of `equals`, `in`, `not_in`")


def test_binary_construct_on_a_1_to_10_scale():
    src = after_line(27, "    binary: true\n")
    check(one_issue(src), 29, 12, r"binary construct 'loyalty' needs a 0/1 scale; scale 's10' is 1..10",
          "constructs.loyalty.scale")


def test_contact_question_without_pii():
    src = MINI + "  - id: phone\n    type: text\n    role: contact\n    text: Phone\n"
    # `pii` is absent, so the issue points at the question's mapping (line 40, after "- ")
    check(one_issue(src), 40, 5, r"a contact question must say which contact data it holds", "questions[1].pii")


def test_duplicate_option_codes():
    src = mutate(("{code: app,", "{code: web,"))
    check(one_issue(src), 39, 16, r"^option code 'web' is listed twice$", "questions[0].options[1].code")


def test_choice_question_with_one_option():
    src = mutate(("      - {code: app, label: {en: App, zh: 应用}}\n", ""))
    check(one_issue(src), 38, 7, r"needs at least two options", "questions[0].options")


def test_behavioural_field_must_come_from_the_system():
    src = MINI + "  - id: orders\n    type: number\n    role: behavioural\n    text: Orders\n"
    check(one_issue(src), 40, 5, r"set `source: system`", "questions[1].source")


# -- several problems at once -------------------------------------------------------------------
def test_several_errors_are_all_reported_in_file_order():
    with pytest.raises(SurveySpecError) as info:
        load_survey(DATA / "several_errors.yaml")
    found = info.value.issues
    assert [(i.line, i.column, i.path) for i in found] == [
        (2, 5, "id"),
        (8, 10, "scales.s10.min"),
        (14, 5, "constructs.satisfaction.colour"),
        (18, 9, "constructs.satisfaction.items[1].text"),
    ]
    text = str(info.value)
    assert len(text.splitlines()) == 4
    assert text.splitlines()[1].endswith("several_errors.yaml:8:10: scales.s10.min: got 'one'; expected a number")


def test_several_cross_reference_errors_at_once():
    src = mutate(("dont_know: 99", "dont_know: 5"), ("- id: cl1", "- id: cs1"),
                 ("{code: app,", "{code: web,"))
    found = issues_of(src)
    assert [(i.line, i.column) for i in found] == [(13, 16), (30, 13), (39, 16)]


def test_issue_text_shape():
    issue = SpecIssue("surveys/a.yaml", 14, 7, "constructs.value.items[2]", "unknown item 'pv3'")
    assert str(issue) == "surveys/a.yaml:14:7: constructs.value.items[2]: unknown item 'pv3'"
    assert str(SpecIssue("a.yaml", None, None, "", "too large")) == "a.yaml: too large"
