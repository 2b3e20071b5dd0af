"""Languages of the public outputs: message catalogues, the vocabulary of labels and
locale-aware numbers and dates (Babel).

Public outputs are German by default and English on request (``[plan] language`` in
``heatplan.toml``, ``heatplan export --language``); the code, the CLI and the logs stay English.

- :func:`gettext_for` translates a German text of a public writer through the gettext
  catalogue ``locale/<language>/LC_MESSAGES/heatplan.po``;
- :func:`label` turns a code into its label from the one vocabulary ``data/labels.csv``;
- :func:`format_number`, :func:`format_percent`, :func:`format_date` write numbers, shares and
  dates in the language's notation (German: ``1.234,5``, ``12,3 %``, ``01.03.2027``).
"""

from __future__ import annotations

from heatplan.i18n.catalogue import gettext_for, translations
from heatplan.i18n.numbers import (
    LANGUAGES,
    format_date,
    format_number,
    format_percent,
    format_quantity,
    locale_of,
    number_pattern,
)
from heatplan.i18n.vocabulary import (
    MissingLabel,
    column_header,
    field_header,
    field_label,
    label,
    labels_of,
    labels_table,
    unit_of,
    value_label,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "MissingLabel",
    "column_header",
    "field_header",
    "field_label",
    "format_date",
    "format_number",
    "format_percent",
    "format_quantity",
    "gettext_for",
    "label",
    "labels_of",
    "labels_table",
    "locale_of",
    "number_pattern",
    "translations",
    "unit_of",
    "value_label",
]

#: The language of public outputs unless the project chooses another (DESIGN.md, Language).
DEFAULT_LANGUAGE = "de"
