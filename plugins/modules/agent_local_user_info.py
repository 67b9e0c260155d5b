#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: agent_local_user_info
short_description: List the Users that DNSFilter Roaming Clients reported (Deployments > Users)
version_added: 0.1.0
description:
  - Returns the agent-local Users of one or more organisations, as Deployments > Users shows them. A Roaming Client
    reports the user logged in on its device; the AD Sync Tool can add them too.
  - Groups the records that belong to one person (see O(duplicate_key)) so a playbook can show duplicates before it
    removes them with M(msp.dnsfilter.agent_local_user).
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_ids:
    description: The organisations whose Users to list.
    type: list
    elements: int
    required: true
  user_logins:
    description: Only these logins (for example V(CONTOSO\\jdoe)), compared without regard to case.
    type: list
    elements: str
  account_names:
    description:
      - Only these people, by account name (the login without its domain or host, so V(jdoe) matches
        V(CONTOSO\\jdoe), V(DESK-07\\jdoe) and V(jdoe@contoso.example)).
    type: list
    elements: str
  last_seen_before:
    description: Only Users last seen before this date or time (ISO 8601, UTC if no zone is given).
    type: str
  duplicate_key:
    description:
      - What makes two records the same person, for RV(duplicates).
      - V(account_name) is the login without its domain or host; V(user_name) is the name the agent reported.
    type: str
    choices: [account_name, user_name]
    default: account_name
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Show jdoe's records in Contoso
  msp.dnsfilter.agent_local_user_info:
    organization_ids: [4000101]
    account_names: [jdoe]
  register: jdoe
'''

RETURN = r'''
users:
  description: The Users found, each with C(organization_id) and C(account_name) added.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "7001"
      user_login: CONTOSO\jdoe
      account_name: jdoe
      last_seen: "2026-11-20T09:12:00Z"
      organization_id: 4000101
duplicates:
  description:
    - The people with more than one record, keyed by organisation and O(duplicate_key); the first record of each list is
      the one M(msp.dnsfilter.agent_local_user) keeps (newest C(last_seen), then newest C(first_seen), then highest id).
  returned: always
  type: dict
  sample:
    "4000101/jdoe":
      - {id: "7001", user_login: CONTOSO\jdoe, last_seen: "2026-11-20T09:12:00Z"}
      - {id: "7002", user_login: DESK-07\jdoe, last_seen: "2026-10-02T17:40:00Z"}
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._users import ALU_FILTER_SPEC, find_duplicates, list_users


def main_logic(mod):
    users = list_users(mod)
    mod.exit(users=users, duplicates=find_duplicates(users, mod.params['duplicate_key']))


def main():
    spec = dict(ALU_FILTER_SPEC)
    spec['duplicate_key'] = dict(type='str', choices=['account_name', 'user_name'], default='account_name')
    DNSFilterModule(argument_spec=spec).run(main_logic)


if __name__ == '__main__':
    main()
