"""The statistics, one module per family (pingouin style).

``paired`` and ``unpaired`` change, ``comparisons`` (the design chosen per group), ``effect_sizes``,
``reliability``, ``multiplicity``, ``attrition``, ``pupils``, ``pooling`` (random effects),
``national`` (per-hub effects and pooled estimates), ``disclosure`` (small-number suppression),
``scoring`` (construct scores and the long table), ``participation`` (counts), ``clustering``
(CR1 standard errors for people nested in Work Groups or schools), ``impact`` (against a comparison
group, fitted by ``multilevel``), ``mdes`` (minimum detectable effect size) and ``security``
(evidence strength, EEF padlocks). Each function is vectorised across groups and returns a tidy
DataFrame or a small frozen dataclass.

Shared pieces have public names in small modules, so no module reaches into another's private
helpers: ``groups`` (the group index every statistic starts from) and ``responses`` (answers
arranged per group x respondent x phase, and the ``reason`` column). A new statistic goes in the
module of its family, with ``__all__``; the public API is re-exported from ``evaluation``.
"""

__all__: list[str] = []  # the statistics live in the submodules; ``evaluation`` re-exports them
