# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Dashboard access: organisation users, the caller, API keys and the proof that a user's keys are dead.

Shared by org_user_info, org_user, api_key_info, api_key, enterprise_connection_info and
enterprise_connection.
"""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._identity import FOLD, Ambiguous, folded, resolve
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import flatten, same_id
from ansible_collections.msp.dnsfilter.plugins.module_utils._keyproof import collect, refusals as keyproof_refusals

# The fields of an organisation user worth returning (the list also carries auth0_sub, feature_flags, ...).
USER_FIELDS = ('id', 'email', 'name', 'first_name', 'last_name', 'role', 'organization_permission_ids',
               'is_include_only_list', 'mfa_enabled', 'email_verified', 'last_sign_in_at')

# The roles that may change SSO (KB "Configure single sign-on": Super Admin or higher).
SSO_ROLES = ('owner', 'super_administrator')

# Where a result of msp.dnsfilter.api_key carries its proof (see api_key's RETURN).
PROOF_KEY = 'api_keys_proof'

# Scope options of the modules that act on one, several or all organisations.
SCOPE_SPEC = dict(
    organization_id=dict(type='int'),
    organization_ids=dict(type='list', elements='int'),
    all_organizations=dict(type='bool', default=False),
)
# all_organizations defaults to false, so it cannot take part in mutually_exclusive/required_one_of:
# scope_organizations() checks it.
SCOPE_EXCLUSIVE = [('organization_id', 'organization_ids')]


def norm_email(value):
    return folded(value)


def resolve_emails(mod, members, emails):
    """{typed e-mail: user id} for the e-mails that name a user; each must name exactly one user.

    members: {org id: [users]} as org_users() reads them. E-mails compare without regard to case, but two user ids
    whose e-mails differ only in case (or look alike) are two people: such an e-mail is refused, before any write,
    with every candidate and where each is a member.
    """
    where = {}
    people = {}
    for org_id, users in members.items():
        for user in users:
            people.setdefault(str(user['id']), user)
            where.setdefault(str(user['id']), []).append(str(org_id))
    found = {}
    for email in emails or []:
        try:
            user = resolve(email, list(people.values()), key=lambda u: u.get('email'), what='e-mail', mode=FOLD,
                           ident=lambda u: str(u['id']),
                           describe=lambda u: '%s (user id %s, member of %s)' % (u.get('email'), u['id'], ', '.join(where[str(u['id'])])))
        except Ambiguous as exc:
            mod.fail('%s Name the user by user_id instead. Nothing was changed.' % exc,
                     candidates=[{'id': str(u['id']), 'email': u.get('email'), 'organizations': where[str(u['id'])]}
                                 for u in exc.candidates])
        if user is not None:
            found[email] = str(user['id'])
    return found


def _items(body, key):
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return []
    if isinstance(body.get(key), list):
        return body[key]
    data = body.get('data')
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get(key), list):
        return data[key]
    return []


def _next_link(body):
    links = body.get('links') if isinstance(body, dict) else None
    return links.get('next') if isinstance(links, dict) else None


def read_list(client, path, params=None, key='data', missing_ok=False):
    """Every item of a list the description does not paginate (no page parameters are sent).

    A `links.next`, should the API ever send one, is followed; a page that adds nothing new ends the walk.
    """
    items = []
    seen = set()
    for dummy in range(1000):
        body = client.get(path, params=params, missing_ok=missing_ok)
        new = 0
        for item in _items(body, key):
            ident = None
            if isinstance(item, dict) and item.get('id') is not None:
                ident = '%s:%s' % (item.get('type', ''), item['id'])
            if ident is not None:
                if ident in seen:
                    continue
                seen.add(ident)
            new += 1
            items.append(item)
        path, params = _next_link(body), None
        if not path or not new:
            break
    return items


def org_users(client, org_id):
    """The dashboard users of one organisation with their role there.

    The live API answers {"users": [{id, email, role, ...}]} (recorded sample); the description also
    allows JSON:API resources. Both are read.
    """
    users = []
    for item in read_list(client, '/v1/organizations/%s/users' % org_id, key='users'):
        user = flatten(item)
        if isinstance(user, dict):
            users.append(dict((k, user.get(k)) for k in USER_FIELDS))
    return users


def user_summary(user):
    user = flatten(user or {}) or {}
    return {'id': None if user.get('id') is None else str(user.get('id')), 'email': user.get('email'),
            'name': user.get('name')}


def current_user(client):
    """The user the client's API key belongs to: id, email, name."""
    body = client.get('/v1/current_user') or {}
    return user_summary(body.get('data') if isinstance(body, dict) and 'data' in body else body)


def scope_organizations(mod, name=None, default_all=False):
    """[{id, name}] of the organisations the scope options name; fails (before any write) if one is not visible.

    organization_id / organization_ids: each is read by id (the API confirms the key can see it).
    all_organizations (or none of them, with default_all): every organisation the key's user can see
    (an MSP user: the MSP and its customers).
    """
    params = mod.params
    explicit = params.get('organization_id') is not None or bool(params.get('organization_ids'))
    if explicit and params.get('all_organizations'):
        mod.fail('all_organizations=true and organization_id/organization_ids are mutually exclusive: choose one scope.')
    if not explicit and not params.get('all_organizations') and not default_all:
        mod.fail('Say where to act: organization_id, organization_ids, or all_organizations=true.')
    if params.get('all_organizations') or not explicit:
        orgs = mod.organizations()
        return [{'id': str(o.get('id')), 'name': o.get('name')} for o in orgs]
    ids = []
    if params.get('organization_id') is not None:
        ids = [params['organization_id']]
    elif params.get('organization_ids'):
        ids = params['organization_ids']
    orgs = []
    for org_id in _unique(ids):
        org = mod.organization(org_id, name=name if len(ids) == 1 else None)
        orgs.append({'id': str(org.get('id') or org_id), 'name': org.get('name')})
    return orgs


def _unique(values):
    seen = set()
    out = []
    for value in values:
        if str(value) not in seen:
            seen.add(str(value))
            out.append(value)
    return out


def api_key_view(resource, expired_ids=()):
    """An API key without its token, with `expired` and `usable` (active and not expired)."""
    key = flatten(resource) or {}
    key = dict((k, v) for k, v in key.items() if k not in ('token', 'user_id:'))
    key['id'] = None if key.get('id') is None else str(key['id'])
    key['expired'] = key['id'] in expired_ids
    key['usable'] = key.get('status', 'active') == 'active' and not key['expired']
    return key


def list_api_keys(client):
    """The caller's API keys (no tokens).

    Whether a key has expired is asked of the API (its `expired` filter), not worked out from `expiry` with
    this host's clock: the API's clock is the one that decides whether a key still authenticates.
    """
    expired_ids = set(str(k.get('id')) for k in read_list(client, '/v1/api_keys', params={'expired': True}))
    return [api_key_view(k, expired_ids) for k in read_list(client, '/v1/api_keys')]


def proofs_from(value):
    """The results inside api_keys_checked_by: a registered result, a list of them, or a loop's `results`."""
    def is_result(item):
        return isinstance(item, dict) and (PROOF_KEY in item or not isinstance(item.get('results'), list))
    return collect(value, is_result, ('results',))


def check_key_proof(value, targets, check_mode):
    """Whether registered api_key results prove the target users' keys dead.

    A proof counts only if its owner's user id is one of the targets ({id, email}, the users about to lose a seat;
    the e-mail is not compared), its key list is complete and every key is proved dead or attested
    (see module_utils/_keyproof.py). Returns (ok, reasons, evidence).
    """
    reasons = []
    evidence = []
    results = proofs_from(value)
    if not results:
        return False, ['api_keys_checked_by holds no result of msp.dnsfilter.api_key'], evidence
    target_ids = [str(t.get('id')) for t in targets if t.get('id') is not None]
    covered = set()
    for index, result in enumerate(results):
        proof = result.get(PROOF_KEY)
        where = 'api_keys_checked_by result %d' % index
        if not isinstance(proof, dict):
            reasons.append('%s has no %s: it is not a result of msp.dnsfilter.api_key' % (where, PROOF_KEY))
            continue
        evidence.append(proof)
        if result.get('failed'):
            reasons.append('%s failed (%s)' % (where, result.get('msg') or proof.get('summary') or 'no message'))
        refused = keyproof_refusals(proof, target_ids, check_mode)
        if refused:
            reasons.append('%s (%s): %s' % (where, proof.get('summary', 'no summary'), '; '.join(refused)))
        else:
            covered.add(str((proof.get('owner') or {}).get('id')))
    missing = [i for i in target_ids if i not in covered]
    if missing and not reasons:
        reasons.append('no proof covers user %s' % ', '.join(missing))
    return not reasons, reasons, evidence


def same_user(user, email=None, user_id=None):
    return (email is not None and norm_email(user.get('email')) == norm_email(email)) or \
        (user_id is not None and same_id(user.get('id'), user_id))


def enterprise_connections(client, org_id):
    """The SSO (enterprise) connections of one organisation; a 404 is read as none."""
    conns = []
    for item in read_list(client, '/v1/enterprise_connections', params={'organization_id': org_id},
                          key='enterprise_connections', missing_ok=True):
        conn = flatten(item)
        if not isinstance(conn, dict):
            continue
        if conn.get('id') is None and isinstance(item, dict):
            conn['id'] = (item.get('attributes') or {}).get('id')
        conn['id'] = None if conn.get('id') is None else str(conn['id'])
        if conn.get('organization_id') is None:
            conn['organization_id'] = org_id
        conns.append(conn)
    return conns


def write_failed(mod, exc, done):
    """After a failed write: a 4xx means the API refused it, so only the writes before it changed anything."""
    if exc.status is not None and 400 <= exc.status < 500:
        mod.changed = bool(done)
