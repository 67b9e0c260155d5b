# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exact identity: a typed name selects one object or is refused with every candidate."""

from __future__ import annotations

import pytest

from ansible_collections.msp.dnsfilter.plugins.module_utils._identity import (
    FOLD, Ambiguous, clean, how_they_differ, resolve, skeleton)

ORGS = [{'id': 1, 'name': 'Acme Corp'}, {'id': 2, 'name': 'ACME CORP'}, {'id': 3, 'name': 'Globex'},
        {'id': 4, 'name': 'Initech'}, {'id': 5, 'name': '\u0406nitech'}, {'id': 6, 'name': 'Umbrella'}]


def by_name(typed, orgs=None, mode='case'):
    return resolve(typed, orgs or ORGS, key=lambda o: o['name'], what='organisation', mode=mode,
                   describe=lambda o: '%s (%s)' % (o['name'], o['id']), ident=lambda o: o['id'])


def test_an_exact_name_with_no_look_alike_selects_it():
    assert by_name('Umbrella')['id'] == 6
    assert by_name('  Umbrella \t')['id'] == 6, 'surrounding whitespace is ignored'
    assert by_name('Globex')['id'] == 3


def test_nfc_and_nfd_spellings_are_the_same_name():
    orgs = [{'id': 1, 'name': 'Caf\u00e9 Dental'}]
    assert by_name('Cafe\u0301 Dental', orgs)['id'] == 1


@pytest.mark.parametrize('typed', ['Acme Corp', 'ACME CORP', 'acme corp'])
def test_case_twins_are_refused_with_both_candidates(typed):
    with pytest.raises(Ambiguous) as refused:
        by_name(typed)
    assert {c['id'] for c in refused.value.candidates} == {1, 2}
    assert 'Acme Corp (1)' in str(refused.value) and 'ACME CORP (2)' in str(refused.value)


def test_a_homoglyph_twin_is_refused():
    with pytest.raises(Ambiguous) as refused:
        by_name('Initech')
    assert {c['id'] for c in refused.value.candidates} == {4, 5}


@pytest.mark.parametrize('typed', ['Globex ', 'Glob\u200bex', 'G\u200blobex', 'Ｇｌｏｂｅｘ'])
def test_invisible_and_full_width_look_alikes_of_a_single_name_are_refused_or_matched(typed):
    if clean(typed) == 'Globex':
        assert by_name(typed)['id'] == 3
    else:
        with pytest.raises(Ambiguous):
            by_name(typed)


def test_nothing_that_looks_alike_is_none():
    assert by_name('Contoso') is None


def test_fold_mode_matches_without_case_but_still_refuses_two_objects():
    users = [{'id': 10, 'email': 'bob@msp.example'}, {'id': 11, 'email': 'BOB@msp.example'},
             {'id': 12, 'email': 'grace@msp.example'}, {'id': 12, 'email': 'grace@msp.example'}]

    def email(typed):
        return resolve(typed, users, key=lambda u: u['email'], what='e-mail', mode=FOLD, ident=lambda u: u['id'])
    assert email('GRACE@MSP.EXAMPLE')['id'] == 12, 'the same user listed twice is one candidate'
    with pytest.raises(Ambiguous) as refused:
        email('bob@msp.example')
    assert {c['id'] for c in refused.value.candidates} == {10, 11}


def test_digit_letter_look_alikes_collide():
    assert skeleton('DESK-07') == skeleton('desk-o7')
    assert skeleton('Northwind') != skeleton('Northwood')


@pytest.mark.parametrize('typed, actual, words', [
    ('Acme Corp', 'ACME CORP', 'letter case'),
    ('Acme  Corp', 'Acme Corp', 'spacing'),
    ('Initech', '\u0406nitech', 'U+0406 CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I'),
    ('Fabrikam', 'Contoso', 'different names'),
])
def test_how_two_names_differ(typed, actual, words):
    assert words in how_they_differ(typed, actual)
