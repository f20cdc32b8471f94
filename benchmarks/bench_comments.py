"""Benchmark: analysing N comments (themes, negation, sentiment, keywords) with csi vs two peers
measured in the same run on the same texts.

- ``segmentation only``: ``rjieba.cut`` of every Chinese text plus a regex word split of the
  English ones -- the floor any Chinese analysis pays;
- ``naive substring scan``: ``term in text`` for every literal term of the lexicon (no gaps, no
  negation, no sentiment) -- the simplest keyword coder a shop would write itself.

Texts: a reproducible mix of Chinese, English and mixed buyer comments built from clause pools
with numbers, emoji and punctuation varied, so that almost every text is unique (csi analyses
each distinct text once; repeated texts would flatter it).

``--page N`` also times the Comments page's first paint (every table it draws, the analyses
read from the store's cache that the import wrote) for ``N`` simulated stored responses whose
comments (at the flagship's 12% rate, and at 100%) are these varied texts.

Usage::

    python benchmarks/bench_comments.py [--n 100000] [--repeat 1] [--page 100000]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "surveys" / "ecommerce_csi.yaml"

ZH = ["物流太慢了", "等了{n}天才到", "快递员态度很差", "客服爱答不理", "质量一般", "用了{n}次就坏了", "和图片不一样",
      "包装破了", "发错颜色了", "退货运费要我出", "客服很耐心", "发货很快", "东西不错", "性价比高", "颜色很正",
      "尺码偏大", "面料舒服", "下次还来", "一点也不慢", "不是很满意", "客服推销会员", "退款{n}天没到账",
      "降价了不给保价", "盒子压扁了", "宝贝收到了", "跟描述的一样", "孩子很喜欢", "味道有点大", "做工还行",
      "第{n}次回购了"]
EN = ["delivery took {n} days", "great quality", "customer service was rude", "not as described",
      "box arrived crushed", "they want me to pay return shipping", "fast shipping", "fits well",
      "would buy again", "broke after {n} uses", "wrong size sent", "not slow at all", "the courier was friendly",
      "refund still not processed", "price dropped right after I bought it", "works as expected"]
PUNCT_ZH = ["，", "。", "！", "～", " "]
EMOJI = ["", "", "", "👍", "😡", "😊", "❤️"]


def make_texts(n: int, seed: int = 19) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        kind = rng.random()
        k = int(rng.integers(1, 4))
        if kind < 0.7:
            parts = [ZH[i].format(n=int(rng.integers(2, 30))) for i in rng.integers(0, len(ZH), k)]
            text = "".join(p + PUNCT_ZH[int(rng.integers(0, len(PUNCT_ZH)))] for p in parts)
        elif kind < 0.9:
            parts = [EN[i].format(n=int(rng.integers(2, 30))) for i in rng.integers(0, len(EN), k)]
            text = ". ".join(parts).capitalize() + "."
        else:
            text = ZH[int(rng.integers(0, len(ZH)))].format(n=3) + "，" + EN[int(rng.integers(0, len(EN)))].format(n=5)
        out.append(text + EMOJI[int(rng.integers(0, len(EMOJI)))] + ("" if rng.random() < 0.5 else f" #{int(rng.integers(1e6))}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--page", type=int, default=0, help="also time the Comments page's computations")
    args = ap.parse_args()

    import pandas as pd
    import rjieba

    from csi.survey import load_survey
    from csi.text import analyze_texts, survey_lexicon
    from csi.text.scan import normalize

    survey = load_survey(SURVEY)
    lex = survey_lexicon(survey)
    texts = make_texts(args.n)
    analyze_texts(pd.Series(texts[:200]), lex)  # imports, regex compilation, rjieba's dictionary: untimed
    rjieba.cut("预热")
    print(f"{args.n} comments, {len(set(texts))} distinct; lexicon: {len(lex.ids)} themes, "
          f"{sum(len(t.terms) + len(t.negated) for t in lex.themes)} terms")

    def t_csi():
        return analyze_texts(pd.Series(texts), lex)

    en_word = re.compile(r"[a-z]+")
    cjk = re.compile(r"[\u4e00-\u9fff]")

    def t_seg():
        n = 0
        for t in texts:
            x = normalize(t)
            n += len(rjieba.cut(x)) if cjk.search(x) else len(en_word.findall(x))
        return n

    literals = [(th.id, t.key) for th in lex.themes for t in th.terms if "..." not in t.text]

    def t_naive():
        out = []
        for t in texts:
            x = t.lower()
            out.append({tid for tid, key in literals if key in x})
        return out

    rows = []
    for name, fn in (("csi analyze_texts", t_csi), ("segmentation only (rjieba)", t_seg),
                     ("naive substring scan", t_naive)):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        rows.append((name, best))
    base = rows[0][1]
    print(f"{'method':32s} {'seconds':>9s} {'comments/s':>11s} {'csi / peer':>11s}")
    for name, s in rows:
        print(f"{name:32s} {s:9.2f} {args.n / s:11.0f} {base / s:11.2f}")
    print(f"goal: {args.n} comments in < 60 s -> {'met' if base < 60 else 'NOT met'} ({base:.1f} s)")
    if args.page:
        page(survey, args.page)


def page(survey, n: int) -> None:
    """Time the Comments page's first paint on ``n`` simulated stored responses whose comments
    (at the flagship's 12% rate, and at 100%) are these varied texts: every table the page draws
    (:func:`csi.report.comments.page_tables`, themes by the first segment, the first 500 rows of
    the comment table), given the analyses already in the store's cache -- they are written on
    import (:func:`csi.store.comment_cache.warm_comment_cache`, timed as ``import s``) -- and an
    empty in-process cache (the first view after a server start; later views are served from
    ``st.cache_resource`` without recomputing). CPU seconds are printed beside wall seconds: on a
    shared machine the wall time also counts waiting for a core."""
    import tempfile

    import numpy as np

    from csi.report import comments as rc
    from csi.simulate import simulate_responses
    from csi.store import close_store
    from csi.store.comment_cache import CommentAnalysisCache, warm_comment_cache
    from csi.text import analyze_comments
    from csi.text import themes as th

    frame, _ = simulate_responses(survey, n=n, seed=7)
    texts = make_texts(n, seed=23)
    seg = next(q.id for q in survey.segments if q.id in frame)
    print(f"\nComments page first paint, {n} stored responses (goal: < 3 s)")
    print(f"{'comment rate':14s} {'comments':>9s} {'import s':>9s} {'paint wall s':>13s} {'paint cpu s':>12s}")
    with tempfile.TemporaryDirectory() as tmp:
        for rate in (0.12, 1.0):
            url = f"sqlite:///{tmp}/cache{int(rate * 100)}.sqlite"
            f = frame.copy()
            says = np.random.default_rng(5).random(n) < rate
            f["comment"] = np.where(says, np.array(texts, dtype=object), None)
            t0 = time.perf_counter()
            warm_comment_cache(survey, f, url)
            t_import = time.perf_counter() - t0
            best_wall = best_cpu = float("inf")
            for _ in range(2):
                w0, c0 = time.perf_counter(), time.process_time()
                a = analyze_comments(survey, f, cache=CommentAnalysisCache(url), share_lists=True)  # as the page
                t = rc.page_tables(survey, f, a)
                th.themes_by(survey, f, seg, a, matrix=t["matrix"])
                rc.comment_table(rc.filter_comments(a), {}, {}, {})
                best_wall = min(best_wall, time.perf_counter() - w0)
                best_cpu = min(best_cpu, time.process_time() - c0)
            print(f"{rate:14.0%} {len(a):9d} {t_import:9.2f} {best_wall:13.2f} {best_cpu:12.2f}")
            close_store(url)


if __name__ == "__main__":
    main()
