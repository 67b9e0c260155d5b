# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Choosing objects from a list the way the modules document it: by id, by name, by last seen."""

from __future__ import annotations

import datetime
import unicodedata


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
