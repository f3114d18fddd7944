"""Which languages to add under a budget: the exact optimum by enumeration against greedy."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..validation import TOLERANCE
from .languages import (
    _check_fraction,
    _check_non_negative,
    _require_columns,
    check_budget,
    validate_language_tag,
)
from .reach import ReachModel

# ---------------------------------------------------------------------------------------
# Language prioritisation under a budget: exact enumeration against greedy
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguagePlan:
    """A set of languages chosen under a budget, by one method."""

    method: str
    budget: float
    languages: tuple[str, ...]
    reach: float
    cost: float
    value: float

    @property
    def unspent(self) -> float:
        return self.budget - self.cost

    @property
    def reach_per_dollar(self) -> float:
        return self.reach / self.cost if self.cost > 0 else 0.0


class LanguageBudgetProblem:
    """Choose languages under a budget: exact enumeration of all 2^n subsets vs greedy.

    ``subset_reach[mask]`` is the newly reached population of the subset whose bit i
    stands for ``languages[i]`` (from :meth:`ReachModel.subset_reach`, or additive for
    disjoint audiences, see :meth:`from_table`); ``costs`` are per-language totals in USD
    and add up. Value = reach x ``conversion_lift`` x ``revenue_per_user``: one constant
    multiplier, so it scales every subset alike and never changes the choice (default 1).
    To let preferences change the choice, build the problem from preference-weighted reach
    (:meth:`from_reach_model` with ``bilingual_weight``).

    The optimal plan maximises reach (hence value) among affordable subsets; ties go to
    the cheaper, then the smaller set. Because a bigger budget only adds affordable
    subsets, more budget never reaches fewer people. Greedy repeatedly adds the
    affordable language with the highest marginal value per dollar; it is fast but can
    lose (see :func:`greedy_loses_example`).
    """

    def __init__(
        self,
        languages: Sequence[str],
        subset_reach,
        costs,
        *,
        conversion_lift: float | None = None,
        revenue_per_user: float = 1.0,
    ):
        self.languages = tuple(validate_language_tag(t) for t in languages)
        n = len(self.languages)
        if n == 0 or n > ReachModel.MAX_CANDIDATES:
            raise ValueError(f"give between 1 and {ReachModel.MAX_CANDIDATES} languages; got {n}")
        if len(set(self.languages)) != n:
            raise ValueError("each language may appear once")
        self.subset_reach = np.asarray(subset_reach, dtype=float)
        if self.subset_reach.shape != (1 << n,):
            raise ValueError(f"subset_reach needs one value per subset (2^{n} = {1 << n})")
        if np.any(self.subset_reach < 0) or not np.all(np.isfinite(self.subset_reach)):
            raise ValueError("reach must be finite and 0 or more")
        if isinstance(costs, Mapping):
            missing = [t for t in self.languages if t not in costs]
            if missing:
                raise ValueError(f"costs lack {missing}")
            costs = [costs[t] for t in self.languages]
        self.costs = np.array([_check_non_negative(c, "a language's cost (USD)") for c in costs], dtype=float)
        if self.costs.shape != (n,):
            raise ValueError(f"give one cost per language ({n})")
        self.conversion_lift = _check_fraction(1.0 if conversion_lift is None else conversion_lift, "conversion_lift")
        self.revenue_per_user = _check_non_negative(revenue_per_user, "revenue_per_user (USD)")
        subset_cost = np.zeros(1 << n)
        size = np.zeros(1 << n, dtype=np.int64)
        for b in range(n):
            subset_cost[1 << b : 2 << b] = subset_cost[: 1 << b] + self.costs[b]
            size[1 << b : 2 << b] = size[: 1 << b] + 1
        self.subset_cost = subset_cost
        self.subset_size = size

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_table(cls, table: pd.DataFrame, **options) -> LanguageBudgetProblem:
        """From a table with columns language, reach, cost, for audiences that do not overlap.

        Disjoint audiences make reach additive: a subset reaches the sum of its rows.
        """
        _require_columns(table, ("language", "reach", "cost"), "table")
        reach = np.array([_check_non_negative(r, "reach") for r in table["reach"]], dtype=float)
        n = len(reach)
        subset = np.zeros(1 << n)
        for b in range(n):
            subset[1 << b : 2 << b] = subset[: 1 << b] + reach[b]
        return cls(list(table["language"]), subset, list(table["cost"]), **options)

    @classmethod
    def from_reach_model(
        cls, model: ReachModel, costs, *, bilingual_weight: float | None = None, **options
    ) -> LanguageBudgetProblem:
        """From a reach model; ``bilingual_weight`` (e.g. CSA's 0.40) counts readers of a served
        language at that weight (:meth:`ReachModel.effective_reach`)."""
        reach = model.subset_reach() if bilingual_weight is None else model.subset_effective_reach(bilingual_weight)
        return cls(model.candidates, reach, costs, **options)

    def with_costs(self, costs) -> LanguageBudgetProblem:
        """The same audiences with new costs (reach is reused, not recomputed)."""
        return LanguageBudgetProblem(
            self.languages,
            self.subset_reach,
            costs,
            conversion_lift=self.conversion_lift,
            revenue_per_user=self.revenue_per_user,
        )

    # -- evaluation ---------------------------------------------------------------------
    def mask(self, languages: Iterable[str]) -> int:
        mask = 0
        for tag in languages:
            standard = validate_language_tag(tag)
            if standard not in self.languages:
                raise ValueError(f"{tag!r} is not a candidate; the candidates are {list(self.languages)}")
            mask |= 1 << self.languages.index(standard)
        return mask

    def languages_of(self, mask: int) -> tuple[str, ...]:
        return tuple(t for i, t in enumerate(self.languages) if mask >> i & 1)

    def reach(self, languages: Iterable[str]) -> float:
        return float(self.subset_reach[self.mask(languages)])

    def cost(self, languages: Iterable[str]) -> float:
        return float(self.subset_cost[self.mask(languages)])

    def value(self, languages: Iterable[str]) -> float:
        return self.reach(languages) * self.conversion_lift * self.revenue_per_user

    def _plan(self, method: str, budget: float, mask: int) -> LanguagePlan:
        reach = float(self.subset_reach[mask])
        return LanguagePlan(
            method,
            budget,
            self.languages_of(mask),
            reach,
            float(self.subset_cost[mask]),
            reach * self.conversion_lift * self.revenue_per_user,
        )

    # -- solvers ------------------------------------------------------------------------
    #: Reaches closer than this (relative) are ties: a set of languages is not "better"
    #: by a floating-point rounding error. Both solvers use it.
    TIE_TOLERANCE = TOLERANCE

    def _negligible(self, gain: float, scale: float) -> bool:
        return gain <= self.TIE_TOLERANCE * max(1.0, abs(scale))

    def optimal(self, budget) -> LanguagePlan:
        """The affordable subset with the largest reach, by exact enumeration."""
        budget = check_budget(budget)
        affordable = self.subset_cost <= budget * (1 + TOLERANCE) + TOLERANCE
        reach = np.where(affordable, self.subset_reach, -1.0)
        best = reach.max()
        ties = np.flatnonzero(reach >= best - self.TIE_TOLERANCE * max(1.0, abs(best)))
        # Among equally good subsets: the cheapest, then the smallest, then the first.
        order = np.lexsort((ties, self.subset_size[ties], self.subset_cost[ties]))
        return self._plan("optimal", budget, int(ties[order[0]]))

    def greedy(self, budget) -> LanguagePlan:
        """Add the affordable language with the best marginal reach per dollar, until none helps."""
        budget = check_budget(budget)
        mask, spent = 0, 0.0
        while True:
            best, best_key = None, None
            for i, cost in enumerate(self.costs):
                if mask >> i & 1 or spent + cost > budget * (1 + TOLERANCE) + TOLERANCE:
                    continue
                gain = self.subset_reach[mask | 1 << i] - self.subset_reach[mask]
                if self._negligible(gain, self.subset_reach[mask | 1 << i]):
                    continue
                ratio = math.inf if cost == 0 else gain / cost
                key = (ratio, gain, -i)
                if best_key is None or key > best_key:
                    best, best_key = i, key
            if best is None:
                return self._plan("greedy", budget, mask)
            mask |= 1 << best
            spent += self.costs[best]

    def compare(self, budget) -> pd.DataFrame:
        """Optimal and greedy side by side: languages, reach, cost, value, reach per dollar."""
        rows = []
        for plan in (self.optimal(budget), self.greedy(budget)):
            rows.append(
                {
                    "method": plan.method,
                    "languages": ", ".join(plan.languages) or "(none)",
                    "reach": plan.reach,
                    "cost": plan.cost,
                    "value": plan.value,
                    "reach_per_dollar": plan.reach_per_dollar,
                }
            )
        return pd.DataFrame(rows)

    def greedy_shortfalls(self, budgets: Iterable[float]) -> pd.DataFrame:
        """For each budget: optimal and greedy reach, and the reach greedy leaves on the table."""
        rows = []
        for budget in budgets:
            best, quick = self.optimal(budget), self.greedy(budget)
            rows.append(
                {
                    "budget": best.budget,
                    "optimal_reach": best.reach,
                    "greedy_reach": quick.reach,
                    "shortfall": best.reach - quick.reach,
                    "optimal_languages": ", ".join(best.languages) or "(none)",
                    "greedy_languages": ", ".join(quick.languages) or "(none)",
                }
            )
        return pd.DataFrame(rows)

    def marginal_table(self, languages: Iterable[str]) -> pd.DataFrame:
        """Per candidate: cost, marginal reach with respect to ``languages``, and reach per dollar.

        For a chosen language the marginal reach is what dropping it would lose; for the
        others, what adding it would gain.
        """
        mask = self.mask(languages)
        rows = []
        for i, tag in enumerate(self.languages):
            chosen = bool(mask >> i & 1)
            with_it, without = mask | 1 << i, mask & ~(1 << i)
            gain = float(self.subset_reach[with_it] - self.subset_reach[without])
            cost = float(self.costs[i])
            rows.append(
                {
                    "language": tag,
                    "chosen": chosen,
                    "cost": cost,
                    "marginal_reach": gain,
                    "reach_per_dollar": gain / cost if cost > 0 else math.inf if gain > 0 else 0.0,
                }
            )
        return pd.DataFrame(rows)


def greedy_loses_example() -> tuple[LanguageBudgetProblem, float]:
    """A small case where greedy value-per-cost loses to the optimal set, and its budget.

    Three audiences that do not overlap (one territory each), budget USD 100,000:

    ======== ================ ============
    language newly reached     cost (USD)
    ======== ================ ============
    ja       7,000,000         60,000
    ko       5,000,000         50,000
    vi       5,000,000         50,000
    ======== ================ ============

    Japanese has the best reach per dollar (117 per USD against 100), so greedy takes it
    first; the 40,000 left buy nothing else: 7 million people. The optimum skips the
    "best deal" and takes Korean and Vietnamese for exactly 100,000: 10 million people.
    Greedy's mistake is to ignore the budget it strands.
    """
    table = pd.DataFrame(
        {"language": ["ja", "ko", "vi"], "reach": [7_000_000, 5_000_000, 5_000_000], "cost": [60_000, 50_000, 50_000]}
    )
    return LanguageBudgetProblem.from_table(table, conversion_lift=1.0), 100_000.0
