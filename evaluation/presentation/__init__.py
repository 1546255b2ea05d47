"""What people read: sentences (``readings``), plotly figures (``charts``) and the board pack
(``reports``). Pure: results in, words, figures or documents out; nothing here computes a statistic.
"""
