"""Atlas importers: JSON, CSV, and KLE XML with a KLE-to-unit mapping CSV.

Every importer returns an :class:`ImportReport`: the atlas built from the good records, the
rejected records (where, which record, which field, why), warnings (KLE version drift,
encoding fallbacks) and the KLE version.  None of them stores anything.
"""
from .common import ImportReport, ProgressCallback, Rejection
from .csv_import import import_csv
from .json_import import import_data, import_json, parse_json
from .kle_xml import import_kle_xml, iter_kle_xml, read_mapping

__all__ = [
    "ImportReport", "ProgressCallback", "Rejection", "import_csv", "import_data",
    "import_json", "import_kle_xml", "iter_kle_xml", "parse_json", "read_mapping",
]
