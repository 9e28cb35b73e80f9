"""The query language explained with examples: one text for the window's `?` popover and for
`archive-browser help query`."""

from __future__ import annotations

#: (query, what it finds), in the order a new user meets them.
EXAMPLES: list[tuple[str, str]] = [
    ("security council", "both words, in any form (meetings finds meeting)"),
    ('"drug trafficking"', "the words side by side"),
    ("Bishkek OR Astana", "either word (AND, OR, NOT in capitals)"),
    ("CSTO NOT NATO", "the first without the second"),
    ("заседания", "Russian words in any form; ё and е alike"),
    ("secur*", "words starting so"),
    ("Bordyuzha~", "spelled almost so"),
    ("exact:meetings", "this word form only"),
    ("tag:afghanistan", "releases with a tag"),
    ("date:[2013 to 2014]", "dated 2013 or 2014 (date:2013, date:2024-07 work too)"),
    ("title:summit lang:ru kind:interview", "one field; language; kind"),
]

#: The fields a query may name, as the popover lists them.
FIELDS_NOTE = "Fields: title, body, source, place, notes, tag, lang, kind, date, exact, id."

_DETAILS = """\
Words are matched in any form of the word (stemmed, in English and Russian), in the title,
summary, text, notes, source, place and tags; every word must be there unless OR joins them.
Case, typographic quotes and dashes, and ё/е do not matter.

Fields:
  title:WORD          in the headline only
  body:WORD           in the text (as a bare word: title, summary, text, notes, ...)
  source:WORD  place:WORD  notes:WORD
  tag:NAME            releases with this tag
  lang:ru  kind:speech
  exact:WORD          this word form only, as written ("exact:meetings" not "meeting")
  id:42               one release by its id

Dates (bounds included, exact at month and year ends):
  date:2013           the whole year
  date:2013-05        the whole month
  date:2013-05-28     one day
  date:[2013-04 to 2013-06]   April to June 2013
  date:[2021 to]  date:[to 2013-06-30]   open ranges
  date:>2013-05  date:<=2014   before or after

Combining:
  a b                 both (AND is the default)
  a OR b, a NOT b, (a OR b) c
  secur*              prefix; Bordyuzha~ spelled almost so (one or two letters differ)
"""


def query_help_text() -> str:
    """The query language with examples, as plain text for a terminal."""
    width = max(len(query) for query, _ in EXAMPLES) + 2
    lines = ["The query language", "", "Examples:"]
    lines += [f"  {query:<{width}}{meaning}" for query, meaning in EXAMPLES]
    lines += ["", FIELDS_NOTE, "", _DETAILS.rstrip("\n")]
    return "\n".join(lines) + "\n"
