#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: org_user
short_description: Remove (or grant) a person's DNSFilter dashboard access across organisations, safely
version_added: 0.1.0
description:
  - Removes dashboard users from one organisation, a list of organisations, or every organisation the API key's user
    can see (with O(all_organizations=true), the MSP organisation and all its customers). A departing technician's
    access is removed in one task, not a loop.
  - With O(state=present), adds the users with O(role), or changes their role where it differs.
  - Removing a user removes the membership only; DNSFilter does not delete the user account.
  - "Safety: every organisation is read first and the task fails, with no write at all, if a change would remove or
    change the role of the API key's own user or of an account in O(protected_users), or would leave an organisation
    that has an owner without one. The owner rule is checked on the state after every change of the task: removing
    two owners of one organisation in one task is refused like removing its only one."
  - "Runbook order: API keys belong to their user and only that user can revoke them; owners and administrators
    cannot. Once the seat is gone, only the user or DNSFilter support can close that gap. So with
    O(require_api_keys_revoked=true) (the default) the module removes a seat only when O(api_keys_checked_by) proves
    the user's keys dead, or O(api_keys_attestation) records who confirmed it. The module cannot list another user's
    keys, so it checks the proof it is given, not the user's account."
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.actions
options:
  email:
    description:
      - The users, by email address (compared without regard to case, surrounding spaces aside).
      - Each address must name exactly one user. Two user ids whose addresses differ only in case, or look alike, are
        two people, and such an address fails the task before any write, listing both. Name them by O(user_id).
      - Memberships are then matched by user id, never by address.
      - One of O(email), O(user_id) and O(all_users=true) is required.
    type: list
    elements: str
    aliases: [emails]
  user_id:
    description:
      - The users, by id (see M(msp.dnsfilter.org_user_info)).
      - O(state=present) can add a user who is not yet a member only by O(email).
    type: list
    elements: int
    aliases: [user_ids]
  all_users:
    description:
      - With O(state=absent), every member of the organisation(s) except the API key's own user and the accounts in
        O(protected_users), which are kept and listed in RV(kept). A customer exit's "close access" in one task.
      - Mutually exclusive with O(email) and O(user_id).
    type: bool
    default: false
  state:
    description:
      - V(absent) removes the users' memberships in the organisations.
      - V(present) adds the users with O(role), or sets O(role) where they are members with another role.
      - Required, so that a task never removes anyone because an option was left out.
    type: str
    choices: [absent, present]
    required: true
  role:
    description:
      - The role for O(state=present).
      - The module never grants C(owner); ownership is transferred in the dashboard.
    type: str
    choices: [super_administrator, administrator, policies_only, read_only, technical, accountant,
              network_administrator, network_support, support]
  organization_id:
    description:
      - Act in this organisation.
      - One of O(organization_id), O(organization_ids) and O(all_organizations) is required.
    type: int
  organization_name:
    description:
      - A guard for O(organization_id); the task fails, before any change, unless that organisation has this name.
    type: str
  organization_ids:
    description:
      - Act in these organisations.
    type: list
    elements: int
  all_organizations:
    description:
      - Act in every organisation the API key's user can see. For an MSP user that is the MSP organisation and all its
        sub-organisations, which is what a departing technician's exit needs.
    type: bool
    default: false
  protected_users:
    description:
      - Email addresses that this task must never remove or change, for example the break-glass Super Admin on a shared
        mailbox. A matching change fails the task before any write.
    type: list
    elements: str
    default: []
  require_api_keys_revoked:
    description:
      - Refuse to remove a seat unless O(api_keys_checked_by) or O(api_keys_attestation) shows that the user's API keys
        are revoked, deleted or dead.
      - Set V(false) only for users known never to have had a key (for example a customer's read-only viewer).
    type: bool
    default: true
  api_keys_attestation:
    description:
      - "A record of who confirmed that the users' API keys are revoked, for the evidence trail, for example
        C(ticket 1234: Bob revoked his 2 keys on 2026-11-27). It is returned in RV(api_keys_gate)."
      - Satisfies O(require_api_keys_revoked) when O(api_keys_checked_by) is not set. To attest only the keys a proof
        leaves unknown, give the attestation to M(msp.dnsfilter.api_key) O(state=verified_dead) instead.
    type: str
  api_keys_checked_by:
    description:
      - The registered result of M(msp.dnsfilter.api_key) (or a list of such results, or a loop's result) that proves
        the keys of every user removed dead. Its RV(msp.dnsfilter.api_key#module:api_keys_proof) counts only when
      - "its C(owner.id) is the user id of the user removed (the e-mail is not compared: a look-alike address is another
        user);"
      - "its key list is C(complete) (the owner's own list, read with one of their live tokens, or the MSP's inventory);"
      - "every key is C(proved_dead) (a token seen authenticate as the owner and then fail, or the owner's own list
        showing it revoked or gone) or C(attested); a token that was dead when first seen proves nothing;"
      - "and the result did not fail and does not come from check mode (unless this task runs in check mode too)."
      - Otherwise the task fails with no change, naming the keys still alive or unknown.
      - When set, it must prove the keys dead even if O(api_keys_attestation) is also given.
    type: raw
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.org_user_info
  - module: msp.dnsfilter.api_key
notes:
  - The role names are those the live API returns; the API description lists fewer (C(administrator), C(read_only)).
'''

EXAMPLES = r'''
- name: The technician revokes their own keys (run with their key, before the seat goes)
  msp.dnsfilter.api_key:
    api_key: "{{ bob_api_key }}"
    state: revoked
    all: true
  register: bob_keys

- name: Remove the departing technician from the MSP and every customer, in one task
  msp.dnsfilter.org_user:
    email: bob@northwind.example
    all_organizations: true
    state: absent
    protected_users:
      - breakglass@northwind.example
    api_keys_checked_by: "{{ bob_keys }}"

- name: Remove a customer's leaver, with a ticket reference instead of a key proof
  msp.dnsfilter.org_user:
    email: [carol@contoso.example, dave@contoso.example]
    organization_id: 4000101
    organization_name: Contoso Dental
    state: absent
    api_keys_attestation: "PSA ticket 1234: Contoso IT confirmed on 2026-11-27 that neither user created API keys"

- name: Make the customer's contact read-only
  msp.dnsfilter.org_user:
    email: erin@contoso.example
    organization_id: 4000101
    state: present
    role: read_only
'''

RETURN = r'''
changes:
  description: The changes made (in check mode, the changes that would be made), one per user and organisation.
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: V(removed), V(added) or V(role_changed).
      type: str
    organization_id:
      description: The organisation.
      type: str
    organization_name:
      description: Its name.
      type: str
    user_id:
      description: The user (V(null) for a user added in check mode).
      type: str
    email:
      description: The user's email address.
      type: str
    role_before:
      description: The role before (V(null) when added).
      type: str
    role_after:
      description: The role after (V(null) when removed).
      type: str
  sample:
    - action: removed
      organization_id: "4000100"
      organization_name: Northwind MSP
      user_id: "5000042"
      email: bob@northwind.example
      role_before: administrator
      role_after: null
memberships:
  description: The users' memberships in the organisations read, after the change (predicted in check mode).
  returned: always
  type: list
  elements: dict
  sample:
    - organization_id: "4000101"
      organization_name: Contoso Dental
      user_id: "5000077"
      email: erin@contoso.example
      role: read_only
api_keys_gate:
  description:
    - How O(require_api_keys_revoked) was satisfied, for the evidence trail.
    - C(satisfied_by) is V(api_keys_checked_by), V(attestation), V(not_required) or V(nothing_removed).
  returned: always
  type: dict
  sample:
    satisfied_by: api_keys_checked_by
    attestation: null
    evidence:
      - dead: true
        state: verified_dead
        owner: {id: "5000042", email: bob@northwind.example}
        owner_seen: true
        complete: true
        keys:
          - {id: "1618", name: PSA sync, last_four: R9Nc, verdict: proved_dead, how: "its token ...R9Nc authenticated as ..., then failed with HTTP 401 at ..."}
        simulated: false
        summary: "1 of 1 keys of bob@northwind.example (user 5000042) proved dead: 1618 'PSA sync' (last four R9Nc)"
not_found:
  description:
    - The emails and user ids given that are a member of none of the organisations read (nothing to do for them; a
      warning names each, so that a typo does not pass as "already absent").
  returned: always
  type: list
  elements: str
  sample: [bob@northwind.exmaple]
refusals:
  description: Why the task refused to change anything (the API key's own user, an only owner, a protected account).
  returned: when a safety check failed
  type: list
  elements: str
  sample: ["will not remove owner@northwind.example in 'Northwind MSP' (4000100): it is the only owner of the organisation"]
planned_changes:
  description: The changes the task would have made, in the format of RV(changes).
  returned: when the task failed after planning
  type: list
  elements: dict
changes_made:
  description: With O(state=present), the changes made before a write failed, in the format of RV(changes).
  returned: when a write failed
  type: list
  elements: dict
removed_before_failure:
  description: With O(state=absent), the removals made before a write failed, in the format of RV(changes).
  returned: when a write failed
  type: list
  elements: dict
kept:
  description: With O(all_users=true), the members left in place and why (the caller, a protected account).
  returned: when O(all_users=true)
  type: list
  elements: dict
  sample:
    - id: "5000003"
      email: breakglass@northwind.example
      name: Break Glass
      reason: in protected_users
caller:
  description: The API key's own user (id, email, name), read when a membership is removed or changed.
  returned: when a membership is removed or changed
  type: dict
  sample:
    id: "5000001"
    email: automation@northwind.example
    name: Northwind Automation
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import (
    SCOPE_EXCLUSIVE, SCOPE_SPEC, check_key_proof, current_user, norm_email, org_users, resolve_emails, same_user,
    scope_organizations, user_summary, write_failed)
from ansible_collections.msp.dnsfilter.plugins.module_utils._journal import gone, subject
from ansible_collections.msp.dnsfilter.plugins.module_utils._removal import Removal

REMOVE = 'remove dashboard user from organisation'
SAFE = 'the after-state keeps an owner; not the caller, not a protected account'
KEYS_WHY = {
    'api_keys_checked_by': 'owner keys proved dead',
    'attestation': 'revocation of their API keys attested',
    'not_required': 'no API key check required (require_api_keys_revoked=false)',
    'nothing_removed': 'nothing removed',
}


def membership_path(org_id, user_id):
    return '/v1/organizations/%s/users/%s' % (org_id, user_id)


def member_subjects(org_id, user_id, email):
    return [subject('dashboard_user', user_id, email), subject('organization', org_id)]


def removal_why(gate):
    return '%s; %s' % (KEYS_WHY.get((gate or {}).get('satisfied_by'), 'API keys gate passed'), SAFE)


def _membership(org, user, role):
    return {'organization_id': org['id'], 'organization_name': org['name'],
            'user_id': None if user.get('id') is None else str(user['id']), 'email': user.get('email'), 'role': role}


def _who(change):
    who = change['email'] or 'user %s' % change['user_id']
    return '%s in %r (%s)' % (who, change['organization_name'], change['organization_id'])


def plan_changes(mod, orgs, members):
    """(changes, before, after, problems): what to do in each organisation, from its current members.

    E-mails are resolved to user ids first (_access.resolve_emails: one e-mail, one user, or a refusal); memberships
    are then matched by user id only, so a case twin of the e-mail is never touched.
    """
    params = mod.params
    emails = list(dict((norm_email(e), e.strip()) for e in params['email'] or []).values())
    resolved = resolve_emails(mod, members, emails)
    wanted = set(resolved.values()) | set(str(i) for i in params['user_id'] or [])
    state = params['state']
    changes, before, after, problems = [], [], [], []
    for org in orgs:
        chosen = [u for u in members[org['id']] if str(u['id']) in wanted]
        for user in chosen:
            before.append(_membership(org, user, user.get('role')))
            if state == 'absent':
                changes.append(dict(action='removed', role_before=user.get('role'), role_after=None,
                                    **_ids(org, user)))
                continue
            after.append(_membership(org, user, params['role']))
            if user.get('role') != params['role']:
                changes.append(dict(action='role_changed', role_before=user.get('role'), role_after=params['role'],
                                    **_ids(org, user)))
        if state == 'present':
            members_here = set(str(u['id']) for u in chosen)
            for email in emails:
                if resolved.get(email) not in members_here:
                    new = {'id': None, 'email': email.strip()}
                    after.append(_membership(org, new, params['role']))
                    changes.append(dict(action='added', role_before=None, role_after=params['role'], **_ids(org, new)))
            for user_id in params['user_id'] or []:
                if str(user_id) not in members_here:
                    problems.append('user %s is not a member of %r (%s), and the API adds users only by email: give email'
                                    % (user_id, org['name'], org['id']))
    return changes, before, after, problems, resolved


def _ids(org, user):
    return {'organization_id': org['id'], 'organization_name': org['name'],
            'user_id': None if user.get('id') is None else str(user['id']), 'email': user.get('email')}


def after_state(members, changes):
    """{org id: [members as they will be]}: the removals and role changes applied."""
    out = {}
    for org_id, users in members.items():
        mine = [c for c in changes if c['organization_id'] == org_id and c['action'] != 'added']
        kept = []
        for user in users:
            change = next((c for c in mine if c['user_id'] == str(user['id'])), None)
            if change is None:
                kept.append(user)
            elif change['action'] == 'role_changed':
                kept.append(dict(user, role=change['role_after']))
        out[org_id] = kept
    return out


def safety_refusals(changes, members, caller, protected, names=None):
    """Why the change must not be made: the caller, a protected account, or an organisation left without an owner.

    The owner rule is checked on the state AFTER every change of the task, so removing two owners of one
    organisation in one task is refused like removing its only one.
    """
    refusals = []
    protected = set(norm_email(p) for p in protected)
    for change in changes:
        if change['action'] == 'added':
            continue
        verb = 'remove' if change['action'] == 'removed' else 'change the role of'
        if same_user(caller, user_id=change['user_id']) or (caller.get('id') is None and same_user(caller, email=change['email'])):
            refusals.append('will not %s %s: it is the API key\'s own user, and the task would lock itself out'
                            % (verb, _who(change)))
        if norm_email(change['email']) in protected:
            refusals.append('will not %s %s: the account is in protected_users' % (verb, _who(change)))
    after = after_state(members, changes)
    for org_id, users in members.items():
        had_owner = [u for u in users if u.get('role') == 'owner']
        if had_owner and not any(u.get('role') == 'owner' for u in after[org_id]):
            lost = ' and '.join('%s %s' % ('remove' if c['action'] == 'removed' else 'change the role of', c['email'] or c['user_id'])
                                for c in changes if c['organization_id'] == org_id and c['role_before'] == 'owner')
            refusals.append('will not %s: %r (%s) would be left without an owner (transfer ownership in the dashboard first)'
                            % (lost, (names or {}).get(org_id, org_id), org_id))
    return refusals


def api_keys_gate(mod, changes):
    params = mod.params
    removed = [c for c in changes if c['action'] == 'removed']
    attestation = (params['api_keys_attestation'] or '').strip() or None
    gate = {'satisfied_by': 'nothing_removed', 'attestation': attestation, 'evidence': []}
    if not removed:
        return gate
    if not params['require_api_keys_revoked']:
        gate['satisfied_by'] = 'not_required'
        return gate
    # By user id: a proof about a look-alike e-mail is a proof about another user.
    targets = dict((c['user_id'], {'id': c['user_id'], 'email': c['email']}) for c in removed)
    names = ', '.join(sorted(set('%s (user %s)' % (c['email'], c['user_id']) for c in removed)))
    if params['api_keys_checked_by'] is not None:
        ok, reasons, evidence = check_key_proof(params['api_keys_checked_by'], list(targets.values()), mod.check_mode)
        if not ok:
            mod.fail('Refusing to remove %s (no change was made): api_keys_checked_by does not prove their API keys '
                     'dead: %s.' % (names, '; '.join(reasons)), planned_changes=changes, api_keys_evidence=evidence)
        gate.update(satisfied_by='api_keys_checked_by', evidence=evidence)
        return gate
    if attestation:
        gate['satisfied_by'] = 'attestation'
        return gate
    mod.fail('Refusing to remove %s from %d membership(s) (no change was made): API keys belong to their user and only '
             'that user can revoke them, so remove the seat after the keys are revoked (runbook: "ask key owners to '
             'revoke or delete keys before you remove their dashboard seat"). Pass api_keys_checked_by (the registered '
             'result of msp.dnsfilter.api_key proving the keys dead) or api_keys_attestation (who confirmed it, e.g. '
             'the ticket), or set require_api_keys_revoked=false for a user who never had a key.'
             % (names, len(removed)), planned_changes=changes)
    return gate


def apply(mod, changes, gate=None):
    role = mod.params['role']
    done = []
    for change in changes:
        path = '/v1/organizations/%s/users' % change['organization_id']
        one = membership_path(change['organization_id'], change['user_id'])
        subjects = member_subjects(change['organization_id'], change['user_id'], change['email'])
        try:
            if change['action'] == 'removed':
                mod.write('DELETE', one, missing_ok=True, action=REMOVE, subjects=subjects, why=removal_why(gate),
                          verify=gone(one))
            elif change['action'] == 'role_changed':
                mod.write('PATCH', one, body={'user': {'role': role}}, action='change dashboard user role to %s' % role,
                          subjects=subjects, why=SAFE, verify={'path': one, 'field': 'role', 'in': [role]})
            else:
                # A new member's id is known only from the answer: nothing to read back on resume (the re-run finds it).
                answer = mod.write('POST', path, body={'user': {'email': change['email'], 'role': role}},
                                   action='invite dashboard user to organisation as %s' % role, subjects=subjects,
                                   why='asked for (state=present)', verify=None)
                new_id = _created_id(answer)
                if new_id is not None:
                    change['user_id'] = new_id
        except DNSFilterError as exc:
            write_failed(mod, exc, done)
            mod.fail('%s Changes made before it: %d of %d (see changes_made); run the task again to finish, it reads '
                     'the current state first.' % (exc.message, len(done), len(changes)),
                     status=exc.status, changes_made=done, planned_changes=changes)
        done.append(change)


def _created_id(answer):
    if not isinstance(answer, dict):
        return None
    for key in ('user', 'data'):
        if isinstance(answer.get(key), dict) and answer[key].get('id') is not None:
            return str(answer[key]['id'])
    return None if answer.get('id') is None else str(answer['id'])


def everyone_but_the_kept(mod, members, caller):
    """For all_users: every member's id except the caller and the protected accounts (listed in `kept`)."""
    protected = set(norm_email(p) for p in mod.params['protected_users'])
    wanted, kept = set(), {}
    for users in members.values():
        for user in users:
            if same_user(caller, user_id=user['id']):
                kept[str(user['id'])] = dict(user_summary(user), reason="the API key's own user")
            elif norm_email(user.get('email')) in protected:
                kept[str(user['id'])] = dict(user_summary(user), reason='in protected_users')
            else:
                wanted.add(str(user['id']))
    return sorted(wanted), list(kept.values())


def remove_memberships(mod, changes, members, orgs, gate=None):
    """state=absent: the removals through the one removal engine, then re-read to prove them."""
    everything = [dict(u, organization_id=org_id) for org_id, users in members.items() for u in users]
    removal = Removal(mod, 'membership', everything, key=lambda m: (str(m['organization_id']), str(m['id'])),
                      label=lambda m: '%s in %s' % (m.get('email') or m['id'], m['organization_id']))
    doomed = set((c['organization_id'], c['user_id']) for c in changes if c['action'] == 'removed')
    removal.choose([m for m in everything if removal.key(m) in doomed])
    removal.plan()
    by_key = dict(((c['organization_id'], c['user_id']), c) for c in changes)
    removal.apply(one=lambda m: mod.write('DELETE', membership_path(m['organization_id'], m['id']), missing_ok=True,
                                          action=REMOVE, subjects=member_subjects(m['organization_id'], m['id'], m.get('email')),
                                          why=removal_why(gate), verify=gone(membership_path(m['organization_id'], m['id']))),
                  summary=lambda m: by_key[removal.key(m)])
    removal.verify(lambda: [dict(u, organization_id=o['id']) for o in orgs if any(c['organization_id'] == o['id'] for c in changes)
                            for u in org_users(mod.client, o['id'])])


def main_logic(mod):
    params = mod.params
    if not params['email'] and not params['user_id'] and not params['all_users']:
        mod.fail('Name the users: email, user_id, or all_users=true (all are empty).')
    if params['all_users'] and (params['email'] or params['user_id'] or params['state'] != 'absent'):
        mod.fail('all_users=true removes every member but the caller and protected_users; it goes with state=absent only, '
                 'and not with email or user_id.')
    orgs = scope_organizations(mod, name=params['organization_name'])
    members = dict((org['id'], org_users(mod.client, org['id'])) for org in orgs)
    result = {}
    if params['all_users']:
        caller = current_user(mod.client)
        params['user_id'], result['kept'] = everyone_but_the_kept(mod, members, caller)
    changes, before, after, problems, resolved = plan_changes(mod, orgs, members)
    if problems:
        mod.fail('No change was made: %s.' % '; '.join(problems))

    if any(c['action'] != 'added' for c in changes):
        caller = current_user(mod.client)
        result['caller'] = caller
        refusals = safety_refusals(changes, members, caller, params['protected_users'],
                                   names=dict((o['id'], o['name']) for o in orgs))
        if refusals:
            mod.fail('Refusing to change anything (no write was made): %s.' % '; '.join(refusals),
                     refusals=refusals, planned_changes=changes)
    result['api_keys_gate'] = api_keys_gate(mod, changes)

    seen = before + [c for c in changes if c['action'] == 'added']
    not_found = [e for e in params['email'] or [] if e.strip() not in resolved and not any(
        c['action'] == 'added' and norm_email(c['email']) == norm_email(e) for c in changes)]
    not_found += [str(i) for i in params['user_id'] or [] if not any(same_user({'id': m['user_id']}, user_id=i) for m in seen)]
    for value in not_found:
        mod.warnings.append('%s is a member of none of the %d organisation(s) read; nothing to do for it.' % (value, len(orgs)))
    result['not_found'] = not_found

    if params['state'] == 'absent':
        remove_memberships(mod, changes, members, orgs, result['api_keys_gate'])
        after = []
    else:
        apply(mod, changes, result['api_keys_gate'])
        ids = dict(((c['organization_id'], norm_email(c['email'])), c['user_id']) for c in changes if c['action'] == 'added')
        for membership in after:
            if membership['user_id'] is None:
                membership['user_id'] = ids.get((membership['organization_id'], norm_email(membership['email'])))
    mod.exit(changes=changes, memberships=after, diff={'before': {'memberships': before}, 'after': {'memberships': after}},
             **result)


def main():
    spec = dict(SCOPE_SPEC)
    spec.update(
        email=dict(type='list', elements='str', aliases=['emails']),
        user_id=dict(type='list', elements='int', aliases=['user_ids']),
        all_users=dict(type='bool', default=False),
        state=dict(type='str', choices=['absent', 'present'], required=True),
        role=dict(type='str', choices=['super_administrator', 'administrator', 'policies_only', 'read_only', 'technical',
                                       'accountant', 'network_administrator', 'network_support', 'support']),
        organization_name=dict(type='str'),
        protected_users=dict(type='list', elements='str', default=[]),
        require_api_keys_revoked=dict(type='bool', default=True),
        api_keys_attestation=dict(type='str', no_log=False),
        api_keys_checked_by=dict(type='raw', no_log=False),
    )
    mod = DNSFilterModule(
        argument_spec=spec,
        mutually_exclusive=SCOPE_EXCLUSIVE,
        required_if=[('state', 'present', ('role',))],
        required_by={'organization_name': 'organization_id'},
    )
    mod.run(main_logic)


if __name__ == '__main__':
    main()
