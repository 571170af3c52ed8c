"""HR reports from what the LMS exports: the Problem Responses report, the grade report and xAPI.

Pure Python (no XBlock, no Django).  Inputs are read as streams and folded into running sums
per cell (:mod:`.gaps`, :mod:`.items`, :mod:`.atlas`), so 100,000 rows cost the memory of the
cells, not of the rows.  :mod:`.privacy` hides every figure about fewer than k people, also
where it could be recovered by subtracting visible cells from a total.  Outputs: CSV, XLSX,
a heat map (SVG by hand, PNG through matplotlib) and a one-page HTML summary.

Entry point for people: ``competency-xblock report ...`` (:mod:`.cli`); for code:
:func:`competency_xblock.reports.pipeline.run`.
"""
