"""The service atlas ("ydelsesatlas"): model, importers, Danish-aware search, exercises.

Pure domain code: imports neither XBlock nor Django.

- :mod:`.model`      units, contact channels, services; validation listing every problem
- :mod:`.kle`        KLE catalogue of one version; version-drift findings
- :mod:`.importers`  JSON, CSV, KLE XML + KLE-to-unit mapping CSV
- :mod:`.text`       folding (æ/ae, ø/oe, å/aa), tokens with offsets, Danish stemmer
- :mod:`.index`      the inverted index, built once per atlas content digest
- :mod:`.search`     query handling, ranking, highlight spans
- :mod:`.sources`    named atlases from files or URLs, cached, last good kept
- :mod:`.exercise`   referral scenarios and grading
- :mod:`.gaps`       candidate søgeord from no-hit searches and wrong picks
"""
from .model import Atlas, AtlasValidationError, ContactChannels, Service, Unit

__all__ = ["Atlas", "AtlasValidationError", "ContactChannels", "Service", "Unit"]
