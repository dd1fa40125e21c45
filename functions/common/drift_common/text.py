"""Text from outside — a reviewer's name and reason, a resource's drifted values — made safe
to show in a line of a notice or a page.

Such text is chosen by whoever typed the reason or changed the resource. A line break in it
would start a line of its own in the e-mail ("Decision: approved by ...", "Console: <a
link>"); a bidi control (U+202E, ...) would make it read other than it is. Standard library
only: every function gets it from the common layer.
"""

from __future__ import annotations

import unicodedata

# Format characters that stay: the zero-width (non-)joiners shape emoji sequences and some
# scripts (Persian, Indic) and move no text around.
_KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
# Control characters (C0, DEL, C1 with NEL) and the line and paragraph separators break
# lines: a space keeps the words apart.
_AS_SPACE = frozenset({"Cc", "Zl", "Zp"})


def clean_text(text: str) -> str:
    """`text` on one line: control characters and line separators become spaces; format
    characters (Unicode Cf: every bidi control U+202A-U+202E, U+2066-U+2069, U+200E/U+200F,
    U+061C, and zero-width or invisible ones such as U+FEFF, U+00AD) and lone surrogates
    are dropped."""
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category in _AS_SPACE:
            kept.append(" ")
        elif (category == "Cf" and char not in _KEPT_FORMAT) or category == "Cs":
            continue
        else:
            kept.append(char)
    return "".join(kept)


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)
