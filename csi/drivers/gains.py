"""Batched what-if gains: :func:`csi.drivers.whatif.what_if` of one-candidate changes
``{candidate: step}`` for many candidates at once, the same model and the same numbers.

What stays the same from candidate to candidate is computed once: the respondents used, the
total effects of the path model, the lever regressions, the repurchase logit and its baseline
probabilities. A candidate's point gain is then its mean clipped change times those effects.

The bootstrap draws the resamples exactly as ``what_if`` does (``seed`` -> the same counts of
each respondent, :func:`csi.drivers.ipma.resample_counts`), and every resample's moments are
``counts @ terms``: the cross-products of the regressions and each candidate's clipped change
as per-respondent terms, one matrix product for a chunk of resamples and every candidate (the
moments, not row copies, so nothing is refitted on copied rows). Intervals agree with
``what_if`` per candidate to rounding (~1e-12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from csi.drivers.ipma import _totals_from_cross, resample_counts
from csi.drivers.scores import behaviour_column, construct_scores, item_scores
from csi.drivers.whatif import _logit_irls, complete_rows
from csi.survey import Survey

__all__ = ["CandidateGains", "driver_item_scores"]


def driver_item_scores(survey: Survey, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(0-100 scores of every driver-battery item, per-respondent lever scores), the same
    numbers as :func:`~csi.drivers.scores.lever_scores` with each item gated once."""
    ids = list(dict.fromkeys(i for items in survey.driver_items.values() for i in items))
    items = item_scores(survey, frame, ids)
    lv = pd.DataFrame({lever: items[ids_].mean(axis=1, skipna=True)
                       for lever, ids_ in survey.driver_items.items()}, index=frame.index)
    return items, lv


class _Data:
    """The what-if's complete respondents (with or without the behavioural field)."""

    def __init__(self, sc, lv, frame, path_cons, ycol):
        data = complete_rows(sc, lv, frame, path_cons, ycol)
        self.cols = list(data.columns)
        self.ix = {c: i for i, c in enumerate(self.cols)}
        self.means = data.mean()
        self.x = data.to_numpy(float)

    def fits(self, cid: str, step: float) -> bool:
        """Whether raising ``cid``'s mean by ``step`` stays on the scale (what_if refuses it otherwise)."""
        return bool(0 <= float(self.means[cid]) + step <= 100)

    def clipped(self, cid: str, step: float) -> np.ndarray:
        v = self.x[:, self.ix[cid]]
        return np.clip(v + step, 0, 100) - v


class CandidateGains:
    """What-if gains of raising each candidate alone by ``step`` index points.

    ``point(cid)``: ``{outcome: change}`` for the headline, the target and (with a behavioural
    field) ``repurchase_probability``, or None when ``what_if`` would refuse the change (the
    mean is within ``step`` of the scale's end). ``intervals(cids, n_boot, seed, alpha)``:
    ``{cid: {outcome: (ci_low, ci_high)}}`` of the index changes (no repurchase logit in the
    resamples, as ``what_if(..., repurchase=False)``).
    """

    def __init__(self, survey: Survey, frame: pd.DataFrame, result=None, *, target: str, step: float,
                 levers: pd.DataFrame | None = None):
        self.step = float(step)
        self.target = target
        sc = construct_scores(survey, frame, result)
        self.levers = list(survey.driver_items)
        if levers is None:
            levers = driver_item_scores(survey, frame)[1] if self.levers else pd.DataFrame(index=frame.index)
        self.paths = survey.effective_paths
        self.names = list(dict.fromkeys([s for s, _ in self.paths] + [t for _, t in self.paths]))
        targets = [c for c in (survey.headline_id, target)
                   if c in survey.constructs and not survey.constructs[c].binary]
        self.targets = list(dict.fromkeys(targets))
        self.ycol = behaviour_column(survey, frame)[0]
        self.full = _Data(sc, levers, frame, self.names, self.ycol)
        self.boot = self.full if self.ycol is None else _Data(sc, levers, frame, self.names, None)
        self._point_model()

    # -- point estimates -------------------------------------------------------------------
    def _point_model(self) -> None:
        d = self.full
        x = d.x
        z = np.column_stack([np.ones(len(x)), x[:, [d.ix[c] for c in self.names]]])
        self.T = _totals_from_cross(z.T @ z, self.names, self.paths) if self.paths else None
        self.coef = {}
        if self.levers:
            zl = np.column_stack([np.ones(len(x)), x[:, [d.ix[v] for v in self.levers]]])
            gram = zl.T @ zl
            self.coef = {t: np.linalg.solve(gram, zl.T @ x[:, d.ix[t]]) for t in self.targets}
        self.b = self.p0 = None
        if self.ycol is not None:
            use = [d.ix[c] for c in self.levers + [self.target]]
            self.X = x[:, use]
            X0 = self.X / 10
            self.b = _logit_irls(np.column_stack([np.ones(len(x)), X0]), x[:, d.ix[self.ycol]])
            self.p0 = 100 * float(np.mean(expit(self.b[0] + X0 @ self.b[1:])))

    def _change(self, cid: str, t: str, eff: float, T, coef) -> float:
        ch = 0.0
        if cid == t:
            ch += eff
        elif T is not None and cid in self.names and t in self.names:
            ch += float(T[self.names.index(cid), self.names.index(t)]) * eff
        if cid in self.levers:
            ch += coef[t][1 + self.levers.index(cid)] * eff
        return ch

    def point(self, cid: str) -> dict[str, float] | None:
        d = self.full
        if not d.fits(cid, self.step):
            return None
        eff = float(np.mean(d.clipped(cid, self.step)))
        out, delta = {}, {}
        for t in self.targets:
            ch = self._change(cid, t, eff, self.T, self.coef)
            delta[t] = ch
            m = float(np.mean(d.x[:, d.ix[t]]))
            out[t] = (m + ch) - m
        if self.ycol is not None:
            X1 = self.X.copy()
            if cid in self.levers:
                j = self.levers.index(cid)
                X1[:, j] = np.clip(X1[:, j] + self.step, 0, 100)
            X1[:, -1] = np.clip(X1[:, -1] + delta.get(self.target, 0.0), 0, 100)
            p1 = 100 * float(np.mean(expit(self.b[0] + (X1 / 10) @ self.b[1:])))
            out["repurchase_probability"] = p1 - self.p0
        return out

    # -- bootstrap ------------------------------------------------------------------------
    def intervals(self, cids: list[str], n_boot: int, seed, alpha: float) -> dict[str, dict[str, tuple]]:
        d = self.boot
        cids = [c for c in cids if d.fits(c, self.step)]
        if not cids or n_boot <= 0:
            return {}
        x = d.x
        blocks, spans = [], {}

        def add(name, a):
            start = sum(b.shape[1] for b in blocks)
            blocks.append(a)
            spans[name] = slice(start, start + a.shape[1])

        def outer(m):  # upper triangle of the per-respondent outer products
            iu = np.triu_indices(m.shape[1])
            return iu, m[:, iu[0]] * m[:, iu[1]]

        use_paths = self.T is not None
        use_levers = any(c in self.levers for c in cids)
        if use_paths:
            z = np.column_stack([np.ones(len(x)), x[:, [d.ix[c] for c in self.names]]])
            iu_p, o = outer(z)
            add("paths", o)
        if use_levers:
            zl = np.column_stack([np.ones(len(x)), x[:, [d.ix[v] for v in self.levers]]])
            iu_l, o = outer(zl)
            add("levers", o)
            for t in self.targets:
                add(("xy", t), zl * x[:, [d.ix[t]]])
        add("eff", np.column_stack([d.clipped(c, self.step) for c in cids]))
        add("y", x[:, [d.ix[t] for t in self.targets]])
        terms = np.concatenate(blocks, axis=1)
        blocks.clear()
        rng = np.random.default_rng(seed)
        M = np.empty((n_boot, terms.shape[1]))
        sw = np.empty(n_boot)
        for lo, w in resample_counts(rng, len(x), n_boot):
            M[lo:lo + len(w)] = w @ terms
            sw[lo:lo + len(w)] = w.sum(axis=1)

        def sym(block, iu, p):
            S = np.empty((len(block), p, p))
            S[:, iu[0], iu[1]] = block
            S[:, iu[1], iu[0]] = block
            return S

        reps = {c: {t: [] for t in self.targets} for c in cids}
        # what_if skips a resample whose regressions are singular: the path model's for every
        # candidate, the lever model's for lever candidates
        ok = np.ones(n_boot, bool)
        T = coef = None
        with np.errstate(all="ignore"):
            if use_paths:
                C = sym(M[:, spans["paths"]], iu_p, len(self.names) + 1)
                T, ok = _batched(lambda A: _totals_from_cross(A, self.names, self.paths), ok, C)
            ok_lever = ok
            if use_levers:
                G = sym(M[:, spans["levers"]], iu_l, len(self.levers) + 1)
                coef = {}
                for t in self.targets:
                    rhs = M[:, spans[("xy", t)]][..., None]
                    coef[t], ok_lever = _batched(lambda A, b: np.linalg.solve(A, b)[..., 0], ok_lever, G, rhs)
        eff = M[:, spans["eff"]] / sw[:, None]
        ymean = M[:, spans["y"]] / sw[:, None]
        for r in range(n_boot):
            Tr = T[r] if T is not None else None
            cr = {t: v[r] for t, v in (coef or {}).items() if v is not None}
            for j, c in enumerate(cids):
                if not (ok_lever if c in self.levers else ok)[r]:
                    continue
                for k, t in enumerate(self.targets):
                    ch = self._change(c, t, float(eff[r, j]), Tr, cr)
                    m = float(ymean[r, k])
                    reps[c][t].append((m + ch) - m)
        out = {}
        for c in cids:
            out[c] = {t: tuple(float(v) for v in np.quantile(v_, [alpha / 2, 1 - alpha / 2]))
                      for t, v_ in reps[c].items() if v_}
        return out


def _batched(fn, ok: np.ndarray, *stacks: np.ndarray):
    """``fn(*stacks)`` over stacks of matrices (one per resample); when one is singular
    (``what_if`` skips that resample) it is marked False in the returned ``ok`` and the others
    are evaluated one by one."""
    try:
        return fn(*stacks), ok
    except np.linalg.LinAlgError:
        pass
    ok = ok.copy()
    res = None
    for r in np.flatnonzero(ok):
        try:
            v = fn(*(a[r:r + 1] for a in stacks))
        except np.linalg.LinAlgError:
            ok[r] = False
            continue
        if res is None:
            res = np.full((len(ok),) + v.shape[1:], np.nan)
        res[r] = v[0]
    return res, ok
