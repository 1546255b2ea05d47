"""The Methods page's text: every method named as it is implemented, thresholds from configuration.

The page (``pages/methods.py``) only draws these sections; keeping the words here means the
numbers in them (the suppression minimum, the fewest Work Groups for a clustered interval, the
share of a scale's questions needed for a score, the effect-size bands) are read from the same
constants the statistics use, and tests can check them without a browser.
"""

from __future__ import annotations

from evaluation.access import MIN_POOLED_HUBS
from evaluation.instruments import default_instrument
from evaluation.presentation.readings.national import EFFECT_NAMES
from evaluation.presentation.readings.results import (
    CHANCE_ALPHA,
    EFFECT_BANDS,
    MONTHS_NOT_SHOWN,
)
from evaluation.stats.clustering import MIN_CLUSTERS
from evaluation.stats.comparisons import MIN_PAIRED
from evaluation.stats.disclosure import MIN_N_ENV, SUPPRESSED_SYMBOL, resolve_min_n
from evaluation.stats.reliability import ALPHA_ADEQUATE, ALPHA_MIN_N

__all__ = ["METHODS_REFERENCES", "effect_bands_text", "methods_sections"]


def effect_bands_text() -> str:
    """Cohen's bands in words, from :data:`~evaluation.presentation.readings.EFFECT_BANDS`.

    Examples
    --------
    >>> effect_bands_text()
    'very small (below 0.2), small (0.2 to below 0.5), medium (0.5 to below 0.8) or large (0.8 or more)'
    """  # noqa: E501
    parts, lower = [], None
    for upper, word in EFFECT_BANDS:
        if lower is None:
            parts.append(f"{word} (below {upper:g})")
        elif upper == float("inf"):
            parts.append(f"{word} ({lower:g} or more)")
        else:
            parts.append(f"{word} ({lower:g} to below {upper:g})")
        lower = upper
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def methods_sections(min_n: int | None = None) -> list[tuple[str, str]]:
    """The Methods page: (title, Markdown body) per section, thresholds from configuration.

    Parameters
    ----------
    min_n : int, optional
        The suppression minimum; default ``$IMPACT_MIN_N`` (or 5).

    Examples
    --------
    >>> titles = [title for title, _ in methods_sections()]
    >>> titles[0], len(titles) > 8
    ('Matching people before and after', True)
    >>> "fewer than 12 people" in dict(methods_sections(12))["Small numbers are suppressed"]
    True
    """
    min_n = resolve_min_n(min_n)
    share = _percent(default_instrument().min_item_share)
    return [
        (
            "Matching people before and after",
            """
Each person's answers after the programme are matched to their own answers before it, using their
participant code (or, when the file has no code, their email address). Names and emails are never
stored: codes are replaced by a keyed hash when a file is saved, so the same person still matches
across files without being identifiable. The Microsoft Forms **ID** column is a response number, not
a person, and is never used for matching. When fewer than """
            + f"{MIN_PAIRED}"
            + """ people can be matched, the before and
after groups are compared as two separate groups ("unpaired"), which is weaker evidence and is
always labelled as such.
""",
        ),
        (
            "Scale (construct) scores",
            f"""
A scale such as *confidence* is the mean of its questions for each person, after **reverse-coded**
questions (worded so that agreeing is a bad sign, e.g. "I feel anxious when...") are flipped:
on a 1-5 scale an answer x becomes 6 - x. A person gets a scale score only when they answered at
least {share} of its questions (set per instrument). For a person matched before and after, both
scores use only the questions they answered **both times**, so a change in which questions were
answered is never read as a change in the person; otherwise the score is left out with the reason.
(`evaluation.stats.scoring.construct_scores`)
""",
        ),
        (
            "Change for matched people (paired)",
            f"""
For people who answered both surveys we report the number matched, the mean before and after, the
mean change (after minus before), its standard deviation and the **95% confidence interval** of
the mean change from the t distribution.

* **Paired t-test**: is the mean change different from zero? (`scipy.stats.ttest_rel`)
* **Wilcoxon signed-rank test**: the same question without assuming the changes are normally
  distributed; zero changes are dropped ("wilcox" method) (Wilcoxon 1945; `scipy.stats.wilcoxon`).
* **Hedges' g_av**, the headline effect size on every hub, Work Group and pupil page: the mean
  change divided by the **average of the before and after SDs** (Lakens 2013), with Hedges'
  small-sample correction. Its 95% CI uses **Bonett's (2015)** variance for paired designs, adapted
  to the average-SD standardiser, with a t quantile on n - 1 degrees of freedom. With only two
  matched people g_av is not given (the small-sample correction would make it 0); the row says why.
  (`evaluation.stats.effect_sizes.hedges_g_av`, `hedges_g_av_ci`)
* **Cohen's d_z** = mean change / SD of the changes (Cohen 1988; Lakens 2013), with a 95% CI from
  the **noncentral t distribution** (`evaluation.stats.effect_sizes.cohens_d_z_ci`). d_z is larger
  than g_av when before and after answers are strongly correlated (by 1/sqrt(2(1 - r)) for equal
  SDs), so the two are not comparable and Cohen's words are never used for d_z.
* **Matched-pairs rank-biserial correlation** r: the share of positive minus negative signed
  ranks, from -1 to 1 (Kerby 2014).
* **% improved / same / declined**: the share of people whose score went up, stayed the same or
  went down.

g_av is described as {effect_bands_text()} following Cohen (1988); these
labels are rough guides, not verdicts, and are used only for g_av (and Hedges' g between two
groups), never for d_z or for a change in scale points.

We say a change **could be chance** by one rule: when several questions were tested together,
if the adjusted p-value (`p_adj`, below) is {CHANCE_ALPHA} or more; for teachers in Work Groups, if
the interval of the change allowing for Work Groups (below) includes zero; otherwise if the 95%
interval quoted includes zero.
(`evaluation.stats.paired.paired_change`, `evaluation.stats.comparisons.compare`,
`evaluation.presentation.readings.could_be_chance`)
""",
        ),
        (
            "Teachers in the same Work Group",
            f"""
Teachers who meet in the same Work Group tend to change alike, so their changes are not
independent and the usual standard error makes results look more certain than they are. Wherever
teachers are nested in Work Groups, the standard error of the mean change is **cluster-robust**
(CR1 sandwich estimator, Work Groups as clusters, t on G - 1 degrees of freedom for G Work
Groups; Liang & Zeger 1986; Cameron & Miller 2015), the interval of the change shown allows for
it, and each hub's effect fed into national pooling has its variance inflated by the design
effect (never below 1). With fewer than {MIN_CLUSTERS} Work Groups the clustered interval is
itself uncertain and a note says it is only a rough guide; with one Work Group it cannot be
worked out and the note says so. (`evaluation.stats.clustering.cluster_robust_mean`)
""",
        ),
        (
            "Change when people cannot be matched (unpaired)",
            """
Welch's t-test (no equal-variance assumption), the Mann-Whitney U test and Hedges' g with its CI
compare the before group with the after group (Welch 1947; Mann & Whitney 1947; Hedges 1981).
This cannot tell whether the same people changed, so it is labelled as weaker evidence.
(`evaluation.stats.unpaired.unpaired_change`)
""",
        ),
        (
            "Many questions at once",
            """
When many questions are tested together, some will look significant by chance. p-values are
adjusted with **Holm's** step-down method by default, which controls the chance of any false
positive (Holm 1979); **Benjamini-Hochberg** (controls the false discovery rate) is available on
request (Benjamini & Hochberg 1995). The adjusted value is shown as `p_adj`, and it is the one
the sentences follow when they say a change could be chance.
""",
        ),
        (
            "How consistent a scale is (reliability)",
            f"""
**Cronbach's alpha** measures whether a scale's questions move together (Cronbach 1951); its 95%
confidence interval uses **Feldt's** F-distribution method (Feldt, Woodruff & Salih 1987). Alpha
is labelled (good, acceptable, ...) only from {ALPHA_MIN_N} people: below that its interval is far
too wide to read. The advice follows the interval: the whole interval at or above
{ALPHA_ADEQUATE} means one score can be reported, the whole interval below it means the questions
should be reported one by one, and an interval across it means caution.
(`evaluation.stats.reliability`)
""",
        ),
        (
            "Who answered both surveys (attrition)",
            f"""
Attrition is the share of people who answered before but not after. We show the % of
before-respondents with an after answer, and compare the **before** scores of those who stayed with
those who left (Hedges' g with its CI): if leavers started lower, the average change may look
better than it really is. We say the people who stayed **may not represent** everyone who started
only when the interval of g excludes zero, and judge at all only when at least {min_n} people
stayed and {min_n} left (the suppression minimum); otherwise the sentence says why there is no
verdict. (`evaluation.stats.attrition.attrition`)
""",
        ),
        (
            "Pupil outcomes (Multiplication Tables Check)",
            f"""
MTC scores run from 0 to 25. We show the distribution before and after, the mean, and the % at
full marks (25), beside the national figures for the year published by the Department for
Education. Pupils in the same school are more alike than pupils in different schools, so standard
errors and confidence intervals are **cluster-robust** by school (CR1, as for Work Groups above):
ignoring this would make results look more certain than they are.

**Why months' progress is not shown.** The Education Endowment Foundation's **months of
additional progress** (EEF Teaching and Learning Toolkit) translate the difference between pupils
who had a programme and a **comparison group** who did not. A change from the start to the end of
a year has no comparison group: it includes the progress every pupil makes anyway, so turning it
into months would overstate the programme's effect many times. Pupil change is therefore shown
against the national MTC average for the year instead. "{MONTHS_NOT_SHOWN}" Where a comparison
group exists, months are given (rounding half-way sizes away from zero, as the EEF table reads)
with the EEF's own rating and never when the interval includes zero. Months are never given for
teacher surveys. (`evaluation.stats.pupils`)
""",
        ),
        (
            "Comparing hubs and projects fairly",
            f"""
Each hub's effect and its standard error for a project are combined into a **random-effects
pooled effect** per project, which allows hubs to differ genuinely. The between-hub variance
tau-squared is estimated by restricted maximum likelihood (**REML**) or by **DerSimonian-Laird**
(DerSimonian & Laird 1986; Viechtbauer 2005). The 95% CI of the pooled effect uses the
**Knapp-Hartung (Hartung-Knapp-Sidik-Jonkman)** method: a t distribution on k - 1 degrees of
freedom for k hubs with the Knapp-Hartung variance (Knapp & Hartung 2003; IntHout, Ioannidis &
Borm 2014), which keeps its coverage with few hubs where the normal interval is too narrow.
**I-squared** is the share of the variation between hubs that is real rather than chance (Higgins
& Thompson 2002). The **95% prediction interval** is where a new hub's effect would be expected to
fall (Riley, Higgins & Deeks 2011). Every sentence about a pooled value says how many hubs it
combines. (`evaluation.stats.pooling.random_effects`)

**What is pooled.** The national pages pool each hub's **{EFFECT_NAMES["d_z"]}**, not g_av: its
standard error depends only on d_z, the number matched and the Work Group design effect, which
is what the pooling weights and the funnel limits need, and it is the effect the hub's own
results are drawn against on the national pages. Because d_z is standardised by the SD of the
changes it is larger than g_av for the same data, so national values are always labelled d_z and
never described as small, medium or large; hub and Work Group pages headline g_av. The pooled
**{EFFECT_NAMES["mean_change"]}** can be chosen instead and is never given Cohen's words either.

A **forest plot** shows each hub's effect with its CI and the pooled effect. A **funnel plot**
shows each hub's effect against its precision with 95% and 99.8% control limits around the
national value (Spiegelhalter 2005): hubs inside the limits differ from the national value no more
than chance would explain. We use funnel plots instead of league tables, which rank hubs on
differences that are mostly noise. A hub or lead sees a national value only when it pools at
least {MIN_POOLED_HUBS} hubs, so no other hub's result can be worked out.
""",
        ),
        (
            "Small numbers are suppressed",
            f"""
Any statistic for a group with fewer than {min_n} people (set by `{MIN_N_ENV}`) is not
shown in hub and national views: it appears as **{SUPPRESSED_SYMBOL}**, the Government Statistical
Service symbol for confidential. Where a total is shown, a second group is also suppressed if the
hidden one could otherwise be worked out by subtraction (secondary suppression); the notes under
charts tell the two reasons apart. A hub hidden for the second reason still counts in the pooled
national value, which reveals nothing about the small hub.
(`evaluation.stats.disclosure.suppress`)
""",
        ),
    ]


METHODS_REFERENCES = """
* Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57, 289-300.
* Bonett, D. G. (2015). Interval estimation of standardized mean differences in paired-samples
  designs. *Journal of Educational and Behavioral Statistics* 40(4), 366-376.
* Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
  *Journal of Human Resources* 50, 317-372.
* Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Erlbaum.
* Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
  *Psychometrika* 16, 297-334.
* DerSimonian, R. & Laird, N. (1986). Meta-analysis in clinical trials.
  *Controlled Clinical Trials* 7, 177-188.
* Education Endowment Foundation. Teaching and Learning Toolkit: months' progress.
* Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient
  alpha. *Applied Psychological Measurement* 11, 93-103.
* Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size.
  *Journal of Educational Statistics* 6, 107-128.
* Heiberger, R. M. & Robbins, N. B. (2014). Design of diverging stacked bar charts for Likert
  scales. *Journal of Statistical Software* 57(5).
* Higgins, J. P. T. & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis.
  *Statistics in Medicine* 21, 1539-1558.
* Holm, S. (1979). A simple sequentially rejective multiple test procedure.
  *Scandinavian Journal of Statistics* 6, 65-70.
* IntHout, J., Ioannidis, J. P. A. & Borm, G. F. (2014). The Hartung-Knapp-Sidik-Jonkman method
  for random effects meta-analysis is straightforward and considerably outperforms the standard
  DerSimonian-Laird method. *BMC Medical Research Methodology* 14, 25.
* Kerby, D. S. (2014). The simple difference formula. *Comprehensive Psychology* 3, 11.IT.3.1.
* Knapp, G. & Hartung, J. (2003). Improved tests for a random effects meta-regression with a
  single covariate. *Statistics in Medicine* 22, 2693-2710.
* Lakens, D. (2013). Calculating and reporting effect sizes. *Frontiers in Psychology* 4, 863.
* Liang, K.-Y. & Zeger, S. L. (1986). Longitudinal data analysis using generalized linear models.
  *Biometrika* 73, 13-22.
* Mann, H. B. & Whitney, D. R. (1947). On a test of whether one of two random variables is
  stochastically larger. *Annals of Mathematical Statistics* 18, 50-60.
* Riley, R. D., Higgins, J. P. T. & Deeks, J. J. (2011). Interpretation of random effects
  meta-analyses. *BMJ* 342, d549.
* Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
  *Statistics in Medicine* 24, 1185-1202.
* Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators.
  *Journal of Educational and Behavioral Statistics* 30, 261-293.
* Welch, B. L. (1947). The generalization of "Student's" problem.
  *Biometrika* 34, 28-35.
* Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin* 1, 80-83.
"""
