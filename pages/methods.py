"""Methods: how every number on the dashboard is computed, in plain English, with references.

Static text; the formulas live in evaluation/ (one function each), named here for analysts.
"""

import streamlit as st

import app_support as ui
from evaluation.stats.disclosure import MIN_N_ENV, resolve_min_n

ui.page_header(
    "Methods",
    "How every number on this dashboard is worked out, in plain English, with the research "
    "behind it. Analysts will find the function that computes each one in brackets.",
)

SECTIONS: list[tuple[str, str]] = [
    (
        "Matching people before and after",
        """
Each person's answers after the programme are matched to their own answers before it, using their
participant code (or, when the file has no code, their email address). Names and emails are never
stored: codes are replaced by a keyed hash when a file is saved, so the same person still matches
across files without being identifiable. The Microsoft Forms **ID** column is a response number, not
a person, and is never used for matching. When there is no code or email at all, the before and
after groups are compared as two separate groups ("unpaired"), which is weaker evidence and is
always labelled as such.
""",
    ),
    (
        "Scale (construct) scores",
        """
A scale such as *confidence* is the mean of its questions for each person, after **reverse-coded**
questions (worded so that agreeing is a bad sign, e.g. "I feel anxious when...") are flipped:
on a 1-5 scale an answer x becomes 6 - x. (`evaluation.stats.scoring.construct_scores`)
""",
    ),
    (
        "Change for matched people (paired)",
        """
For people who answered both surveys we report the number matched, the mean before and after, the
mean change (after minus before), its standard deviation and the **95% confidence interval** of
the mean change from the t distribution.

* **Paired t-test**: is the mean change different from zero? (`scipy.stats.ttest_rel`)
* **Wilcoxon signed-rank test**: the same question without assuming the changes are normally
  distributed; zero changes are dropped ("wilcox" method) (Wilcoxon 1945; `scipy.stats.wilcoxon`).
* **Cohen's d_z** = mean change / SD of change: the change in units of how much people's changes
  vary (Cohen 1988; Lakens 2013).
* **Hedges' g_av** = mean change / average of the before and after SDs, with the small-sample
  correction, and its 95% CI (Cumming 2012; Lakens 2013). This is the headline effect size because
  it is comparable with effects from unpaired designs.
* **Matched-pairs rank-biserial correlation** r: the share of positive minus negative signed
  ranks, from -1 to 1 (Kerby 2014).
* **% improved / same / declined**: the share of people whose score went up, stayed the same or
  went down.

Effect sizes are described as negligible (below 0.2), small (0.2), medium (0.5) or large (0.8)
following Cohen (1988); these labels are rough guides, not verdicts.
(`evaluation.stats.paired.paired_change`, `evaluation.stats.comparisons.compare`)
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
request (Benjamini & Hochberg 1995). The adjusted value is shown as `p_adj`.
""",
    ),
    (
        "How consistent a scale is (reliability)",
        """
**Cronbach's alpha** measures whether a scale's questions move together (Cronbach 1951); its 95%
confidence interval uses **Feldt's** F-distribution method (Feldt, Woodruff & Salih 1987). Values
above about 0.7 are usually taken as acceptable for group comparisons.
(`evaluation.stats.reliability`)
""",
    ),
    (
        "Who answered both surveys (attrition)",
        """
Attrition is the share of people who answered before but not after. We show the % of
before-respondents with an after answer, and compare the **before** scores of those who stayed with
those who left: if leavers started lower, the average change may look better than it really is.
(`evaluation.stats.attrition.attrition`)
""",
    ),
    (
        "Pupil outcomes (Multiplication Tables Check)",
        """
MTC scores run from 0 to 25. We show the distribution before and after, the mean, and the % at
full marks (25), beside the national figures for the year published by the Department for
Education. Pupils in the same school are more alike than pupils in different schools, so standard
errors and confidence intervals are **cluster-robust** by school (Liang & Zeger 1986; Cameron &
Miller 2015): ignoring this would make results look more certain than they are.
Pupil effect sizes may also be shown as the Education Endowment Foundation's **months of
additional progress** (EEF Teaching and Learning Toolkit), always beside the effect size and its
CI and never for teacher surveys. (`evaluation.stats.pupils`)
""",
    ),
    (
        "Comparing hubs and projects fairly",
        """
Each hub's effect and its standard error for a project are combined into a **random-effects
pooled effect** per project, which allows hubs to differ genuinely. The between-hub variance
tau-squared is estimated by restricted maximum likelihood (**REML**) or by **DerSimonian-Laird**
(DerSimonian & Laird 1986; Viechtbauer 2005). **I-squared** is the share of the variation between
hubs that is real rather than chance (Higgins & Thompson 2002). The **95% prediction interval** is
where a new hub's effect would be expected to fall (Riley, Higgins & Deeks 2011).
(`evaluation.stats.pooling.random_effects`)

A **forest plot** shows each hub's effect with its CI and the pooled effect. A **funnel plot**
shows each hub's effect against its precision with 95% and 99.8% control limits around the
national value (Spiegelhalter 2005): hubs inside the limits differ from the national value no more
than chance would explain. We use funnel plots instead of league tables, which rank hubs on
differences that are mostly noise.
""",
    ),
    (
        "Small numbers are suppressed",
        f"""
Any statistic for a group with fewer than {resolve_min_n()} people (set by `{MIN_N_ENV}`) is not
shown in hub and national views: it appears as **[c]**, the Government Statistical Service symbol
for confidential. Where a total is shown, a second group is also suppressed if the hidden one could
otherwise be worked out by subtraction (secondary suppression).
(`evaluation.stats.disclosure.suppress`)
""",
    ),
]

REFERENCES = """
* Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57, 289-300.
* Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
  *Journal of Human Resources* 50, 317-372.
* Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Erlbaum.
* Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
  *Psychometrika* 16, 297-334.
* Cumming, G. (2012). *Understanding the New Statistics*. Routledge.
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
* Kerby, D. S. (2014). The simple difference formula. *Comprehensive Psychology* 3, 11.IT.3.1.
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

for title, body in SECTIONS:
    st.subheader(title)
    st.markdown(body)

st.subheader("References")
st.markdown(REFERENCES)
st.caption(
    "All the data in this repository's sample is synthetic: made-up people, generated to look "
    "like real survey exports. No real person's answers are stored in it."
)
