"""The statistics, one module per family (pingouin style).

``paired`` and ``unpaired`` change, ``comparisons`` (the design chosen per group), ``effect_sizes``,
``reliability``, ``multiplicity``, ``attrition``, ``pupils``, ``pooling`` (random effects),
``national`` (per-hub effects and pooled estimates), ``disclosure`` (small-number suppression),
``scoring`` (construct scores and the long table), ``participation`` (counts), ``impact`` (against
a comparison group, fitted by ``multilevel``), ``mdes`` (minimum detectable effect size) and
``security`` (evidence strength, EEF padlocks). Each function is vectorised across groups and
returns a tidy DataFrame or a small frozen dataclass.
"""
