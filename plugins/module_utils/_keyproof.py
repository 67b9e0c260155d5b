# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The proof that a user's API keys are dead, tied to the user who owns them.

A dead token proves nothing by itself: not whose key it was, nor that it was its owner's last one. So the proof is
built from observations, records of what the collection saw, in order:

- ``token_check``: a token was tried (``GET /v1/current_user``): alive or dead (401), as which user, and which of that
  user's keys it is (matched by its last four in the owner's own list);
- ``key_list``: the owner's complete key list (``GET /v1/api_keys`` lists only the caller's keys), read with one of
  their live tokens;
- ``key_change``: a key this collection revoked or deleted as its owner (the API's answer).

A token is named by a fingerprint (a truncated SHA-256), never by the token itself, so observations can be written to
an evidence bundle and read back by a resumed run. A key is ``proved_dead`` only when a later observation shows it dead
(its token, seen alive as the owner, then failed; or the owner's own list shows it revoked or gone; or the API
confirmed its revocation), ``alive`` when this run saw it alive, ``attested`` when an attestation covers it, else
``unknown``. The proof holds when its owner is known, its key list is complete and every key is proved dead or
attested. Everything here is pure (no I/O); times come from `Clock`, whose source a test can replace.
"""

from __future__ import annotations

import datetime
import hashlib
import json

KINDS = ('token_check', 'key_list', 'key_change')
VERDICTS = ('proved_dead', 'attested', 'unknown', 'alive')
DEAD_VERDICTS = ('proved_dead', 'attested')
FINGERPRINT_HEX = 16


def fingerprint(token):
    """A name for a token that is not the token: 'sha256:' and the first 16 hex digits of its SHA-256."""
    digest = hashlib.sha256((token or '').strip().encode('utf-8')).hexdigest()
    return 'sha256:%s' % digest[:FINGERPRINT_HEX]


def _sid(value):
    return None if value is None or value == '' else str(value)


def _owner(user):
    user = user or {}
    return {'id': _sid(user.get('id')), 'email': user.get('email')}


def key_brief(key):
    """The fields of a key an observation keeps (never a token)."""
    return {'id': _sid(key.get('id')), 'name': key.get('name'), 'last_four': key.get('last_four'),
            'status': key.get('status') or 'active', 'expired': bool(key.get('expired'))}


def match_key(token, keys):
    """(key id, candidate ids) of the key a live token is, by its last four among the owner's active keys."""
    last_four = (token or '').strip()[-4:]
    candidates = [k for k in keys if k.get('last_four') == last_four and (k.get('status') or 'active') == 'active']
    usable = [k for k in candidates if not k.get('expired')]
    chosen = usable if usable else candidates
    ids = [_sid(k.get('id')) for k in chosen]
    return (ids[0] if len(ids) == 1 else None), ids


def token_check(token, at, alive, status, user=None, keys=None):
    """The observation of one token. keys: the owner's list read with it (when alive), to name its key."""
    key_id, candidates = match_key(token, keys or []) if alive and keys is not None else (None, [])
    user = _owner(user) if user and user.get('id') is not None else None
    return {'kind': 'token_check', 'at': at, 'fingerprint': fingerprint(token), 'last_four': (token or '').strip()[-4:],
            'alive': bool(alive), 'status': status, 'user': user, 'key_id': key_id,
            'key_candidates': candidates if key_id is None else []}


def key_list(token, at, owner, keys):
    return {'kind': 'key_list', 'at': at, 'owner': _owner(owner), 'via': fingerprint(token),
            'keys': [key_brief(k) for k in keys]}


def key_change(token, at, owner, key, action, simulated=False):
    return {'kind': 'key_change', 'at': at, 'owner': _owner(owner), 'via': fingerprint(token), 'key_id': _sid(key.get('id')),
            'action': action, 'simulated': bool(simulated)}


def _is_event(item):
    return isinstance(item, dict) and item.get('kind') in KINDS and isinstance(item.get('at'), str)


def collect(value, is_leaf, inner_keys):
    """Depth first and in order: the leaves among nested lists, and among the lists that wrapper dicts (those that
    are not leaves) hold under inner_keys. Anything else is skipped."""
    found = []
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[0:0] = item
        elif is_leaf(item):
            found.append(item)
        elif isinstance(item, dict):
            stack[0:0] = [item[k] for k in inner_keys if isinstance(item.get(k), list)]
    return found


def events_from(value):
    """The observations inside a registered api_key result, a list of them, a loop's results, or a bundle's file."""
    return collect(value, _is_event, ('observations', 'results'))


def merge(*groups):
    """Every observation once, oldest first (equal times keep the order given)."""
    seen = set()
    merged = []
    for group in groups:
        for event in events_from(group):
            ident = json.dumps(event, sort_keys=True, default=str)
            if ident not in seen:
                seen.add(ident)
                merged.append(event)
    return sorted(merged, key=lambda e: e['at'])


def _who(owner):
    if not owner or owner.get('id') is None:
        return 'an unknown user'
    return '%s (user %s)' % (owner['email'], owner['id']) if owner.get('email') else 'user %s' % owner['id']


def _label(key):
    return '%s %r (last four %s)' % (key.get('id') or 'no id', key.get('name') or '', key.get('last_four') or '?')


def seen_users(events):
    """{user id: {id, email}} of the users a token was seen authenticate as."""
    users = {}
    for event in events:
        if event['kind'] == 'token_check' and event.get('alive') and (event.get('user') or {}).get('id'):
            users.setdefault(event['user']['id'], _owner(event['user']))
    return users


def _inventory_keys(inventory):
    keys = []
    for index, entry in enumerate(inventory or []):
        entry = entry if isinstance(entry, dict) else {'name': entry}
        keys.append({'id': _sid(entry.get('id')), 'name': entry.get('name'), 'last_four': entry.get('last_four'),
                     'source': 'inventory[%d]' % index})
    return keys


def _same_key(listed, entry):
    if entry.get('id') is not None:
        return listed.get('id') == entry['id']
    if entry.get('last_four'):
        return listed.get('last_four') == entry['last_four'] and (
            not entry.get('name') or (listed.get('name') or '').strip().casefold() == entry['name'].strip().casefold())
    return bool(entry.get('name')) and (listed.get('name') or '').strip().casefold() == entry['name'].strip().casefold()


class _Key:
    def __init__(self, brief):
        self.id = brief.get('id')
        self.name = brief.get('name')
        self.last_four = brief.get('last_four')
        self.alive = []  # (at, how)
        self.dead = []  # (at, how)
        self.simulated = []  # (at, how)

    def view(self):
        return {'id': self.id, 'name': self.name, 'last_four': self.last_four}


def build_proof(events, state, owner_id=None, since=None, inventory=None, attestation=None, simulated=False):
    """The proof about the keys of one owner, from observations.

    owner_id: the user the proof is about; without it, the one user a token was seen authenticate as.
    since: the time this run started; what it saw alive since then is ``alive``, older sightings only make ``unknown``.
    Returns (proof, problems); problems are reasons the caller must refuse outright (a token of someone else).
    """
    events = merge(events)
    attestation = (attestation or '').strip() or None
    problems = []
    users = seen_users(events)
    if owner_id is None and len(users) > 1:
        problems.append('the tokens authenticate as %d different users (%s): give the user whose keys are proved'
                        % (len(users), ', '.join(_who(u) for u in users.values())))
    if owner_id is None and len(users) == 1:
        owner_id = next(iter(users))
    owner_id = _sid(owner_id)
    owner = users.get(owner_id) or {'id': owner_id, 'email': None}
    if owner.get('email') is None:
        owner = dict(owner, email=next((e['owner'].get('email') for e in events if e['kind'] != 'token_check'
                                        and (e.get('owner') or {}).get('id') == owner_id), None))
    owner_seen = owner_id is not None and owner_id in users

    # Every token: who it was seen as, and which key it is.
    tokens = {}
    for event in events:
        if event['kind'] != 'token_check':
            continue
        token = tokens.setdefault(event['fingerprint'], {'fingerprint': event['fingerprint'],
                                                         'last_four': event.get('last_four'), 'checks': []})
        token['checks'].append(event)
    for token in tokens.values():
        first_alive = next((c for c in token['checks'] if c.get('alive')), None)
        token['first'] = token['checks'][0]
        token['alive_as'] = first_alive
        token['key_id'] = None
        for check in token['checks']:
            if check.get('alive') and (check.get('user') or {}).get('id') == owner_id and check.get('key_id'):
                token['key_id'] = check['key_id']
                break
        if owner_id is not None:
            for check in token['checks']:
                user = check.get('user') or {}
                if check.get('alive') and user.get('id') != owner_id:
                    problems.append('token ...%s (%s) authenticates as %s, not as user %s, whose keys this proof is '
                                    'about' % (token['last_four'], token['fingerprint'],
                                               _who(user) if user.get('id') else 'a user the API did not name',
                                               owner_id))
                    break

    # Every key of the owner: from their own lists, else the inventory.
    keys = {}
    lists = [e for e in events if e['kind'] == 'key_list' and (e.get('owner') or {}).get('id') == owner_id
             and owner_id is not None]
    for listing in lists:
        for brief in listing['keys']:
            key = keys.setdefault(brief['id'], _Key(brief))
            key.name, key.last_four = brief.get('name'), brief.get('last_four')
    inventory_keys = _inventory_keys(inventory)
    for entry in inventory_keys:
        matches = [k for k in keys.values() if _same_key(k.view(), entry)]
        if len(matches) != 1:
            ident = entry['id'] or entry['source']
            keys.setdefault(ident, _Key(dict(entry, id=entry['id'] or entry['source'])))

    fp_label = dict((fp, '...%s' % t['last_four']) for fp, t in tokens.items())
    for listing in lists:
        via = fp_label.get(listing['via'], listing['via'])
        listed = dict((b['id'], b) for b in listing['keys'])
        for key in keys.values():
            brief = listed.get(key.id)
            where = "the owner's own key list at %s (read with their token %s)" % (listing['at'], via)
            if brief is None:
                if any(key.id in [b['id'] for b in earlier['keys']] for earlier in lists if earlier['at'] < listing['at']):
                    key.dead.append((listing['at'], 'no longer in %s: deleted' % where))
            elif brief['status'] == 'revoked':
                key.dead.append((listing['at'], 'listed as revoked in %s' % where))
            else:
                key.alive.append((listing['at'], 'listed %s in %s' % (
                    'active (expired, never revoked)' if brief.get('expired') else 'active', where)))
    for event in events:
        if event['kind'] != 'key_change' or (event.get('owner') or {}).get('id') != owner_id or event['key_id'] not in keys:
            continue
        key = keys[event['key_id']]
        if event.get('simulated'):
            key.simulated.append((event['at'], 'check mode: would be %s by this run' % event['action']))
        else:
            key.dead.append((event['at'], '%s by this collection as its owner at %s (the API confirmed it)'
                             % (event['action'], event['at'])))
    for token in tokens.values():
        key = keys.get(token['key_id'])
        if key is None:
            continue
        sighting = None
        for check in token['checks']:
            if check.get('alive'):
                sighting = check
                key.alive.append((check['at'], 'its token ...%s authenticated as %s at %s'
                                  % (token['last_four'], _who(owner), check['at'])))
            elif sighting is not None:
                key.dead.append((check['at'], 'its token ...%s authenticated as %s at %s, then failed with HTTP %s at '
                                 '%s' % (token['last_four'], _who(owner), sighting['at'], check.get('status'), check['at'])))

    views = []
    predicted = False
    for key in keys.values():
        view = key.view()
        last_alive = max(key.alive) if key.alive else None
        last_dead = max(key.dead) if key.dead else None
        if last_dead and (last_alive is None or last_dead[0] >= last_alive[0]):
            view.update(verdict='proved_dead', how=last_dead[1])
        elif key.simulated and not (last_alive and last_alive[0] > max(key.simulated)[0]):
            view.update(verdict='proved_dead', how=max(key.simulated)[1])
            predicted = True
        elif last_alive and since and last_alive[0] >= since:
            view.update(verdict='alive', how=last_alive[1])
        elif attestation:
            view.update(verdict='attested', how='attested: %s' % attestation)
        elif last_alive:
            view.update(verdict='unknown', how='%s; nothing since shows it dead' % last_alive[1])
        else:
            view.update(verdict='unknown', how="in the MSP's inventory; no token of it was seen authenticate")
        views.append(view)
    views.sort(key=lambda v: (v['id'] is None, str(v['id'])))

    predicted_dead = dict((v['id'], v['how']) for v in views if v['verdict'] == 'proved_dead' and v['how'].startswith('check mode'))
    token_views = []
    for token in tokens.values():
        alive_as = token['alive_as']
        last = token['checks'][-1]
        user = (alive_as or {}).get('user') or {}
        if alive_as is None:
            verdict = 'proves_nothing'
            how = ('dead when first seen at %s (revoked, expired or never existed): a dead token proves nothing about '
                   'whose key it was' % token['first']['at'])
        elif user.get('id') != owner_id:
            verdict, how = 'not_the_owner', 'authenticates as %s' % (_who(user) if user.get('id') else 'an unnamed user')
        elif last.get('alive') and predicted_dead.get(token['key_id']):
            verdict, how = 'proved_dead', 'key %s: %s' % (token['key_id'], predicted_dead[token['key_id']])
        elif last.get('alive') and (since is None or last['at'] >= since):
            verdict, how = 'alive', 'authenticated as %s at %s' % (_who(owner), last['at'])
        elif last.get('alive'):
            verdict, how = 'unknown', 'authenticated as %s at %s; not tried since' % (_who(owner), last['at'])
        elif token['key_id'] is None:
            verdict = 'proves_nothing'
            how = ('authenticated as %s but matched %s of their keys by its last four, then failed: which key died is '
                   'not known' % (_who(owner), len(alive_as.get('key_candidates') or []) or 'none'))
        else:
            verdict, how = 'proved_dead', 'key %s: seen authenticate, then fail' % token['key_id']
        token_views.append({'fingerprint': token['fingerprint'], 'last_four': token['last_four'], 'verdict': verdict,
                            'how': how})

    complete = bool(lists) or bool(inventory_keys)
    if lists:
        complete_how = "the owner's own key list, read %d time(s) with their live token" % len(lists)
    elif inventory_keys:
        complete_how = "the MSP's inventory of the owner's keys (%d)" % len(inventory_keys)
    else:
        complete_how = 'no key list: no token was seen authenticate as the owner, and no inventory was given'
    is_simulated = bool(simulated) or predicted
    dead = (owner_id is not None and complete and not problems and all(v['verdict'] in DEAD_VERDICTS for v in views)
            and (owner_seen or attestation is not None)
            and not any(t['verdict'] == 'alive' for t in token_views))
    proof = {'state': state, 'owner': owner, 'owner_seen': owner_seen, 'keys': views, 'tokens': token_views,
             'complete': complete, 'complete_how': complete_how, 'attestation': attestation, 'dead': dead,
             'simulated': is_simulated, 'checked': len(views),
             'counts': dict((verdict, sum(1 for v in views if v['verdict'] == verdict)) for verdict in VERDICTS)}
    proof['summary'] = summary(proof)
    return proof, problems


def summary(proof):
    """One line that reads right: what is proved about whose keys, and what is not."""
    owner = proof.get('owner') or {}
    who = _who(owner)
    views = proof.get('keys') or []
    by = dict((verdict, [v for v in views if v['verdict'] == verdict]) for verdict in VERDICTS)
    nothing = [t for t in proof.get('tokens') or [] if t['verdict'] == 'proves_nothing']
    prefix = 'check mode: ' if proof.get('simulated') else ''
    if not proof.get('owner_seen') and not views:
        tokens = '; '.join('token ...%s was %s' % (t['last_four'], t['how']) for t in nothing) or 'no token was given'
        return ('%sproves nothing about the keys of %s: no token was seen authenticate as them (%s)'
                % (prefix, who, tokens))
    parts = []
    if by['proved_dead'] and not by['attested']:
        parts.append('%d of %d keys of %s proved dead: %s' % (
            len(by['proved_dead']), len(views), who, ', '.join(_label(v) for v in by['proved_dead'])))
    elif by['proved_dead'] or by['attested']:
        parts.append('%d of %d keys of %s proved dead or attested: proved dead %s; attested %s' % (
            len(by['proved_dead']) + len(by['attested']), len(views), who,
            ', '.join(_label(v) for v in by['proved_dead']) or 'none', ', '.join(_label(v) for v in by['attested'])))
    else:
        parts.append('0 of %d keys of %s proved dead' % (len(views), who))
    if by['alive']:
        parts.append('ALIVE: %s' % ', '.join(_label(v) for v in by['alive']))
    if by['unknown']:
        parts.append('unknown (neither proved dead nor attested): %s' % ', '.join(_label(v) for v in by['unknown']))
    if not proof.get('complete'):
        parts.append('the key list is not complete (%s)' % proof.get('complete_how'))
    if nothing:
        parts.append('; '.join('token ...%s proves nothing (%s)' % (t['last_four'], t['how']) for t in nothing))
    return prefix + '; '.join(parts)


def is_proof(value):
    return isinstance(value, dict) and isinstance(value.get('keys'), list) and isinstance(value.get('owner'), dict) \
        and 'complete' in value


def refusals(proof, target_ids, check_mode):
    """Why a proof does not let a seat of one of target_ids go (empty: it does)."""
    if not is_proof(proof):
        return ['it is not a key proof of this collection (no owner, keys and complete): run msp.dnsfilter.api_key '
                'state=verified_dead or state=revoked all=true and pass its result']
    reasons = []
    owner = proof.get('owner') or {}
    target_ids = set(_sid(t) for t in target_ids if t is not None)
    if owner.get('id') is None:
        reasons.append('it names no owner: %s' % proof.get('summary', 'no token was seen authenticate'))
    elif _sid(owner['id']) not in target_ids:
        reasons.append('it is about the keys of %s, not of the user(s) being removed (user %s)'
                       % (_who(owner), ', '.join(sorted(target_ids)) or '?'))
    if not proof.get('complete'):
        reasons.append('its key list is not complete (%s)' % proof.get('complete_how', 'no key list'))
    if not proof.get('owner_seen') and not proof.get('attestation'):
        reasons.append('no token was seen authenticate as the owner and nothing is attested: it proves nothing')
    open_keys = [k for k in proof.get('keys') or [] if k.get('verdict') not in DEAD_VERDICTS]
    for verdict in ('alive', 'unknown'):
        named = [k for k in open_keys if k.get('verdict') == verdict]
        if named:
            reasons.append('%s: %s' % ('still alive' if verdict == 'alive' else 'unknown (neither proved dead nor attested)',
                                       ', '.join(_label(k) for k in named)))
    odd = [k for k in open_keys if k.get('verdict') not in ('alive', 'unknown')]
    if odd:
        reasons.append('keys without a verdict: %s' % ', '.join(_label(k) for k in odd))
    if any(t.get('verdict') == 'alive' for t in proof.get('tokens') or []):
        reasons.append('a token of the owner still authenticates')
    if proof.get('simulated') and not check_mode:
        reasons.append('it comes from check mode, so no key was revoked')
    return reasons


class Clock:
    """Observation times: UTC, to the microsecond, strictly increasing within one run (so order survives a sort)."""

    def __init__(self, now=None):
        self._now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._last = None

    def now(self):
        moment = self._now()
        if self._last is not None and moment <= self._last:
            moment = self._last + datetime.timedelta(microseconds=1)
        self._last = moment
        return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
