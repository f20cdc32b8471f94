"""Plain, translated table headings, axis titles, legends and category words of the dashboard.

Result tables in ``csi`` keep stable ``snake_case`` columns (``importance_ci_low``); a manager
sees "Importance, 95% CI low" / "重要性 95% 置信区间下限". :func:`plain_table` renames the
columns, maps construct / item / lever ids to their survey labels, translates category words
(quadrants, verdicts, statuses) and rounds -- presentation only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

__all__ = ["COLUMN_LABELS", "VALUE_LABELS", "DASHBOARD_LABELS", "column_label", "rename_columns",
           "plain_table", "as_percent", "admissibility_table", "value_label", "dashboard_label", "ID_COLUMNS"]

#: Raw column -> {lang: heading}. Units in the heading where they matter.
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "construct": {"en": "Construct", "zh": "维度"},
    "name": {"en": "Name", "zh": "名称"},
    "item": {"en": "Item", "zh": "题目"},
    "lever": {"en": "Reason to come back", "zh": "复购因素"},
    "driver": {"en": "Driver", "zh": "驱动因素"},
    "term": {"en": "Predictor", "zh": "预测变量"},
    "source": {"en": "From", "zh": "起点"},
    "target": {"en": "To", "zh": "终点"},
    "path": {"en": "Path", "zh": "路径"},
    "mediators": {"en": "Via", "zh": "中介"},
    "wave": {"en": "Wave", "zh": "调查期"},
    "group": {"en": "Group", "zh": "组别"},
    "group_value": {"en": "Group", "zh": "组别"},
    "group_a": {"en": "Group A", "zh": "组 A"},
    "group_b": {"en": "Group B", "zh": "组 B"},
    "segment": {"en": "Segment", "zh": "细分"},
    "category": {"en": "Category", "zh": "类别"},
    "type": {"en": "Type", "zh": "类型"},
    "level": {"en": "Level", "zh": "层级"},
    "kind": {"en": "Kind", "zh": "类型"},
    "model": {"en": "Model", "zh": "模型"},
    "measure": {"en": "Measure", "zh": "指标"},
    "unit": {"en": "Unit", "zh": "单位"},
    "outcome": {"en": "Outcome", "zh": "结果"},
    "check": {"en": "Check", "zh": "检查项"},
    "status": {"en": "Status", "zh": "状态"},
    "detail": {"en": "Detail", "zh": "说明"},
    "table": {"en": "Table", "zh": "表"},
    "rank": {"en": "Rank", "zh": "排名"},
    "n": {"en": "Respondents (n)", "zh": "样本量（n）"},
    "n_obs": {"en": "Respondents (n)", "zh": "样本量（n）"},
    "n_a": {"en": "n (A)", "zh": "样本量 A"},
    "n_b": {"en": "n (B)", "zh": "样本量 B"},
    "n_missing": {"en": "Missing answers", "zh": "缺失回答数"},
    "share_missing": {"en": "Share missing", "zh": "缺失比例"},
    "missing_share": {"en": "Share missing", "zh": "缺失比例"},
    "n_dont_know": {"en": "“Don't know” answers", "zh": "“不知道”回答数"},
    "score": {"en": "Index (0–100)", "zh": "指数（0–100）"},
    "index": {"en": "Index (0–100)", "zh": "指数（0–100）"},
    "mean": {"en": "Mean", "zh": "均值"},
    "se": {"en": "Standard error", "zh": "标准误"},
    "ci_low": {"en": "95% CI low", "zh": "95% 置信区间下限"},
    "ci_high": {"en": "95% CI high", "zh": "95% 置信区间上限"},
    "estimate": {"en": "Estimate", "zh": "估计值"},
    "coefficient": {"en": "Coefficient", "zh": "系数"},
    "p_value": {"en": "p-value", "zh": "p 值"},
    "p_adjusted": {"en": "p-value (adjusted)", "zh": "p 值（校正后）"},
    "p_holm": {"en": "p-value (Holm)", "zh": "p 值（Holm 校正）"},
    "significant": {"en": "Significant", "zh": "显著"},
    "diff": {"en": "Difference", "zh": "差异"},
    "difference": {"en": "Difference", "zh": "差异"},
    "importance": {"en": "Importance", "zh": "重要性"},
    "importance_ci_low": {"en": "Importance, 95% CI low", "zh": "重要性 95% 置信区间下限"},
    "importance_ci_high": {"en": "Importance, 95% CI high", "zh": "重要性 95% 置信区间上限"},
    "performance": {"en": "Performance (0–100)", "zh": "表现（0–100）"},
    "quadrant": {"en": "What to do", "zh": "建议"},
    "total_effect": {"en": "Total effect", "zh": "总效应"},
    "gain": {"en": "Gain", "zh": "提升"},
    "impact": {"en": "Impact", "zh": "影响"},
    "impact_ci_low": {"en": "Impact, 95% CI low", "zh": "影响 95% 置信区间下限"},
    "impact_ci_high": {"en": "Impact, 95% CI high", "zh": "影响 95% 置信区间上限"},
    "raw_weight": {"en": "Share of explained variance", "zh": "解释方差占比"},
    "raw_weight_ci_low": {"en": "Share, 95% CI low", "zh": "占比 95% 置信区间下限"},
    "raw_weight_ci_high": {"en": "Share, 95% CI high", "zh": "占比 95% 置信区间上限"},
    "rescaled_weight": {"en": "Share of R² (%)", "zh": "R² 占比（%）"},
    "rescaled_weight_ci_low": {"en": "Share of R², 95% CI low", "zh": "R² 占比 95% 置信区间下限"},
    "rescaled_weight_ci_high": {"en": "Share of R², 95% CI high", "zh": "R² 占比 95% 置信区间上限"},
    "odds_ratio": {"en": "Odds ratio per 10 points", "zh": "每 10 分的优势比"},
    "marginal_effect": {"en": "Repurchase change per 10 points (pp)", "zh": "每 10 分的复购概率变化（百分点）"},
    "marginal_effect_ci_low": {"en": "Change, 95% CI low", "zh": "变化 95% 置信区间下限"},
    "marginal_effect_ci_high": {"en": "Change, 95% CI high", "zh": "变化 95% 置信区间上限"},
    "auc": {"en": "AUC (0.5 = chance, 1 = perfect)", "zh": "AUC（0.5 = 随机，1 = 完美）"},
    "rate": {"en": "Share (%)", "zh": "比例（%）"},
    "complaint_rate": {"en": "Share who complained (%)", "zh": "抱怨比例（%）"},
    "loyalty_index": {"en": "Loyalty index (0–100)", "zh": "忠诚指数（0–100）"},
    "loyalty_ci_low": {"en": "Loyalty, 95% CI low", "zh": "忠诚 95% 置信区间下限"},
    "loyalty_ci_high": {"en": "Loyalty, 95% CI high", "zh": "忠诚 95% 置信区间上限"},
    "mean_loyalty": {"en": "Loyalty index (0–100)", "zh": "忠诚指数（0–100）"},
    "baseline": {"en": "Now", "zh": "当前"},
    "predicted": {"en": "Predicted", "zh": "预测"},
    "change": {"en": "Change", "zh": "变化"},
    "spearman_rho": {"en": "Rank agreement (Spearman ρ)", "zh": "排序一致性（Spearman ρ）"},
    "stated_rank": {"en": "Rank by stated importance", "zh": "自述重要性排名"},
    "behaviour_rank": {"en": "Rank by actual repurchase", "zh": "实际复购排名"},
    "stated_importance": {"en": "Stated importance", "zh": "自述重要性"},
    "behaviour_importance": {"en": "Effect on actual repurchase", "zh": "对实际复购的作用"},
    "verdict": {"en": "Verdict", "zh": "结论"},
    "bin": {"en": "Predicted band", "zh": "预测区间"},
    "predicted_rate": {"en": "Predicted repurchase (%)", "zh": "预测复购率（%）"},
    "observed_rate": {"en": "Actual repurchase (%)", "zh": "实际复购率（%）"},
    "mean_predicted": {"en": "Predicted repurchase", "zh": "预测复购率"},
    "observed": {"en": "Actual repurchase", "zh": "实际复购率"},
    "loading": {"en": "Loading", "zh": "载荷"},
    "weight": {"en": "Weight", "zh": "权重"},
    "alpha": {"en": "Cronbach's α", "zh": "Cronbach α 系数"},
    "rho_a": {"en": "ρA", "zh": "ρA"},
    "rho_c": {"en": "Composite reliability ρC", "zh": "组合信度 ρC"},
    "ave": {"en": "AVE", "zh": "平均方差提取量 AVE"},
    "r2": {"en": "R²", "zh": "R²"},
    "r2_adj": {"en": "Adjusted R²", "zh": "调整后 R²"},
    "construct_a": {"en": "Construct A", "zh": "构念 A"},
    "construct_b": {"en": "Construct B", "zh": "构念 B"},
    "vif": {"en": "VIF", "zh": "方差膨胀因子 VIF"},
    "q2_predict": {"en": "Q² predict", "zh": "Q² 预测"},
    "rmse": {"en": "RMSE", "zh": "均方根误差 RMSE"},
    "mae": {"en": "MAE", "zh": "平均绝对误差 MAE"},
    "lm_rmse": {"en": "RMSE (linear benchmark)", "zh": "RMSE（线性基准）"},
    "lm_mae": {"en": "MAE (linear benchmark)", "zh": "MAE（线性基准）"},
    "pls": {"en": "PLS", "zh": "PLS"},
    "cbsem": {"en": "CB-SEM", "zh": "CB-SEM"},
    "nps": {"en": "NPS", "zh": "NPS 净推荐值"},
    "promoters": {"en": "Promoters", "zh": "推荐者"},
    "detractors": {"en": "Detractors", "zh": "贬损者"},
    "passives": {"en": "Passives", "zh": "被动者"},
    "handling_index": {"en": "Handling index (0–100)", "zh": "处理满意指数（0–100）"},
    "resolved_rate": {"en": "Resolved (%)", "zh": "已解决（%）"},
    "row": {"en": "Row", "zh": "行"},
    "column": {"en": "Column", "zh": "列"},
    "value": {"en": "Value", "zh": "取值"},
    "reason": {"en": "Reason", "zh": "原因"},
    "behavioural_importance": {"en": "Effect on actual repurchase", "zh": "对实际复购的作用"},
    "behavioural_rank": {"en": "Rank by actual repurchase", "zh": "实际复购排名"},
    "rank_difference": {"en": "Rank difference", "zh": "排名差"},
    "by": {"en": "Grouped by", "zh": "分组依据"},
    "complaints": {"en": "Complaints", "zh": "抱怨数"},
    "repurchase_rate": {"en": "Actual repurchase (%)", "zh": "实际复购率（%）"},
    "repurchase_ci_low": {"en": "Repurchase, 95% CI low", "zh": "复购 95% 置信区间下限"},
    "repurchase_ci_high": {"en": "Repurchase, 95% CI high", "zh": "复购 95% 置信区间上限"},
    "small_n": {"en": "Small sample", "zh": "样本偏小"},
    "caution": {"en": "Caution", "zh": "提示"},
    "estimate_a": {"en": "Estimate A", "zh": "估计值 A"},
    "estimate_b": {"en": "Estimate B", "zh": "估计值 B"},
    "invariance": {"en": "Same measurement in both groups", "zh": "两组测量一致"},
    "method": {"en": "Method", "zh": "方法"},
    "benchmark": {"en": "Benchmark", "zh": "基准"},
    "direct": {"en": "Direct effect", "zh": "直接效应"},
    "indirect": {"en": "Indirect effect", "zh": "间接效应"},
    "indirect_se": {"en": "Indirect, standard error", "zh": "间接效应标准误"},
    "indirect_ci_low": {"en": "Indirect, 95% CI low", "zh": "间接效应 95% 置信区间下限"},
    "indirect_ci_high": {"en": "Indirect, 95% CI high", "zh": "间接效应 95% 置信区间上限"},
    "indirect_p_value": {"en": "Indirect, p-value", "zh": "间接效应 p 值"},
    "total": {"en": "Total", "zh": "合计"},
    "t": {"en": "t", "zh": "t 值"},
    "dont_know": {"en": "“Don't know”", "zh": "“不知道”"},
    "no_answer": {"en": "No answer", "zh": "未作答"},
    "not_shown": {"en": "Not shown (skipped by design)", "zh": "未显示（按设计跳过）"},
    "missing": {"en": "Missing", "zh": "缺失"},
    "share": {"en": "Share", "zh": "比例"},
    "skipped": {"en": "Skipped", "zh": "跳过"},
    "label": {"en": "Label", "zh": "标签"},
    "lm_q2_predict": {"en": "Q² predict (linear benchmark)", "zh": "Q² 预测（线性基准）"},
    "loss_benchmark": {"en": "Loss (benchmark)", "zh": "损失（基准）"},
    "loss_pls": {"en": "Loss (PLS)", "zh": "损失（PLS）"},
    "naive_mae": {"en": "MAE (naive benchmark)", "zh": "MAE（朴素基准）"},
    "naive_rmse": {"en": "RMSE (naive benchmark)", "zh": "RMSE（朴素基准）"},
    "batch_id": {"en": "Batch", "zh": "批次"},
    "created_at": {"en": "Imported at", "zh": "导入时间"},
    "duplicates": {"en": "Duplicates", "zh": "重复"},
    "encoding": {"en": "Text encoding", "zh": "文本编码"},
    "file_hash": {"en": "File fingerprint", "zh": "文件指纹"},
    "flagged": {"en": "Flagged", "zh": "已标记"},
    "imported": {"en": "Imported", "zh": "已导入"},
    "platform": {"en": "Platform", "zh": "平台"},
    "rejected": {"en": "Rejected", "zh": "已拒绝"},
    "rows_read": {"en": "Rows read", "zh": "读取行数"},
    "source_name": {"en": "File", "zh": "文件"},
}

#: Category words inside tables -> {lang: word}.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "fix first": {"en": "Fix first", "zh": "优先改进"},
    "keep up": {"en": "Keep up", "zh": "保持优势"},
    "low priority": {"en": "Low priority", "zh": "次要"},
    "possible overkill": {"en": "Possible overkill", "zh": "可能过度投入"},
    "agree": {"en": "agree", "zh": "一致"},
    "disagree": {"en": "disagree", "zh": "不一致"},
    "partly agree": {"en": "partly agree", "zh": "部分一致"},
    "inconclusive": {"en": "inconclusive", "zh": "无定论"},
    "listwise": {"en": "listwise deletion", "zh": "整行删除"},
    "pairwise": {"en": "pairwise deletion", "zh": "成对删除"},
    "em": {"en": "EM imputation", "zh": "EM 插补"},
    "mean": {"en": "mean replacement", "zh": "均值替代"},
    "ok": {"en": "ok", "zh": "通过"},
    "warning": {"en": "warning", "zh": "警告"},
    "fail": {"en": "fail", "zh": "未通过"},
    "pass": {"en": "pass", "zh": "通过"},
    "construct": {"en": "construct", "zh": "维度"},
    "lever": {"en": "reason to come back", "zh": "复购因素"},
    "item": {"en": "item", "zh": "题目"},
    "index points": {"en": "index points", "zh": "指数分"},
    "percent": {"en": "percent", "zh": "百分比"},
    "drivers": {"en": "levers + loyalty", "zh": "复购因素 + 忠诚"},
    "levers": {"en": "levers only", "zh": "仅复购因素"},
    "constructs": {"en": "model constructs", "zh": "模型构念"},
    "const": {"en": "constant", "zh": "常数项"},
    "promoter": {"en": "promoters", "zh": "推荐者"},
    "passive": {"en": "passives", "zh": "被动者"},
    "detractor": {"en": "detractors", "zh": "贬损者"},
    "handling_index": {"en": "Handling satisfaction index (0–100)", "zh": "投诉处理满意指数（0–100）"},
    "handled_well": {"en": "Share handled well (0–1)", "zh": "处理得好的比例（0–1）"},
    "resolved": {"en": "Share resolved (0–1)", "zh": "已解决的比例（0–1）"},
    "share": {"en": "share (0–1)", "zh": "比例（0–1）"},
    "convergence": {"en": "Estimation converged", "zh": "估计收敛"},
    "loadings_le_1": {"en": "Loadings at most 1", "zh": "载荷不超过 1"},
    "reliability_le_1": {"en": "Reliabilities at most 1", "zh": "信度不超过 1"},
    "construct_correlations_pd": {"en": "Construct correlations consistent (positive definite)",
                                  "zh": "构念相关矩阵正定"},
    "bootstrap_resamples": {"en": "Bootstrap resamples valid", "zh": "自助法重抽样有效"},
    "fit_testable": {"en": "Model fit testable", "zh": "模型拟合可检验"},
    "index_weights": {"en": "Index weights positive", "zh": "指数权重为正"},
    "full": {"en": "full", "zh": "完全"},
    "partial": {"en": "partial", "zh": "部分"},
    "none": {"en": "none", "zh": "无"},
    "path": {"en": "path", "zh": "路径"},
    "True": {"en": "yes", "zh": "是"},
    "False": {"en": "no", "zh": "否"},
}

#: Columns whose values are construct / item / lever ids (mapped through the survey labels).
ID_COLUMNS = ("construct", "name", "item", "lever", "driver", "term", "source", "target", "outcome",
              "construct_a", "construct_b")
#: Columns whose values are category words (VALUE_LABELS).
WORD_COLUMNS = ("quadrant", "verdict", "status", "kind", "level", "unit", "model", "significant",
                "check_status", "method", "missing", "invariance", "small_n")

#: Dashboard words that are not column headings (legends, scope labels, notes).
DASHBOARD_LABELS: dict[str, dict[str, str]] = {
    "no_complaint_construct": {"en": "This survey has no yes/no complaint question (a construct with "
                                     "`binary: true`), so there is no share who complained to show.",
                               "zh": "本问卷没有“是否投诉”的是/否题（`binary: true` 的维度），因此无法显示抱怨比例。"},
    "fit_singular": {"en": "The model cannot be estimated on these {n} responses (their answers leave a "
                           "singular covariance matrix, usually too few respondents or identical answers). "
                           "Widen the wave, date or segment filter.",
                     "zh": "无法用这 {n} 份答卷估计模型（回答的协方差矩阵奇异，通常是受访者太少或回答完全相同）。"
                           "请放宽调查期、日期或细分筛选。"},
    "group_a": {"en": "Group A", "zh": "组 A"},
    "group_b": {"en": "Group B", "zh": "组 B"},
    "rate_of_complainers_pct": {"en": "Share of complainers (%)", "zh": "占投诉者比例（%）"},
    "path_significant": {"en": "significant (95% CI excludes 0)", "zh": "显著（95% 置信区间不含 0）"},
    "path_not_significant": {"en": "not significant", "zh": "不显著"},
    "headline_of": {"en": "{label} index (0–100)", "zh": "{label}指数（0–100）"},
    "complaint_rate": {"en": "Share who complained (%)", "zh": "抱怨比例（%）"},
    "lower_is_better": {"en": "lower is better", "zh": "越低越好"},
    "fix_first_details": {"en": "Details: importance–performance map and what-if",
                          "zh": "详情：重要性–表现矩阵与假设分析"},
    "fix_first_pending": {"en": "Working out what to fix first…", "zh": "正在计算优先改进项……"},
    "trend_others": {"en": "Compare with", "zh": "对比其他维度"},
    "trend_help": {"en": "The headline index per wave with its 95% confidence band; add other constructs "
                         "to compare.", "zh": "各期的核心指数及其 95% 置信带；可添加其他维度进行对比。"},
    "analyst_tables": {"en": "Analyst tables", "zh": "分析明细表"},
    "path_note": {"en": "Standardized path coefficients beside the arrows; dashed grey arrows are not "
                        "significant (95% CI includes 0).",
                  "zh": "箭头旁为标准化路径系数；灰色虚线箭头表示不显著（95% 置信区间包含 0）。"},
    "n_resp": {"en": "{n} responses collected, {start} to {end}", "zh": "共收集 {n} 份答卷，{start} 至 {end}"},
}


def _pick(entry: Mapping[str, str], lang: str) -> str:
    return entry.get(lang) or entry["en"]


def dashboard_label(key: str, lang: str, **kw: object) -> str:
    """A dashboard word (:data:`DASHBOARD_LABELS`, then :data:`csi.report.i18n.LABELS`)."""
    entry = DASHBOARD_LABELS.get(key)
    if entry is None:
        from csi.report.i18n import tr

        return tr(key, lang, **kw)
    text = _pick(entry, lang)
    return text.format(**kw) if kw else text


def _humanize(column: str) -> str:
    return re.sub(r"_+", " ", column).strip().capitalize()


def column_label(column: str, lang: str) -> str:
    """The heading of a raw result column in ``lang``.

    >>> column_label("importance_ci_low", "en"), column_label("performance", "zh")
    ('Importance, 95% CI low', '表现（0–100）')
    """
    entry = COLUMN_LABELS.get(column)
    return _pick(entry, lang) if entry is not None else _humanize(str(column))


def value_label(value: object, lang: str) -> object:
    """A category word in ``lang`` (other values unchanged).

    >>> value_label("fix first", "zh"), value_label(3.5, "zh")
    ('优先改进', 3.5)
    """
    entry = VALUE_LABELS.get(str(value)) if isinstance(value, str | bool) else None
    return _pick(entry, lang) if entry is not None else value


def rename_columns(df: pd.DataFrame, lang: str, *, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``df`` with every column renamed to its plain heading (``extra`` wins)."""
    extra = dict(extra or {})
    return df.rename(columns={c: extra.get(c, column_label(str(c), lang)) for c in df.columns})


def _label_text(v: str, labels: Mapping[str, str], lang: str) -> str:
    """An id, a category word or a path ``a -> b -> c`` of ids, in words."""
    if " -> " in v:
        return " → ".join(labels.get(p, p) for p in v.split(" -> "))
    return labels.get(v, value_label(v, lang))


def as_percent(df: pd.DataFrame, columns: tuple[str, ...] = ("rate", "ci_low", "ci_high")) -> pd.DataFrame:
    """A copy with the fraction columns ``columns`` (those present) in percent.

    >>> as_percent(pd.DataFrame({"rate": [0.125]}))["rate"].tolist()
    [12.5]
    """
    return df.assign(**{c: 100 * pd.to_numeric(df[c], errors="coerce") for c in columns if c in df})


def admissibility_table(adm: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The admissibility checks (``check, status, detail``) for display: checks and statuses in
    words; the estimator's ``detail`` text (English) only in the English view."""
    out = adm.assign(check=adm["check"].map(lambda v: value_label(v, lang)))
    if lang != "en":
        out = out.drop(columns=["detail"], errors="ignore")
    return plain_table(out, lang)


def plain_table(df: pd.DataFrame, lang: str, digits: int = 1, labels: Mapping[str, str] | None = None,
                *, percent: tuple[str, ...] = (), extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A display copy of a result table: ids -> survey labels (``labels``), category words
    translated, ``percent`` columns (fractions) x 100, floats rounded to ``digits``, columns
    renamed to plain headings in ``lang``."""
    labels = dict(labels or {})
    out = df.copy()
    for c in out.columns:
        if c in percent:
            out[c] = 100 * pd.to_numeric(out[c], errors="coerce")
        if out[c].dtype == bool or c in WORD_COLUMNS:
            out[c] = out[c].map(lambda v: value_label(str(v) if isinstance(v, bool) else v, lang))
        elif out[c].dtype == object or isinstance(out[c].dtype, pd.StringDtype):
            out[c] = out[c].map(lambda v: _label_text(v, labels, lang) if isinstance(v, str) else v)
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(digits)
    return rename_columns(out, lang, extra=extra)
