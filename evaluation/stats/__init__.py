"""The statistics, one module per family (pingouin style).

``paired`` and ``unpaired`` change, ``comparisons`` (the design chosen per group), ``effect_sizes``,
``reliability``, ``multiplicity``, ``attrition``, ``pupils``, ``pooling`` (random effects),
``national`` (per-hub effects and pooled estimates), ``disclosure`` (small-number suppression),
``scoring`` (construct scores and the long table) and ``participation`` (counts). Each function is
vectorised across groups and returns a tidy DataFrame or a small frozen dataclass.
"""
