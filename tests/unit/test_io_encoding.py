"""Issue 13 point 6: text encodings told apart by a score, refused when unclear.

Byte fixtures are produced by Python's codecs from texts as the platforms' users write them:
Chinese Excel saves "CSV" as GBK/GB18030 (Wenjuanxing's 按选项文本 download opened and saved in
Excel), Traditional Chinese Excel as Big5, Western Excel as Windows-1252, Excel's "Unicode text"
as UTF-16 (here without its BOM, as some converters write it).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from csi.cli.main import app
from csi.errors import ResponseImportError
from csi.io import read_responses
from csi.io.encoding import detect_encoding, legacy_scores
from csi.io.mapping import survey_strings

WJX_ZH = ("序号,提交答卷时间,所用时间,1、总体而言，您对本店的满意程度,2、其他意见或建议\n"
          "1,2026/04/06 11:03:13,300秒,8,物流很快，包装完好，谢谢！\n")
WJX_TW = ("序號,提交答卷時間,所用時間,1、整體而言，您對本店的滿意程度,2、其他意見或建議\n"
          "1,2026/04/06 11:03:13,300秒,8,物流很快，包裝完好，謝謝！\n")
WESTERN = "respondent_id,comment\nr1,Crème brûlée très bien – “parfait”\nr2,Straße naïve café\n"


@pytest.mark.parametrize(("text", "encoding"), [
    (WJX_ZH, "gb18030"),
    (WJX_TW, "big5"),          # read as GB18030 before: every hanzi turned into another (mojibake)
    (WESTERN, "cp1252"),
    ("id,コメント\n1,とても満足しています\n2,配送が遅い\n", "shift_jis"),
    ("id,의견\n1,매우 만족합니다\n2,배송이 늦어요\n", "euc_kr"),
])
def test_each_legacy_encoding_is_told_by_its_score(text, encoding):
    data = text.encode(encoding)
    assert detect_encoding(data) == encoding
    assert data.decode(detect_encoding(data)) == text


def test_big5_was_misread_as_gb18030_by_a_decodability_check():
    data = WJX_TW.encode("big5")
    garbled = data.decode("gb18030")  # decodes without error, into other characters
    assert garbled != WJX_TW
    scores = {name: score for score, name, _ in legacy_scores(data)}
    assert scores["big5"] > scores["gb18030"] + 0.5


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    text = "respondent_id,pq1,comment\nr1,8,很好\nr2,9,Crème brûlée\n"
    assert detect_encoding(text.encode(codec)) == codec


def test_survey_texts_decide_a_short_file():
    # "京东" reads as GB18030, Big5 and EUC-KR alike; the survey's own label decides
    data = "id,channel\n1,京东\n".encode("gb18030")
    with pytest.raises(ResponseImportError, match=r"^x\.csv: the text reads as .* equally well; pass --encoding"):
        detect_encoding(data, file_name="x.csv")
    assert detect_encoding(data, file_name="x.csv", evidence=["京东", "天猫"]) == "gb18030"


def test_import_decodes_cp1252_comments_right(flagship):
    text = ("respondent_id,submitted_at,channel,os1,comment\n"
            "r1,2026-04-06 11:03:13,jd,8,Crème brûlée très bien\n")
    res = read_responses(text.encode("cp1252"), flagship, file_name="w.csv")
    assert res.encoding == "cp1252"
    assert res.valid["comment"].tolist() == ["Crème brûlée très bien"]


def test_import_uses_the_survey_texts(flagship):
    assert "京东" in survey_strings(flagship) and "非常满意" in survey_strings(flagship)
    text = "respondent_id,submitted_at,channel,os1\nr1,2026-04-06 11:03:13,京东,8\n"
    res = read_responses(text.encode("gb18030"), flagship, file_name="s.csv")
    assert res.encoding == "gb18030"
    assert res.valid["channel"].tolist() == ["jd"]


def test_unclear_file_exits_2_naming_the_file_and_encoding(flagship_path, tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"respondent_id,pq1\n\x00a\x81\xfe\x9d\x8d,5\n")
    res = CliRunner().invoke(app, ["import", str(flagship_path), str(garbage), "--db", f"sqlite:///{tmp_path}/s.db"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "garbage.csv" in lines[0] and "--encoding" in lines[0]
