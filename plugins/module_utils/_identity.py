# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Exact identity: how a name a person typed selects one object, or is refused.

Every human-typed name (an organisation's or a site's name, an e-mail, a hostname, a login) goes through
`resolve()`. The rules (docs/identity.md):

- A name is compared after Unicode NFC normalisation with surrounding whitespace ignored. Case is significant for
  names (organisations, sites); e-mails, hostnames and logins compare without regard to case, as the systems
  behind them do.
- Besides the exact matches, `resolve()` looks for look-alikes: candidates whose *skeleton* is the same - letter
  case, compatibility forms (full-width letters), invisible characters, inner runs of spaces and the Cyrillic and
  Greek letters that look like Latin ones all folded away. A name selects an object only when it matches exactly one
  and no other candidate looks like it; otherwise it is refused, and the refusal names every candidate.
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters drawn like Latin ones (the common entries of Unicode's confusables list, UTS #39),
# mapped after case folding.
_CONFUSABLES = {
    'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k', 'м': 'm',
    'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'ѕ': 's', 'т': 't', 'у': 'y', 'х': 'x', 'ԁ': 'd', 'ԛ': 'q',
    'ԝ': 'w', 'ӏ': 'l', 'ɡ': 'g',
    'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
    'υ': 'u', 'χ': 'x', 'ζ': 'z', 'μ': 'u',
    # Digits that read like letters (DESK-07 and DESK-O7).
    '0': 'o', '1': 'l', '|': 'l',
}
_INVISIBLE = re.compile('[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]')
_SPACES = re.compile(r'\s+')

CASE = 'case'
FOLD = 'fold'


def clean(text):
    """The text as compared exactly: NFC, surrounding whitespace removed."""
    return unicodedata.normalize('NFC', '' if text is None else str(text)).strip()


def folded(text):
    """The text compared without regard to case (e-mails, hostnames, logins)."""
    return clean(text).casefold()


def skeleton(text):
    """What the text looks like: the key under which look-alikes collide."""
    text = _INVISIBLE.sub('', unicodedata.normalize('NFKC', '' if text is None else str(text)))
    text = _SPACES.sub(' ', text).strip().casefold()
    text = ''.join(_CONFUSABLES.get(char, char) for char in text)
    # Accents and other combining marks last, so that e.g. a Cyrillic letter with a diaeresis folds too.
    return ''.join(char for char in unicodedata.normalize('NFKD', text) if not unicodedata.combining(char))


def exact_key(text, mode=CASE):
    return clean(text) if mode == CASE else folded(text)


def how_they_differ(typed, actual):
    """A few words on why two names that look alike are not the same name."""
    typed_c, actual_c = clean(typed), clean(actual)
    if typed_c == actual_c:
        return 'they are the same'
    if typed_c.casefold() == actual_c.casefold():
        return 'they differ only in letter case'
    if _SPACES.sub(' ', typed_c) == _SPACES.sub(' ', actual_c):
        return 'they differ only in spacing'
    if skeleton(typed_c) == skeleton(actual_c):
        odd = sorted({'U+%04X %s' % (ord(c), unicodedata.name(c, '?')) for c in typed_c + actual_c
                      if ord(c) > 127 or _INVISIBLE.match(c)})
        return 'they look alike but are different characters (%s)' % ', '.join(odd) if odd else 'they look alike'
    return 'they are different names'


def plural(what):
    return what[:-1] + 'ies' if what.endswith('y') and what[-2:-1] not in 'aeiou' else what + 's'


class Ambiguous(Exception):
    """A typed name that does not select exactly one object: several match, or look-alikes stand beside it."""

    def __init__(self, typed, exact, alike, what, describe, key):
        self.typed = clean(typed)
        self.candidates = list(exact) + list(alike)
        named = '%s %r' % (what[:1].upper() + what[1:], self.typed)
        similar = '; '.join('%s (%s)' % (describe(c), how_they_differ(typed, key(c))) for c in alike)
        if len(exact) > 1:
            message = '%s is ambiguous: %d %s have it: %s' % (
                named, len(exact), plural(what), '; '.join(describe(c) for c in exact))
            message += ('; and looking like it: %s.' % similar) if alike else '.'
        elif exact:
            message = '%s is ambiguous: %s has it, and %s looks like it.' % (named, describe(exact[0]), similar)
        else:
            message = 'No %s is named %r exactly; %s looks like it.' % (what, self.typed, similar)
        super().__init__(message)


def resolve(typed, candidates, key, what, mode=CASE, describe=None, ident=None):
    """The one candidate the typed name selects, or None when nothing matches or looks like it.

    candidates: objects; key(obj) gives the name compared; ident(obj) tells distinct objects apart (the same user
    listed in several organisations is one candidate). Raises Ambiguous when more than one object matches, when a
    look-alike stands beside the match, or when only look-alikes match.
    """
    describe = describe or (lambda obj: repr(key(obj)))
    ident = ident or id
    wanted, shape = exact_key(typed, mode), skeleton(typed)
    exact, alike, seen = [], [], set()
    for obj in candidates:
        marker = ident(obj)
        if marker in seen:
            continue
        name = key(obj)
        if exact_key(name, mode) == wanted:
            exact.append(obj)
            seen.add(marker)
        elif skeleton(name) == shape:
            alike.append(obj)
            seen.add(marker)
    if len(exact) == 1 and not alike:
        return exact[0]
    if not exact and not alike:
        return None
    raise Ambiguous(typed, exact, alike, what, describe, key)


def look_alikes(typed, candidates, key):
    """Candidates whose name looks like the typed one without being it (for "did you mean" messages)."""
    shape = skeleton(typed)
    return [obj for obj in candidates if skeleton(key(obj)) == shape and clean(key(obj)) != clean(typed)]
