#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: org_user_info
short_description: List DNSFilter dashboard users and their roles, per organisation
version_added: 0.1.0
description:
  - Returns the dashboard users (people who sign in to the DNSFilter dashboard) of one organisation, a list of
    organisations, or every organisation the API key's user can see, with the role each holds in each of them.
  - The result is grouped by user (RV(users)), so a leaver's access across an MSP and all its customers is one list.
  - These are dashboard users, not the C(Users) under Deployments that Roaming Clients report.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_id:
    description:
      - Only this organisation.
    type: int
  organization_ids:
    description:
      - Only these organisations.
    type: list
    elements: int
  all_organizations:
    description:
      - Every organisation the API key's user can see; for an MSP user, the MSP organisation and all its
        sub-organisations.
      - This is also what happens when none of O(organization_id), O(organization_ids) and O(all_organizations) is set.
    type: bool
    default: false
  email:
    description:
      - Only the users with these email addresses (compared without regard to case, surrounding spaces aside).
      - Each must name exactly one user. Two users whose addresses differ only in case, or look alike, are two
        people. Such an address fails and lists both; name them by O(user_id).
    type: list
    elements: str
    aliases: [emails]
  user_id:
    description:
      - Only the users with these ids.
    type: list
    elements: int
    aliases: [user_ids]
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
seealso:
  - module: msp.dnsfilter.org_user
'''

EXAMPLES = r'''
- name: Where does the departing technician have dashboard access?
  msp.dnsfilter.org_user_info:
    all_organizations: true
    email: bob@northwind.example
  register: bob_access

- name: Who can sign in to the exiting customer's dashboard?
  msp.dnsfilter.org_user_info:
    organization_id: 4000101
  register: contoso_users
'''

RETURN = r'''
users:
  description:
    - The users found, each with the organisations it is a member of (within the organisations read) and its role there.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The user's id.
      type: str
      sample: "5000042"
    email:
      description: The user's email address.
      type: str
      sample: bob@northwind.example
    name:
      description: The user's name.
      type: str
      sample: Bob Jones
    mfa_enabled:
      description: Whether the user has multi-factor authentication.
      type: bool
    last_sign_in_at:
      description: The user's last dashboard sign-in.
      type: str
    organizations:
      description: The user's memberships.
      type: list
      elements: dict
      contains:
        id:
          description: The organisation's id.
          type: str
        name:
          description: The organisation's name.
          type: str
        role:
          description: The user's role there (for example C(owner), C(super_administrator), C(administrator), C(read_only)).
          type: str
        organization_permission_ids:
          description: For an MSP membership, the sub-organisations the user is limited to or excluded from.
          type: list
          elements: int
        is_include_only_list:
          description: V(true) if the user may see only RV(users[].organizations[].organization_permission_ids), V(false) if they are excluded.
          type: bool
  sample:
    - id: "5000042"
      email: bob@northwind.example
      name: Bob Jones
      mfa_enabled: true
      last_sign_in_at: "2026-11-20T09:12:00.000-05:00"
      organizations:
        - id: "4000100"
          name: Northwind MSP
          role: administrator
          organization_permission_ids: []
          is_include_only_list: false
organizations:
  description: The organisations that were read (id and name).
  returned: always
  type: list
  elements: dict
  sample:
    - id: "4000100"
      name: Northwind MSP
not_found:
  description: The requested emails and user ids that are a member of none of the organisations read.
  returned: always
  type: list
  elements: str
  sample: [carol@northwind.example]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._access import (
    SCOPE_EXCLUSIVE, SCOPE_SPEC, norm_email, org_users, resolve_emails, same_user, scope_organizations)


def main_logic(mod):
    params = mod.params
    emails = params['email'] or []
    user_ids = params['user_id'] or []
    filtered = bool(emails or user_ids)
    orgs = scope_organizations(mod, default_all=True)
    members = dict((org['id'], org_users(mod.client, org['id'])) for org in orgs)
    resolved = resolve_emails(mod, members, emails)
    wanted = set(resolved.values()) | set(str(i) for i in user_ids)

    by_user = {}
    for org in orgs:
        for user in members[org['id']]:
            if filtered and str(user['id']) not in wanted:
                continue
            entry = by_user.setdefault(str(user['id']), {
                'id': str(user['id']), 'email': user.get('email'), 'name': user.get('name'),
                'mfa_enabled': user.get('mfa_enabled'), 'last_sign_in_at': user.get('last_sign_in_at'),
                'organizations': []})
            entry['organizations'].append({
                'id': org['id'], 'name': org['name'], 'role': user.get('role'),
                'organization_permission_ids': user.get('organization_permission_ids') or [],
                'is_include_only_list': bool(user.get('is_include_only_list'))})

    users = sorted(by_user.values(), key=lambda u: (norm_email(u['email']), u['id']))
    not_found = [e for e in emails if e not in resolved]
    not_found += [str(i) for i in user_ids if not any(same_user(u, user_id=i) for u in users)]
    mod.exit(users=users, organizations=orgs, not_found=not_found)


def main():
    spec = dict(SCOPE_SPEC)
    spec.update(
        email=dict(type='list', elements='str', aliases=['emails']),
        user_id=dict(type='list', elements='int', aliases=['user_ids']),
    )
    mod = DNSFilterModule(argument_spec=spec, mutually_exclusive=SCOPE_EXCLUSIVE)
    mod.run(main_logic)


if __name__ == '__main__':
    main()
