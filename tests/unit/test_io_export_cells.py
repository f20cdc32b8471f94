"""Code export or label export, decided per file from columns only one reading explains (issue 13)."""

from __future__ import annotations

import pandas as pd

from csi.io.canonical import field_kinds
from csi.io.convert import field_specs
from csi.io.export_cells import cells_are_option_numbers
from csi.io.option_codes import presentation_order


def _decide(survey, columns: dict[str, list]):
    kinds = {f: k for f, k in field_kinds(survey).items() if f in columns}
    specs = field_specs(survey, kinds)
    body = pd.DataFrame(columns)
    orders = {f: presentation_order(survey, f, k) for f, k in kinds.items()}
    return cells_are_option_numbers(body, {f: f for f in columns}, kinds, specs, orders)


def test_a_two_in_a_yes_no_column_makes_the_file_a_code_export(flagship):
    # cc1 (0/1, yes first): 2 can only be option 2 = no; nps 1-9 alone would fit both readings
    assert _decide(flagship, {"cc1": ["1", "2"], "nps": ["3", "9"]}) is True


def test_a_numbered_choice_column_makes_the_file_a_code_export(flagship):
    assert _decide(flagship, {"channel": ["1", "3"], "nps": ["5", "5"]}) is True


def test_labels_make_the_file_a_label_export(flagship):
    assert _decide(flagship, {"cc1": ["Yes", "No"], "nps": ["5", "5"]}) is False
    assert _decide(flagship, {"channel": ["jd", "tmall"]}) is False


def test_nothing_tells_or_both_tell_leaves_each_column_to_itself(flagship):
    assert _decide(flagship, {"pq1": ["3", "7"], "nps": ["5", "5"]}) is None  # 1-10 items: both readings agree
    assert _decide(flagship, {"cc1": ["2", ""], "channel": ["jd", "jd"]}) is None  # mixed: not forced
