#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: mdm_profile_scope
short_description: Take a Mac out of the scope of the MDM profiles that deliver DNSFilter
version_added: 0.1.0
description:
  - A configuration profile installed by MDM (with C(PayloadRemovalDisallowed)) cannot be removed on the Mac, not even
    by root; only the MDM server can remove it. This module asks the MDM to take one device out of the profiles' scope,
    after which the MDM sends Apple's C(RemoveProfile) command and the profile leaves the Mac at its next check-in.
  - "Jamf Pro: the computer is added to the profile's scope exclusions (O(method=exclude)), or removed from the static
    group the profile is scoped to (O(method=group); this also affects every other policy scoped to that group)."
  - "Microsoft Intune: the device's Entra object joins O(exclusion_group_id), a group the profiles already exclude."
  - "Kandji: the device moves to O(target_blueprint_id); Kandji scopes library items to blueprints, not devices."
  - "JumpCloud: the policy that carries the profile is unbound from the system."
  - Only the Jamf Pro path is exercised against a simulator in this collection's tests; the others follow the vendors'
    documented endpoints (see docs/hosts.md).
options:
  provider:
    description: The MDM that installed the profiles.
    type: str
    required: true
    choices: [jamf, intune, kandji, jumpcloud]
  url:
    description:
      - The MDM's base URL, for example C(https://example.jamfcloud.com) or C(https://api.example.kandji.io).
      - Defaults to C(https://graph.microsoft.com) for Intune and C(https://console.jumpcloud.com) for JumpCloud.
    type: str
  username:
    description: Jamf Pro account traded for an API token (with O(password)).
    type: str
  password:
    description: Password of O(username).
    type: str
  token:
    description:
      - Bearer token (Jamf Pro API token, Graph access token, Kandji API token) or JumpCloud API key.
      - Falls back to the environment variable E(MDM_API_TOKEN).
    type: str
  device_serial:
    description: Serial number of the Mac.
    type: str
    required: true
  profiles:
    description:
      - Profiles to take the device out of, by payload identifier or by name. A profile the MDM does not deliver to
        the device is reported in RV(not_delivered) and changes nothing.
      - For Kandji the device's blueprint stands for every profile, so any value moves the device.
    type: list
    elements: str
    required: true
  method:
    description: Jamf Pro only. V(exclude) adds a scope exclusion; V(group) removes the computer from the static group.
    type: str
    choices: [exclude, group]
    default: exclude
  exclusion_group_id:
    description: Intune only. The Entra group the DNSFilter profiles' assignments exclude.
    type: str
  target_blueprint_id:
    description: Kandji only. A blueprint without the DNSFilter profiles.
    type: str
  validate_certs:
    description: Verify the MDM's TLS certificate.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each call.
    type: int
    default: 30
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without modifying the MDM.
    support: full
    details: In check mode the module reads the scope and reports the changes it would make.
  diff_mode:
    description: Returns details on what has changed, when in diff mode.
    support: none
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: full
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Take the Mac out of the DNSFilter profiles in Jamf Pro
  msp.dnsfilter.mdm_profile_scope:
    provider: jamf
    url: https://example.jamfcloud.com
    username: api-offboarding
    password: "{{ vault_jamf_password }}"
    device_serial: C02XK1ABCDEF
    profiles:
      - com.dnsfilter.systemextension
      - com.dnsfilter.networkproxy
  delegate_to: localhost
'''

RETURN = r'''
device:
  description: The device as the MDM knows it.
  returned: always
  type: dict
  sample: {id: 17, name: MAC-MDM-01}
changes:
  description: What was (or, in check mode, would be) changed, one entry per profile.
  returned: always
  type: list
  elements: dict
  sample:
    - profile: com.dnsfilter.networkproxy
      profile_id: 2
      change: exclude computer 17 from profile 2
already_out:
  description: Profiles the device is delivered by the MDM but already taken out of (nothing to change).
  returned: always
  type: list
  elements: str
not_delivered:
  description: Requested profiles the MDM does not deliver to this device.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm import PROVIDERS, MdmError


def main():
    module = AnsibleModule(
        argument_spec=dict(
            provider=dict(type='str', required=True, choices=sorted(PROVIDERS)),
            url=dict(type='str'),
            username=dict(type='str'),
            password=dict(type='str', no_log=True),
            token=dict(type='str', no_log=True, fallback=(env_fallback, ['MDM_API_TOKEN'])),
            device_serial=dict(type='str', required=True),
            profiles=dict(type='list', elements='str', required=True),
            method=dict(type='str', choices=['exclude', 'group'], default='exclude'),
            exclusion_group_id=dict(type='str'),
            target_blueprint_id=dict(type='str'),
            validate_certs=dict(type='bool', default=True),
            timeout=dict(type='int', default=30),
        ),
        required_together=[('username', 'password')],
        supports_check_mode=True,
    )
    result = dict(changed=False, device={}, changes=[], already_out=[], not_delivered=[])
    try:
        provider = PROVIDERS[module.params['provider']](module.params)
        device = provider.find_device(module.params['device_serial'])
        result['device'] = {'id': device['id'], 'name': device.get('name')}
        delivered = provider.device_profiles(device)
        seen = set()
        for wanted in module.params['profiles']:
            matches = [p for p in delivered if wanted in (p.get('identifier'), p.get('name'))] or (delivered if provider.name == 'kandji' else [])
            if not matches:
                result['not_delivered'].append(wanted)
                continue
            for profile in matches:
                plan = provider.plan(device, profile)
                if plan is None or plan['description'] in seen:
                    if plan is None:
                        result['already_out'].append(wanted)
                    continue
                seen.add(plan['description'])
                if not module.check_mode:
                    provider.apply(plan)
                result['changes'].append({'profile': wanted, 'profile_id': profile['id'], 'change': plan['description']})
    except MdmError as exc:
        module.fail_json(msg=str(exc), **result)
    result['changed'] = bool(result['changes'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
