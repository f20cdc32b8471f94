"""Every label of the dashboard and the respondent form, in Chinese and English.

Survey texts (questions, construct labels) come from the survey YAML via ``Survey.t``; this
module holds the app's own words. :func:`tr` looks a key up and formats it.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "LABELS", "tr"]

#: UI languages, in switcher order.
LANGUAGES = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    # -- app shell -------------------------------------------------------------------------
    "app_title": {"en": "Customer satisfaction", "zh": "顾客满意度"},
    "language": {"en": "Language", "zh": "语言"},
    "survey": {"en": "Survey", "zh": "问卷"},
    "waves": {"en": "Waves", "zh": "调查期"},
    "date_range": {"en": "Response dates", "zh": "作答日期"},
    "segment_by": {"en": "Segment filter", "zh": "细分筛选"},
    "segment_value": {"en": "Segment value", "zh": "细分取值"},
    "all": {"en": "(all respondents)", "zh": "（全部受访者）"},
    "all_waves": {"en": "all waves", "zh": "全部调查期"},
    "filters": {"en": "Filters (apply to every page)", "zh": "筛选（作用于所有页面）"},
    "settings": {"en": "Settings", "zh": "设置"},
    "n_boot": {"en": "Bootstrap resamples", "zh": "自助法重抽样次数"},
    "n_boot_help": {"en": "More resamples give steadier confidence intervals but take longer.",
                    "zh": "重抽样次数越多，置信区间越稳定，但计算更慢。"},
    "demo_mode": {"en": "Local-demo mode: no manager password is configured, so every page is "
                        "open. Set CSI_ADMIN_PASSWORD or CSI_ADMIN_PASSWORD_HASH to require a login.",
                  "zh": "本地演示模式：未配置管理员密码，所有页面均可访问。设置 CSI_ADMIN_PASSWORD "
                        "或 CSI_ADMIN_PASSWORD_HASH 以启用登录。"},
    "login_title": {"en": "Manager login", "zh": "管理员登录"},
    "password": {"en": "Password", "zh": "密码"},
    "login": {"en": "Log in", "zh": "登录"},
    "logout": {"en": "Log out", "zh": "退出登录"},
    "wrong_password": {"en": "Wrong password or user name.", "zh": "密码或用户名错误。"},
    "auth_config_error": {"en": "The password setting is invalid: {error}",
                          "zh": "密码配置无效：{error}"},
    "page_overview": {"en": "Overview", "zh": "总览"},
    "page_drivers": {"en": "Drivers", "zh": "驱动因素"},
    "page_complaints": {"en": "Complaints", "zh": "投诉"},
    "page_segments": {"en": "Segments & trends", "zh": "细分与趋势"},
    "page_quality": {"en": "Model quality", "zh": "模型质量"},
    "page_data": {"en": "Data", "zh": "数据"},
    "page_editor": {"en": "Survey editor", "zh": "问卷编辑"},
    "page_form": {"en": "Take the survey", "zh": "填写问卷"},
    "no_surveys": {"en": "No survey files found in surveys/.", "zh": "surveys/ 目录中没有问卷文件。"},
    "empty_store": {
        "en": "No responses stored for this survey yet. Import a file on the Data page, run "
              "`csi import {path} sample_data/ecommerce_responses.csv`, or share the public form link.",
        "zh": "该问卷尚无已存储的答卷。请在“数据”页面导入文件，运行 "
              "`csi import {path} sample_data/ecommerce_responses.csv`，或分享公开问卷链接。"},
    "empty_filter": {"en": "No responses match the filters. Widen the wave, date or segment filter.",
                     "zh": "没有符合筛选条件的答卷。请放宽调查期、日期或细分筛选。"},
    "error": {"en": "Error", "zh": "错误"},
    "computing": {"en": "Estimating the model (bootstrap {done}/{total})...",
                  "zh": "正在估计模型（自助法 {done}/{total}）……"},
    "not_available": {"en": "This analysis is not available yet: {reason}",
                      "zh": "该分析暂不可用：{reason}"},
    "public_link": {"en": "Public form link", "zh": "公开问卷链接"},
    # -- overview --------------------------------------------------------------------------
    "headline": {"en": "Customer satisfaction index (CSI)", "zh": "顾客满意度指数（CSI）"},
    "ci95": {"en": "95% CI {low}–{high}", "zh": "95% 置信区间 {low}–{high}"},
    "ci_pending": {"en": "95% CI: bootstrap running…", "zh": "95% 置信区间：自助法计算中……"},
    "change_pending": {"en": "Change vs the previous wave: significance test running…",
                       "zh": "与上一期相比的变化：显著性检验计算中……"},
    "n_resp": {"en": "{n} respondents, {start} to {end}", "zh": "{n} 位受访者，{start} 至 {end}"},
    "complaint_rate": {"en": "Complaint rate", "zh": "投诉率"},
    "construct_indices": {"en": "Construct indices (0–100)", "zh": "各维度指数（0–100）"},
    "trend": {"en": "Trend by wave", "zh": "各调查期趋势"},
    "path_diagram": {"en": "Path model", "zh": "路径模型"},
    "path_note": {"en": "Standardized path coefficients; grey arrows are not significant (5% level).",
                  "zh": "标准化路径系数；灰色箭头表示不显著（5% 水平）。"},
    "wave_skipped": {"en": "Wave {wave} is left out of the trend: {reason}",
                     "zh": "调查期 {wave} 未纳入趋势：{reason}"},
    "change_none": {"en": "No previous wave to compare with.", "zh": "没有可比较的上一期。"},
    "change_sig_up": {"en": "Up {diff} points vs {prev} ({prev_score}) — a significant rise ({p}).",
                      "zh": "比 {prev}（{prev_score}）上升 {diff} 分，上升显著（{p}）。"},
    "change_sig_down": {"en": "Down {diff} points vs {prev} ({prev_score}) — a significant fall ({p}).",
                        "zh": "比 {prev}（{prev_score}）下降 {diff} 分，下降显著（{p}）。"},
    "change_ns": {"en": "{sign}{diff} points vs {prev} ({prev_score}) — not a significant change ({p}).",
                  "zh": "比 {prev}（{prev_score}）变化 {sign}{diff} 分，变化不显著（{p}）。"},
    "wave": {"en": "Wave", "zh": "调查期"},
    "index": {"en": "Index (0–100)", "zh": "指数（0–100）"},
    # -- drivers ---------------------------------------------------------------------------
    "ipma": {"en": "Importance–performance map", "zh": "重要性–表现矩阵"},
    "target": {"en": "Target", "zh": "目标"},
    "level": {"en": "Level", "zh": "层级"},
    "level_construct": {"en": "Constructs", "zh": "维度"},
    "level_item": {"en": "Items", "zh": "题项"},
    "importance": {"en": "Importance (total effect per index point)", "zh": "重要性（每指数点的总效应）"},
    "performance": {"en": "Performance (0–100)", "zh": "表现（0–100）"},
    "quadrant_fix_first": {"en": "fix first", "zh": "优先改进"},
    "quadrant_keep_up": {"en": "keep up", "zh": "继续保持"},
    "quadrant_low_priority": {"en": "low priority", "zh": "次要"},
    "quadrant_possible_overkill": {"en": "possible overkill", "zh": "可能过度投入"},
    "advice_fix_first": {"en": "Important and under-performing: improve this first.",
                         "zh": "重要但表现不佳：应优先改进。"},
    "advice_keep_up": {"en": "Important and performing well: keep it up.",
                       "zh": "重要且表现良好：继续保持。"},
    "advice_low_priority": {"en": "Less important and lower performing: low priority.",
                            "zh": "重要性较低且表现一般：次要事项。"},
    "advice_possible_overkill": {"en": "Less important but performing well: resources may be better spent elsewhere.",
                                 "zh": "重要性较低但表现很好：资源或可转投他处。"},
    "repurchase_drivers": {"en": "What brings customers back", "zh": "复购驱动因素"},
    "relative_weights": {"en": "Relative weight (share of R²)", "zh": "相对权重（R² 份额）"},
    "odds_ratio": {"en": "Odds ratio of actual repurchase", "zh": "实际复购的优势比"},
    "marginal_effect": {"en": "Marginal effect (pp per 10 index points)", "zh": "边际效应（每 10 指数点的百分点）"},
    "no_behaviour": {"en": "No behavioural repurchase data: {reason}", "zh": "无实际复购数据：{reason}"},
    "agreement": {"en": "Stated vs behavioural importance: Spearman rho = {rho} (p = {p}) — {verdict}.",
                  "zh": "陈述重要性与行为重要性：Spearman rho = {rho}（p = {p}）— {verdict}。"},
    "details": {"en": "Details", "zh": "详细信息"},
    "whatif": {"en": "What if?", "zh": "假如……"},
    "whatif_help": {"en": "Raise a driver by some index points and see the predicted effect.",
                    "zh": "将某一驱动因素提高若干指数点，查看预测效果。"},
    "whatif_drivers": {"en": "Drivers to raise", "zh": "要提升的驱动因素"},
    "repurchase_probability": {"en": "Repurchase probability", "zh": "复购概率"},
    "predicted": {"en": "Predicted", "zh": "预测值"},
    "change": {"en": "Change", "zh": "变化"},
    # -- complaints ------------------------------------------------------------------------
    "complaint_types": {"en": "Complaint types", "zh": "投诉类型"},
    "by_segment": {"en": "By segment", "zh": "按细分"},
    "by_wave": {"en": "By wave", "zh": "按调查期"},
    "handling": {"en": "Complaint handling satisfaction", "zh": "投诉处理满意度"},
    "recovery": {"en": "Loyalty after complaints (service recovery)", "zh": "投诉后的忠诚度（服务补救）"},
    "rate_of_complainers": {"en": "Share of complainers", "zh": "占投诉者比例"},
    "chi2": {"en": "Chi-square test of equal rates: χ² = {chi2}, df = {df}, p = {p}",
             "zh": "各组投诉率相等的卡方检验：χ² = {chi2}，自由度 = {df}，p = {p}"},
    "grp_no_complaint": {"en": "no complaint", "zh": "未投诉"},
    "grp_complaint_handled_well": {"en": "complaint handled well", "zh": "投诉处理得好"},
    "grp_complaint_handled_badly": {"en": "complaint handled badly", "zh": "投诉处理得差"},
    "grp_complained": {"en": "complained", "zh": "投诉过"},
    "group": {"en": "Group", "zh": "组别"},
    # -- segments --------------------------------------------------------------------------
    "segment_question": {"en": "Compare by", "zh": "比较维度"},
    "construct": {"en": "Construct", "zh": "维度"},
    "pairwise": {"en": "Pairwise differences", "zh": "两两差异"},
    "sig_diffs": {"en": "Significant differences {a} − {b} (permutation p < 0.05): {names}",
                  "zh": "{a} − {b} 的显著差异（置换检验 p < 0.05）：{names}"},
    "small_n": {"en": "small sample (n < {n})", "zh": "样本量小（n < {n}）"},
    # -- model quality ---------------------------------------------------------------------
    "fit_info": {"en": "n = {n} · bootstrap resamples: {n_boot} · {method} · converged: {converged} "
                        "({n_iter} iterations) · missing data: {policy}, {dropped} respondents dropped",
                 "zh": "n = {n} · 自助法重抽样：{n_boot} 次 · {method} · 收敛：{converged}（{n_iter} 次迭代）"
                       " · 缺失数据：{policy}，剔除 {dropped} 位受访者"},
    "loadings": {"en": "Loadings", "zh": "载荷"},
    "weights": {"en": "Outer weights", "zh": "外部权重"},
    "reliability": {"en": "Reliability and validity", "zh": "信度与效度"},
    "htmt": {"en": "HTMT", "zh": "HTMT"},
    "r2": {"en": "R²", "zh": "R²"},
    "vif": {"en": "VIF", "zh": "VIF"},
    "paths_table": {"en": "Path coefficients (bootstrap)", "zh": "路径系数（自助法）"},
    "pls_vs_cbsem": {"en": "PLS vs CB-SEM", "zh": "PLS 与 CB-SEM 对比"},
    "admissibility": {"en": "Admissibility checks", "zh": "可接受性检查"},
    "warnings": {"en": "Warnings", "zh": "警告"},
    "run_cbsem": {"en": "Also estimate by CB-SEM", "zh": "同时用 CB-SEM 估计"},
    # -- data ------------------------------------------------------------------------------
    "upload": {"en": "Upload responses (CSV, XLSX or a survey-platform export)",
               "zh": "上传答卷（CSV、XLSX 或问卷平台导出文件）"},
    "platform": {"en": "Platform", "zh": "平台"},
    "auto_detect": {"en": "detect automatically", "zh": "自动识别"},
    "import_button": {"en": "Import into the store", "zh": "导入数据库"},
    "import_report": {"en": "Validation report", "zh": "校验报告"},
    "rows_read": {"en": "Rows read", "zh": "读取行数"},
    "imported": {"en": "Imported", "zh": "已导入"},
    "rejected": {"en": "Rejected", "zh": "被拒绝"},
    "duplicates": {"en": "Duplicates", "zh": "重复"},
    "detected": {"en": "Detected platform {platform}, encoding {encoding}.",
                 "zh": "识别为平台 {platform}，编码 {encoding}。"},
    "unmapped": {"en": "Columns not used: {cols}", "zh": "未使用的列：{cols}"},
    "issues": {"en": "Issues by row and column", "zh": "按行列列出的问题"},
    "download_rejected": {"en": "Download rejected rows (CSV)", "zh": "下载被拒绝的行（CSV）"},
    "import_failed": {"en": "This file cannot be imported: {error}", "zh": "该文件无法导入：{error}"},
    "import_done": {"en": "Imported {n} responses (batch {batch}).", "zh": "已导入 {n} 份答卷（批次 {batch}）。"},
    "batches": {"en": "Import batches", "zh": "导入批次"},
    "export": {"en": "Export", "zh": "导出"},
    "prepare_exports": {"en": "Prepare downloads (responses, result tables, HTML report)",
                        "zh": "准备下载（答卷、结果表、HTML 报告）"},
    "export_responses": {"en": "Responses (XLSX, no contact data)", "zh": "答卷（XLSX，不含联系方式）"},
    "export_results": {"en": "All result tables (XLSX)", "zh": "全部结果表（XLSX）"},
    "export_html": {"en": "Self-contained HTML report", "zh": "独立 HTML 报告"},
    "response_count": {"en": "Stored responses: {n}", "zh": "已存储答卷：{n}"},
    # -- editor ----------------------------------------------------------------------------
    "yaml": {"en": "Survey YAML", "zh": "问卷 YAML"},
    "valid": {"en": "The survey is valid.", "zh": "问卷有效。"},
    "invalid": {"en": "{n} problem(s):", "zh": "{n} 个问题："},
    "preview": {"en": "Preview (as respondents see it)", "zh": "预览（受访者所见）"},
    "save_version": {"en": "Save as new version", "zh": "另存为新版本"},
    "saved": {"en": "Saved {file} (version {version}).", "zh": "已保存 {file}（版本 {version}）。"},
    "version_exists": {"en": "Version {version} already exists; change `version:` first.",
                       "zh": "版本 {version} 已存在；请先修改 `version:`。"},
    # -- issue 13: survey versions a frame spans -------------------------------------------
    "versions_shown": {"en": "Survey versions shown: {versions}", "zh": "显示的问卷版本：{versions}"},
    # -- respondent form -------------------------------------------------------------------
    "submit": {"en": "Submit", "zh": "提交"},
    "required_missing": {"en": "Please answer the required questions: {fields}",
                         "zh": "请回答必答题：{fields}"},
    "required_mark": {"en": "(required)", "zh": "（必答）"},
    "thank_you": {"en": "Thank you! Your answers have been recorded.", "zh": "谢谢！您的回答已提交。"},
    "answer_again": {"en": "Start a new response", "zh": "重新填写"},
    "unknown_survey": {"en": "This survey link is not valid.", "zh": "该问卷链接无效。"},
    "select_placeholder": {"en": "Choose an option", "zh": "请选择"},
    "yes": {"en": "Yes", "zh": "是"},
    "no": {"en": "No", "zh": "否"},
    # -- missing data (issue 14) -------------------------------------------------------------
    "missing_statement": {"en": "{n_total} respondents · model uses {n_used} ({policy}) · {dk}% of answers don't know",
                          "zh": "{n_total} 位受访者 · 模型使用 {n_used} 位（{policy}） · {dk}% 的回答为“不知道”"},
    "missing_em_not_converged": {"en": "EM not converged after {n} iterations",
                                 "zh": "EM 在 {n} 次迭代后未收敛"},
    "missing_by_item": {"en": "Missing answers by item and type", "zh": "各题项缺失回答（按类型）"},
    "missing_types_note": {"en": "don't know · not shown (show_if / platform −3) · skipped (jump logic / −2) · "
                                 "no answer (blank where shown)",
                           "zh": "不知道 · 未显示（显示条件 / 平台 −3） · 跳过（跳转逻辑 / −2） · 未作答（显示但空白）"},
    # -- issue 16: MICOM, mediation, PLSpredict --------------------------------------------
    "sig_diffs_holm": {"en": "Significant differences {a} − {b} (Holm-adjusted permutation p < 0.05): {names}",
                       "zh": "显著差异 {a} − {b}（Holm 校正后置换检验 p < 0.05）：{names}"},
    "micom_caption": {"en": "Measurement invariance (MICOM): full = indices and paths comparable; "
                            "partial = compare paths and indices group by group, do not pool; "
                            "none = the construct is not measured alike, its differences are not "
                            "interpretable. Not fully invariant: {names}",
                      "zh": "测量不变性（MICOM）：完全 = 指数与路径可比较；部分 = 可分组比较路径与指数，"
                            "但不可合并；无 = 该构念在两组中测量方式不同，其差异不可解释。未达完全不变性：{names}"},
    "specific_indirect": {"en": "Specific indirect effects (mediation)", "zh": "特定间接效应（中介）"},
    "prediction_tab": {"en": "Prediction", "zh": "预测"},
    "effect_decomposition": {"en": "Direct, indirect and total effects", "zh": "直接、间接与总效应"},
    "predict_title": {"en": "Out-of-sample prediction (PLSpredict, 10 folds × 10 repetitions)",
                      "zh": "样本外预测（PLSpredict，10 折 × 10 次重复）"},
    "predict_caption": {"en": "Q²predict > 0: the model predicts the item better than its mean; "
                              "RMSE below the LM benchmark's: PLS predicts better than a regression "
                              "on the antecedents' items. Items with RMSE above LM: {names}",
                        "zh": "Q²predict > 0：模型对该题项的预测优于均值；RMSE 低于线性模型基准："
                              "PLS 优于对前因题项的回归。RMSE 高于线性模型的题项：{names}"},
    # -- comments, NPS, alerts (issue 19) ------------------------------------------------
    "page_comments": {"en": "Comments", "zh": "评论分析"},
    "n_comments": {"en": "Comments", "zh": "评论数"},
    "comment_rate": {"en": "Respondents who commented", "zh": "留言的受访者比例"},
    "share_negative": {"en": "Negative comments", "zh": "负面评论比例"},
    "no_comments": {"en": "No comments in the selected responses.", "zh": "所选答卷中没有评论。"},
    "themes_chart": {"en": "What customers talk about", "zh": "顾客在说什么"},
    "share_of_comments": {"en": "% of comments", "zh": "占评论的百分比"},
    "theme_score_chart": {"en": "{construct} of those who mention it", "zh": "提及者的{construct}"},
    "theme_score_axis": {"en": "{construct}: mentioners minus others (points)",
                         "zh": "{construct}：提及者减其他受访者（分）"},
    "theme_score_note": {"en": "95% CI (Welch). Left of the dashed line: those who mention the theme "
                               "score lower.",
                         "zh": "95% 置信区间（Welch）。虚线左侧：提及该主题的顾客得分更低。"},
    "theme_trend": {"en": "Themes by wave", "zh": "各调查期的主题"},
    "theme_rising_note": {"en": "Rising: {theme}, {before}% of comments in {prev} → {after}% in {wave}.",
                          "zh": "上升：{theme}，{prev} 占评论 {before}% → {wave} {after}%。"},
    "no_rising_themes": {"en": "No theme rose significantly since the previous wave.",
                         "zh": "与上一期相比，没有主题显著上升。"},
    "theme_table": {"en": "Themes and scores", "zh": "主题与得分"},
    "themes_by_segment": {"en": "Themes by segment", "zh": "各细分的主题"},
    "themes_by_segment_note": {"en": "% of each group's comments that mention the theme; last row: "
                                     "number of comments.",
                               "zh": "各组评论中提及该主题的百分比；最后一行：评论数。"},
    "keywords": {"en": "Keywords", "zh": "关键词"},
    "representative": {"en": "In their own words", "zh": "顾客原话"},
    "disagreements": {"en": "Comment and ticked complaint type differ", "zh": "评论与所选投诉类型不一致"},
    "disagreements_note": {"en": "Respondents whose comment names a different problem than the complaint "
                                 "type they ticked; both are shown.",
                           "zh": "评论中提到的问题与所勾选的投诉类型不同的受访者；两者并列显示。"},
    "answered_type": {"en": "Ticked complaint type", "zh": "所选投诉类型"},
    "comment_themes": {"en": "Themes in the comment", "zh": "评论中的主题"},
    "comment": {"en": "Comment", "zh": "评论"},
    "comment_table": {"en": "All comments", "zh": "全部评论"},
    "filter_theme": {"en": "Theme", "zh": "主题"},
    "filter_sentiment": {"en": "Sentiment", "zh": "情感"},
    "search": {"en": "Search the text", "zh": "搜索文字"},
    "n_shown": {"en": "Showing {n} of {total} comments (contact data removed).",
                "zh": "显示 {total} 条评论中的 {n} 条（已去除联系方式）。"},
    "sentiment": {"en": "Sentiment", "zh": "情感"},
    "sentiment_score": {"en": "Score (-1 to 1)", "zh": "得分（-1 至 1）"},
    "sentiment_positive": {"en": "positive", "zh": "正面"},
    "sentiment_neutral": {"en": "neutral", "zh": "中性"},
    "sentiment_negative": {"en": "negative", "zh": "负面"},
    "nps": {"en": "Net Promoter Score (NPS)", "zh": "净推荐值（NPS）"},
    "nps_split": {"en": "{p}% promoters, {d}% detractors", "zh": "推荐者 {p}%，贬损者 {d}%"},
    "open_alerts": {"en": "Open alerts", "zh": "当前预警"},
    "nps_details": {"en": "NPS by wave and segment, and loyalty of promoters / detractors",
                    "zh": "各调查期与细分的 NPS，以及推荐者/贬损者的忠诚度"},
    "nps_loyalty": {"en": "Loyalty index (0–100) by NPS group", "zh": "各 NPS 群体的忠诚度指数（0–100）"},
    "moderation_title": {"en": "Moderation (declared interactions)", "zh": "调节效应（已声明的交互项）"},
    "simple_slopes": {"en": "Simple slopes: the effect at the moderator's mean −1 SD, mean and +1 SD",
                      "zh": "简单斜率：调节变量在均值 −1 标准差、均值、+1 标准差处的效应"},
    "higher_order_title": {"en": "Higher-order constructs", "zh": "高阶构念"},
    "hoc_lower": {"en": "Dimensions (lower order)", "zh": "维度（低阶）"},
    "hoc_higher": {"en": "Higher-order constructs over their dimensions", "zh": "高阶构念（基于其维度）"},
    "page_settings": {"en": "Settings", "zh": "设置"},
    "alert_rules": {"en": "Alert rules", "zh": "预警规则"},
    "alert_rules_from_settings": {"en": "These rules were saved here; `csi alerts check` and the Overview use them.",
                                  "zh": "这些规则保存在此处；`csi alerts check` 与总览页使用它们。"},
    "alert_rules_from_survey": {"en": "These are the survey file's rules (alerts: block); save here to change them.",
                                "zh": "这些是问卷文件中的规则（alerts: 部分）；在此保存即可修改。"},
    "alert_rules_from_default": {"en": "The survey file has no alerts: block; these are csi's default rules.",
                                 "zh": "问卷文件没有 alerts: 部分；以下为 csi 的默认规则。"},
    "alert_rules_edit": {"en": "Rules (YAML list, as in a survey file's alerts.rules)",
                         "zh": "规则（YAML 列表，与问卷文件 alerts.rules 相同）"},
    "alert_rules_help": {"en": "kind: index_drop, complaint_rate_up, segment_below, theme_rising or "
                               "overdue_cases; optional construct, segment, threshold (0–100), theme, "
                               "alpha, min_change, min_n.",
                         "zh": "kind：index_drop、complaint_rate_up、segment_below、theme_rising 或 "
                               "overdue_cases；可选 construct、segment、threshold（0–100）、theme、alpha、"
                               "min_change、min_n。"},
    "alert_rules_save": {"en": "Save rules", "zh": "保存规则"},
    "alert_rules_reset": {"en": "Use the survey file's rules", "zh": "恢复问卷文件中的规则"},
    "alert_rules_saved": {"en": "{n} rule(s) saved; the change is in the audit log.",
                          "zh": "已保存 {n} 条规则；此次修改已记入审计日志。"},
    "nps_by_group": {"en": "Net Promoter Score by group", "zh": "各群体的净推荐值（NPS）"},
    "nps_by_group_note": {"en": "NPS = % promoters (9–10) − % detractors (0–6) of the 0–10 recommendation "
                                "question, −100 to 100; 95% adjusted-Wald interval. Shares are fractions.",
                          "zh": "NPS = 推荐者（9–10 分）占比 − 贬损者（0–6 分）占比，取值 −100 至 100；"
                                "95% 调整沃尔德区间。占比以小数表示。"},
    # -- issue 20: phone-first form, invitations, small-n cautions, app messages -----------
    "small_n_warning": {"en": "⚠ Only n = {n} respondents (fewer than {threshold}): this number is "
                              "barely informative; do not act on it alone.",
                        "zh": "⚠ 仅 n = {n} 位受访者（少于 {threshold}）：该数字参考价值很低，请勿单独据此决策。"},
    "small_n_caution": {"en": "⚑ n = {n} respondents (fewer than {threshold}): read with care, the "
                              "confidence interval is wide.",
                        "zh": "⚑ n = {n} 位受访者（少于 {threshold}）：请谨慎解读，置信区间较宽。"},
    "small_n_help": {"en": "Small-sample rule of this survey: below {warn} respondents a warning, "
                           "below {caution} a caution. For comparison, the ACSI reports a company "
                           "only from about {acsi} interviews.",
                     "zh": "本问卷的小样本规则：少于 {warn} 位受访者显示警告，少于 {caution} 位显示提醒。"
                           "作为参照，ACSI 约需 {acsi} 份访谈才发布一家公司的得分。"},
    "small_n_col": {"en": "Sample", "zh": "样本"},
    "verdict_small_n": {"en": "(tentative: n = {n})", "zh": "（暂定：n = {n}）"},
    "filter_none": {"en": "All respondents", "zh": "全部受访者"},
    "filter_active": {"en": "Filtered: ", "zh": "已筛选："},
    "filter_waves": {"en": "wave {waves}", "zh": "调查期 {waves}"},
    "filter_dates": {"en": "dates {start} to {end}", "zh": "日期 {start} 至 {end}"},
    "form_progress": {"en": "{done} of {total} questions answered", "zh": "已回答 {done}/{total} 题"},
    "form_required_here": {"en": "Please answer this question.", "zh": "请回答此题。"},
    "form_missing_count": {"en": "Please answer the required questions: {n} still unanswered, "
                                 "marked in red above.",
                           "zh": "请回答必答题：还有 {n} 道未回答，已在上方用红色标出。"},
    "form_dont_know": {"en": "Don't know", "zh": "不知道"},
    "form_required_note": {"en": "Questions marked \\* must be answered.", "zh": "标 \\* 的为必答题。"},
    "form_honeypot": {"en": "Leave this field empty", "zh": "请勿填写此栏"},
    # Streamlit's own English strings, drawn over by app_pages.common.streamlit_strings
    "st_no_results": {"en": "No results", "zh": "无结果"},
    "st_upload": {"en": "Upload", "zh": "上传"},
    "st_upload_limit": {"en": "{mb}MB per file • {types}", "zh": "每个文件不超过 {mb} MB · {types}"},
    "form_consent": {"en": "May we contact you about your answers (for example to follow up on a "
                           "problem)?",
                     "zh": "我们可以就您的回答与您联系吗（例如跟进您遇到的问题）？"},
    "form_already": {"en": "This invitation has already been used to answer the survey. Thank you! "
                           "Nothing more is needed.",
                     "zh": "此邀请链接已用于作答，谢谢！无需再次填写。"},
    "form_expired": {"en": "This invitation link has expired.", "zh": "此邀请链接已过期。"},
    "form_bad_token": {"en": "This invitation link is not valid. Please check that you opened the "
                             "whole link.",
                       "zh": "此邀请链接无效，请确认打开的是完整链接。"},
    "form_invite_only": {"en": "This survey is answered by invitation only; please use the link "
                               "you received.",
                         "zh": "本问卷仅限受邀填写，请使用您收到的链接。"},
    "form_rate_limited": {"en": "Too many responses from this connection in a short time. Please "
                                "try again later.",
                          "zh": "该网络连接在短时间内提交过多，请稍后再试。"},
    "invitations": {"en": "Invitations and response tracking", "zh": "邀请与回收跟踪"},
    "inv_sent": {"en": "Invitations", "zh": "已发邀请"},
    "inv_opened": {"en": "Opened", "zh": "已打开"},
    "inv_completed": {"en": "Completed", "zh": "已完成"},
    "inv_rate": {"en": "Response rate", "zh": "回收率"},
    "inv_none": {"en": "No invitations yet. Make them with `csi invite {survey} --count N --json "
                       "OUT` (one link and QR code per order).",
                 "zh": "尚无邀请。用 `csi invite {survey} --count N --json OUT` 生成（每个订单一个链接和二维码）。"},
    "inv_by": {"en": "Response rate by", "zh": "回收率分组"},
    "inv_channel": {"en": "Channel", "zh": "渠道"},
    "inv_list": {"en": "Every invitation (order, opened, completed)", "zh": "全部邀请（订单、打开、完成）"},
    "inv_download": {"en": "Download the invitation list (CSV, no tokens)", "zh": "下载邀请列表（CSV，不含令牌）"},
    "choose_encoding": {"en": "choose its encoding under “Text encoding” above and upload it again",
                        "zh": "请在上方“文本编码”中选择其编码后重新上传"},
    "public_link_full": {"en": "Open link of the survey (anyone with it can answer)",
                         "zh": "问卷公开链接（任何人持此链接均可填写）"},
    "public_link_closed": {"en": "The open link is switched off for this survey (`access: "
                                 "open_link: false`): respondents need an invitation.",
                           "zh": "本问卷已关闭公开链接（`access: open_link: false`）：受访者需凭邀请填写。"},
    "download_qr": {"en": "Download the QR code (PNG)", "zh": "下载二维码（PNG）"},
    "encoding": {"en": "Text encoding", "zh": "文本编码"},
    "encoding_auto": {"en": "detect automatically", "zh": "自动识别"},
    "encoding_help": {"en": "Chinese exports are often GB18030/GBK; choose it here if the "
                            "automatic choice reads the file wrongly.",
                      "zh": "中文导出文件常为 GB18030/GBK；若自动识别读错，请在此选择。"},
    "already_imported": {"en": "Already imported on {date} as batch {batch}; nothing added.",
                         "zh": "该文件已于 {date} 作为批次 {batch} 导入；未新增任何数据。"},
}

# issue 18: accounts, the Follow-up and Audit pages, loop metrics (own module, merged here)
from csi.report.i18n_followup import FOLLOWUP_LABELS  # noqa: E402

LABELS.update(FOLLOWUP_LABELS)

# issue 17: plain dashboard words (legends, scope and headline labels; own module, merged here)
from csi.report.i18n_dashboard import DASHBOARD_LABELS  # noqa: E402

LABELS.update(DASHBOARD_LABELS)


def tr(key: str, lang: str, /, **kwargs: object) -> str:
    """The label ``key`` in ``lang`` (``zh`` or ``en``; English for any other), formatted.

    Unknown keys are returned as-is so a missing label is visible, never an exception.

    Examples
    --------
    >>> tr("login", "zh"), tr("login", "en")
    ('登录', 'Log in')
    >>> tr("response_count", "en", n=3)
    'Stored responses: 3'
    """
    entry = LABELS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
