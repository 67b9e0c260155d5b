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
    reports the account logged in on its device; the AD Sync Tool can add them too.
  - Shows which records are one account (C(identity) in RV(users)) and groups the duplicates (see O(duplicate_key)), so a
    playbook can record them before it removes any with M(msp.dnsfilter.agent_local_user).
  - Lists whatever the filters match and refuses nothing; M(msp.dnsfilter.agent_local_user) is the one that refuses a
    typed name of more than one account.
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
    description:
      - Only these full logins (for example V(CONTOSO\\jdoe)), compared as Windows compares logins - in any case,
        surrounding spaces ignored, Unicode-normalised (NFC).
    type: list
    elements: str
  account_names:
    description:
      - Only these account names (the login without its domain or host, so V(jdoe) matches V(CONTOSO\\jdoe),
        V(DESK-07\\jdoe) and V(jdoe@contoso.example), which may be different accounts). Entries add up with
        O(user_logins).
    type: list
    elements: str
  last_seen_before:
    description: Only Users last seen before this date or time (ISO 8601, UTC if no zone is given).
    type: str
  duplicate_key:
    description:
      - What makes two records duplicates, for RV(duplicates).
      - V(identity) - one account - the same SID (C(user_remote_id)), or without a SID the same full login on the same
        roaming clients.
      - V(account_name) (the login without its domain or host) and V(user_name) (the name the agent reported) are
        looser and group different accounts.
    type: str
    choices: [identity, account_name, user_name]
    default: identity
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Show the records of jdoe's accounts in Contoso
  msp.dnsfilter.agent_local_user_info:
    organization_ids: [4000101]
    account_names: [jdoe]
  register: jdoe
'''

RETURN = r'''
users:
  description:
    - The Users found, each with C(organization_id), C(account_name) and C(identity) (the account it belongs to, as
      V(SID S-1-5-...), V(no SID, login X on HOST) or V(no SID, login X (record N))) added.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "7001"
      user_login: CONTOSO\jdoe
      user_remote_id: S-1-5-21-3623811015-3361044348-30300820-1104
      account_name: jdoe
      identity: SID S-1-5-21-3623811015-3361044348-30300820-1104
      last_seen: "2026-11-20T09:12:00Z"
      organization_id: 4000101
duplicates:
  description:
    - The accounts with more than one record, keyed by organisation and account (by O(duplicate_key)), for every group
      that has a record among RV(users); the first record of each list is the one M(msp.dnsfilter.agent_local_user)
      keeps (newest C(last_seen), then newest C(first_seen), then highest id).
  returned: always
  type: dict
  sample:
    "4000101/SID S-1-5-21-3623811015-3361044348-30300820-1104":
      - {id: "7001", user_login: CONTOSO\jdoe, last_seen: "2026-11-20T09:12:00Z"}
      - {id: "7002", user_login: contoso\JDoe, last_seen: "2026-10-02T17:40:00Z"}
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._users import (
    ALU_FILTER_SPEC, account_label, devices_needed, duplicates_by_label, name_problems, read_devices, read_users, select)


def main_logic(mod):
    params = dict(mod.params, match='all_accounts', ids=None)
    problems = name_problems(params, one_organization=False)
    if problems:
        mod.fail(' '.join(problems))
    users = read_users(mod.client, params['organization_ids'])
    wanted = devices_needed(users, params, for_selection=False, for_duplicates=True)
    devices, hostnames = read_devices(mod.client, users, wanted) if wanted else ({}, {})
    for user in users:
        user['identity'] = account_label(user, devices, hostnames)
    if any(params.get(k) for k in ('user_logins', 'account_names', 'last_seen_before')):
        chosen = select(users, params, devices, hostnames)[0]
        shown = [u for u in users if str(u.get('id')) in chosen]
    else:
        shown = users
    mod.exit(users=shown, duplicates=duplicates_by_label(users, shown, params['duplicate_key'], devices, hostnames))


def main():
    DNSFilterModule(argument_spec=dict(ALU_FILTER_SPEC)).run(main_logic)


if __name__ == '__main__':
    main()
