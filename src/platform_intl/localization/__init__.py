"""Localization trade-offs: which languages first, at what cost, who reviews, how it reads.

One module per part, all re-exported here (``localization.format_number`` and
``localization.formatting.format_number`` are the same):

- :mod:`.formatting`: locale formatting on Babel (:func:`format_number`,
  :func:`format_compact`, :func:`format_percent`, :func:`format_currency`,
  :func:`format_date`, :func:`format_for_locales`).
- :mod:`.languages`: BCP 47 language tags and the checks on prices and budgets.
- :mod:`.reach`: :class:`ReachModel`, the online speakers a set of languages would newly
  reach, from CLDR territory-language shares x population x internet use.
- :mod:`.costs`: :func:`localization_cost` (translation, review and QA, moderation),
  translation prices and the CSA conversion figure.
- :mod:`.budget`: :class:`LanguageBudgetProblem`, the optimal language set under a budget
  by exact enumeration against a greedy value-per-cost heuristic.
- :mod:`.staffing`: :func:`moderation_staffing`, :func:`staffing_plan`.
- :mod:`.translation_errors`: the machine-translation error taxonomy with the Danish
  examples (:data:`MT_ERROR_CATEGORIES`, :data:`DANISH_MT_EXAMPLES`).
- :mod:`.decisions`: :func:`weighted_decision_matrix`.
- :mod:`.charts`: figures for lecture 07 (:func:`reach_chart`, :func:`ad_yield_chart`).
- :mod:`.regulation`: regulation as data (``datasets/regulation.csv``):
  :func:`data_localization_burden` for the decision matrix, :func:`burden_sources`,
  :func:`regulation_timeline_chart` (lecture 08).
- :mod:`.plurals`: CLDR plural categories (:func:`plural_categories`, :func:`format_count`);
  :mod:`.bidi`: right-to-left text and isolation (:func:`isolate`, :func:`text_direction`);
  :mod:`.timezones`: launch times across zones and CLDR's preferred calendars;
  :mod:`.chinese`: Taiwan and Hong Kong vocabulary with OpenCC (:func:`variant_table`) (lecture 08).

Course assumptions (not sourced figures, labelled wherever they are used) live in one
table, :data:`ASSUMPTIONS` (:mod:`.assumptions`): value, range and basis of the review
throughput, the share of posts humans see, posts per user, shrinkage, the cost of a
moderator, review and post-editing shares. :data:`REVIEW_QA_SHARE`,
:data:`REVIEWS_PER_MODERATOR_DAY`, :data:`MODERATOR_COST_PER_YEAR` and :data:`SHRINKAGE`
are read from it.

Bad input raises an error that says what is allowed: :class:`LocaleError` (unknown
locale), :class:`LanguageTagError` (not a BCP 47 language tag), :class:`BudgetError`
(negative budget), :class:`PriceUnitError` (a price per word outside 0 to 2 USD, usually
cents given where dollars are expected). All are ``ValueError`` subclasses.
Multilingual speakers: how nobody is counted twice
--------------------------------------------------
CLDR gives, per territory, the share of the population that speaks each language, and
the shares of a multilingual territory add up to more than 100 % (Denmark: Danish 93 %,
English 86 %, German 47 %). Adding them would count a Dane who reads both Danish and
English twice. A person who reads a served language and a new one is not "fully served"
either: CSA's survey says most shoppers prefer their own language;
:meth:`ReachModel.effective_reach` counts such bilinguals with a weight between 0 and 1.
Within a territory the share reached by a set of languages is therefore
taken as ``1 - prod(1 - s_i)``: the chance that a resident reads at least one of them,
if knowing one language says nothing about knowing another (``overlap="independent"``,
the default). Across territories people are distinct, so reach adds up.

Why this rule: the data only bound the true share. It is at least ``max(s_i)`` (every
speaker of a smaller language also speaks the bigger one) and at most
``min(1, sum(s_i))`` (nobody speaks two). The independent rule always lies between the
bounds, so it never exceeds the territory's population, and it gives a second language
some credit, which matches places where languages are spoken by different groups
(Malay and Chinese in Malaysia). The lower bound of what a new language adds is
``overlap="max"``: it assumes the smaller group is nested in the larger (in Denmark, every
English reader also reads Danish, so Danish adds only the 7 % who read Danish and not
English). The upper bound assumes nobody reads both. The tests check both bounds.

A language a platform already serves (``already_served``, e.g. English) counts in the
same way, so "newly reached" means reached by served + chosen languages minus reached
by the served ones alone. Online population is population x internet use (%), with
internet use assumed independent of language within a territory. Territories without an
internet-use figure in the course data are left out (their reach counts as zero);
:attr:`ReachModel.coverage` reports the share of world population that is covered.

Language tags follow BCP 47 and CLDR's likely subtags: ``zh`` means Chinese in its
default (Simplified) script, ``zh-Hant`` Traditional; a region restricts a tag to one
territory (``pt-BR`` counts Portuguese speakers in Brazil only).
"""

from .assumptions import ASSUMPTIONS, CourseAssumption, assumption, assumptions_table
from .bidi import bdi, isolate, message_html, strong_directions, text_direction, visible_controls
from .budget import (
    LanguageBudgetProblem,
    LanguagePlan,
    greedy_loses_example,
)
from .charts import (
    ad_yield_chart,
    reach_chart,
)
from .chinese import PRODUCT_WORDS, variant_table
from .costs import (
    MODERATOR_COST_PER_YEAR,
    OPENCC_CONFIGS,
    POST_EDIT_SHARE_RANGE,
    REVIEW_QA_SHARE,
    REVIEWS_PER_MODERATOR_DAY,
    LocalizationCost,
    conversion_cost,
    conversion_lift_from_csa,
    convert_simplified,
    localization_cost,
    localization_return,
    post_editing_cost,
    price_per_word_for,
    reach_per_dollar,
    route_cost,
    translation_prices,
)
from .decisions import (
    weighted_decision_matrix,
)
from .formatting import (
    COURSE_LOCALES,
    FORMATS,
    LocaleError,
    format_compact,
    format_currency,
    format_date,
    format_for_locales,
    format_number,
    format_percent,
    parse_locale,
)
from .languages import (
    MAX_PRICE_PER_WORD,
    TYPICAL_PRICE_RANGE,
    BudgetError,
    LanguageTagError,
    PriceUnitError,
    check_budget,
    check_price_per_word,
    language_name,
    validate_language_tag,
)
from .plurals import (
    POST_COUNT_FORMS,
    MissingPluralFormError,
    format_count,
    naive_plural,
    plural_categories,
    plural_category,
    plural_forms_table,
    plural_table,
)
from .reach import (
    OVERLAP_RULES,
    ReachModel,
)
from .regulation import (
    DATA_LOCALIZATION_RUBRIC,
    RegulationCoverageError,
    burden_sources,
    data_localization_burden,
    eu_members,
    jurisdictions_for,
    regulation_summary,
    regulation_table,
    regulation_timeline_chart,
    timeline_alt,
)
from .staffing import (
    SHRINKAGE,
    Staffing,
    inflow_staffing,
    moderation_staffing,
    review_capacity,
    staffing_plan,
)
from .timezones import (
    LAUNCH_ZONES,
    TimeZoneError,
    buddhist_era_year,
    calendar_table,
    launch_times,
    preferred_calendars,
)
from .translation_errors import (
    DANISH_MT_EXAMPLES,
    DANISH_TEXT_DO_NOT_TRANSLATE,
    MT_ERROR_CATEGORIES,
    MT_ERROR_LABELS,
    MTExample,
    mt_error_category,
    mt_error_examples,
)

__all__ = [
    "ASSUMPTIONS",
    "COURSE_LOCALES",
    "DANISH_MT_EXAMPLES",
    "DANISH_TEXT_DO_NOT_TRANSLATE",
    "DATA_LOCALIZATION_RUBRIC",
    "FORMATS",
    "LAUNCH_ZONES",
    "MAX_PRICE_PER_WORD",
    "MODERATOR_COST_PER_YEAR",
    "MT_ERROR_CATEGORIES",
    "MT_ERROR_LABELS",
    "OPENCC_CONFIGS",
    "OVERLAP_RULES",
    "POST_COUNT_FORMS",
    "POST_EDIT_SHARE_RANGE",
    "PRODUCT_WORDS",
    "REVIEWS_PER_MODERATOR_DAY",
    "REVIEW_QA_SHARE",
    "SHRINKAGE",
    "TYPICAL_PRICE_RANGE",
    "BudgetError",
    "CourseAssumption",
    "LanguageBudgetProblem",
    "LanguagePlan",
    "LanguageTagError",
    "LocaleError",
    "LocalizationCost",
    "MTExample",
    "MissingPluralFormError",
    "PriceUnitError",
    "ReachModel",
    "RegulationCoverageError",
    "Staffing",
    "TimeZoneError",
    "ad_yield_chart",
    "assumption",
    "assumptions_table",
    "bdi",
    "buddhist_era_year",
    "burden_sources",
    "calendar_table",
    "check_budget",
    "check_price_per_word",
    "conversion_cost",
    "conversion_lift_from_csa",
    "convert_simplified",
    "data_localization_burden",
    "eu_members",
    "format_compact",
    "format_count",
    "format_currency",
    "format_date",
    "format_for_locales",
    "format_number",
    "format_percent",
    "greedy_loses_example",
    "inflow_staffing",
    "isolate",
    "jurisdictions_for",
    "language_name",
    "launch_times",
    "localization_cost",
    "localization_return",
    "message_html",
    "moderation_staffing",
    "mt_error_category",
    "mt_error_examples",
    "naive_plural",
    "parse_locale",
    "plural_categories",
    "plural_category",
    "plural_forms_table",
    "plural_table",
    "post_editing_cost",
    "preferred_calendars",
    "price_per_word_for",
    "reach_chart",
    "reach_per_dollar",
    "regulation_summary",
    "regulation_table",
    "regulation_timeline_chart",
    "review_capacity",
    "route_cost",
    "staffing_plan",
    "strong_directions",
    "text_direction",
    "timeline_alt",
    "translation_prices",
    "validate_language_tag",
    "variant_table",
    "visible_controls",
    "weighted_decision_matrix",
]
