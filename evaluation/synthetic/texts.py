"""What synthetic teachers write in the open questions: answer pools and who answers.

Includes awkward answers (quotes, line breaks, a formula) that exercise the reader and exports.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "AWKWARD",
    "FORMULA_ANSWER",
    "SUPPORT",
    "WHAT_CHANGED",
    "WHAT_CHANGED_PRE",
    "open_text",
]

WHAT_CHANGED = (
    "I use the bar model much more",
    "My questioning is sharper and I give more thinking time",
    "We now start every lesson with a short fluency session",
    "I plan in smaller steps",
    "Pupils explain their reasoning in full sentences, which has surprised me",
    "More use of concrete resources, especially in Year 4",
    "I am more confident teaching fractions",
    "Stem sentences are used across the school now",
    "Not much yet, we only had two sessions",
    "I think more carefully about variation in the practice I set",
    "Times tables practice is daily, short and low stakes",
    'We talk about "same surface, different depth" tasks in planning',
    "I anticipate misconceptions before teaching a unit",
    "Teaching assistants join in with the representations we use",
    "Less rushing through the scheme; more depth",
    "I listen to how pupils count and spot who is still counting in ones",
    "Our maths lead runs a short staff meeting every half term",
    "Number facts are practised in class, not just sent home",
    "My subject knowledge of place value is much stronger",
    "I model with the rekenrek and tens frames",
    "Honestly, not a great deal",
    "Whole-class feedback instead of marking every book",
    "Children are less anxious about the times tables check",
    "I use the NCETM materials for planning every week",
    "We changed our calculation policy",
)
WHAT_CHANGED_PRE = (
    "Nothing yet",
    "We are just starting",
    "N/A",
    "I hope to get better at teaching fractions",
    "Looking forward to it",
    "Too early to say",
)
SUPPORT = (
    "More time to plan with colleagues",
    "Release time to observe other schools",
    "Support for teaching assistants",
    "Help with mixed-age classes",
    "Ideas for pupils who are well behind, especially in Year 6",
    "Materials for the Year 5 curriculum",
    "A follow-up session next year, please",
    "None",
    "Not sure",
    "Better access to manipulatives; we share one box between three classes",
    "Advice on how to keep this going when staff change",
    "More examples of intelligent practice",
    "Training for the whole staff, not just me",
    "Time, time and time",
    "Support from senior leaders to protect fluency time",
    "Help to use the assessment data",
)
# Answers that exercise export safety and the reader (quotes, commas, line breaks, formulas).
AWKWARD = (
    'The phrase "I can explain why" is on every working wall, and the pupils use it',
    "- daily fluency\n- stem sentences\n- more talk",
    "Planning together, then teaching, then reviewing: it works",
    "Two things:\r\nmore time; and more manipulatives",
    "+1 to what my colleague said",
    "@maths lead please share the slides",
)
FORMULA_ANSWER = '=HYPERLINK("http://example.com","more support")'


def open_text(rng: np.random.Generator, is_post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Short teacher-like answers; many left blank, as in real surveys.

    Returns
    -------
    what_changed, support_needed : numpy.ndarray
        Object arrays, None where the question was left blank.

    Examples
    --------
    >>> what, support = open_text(np.random.default_rng(1), np.array([True, False, True]))
    >>> len(what), len(support)
    (3, 3)
    """
    m = len(is_post)
    what_pool = np.array([*WHAT_CHANGED, *AWKWARD], dtype=object)
    pre_pool = np.array(WHAT_CHANGED_PRE, dtype=object)
    support_pool = np.array([*SUPPORT, *AWKWARD[:3]], dtype=object)
    what = np.where(
        is_post,
        what_pool[rng.integers(0, len(what_pool), m)],
        pre_pool[rng.integers(0, len(pre_pool), m)],
    )
    what_answered = rng.random(m) < np.where(is_post, 0.45, 0.12)
    support = support_pool[rng.integers(0, len(support_pool), m)]
    support_answered = rng.random(m) < np.where(is_post, 0.35, 0.25)
    # numpy's stubs reject None in np.where; at runtime it gives an object array.
    return (
        np.where(what_answered, what, None),  # type: ignore[call-overload]
        np.where(support_answered, support, None),  # type: ignore[call-overload]
    )
