"""Pure domain of the data-security quiz: question banks, seeded draws, server-side scoring,
attempt bookkeeping, learner-safe views, importers (GIFT, Moodle XML, CAPA OLX) and exporters.

Imports neither XBlock nor Django, so the block, the CLI and the tests share one implementation.
"""
