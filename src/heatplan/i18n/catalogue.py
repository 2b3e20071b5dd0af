"""gettext message catalogues of the public outputs (Babel).

The public texts are written in German in the code (German is the language of the plan); the
message ids are these German texts and ``locale/<language>/LC_MESSAGES/heatplan.po`` translates
them. The ``.po`` source is the only catalogue in the repository: it is compiled in memory the
first time a language is asked for (Babel's ``read_po`` and ``write_mo``), so a fresh clone,
an editable install and a wheel need no build step. German needs no catalogue.

Mark a text for extraction with ``_`` (``pybabel extract -k _`` or
:func:`babel.messages.extract.extract_from_file`); ``tests/test_i18n.py`` checks every marked
text of the public writers has an English translation.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from heatplan.i18n.numbers import locale_of

__all__ = ["DOMAIN", "catalogue_text", "translations"]

DOMAIN = "heatplan"
#: The language the message ids are written in.
SOURCE_LANGUAGE = "de"


def catalogue_text(language: str) -> str | None:
    """The ``.po`` source of ``language``'s catalogue, None when it has none."""
    path = resources.files("heatplan.i18n") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    return path.read_text(encoding="utf-8") if path.is_file() else None


@lru_cache(maxsize=4)
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (identity for German)."""
    locale_of(language)  # refuses an unknown language
    text = catalogue_text(language)
    if language == SOURCE_LANGUAGE or text is None:
        return NullTranslations()
    catalog = read_po(io.StringIO(text), locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def gettext_for(language: str, message: str) -> str:
    """``message`` (German) in ``language``.

    >>> gettext_for("en", "Maßnahmen"), gettext_for("de", "Maßnahmen")
    ('Measures', 'Maßnahmen')
    """
    return translations(language).gettext(message)
