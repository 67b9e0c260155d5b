# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Choosing objects from a list the way the modules document it: by id, by name, by last seen."""

from __future__ import annotations

import datetime
import unicodedata

from ansible_collections.msp.dnsfilter.plugins.module_utils._identity import CASE, Ambiguous, clean, resolve


def parse_time(value):
    """An API timestamp or a date (ISO 8601) as an aware UTC datetime, or None."""
    if value in (None, ''):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        text = str(value).strip().replace('Z', '+00:00')
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            parsed = datetime.datetime.combine(datetime.date.fromisoformat(text[:10]), datetime.time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


def text_key(value):
    """A typed or reported name as Windows compares logins: Unicode NFC, surrounding spaces ignored, any case.

    NFC only (not NFKC): canonically equal spellings match, look-alikes such as homoglyphs or full-width letters do not.
    """
    return unicodedata.normalize('NFC', unicodedata.normalize('NFC', str(value or '')).strip().casefold())


def account_name(login):
    """The account part of a Windows or macOS login: CONTOSO\\jdoe, DESK-07\\jdoe and jdoe@contoso.com are jdoe.

    A name, not an identity: the same account name on two devices is usually two different accounts.
    """
    login = text_key(login)
    if '\\' in login:
        login = login.rsplit('\\', 1)[1]
    if '@' in login:
        login = login.split('@', 1)[0]
    return login.strip()


def folded(values):
    return {str(v).strip().casefold() for v in values or []}


def choose(mod, items, ids=None, names=None, what='object', where='', missing_ok=False, name_key='name', mode=CASE,
           id_option='ids', hint=''):
    """The items named by id and by exact name, one object per name; with neither, all of them.

    An id must be one of the items. A name selects the one item it names exactly, with no look-alike beside it
    (_identity.resolve); a name shared by several items, or with a look-alike, fails and lists them all. An unknown
    id or name fails, unless missing_ok (removals: already gone is done; a warning names it). `where` completes
    the messages ("of organisation 4000101"); `hint` is added to a failure that an unknown id or name causes.
    """
    if not ids and not names:
        return list(items)
    chosen = {}
    suffix = (' ' + where) if where else ''
    for ident in ids or []:
        match = [i for i in items if str(i.get('id')) == str(ident).strip()]
        if not match:
            if missing_ok:
                mod.warnings.append('%s %s is not (or no longer) a %s%s; nothing to do for it.' % (what.capitalize(), ident, what, suffix))
                continue
            mod.fail('%s %s is not a %s%s, or the API key cannot see it.%s Nothing was changed.' % (what.capitalize(), ident, what, suffix, hint))
        chosen[str(match[0]['id'])] = match[0]
    for name in names or []:
        try:
            match = resolve(name, items, key=lambda i: i.get(name_key), what=what, mode=mode,
                            describe=lambda i: '%r (id %s)' % (i.get(name_key), i.get('id')), ident=lambda i: str(i.get('id')))
        except Ambiguous as exc:
            mod.fail('%s Name it by id (%s) instead. Nothing was changed.' % (exc, id_option),
                     candidates=[{'id': str(i.get('id')), name_key: i.get(name_key)} for i in exc.candidates])
        if match is None:
            if missing_ok:
                mod.warnings.append('No %s%s is (or is still) named %r; nothing to do for it.' % (what, suffix, clean(name)))
                continue
            mod.fail('No %s%s is named %r.%s Nothing was changed.' % (what, suffix, clean(name), hint))
        chosen[str(match['id'])] = match
    return list(chosen.values())
