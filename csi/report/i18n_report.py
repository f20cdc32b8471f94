"""The words of the management report (``csi report``), in English and Chinese.

Headings, column headings and sentences only; survey texts (construct, item, option labels)
come from the survey YAML. :func:`rt` looks a key up and formats it.
"""

from __future__ import annotations

__all__ = ["REPORT_LABELS", "rt"]

REPORT_LABELS: dict[str, dict[str, str]] = {
    "report_title": {"en": "Customer satisfaction report", "zh": "顾客满意度报告"},
    "generated": {"en": "Survey {survey} (version {version}); {scope}; {n_used} of {n_collected} "
                        "respondents used.",
                  "zh": "问卷 {survey}（版本 {version}）；{scope}；使用 {n_collected} 位受访者中的 {n_used} 位。"},
    "scope_wave": {"en": "wave {wave}", "zh": "调查期 {wave}"},
    "scope_pooled": {"en": "all waves pooled", "zh": "全部调查期合并"},
    # -- sections -----------------------------------------------------------------------------
    "sec_headline": {"en": "Where satisfaction stands", "zh": "满意度现状"},
    "sec_fix_first": {"en": "What to fix first", "zh": "优先改进"},
    "sec_trend": {"en": "Trend by wave", "zh": "各调查期趋势"},
    "sec_constructs": {"en": "Index of each part of the experience", "zh": "各维度指数"},
    "sec_ipma": {"en": "Importance and performance", "zh": "重要性与表现"},
    "sec_repurchase": {"en": "What brings customers back (actual repurchase)", "zh": "促使顾客再次购买的因素（实际复购）"},
    "sec_complaints": {"en": "Complaints", "zh": "投诉"},
    "sec_segments": {"en": "Segments", "zh": "细分群体"},
    "sec_paths": {"en": "How the parts drive each other (path model)", "zh": "各维度之间的影响（路径模型）"},
    "paths_note": {"en": "Standardized path coefficients; solid: significant (95% CI excludes 0), dashed: not. "
                         "Boxes: 0–100 index. {scope}, n = {n}.",
                   "zh": "标准化路径系数；实线：显著（95% 置信区间不含 0），虚线：不显著。方框内为 0–100 指数。{scope}，n = {n}。"},
    "sec_quality": {"en": "Appendix: model quality", "zh": "附录：模型质量"},
    # -- sentences ----------------------------------------------------------------------------
    "headline_value": {"en": "{label}: {score} of 100 (95% CI {low} to {high}), {scope}, n = {n}.",
                       "zh": "{label}：{score}（满分 100；95% 置信区间 {low}–{high}），{scope}，n = {n}。"},
    "higher_better": {"en": "0–100 index, higher is better.", "zh": "0–100 指数，越高越好。"},
    "no_change": {"en": "Only one wave: no change to report.", "zh": "仅有一个调查期，无法比较变化。"},
    "fix_first_none": {"en": "No part of the experience is both important and below average: keep up "
                             "the current performance.",
                       "zh": "没有既重要又低于平均水平的维度：请保持当前表现。"},
    "fix_first_ipma": {"en": "High impact on {target} (importance {imp}), performance {perf} of 100, "
                             "{gap} points below the average of the other parts.",
                       "zh": "对{target}影响大（重要性 {imp}），表现 {perf}（满分 100），比其他维度平均低 {gap} 分。"},
    "fix_first_cause": {"en": "Weakest item: {item} ({perf} of 100).", "zh": "最弱题项：{item}（{perf} 分）。"},
    "fix_first_gain": {"en": "Raising it by {step} points is predicted to lift the {label} index by {gain} "
                             "points (95% CI {low} to {high}).",
                      "zh": "将其提高 {step} 分，预计{label}指数提高 {gain} 分（95% 置信区间 {low}–{high}）。"},
    "ipma_note": {"en": "Importance: total effect on {target} (index points per point); performance: "
                        "0–100 index. {scope}.",
                  "zh": "重要性：对{target}的总效应（每提高 1 分带来的指数变化）；表现：0–100 指数。{scope}。"},
    "repurchase_note": {"en": "Share of explained repurchase (relative weights) and odds ratio per point of the "
                              "driver question; AUC of the model {auc} (95% CI {low} to {high}), n = {n}. {scope}.",
                        "zh": "复购可解释部分中各因素的占比（相对权重）及题目每提高 1 分的优势比；模型 AUC {auc}"
                              "（95% 置信区间 {low}–{high}），n = {n}。{scope}。"},
    "repurchase_none": {"en": "The survey has no driver battery with a repurchase outcome.",
                        "zh": "问卷没有带复购结果的驱动因素题组。"},
    "complaints_note": {"en": "Share who complained (%), lower is better: {rate}% (95% CI {low} to {high}), "
                              "n = {n}. {scope}.",
                        "zh": "投诉者占比（%），越低越好：{rate}%（95% 置信区间 {low}–{high}），n = {n}。{scope}。"},
    "complaints_none": {"en": "The survey has no complaint question.", "zh": "问卷没有投诉题目。"},
    "segments_note": {"en": "{label} by segment (0–100, higher is better); groups with fewer than {min_n} "
                            "respondents are marked *. {scope}.",
                      "zh": "各细分群体的{label}（0–100，越高越好）；少于 {min_n} 位受访者的群体标 *。{scope}。"},
    "quality_note": {"en": "Reliability should be at least 0.7, AVE at least 0.5, HTMT below 0.9. "
                           "Pooled fit over {scope}, n = {n}.",
                     "zh": "信度宜不低于 0.7，AVE 不低于 0.5，HTMT 低于 0.9。合并拟合（{scope}），n = {n}。"},
    # -- column headings --------------------------------------------------------------------------
    "col_rank": {"en": "Rank", "zh": "排序"},
    "col_part": {"en": "Part of the experience", "zh": "维度"},
    "col_why": {"en": "Why", "zh": "原因"},
    "col_gain": {"en": "Predicted gain", "zh": "预计提升"},
    "col_wave": {"en": "Wave", "zh": "调查期"},
    "col_index": {"en": "Index (0–100)", "zh": "指数（0–100）"},
    "col_ci": {"en": "95% CI", "zh": "95% 置信区间"},
    "col_n": {"en": "Respondents", "zh": "受访者数"},
    "col_importance": {"en": "Importance (95% CI)", "zh": "重要性（95% 置信区间）"},
    "col_performance": {"en": "Performance (0–100)", "zh": "表现（0–100）"},
    "col_quadrant": {"en": "Verdict", "zh": "结论"},
    "col_driver": {"en": "Driver", "zh": "驱动因素"},
    "col_share": {"en": "Share of explained repurchase (%)", "zh": "可解释复购占比（%）"},
    "col_odds": {"en": "Odds ratio per point (95% CI)", "zh": "每分优势比（95% 置信区间）"},
    "col_type": {"en": "Complaint type", "zh": "投诉类型"},
    "col_share_complained": {"en": "Share of complainers (%)", "zh": "占投诉者比例（%）"},
    "col_segment": {"en": "Segment", "zh": "细分维度"},
    "col_group": {"en": "Group", "zh": "群体"},
    "col_reliability": {"en": "Composite reliability", "zh": "组合信度"},
    "col_alpha": {"en": "Cronbach's alpha", "zh": "克隆巴赫 α"},
    "col_ave": {"en": "AVE", "zh": "平均提取方差（AVE）"},
    "col_r2": {"en": "R² (explained variance)", "zh": "R²（解释方差）"},
    "col_check": {"en": "Check", "zh": "检查"},
    "col_status": {"en": "Status", "zh": "状态"},
    "col_detail": {"en": "Detail", "zh": "说明"},
    "col_pair": {"en": "Pair of constructs", "zh": "维度对"},
    "col_htmt": {"en": "HTMT", "zh": "HTMT"},
    "axis_importance": {"en": "Importance", "zh": "重要性"},
    "axis_performance": {"en": "Performance (0–100)", "zh": "表现（0–100）"},
    "quadrant_fix first": {"en": "fix first", "zh": "优先改进"},
    "quadrant_keep up": {"en": "keep up", "zh": "继续保持"},
    "quadrant_low priority": {"en": "low priority", "zh": "次要"},
    "quadrant_possible overkill": {"en": "possible overkill", "zh": "可能过度投入"},
    "status_ok": {"en": "ok", "zh": "通过"},
    "status_warning": {"en": "warning", "zh": "警告"},
    "status_fail": {"en": "failed", "zh": "未通过"},
    "sheet_fix_first": {"en": "What to fix first", "zh": "优先改进"},
    "sheet_trend": {"en": "Trend", "zh": "趋势"},
    "sheet_constructs": {"en": "Indices", "zh": "各维度指数"},
    "sheet_ipma": {"en": "Importance-performance", "zh": "重要性-表现"},
    "sheet_repurchase": {"en": "Repurchase drivers", "zh": "复购驱动因素"},
    "sheet_complaints": {"en": "Complaints", "zh": "投诉"},
    "sheet_segments": {"en": "Segments", "zh": "细分群体"},
    "sheet_quality": {"en": "Model quality", "zh": "模型质量"},
    "sheet_summary": {"en": "Summary", "zh": "摘要"},
}


def rt(key: str, lang: str, /, **kwargs: object) -> str:
    """The report label ``key`` in ``lang`` (``zh`` or ``en``; English otherwise), formatted.

    >>> rt("sec_fix_first", "zh"), rt("scope_wave", "en", wave="2026Q4")
    ('优先改进', 'wave 2026Q4')
    """
    entry = REPORT_LABELS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
