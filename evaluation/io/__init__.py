"""Reading files: bytes of a CSV or XLSX export in, a canonical DataFrame out, and safe exports
back.

``reader`` opens files (encodings, delimiters, workbooks, platform quirks), ``headers`` recognises
columns and normalises hub, project, year and phase, ``likert`` turns answer labels into scores and
``exports`` writes results as CSV and XLSX that a spreadsheet cannot run as formulas.
"""
