"""Pandera models of the tables the toolkit accepts, and the reference data they check against.

``survey`` and ``pupil`` hold the table contracts (their column names come from
:mod:`evaluation.columns`, the one list of names), ``reference`` the hubs, projects, Likert label
sets and national figures, ``coding`` the fast value checks the models share.
"""

__all__: list[str] = []  # the models live in the submodules
