#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: network_info
short_description: List an organisation's DNSFilter networks (sites)
version_added: 0.1.0
description:
  - Returns the networks (sites) of one organisation, with whether each still has a site secret key - the key a
    Roaming Client installs with and re-registers with. The key itself is never returned.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_id:
    description: The organisation whose sites to list.
    type: int
    required: true
  ids:
    description: Only these sites.
    type: list
    elements: int
  names:
    description: Only these sites, by name (each must match exactly one site, exactly - surrounding spaces aside, letter case significant; a case
      twin or a look-alike is refused and listed).
    type: list
    elements: str
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Sites of the exiting customer
  msp.dnsfilter.network_info:
    organization_id: 4000101
  register: sites
'''

RETURN = r'''
networks:
  description: The sites found.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "6000201"
      name: Contoso Dental - Main Office
      has_secret_key: true
      organization_id: 4000101
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._networks import SITE_FILTER_SPEC, list_sites


def main():
    DNSFilterModule(argument_spec=dict(SITE_FILTER_SPEC)).run(lambda mod: mod.exit(networks=list_sites(mod)))


if __name__ == '__main__':
    main()
