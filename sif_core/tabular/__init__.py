"""Tables of school data (CSV exports, SIMS reports) read and written through declarative mappings.

What every tabular adapter needs, in one place:

- :func:`resolve_encoding`: find the encoding of an export and refuse the wrong one by name
  (:class:`WrongEncodingError`), instead of producing mojibake; BOMs are honoured.
- :class:`CSVTable`: a CSV file as numbered :class:`Row`\\ s, header checked.
- :func:`parse_date` / :func:`format_date`: ``dd/mm/yyyy`` and ISO dates.
- :class:`TableMapping` (:func:`load_mapping`, :func:`parse_mapping`): the TOML mapping from
  columns to SIF fields (:data:`FIELDS`), with value maps, date formats, defaults and key columns;
  mistakes are :class:`MappingError`\\ s naming the mapping's line and column.
- :class:`TableReader`: rows to SIF objects, folding rows repeated per contact, with a
  :class:`~sif_core.problems.Problem` naming row, key and column for every bad value.
- :class:`TableLayout`: SIF objects back to rows, so a mapping reads what it wrote.
"""

from sif_core.tabular.cells import refid_for_key
from sif_core.tabular.dates import UK_DATE, describe_format, format_date, parse_date
from sif_core.tabular.encoding import (
    AUTO,
    EncodingFinding,
    WrongEncodingError,
    encoding_label,
    resolve_encoding,
)
from sif_core.tabular.fields import FIELDS, TARGETS, FieldSpec, Kind
from sif_core.tabular.layout import TableLayout
from sif_core.tabular.mapping import (
    ColumnRule,
    MappingError,
    TableMapping,
    load_mapping,
    parse_mapping,
)
from sif_core.tabular.records import TableReader
from sif_core.tabular.rows import CSVTable, Row

__all__ = [
    "AUTO",
    "FIELDS",
    "TARGETS",
    "UK_DATE",
    "CSVTable",
    "ColumnRule",
    "EncodingFinding",
    "FieldSpec",
    "Kind",
    "MappingError",
    "Row",
    "TableLayout",
    "TableMapping",
    "TableReader",
    "WrongEncodingError",
    "describe_format",
    "encoding_label",
    "format_date",
    "load_mapping",
    "parse_date",
    "parse_mapping",
    "refid_for_key",
    "resolve_encoding",
]
