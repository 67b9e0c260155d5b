#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: block_page_info
short_description: List an organisation's DNSFilter block pages
version_added: 0.1.0
description:
  - Returns the custom block pages of one organisation - what a blocked user sees - with the organisation name and
    contact e-mail address shown, the logo, the redirect URL and the sites that use each page.
  - At a customer exit this documents the custom block page settings before they are retired.
extends_documentation_fragment:
  - msp.dnsfilter.api
  - msp.dnsfilter.attributes.info
options:
  organization_id:
    description: The organisation whose block pages to list.
    type: int
    required: true
  ids:
    description: Only these block pages.
    type: list
    elements: int
  names:
    description:
      - Only these block pages, by name. Each must match exactly one page, exactly (surrounding spaces aside, letter
        case significant); a case twin or a look-alike is refused and listed.
    type: list
    elements: str
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Block pages of the exiting customer (evidence)
  msp.dnsfilter.block_page_info:
    organization_id: 4000101
  register: block_pages

- name: Show who users were told to contact
  ansible.builtin.debug:
    msg: "{{ block_pages.block_pages | map(attribute='block_email_addr') | list }}"
'''

RETURN = r'''
block_pages:
  description: The block pages found, sorted by id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The block page id.
      type: str
    name:
      description: The block page name.
      type: str
    organization_id:
      description: The organisation that owns the page.
      type: int
    block_org_name:
      description: The organisation name shown on the page (may be null).
      type: str
    block_email_addr:
      description: The contact e-mail address shown on the page (may be null).
      type: str
    block_logo_uuid:
      description: The custom logo - its upload UUID or URL (may be null).
      type: str
    block_redirect_url:
      description: Where blocked users are redirected instead of seeing the page (may be null or missing).
      type: str
    network_ids:
      description: The sites that use the page, sorted.
      type: list
      elements: str
  sample:
    - id: "57840"
      name: Contoso Dental Block Page
      organization_id: 4000101
      block_org_name: Contoso Dental IT
      block_email_addr: it@contosodental.example
      block_logo_uuid: https://cdn.dnsfilter.com/10a71ac6-b52e-4581-9596-62d87897f23a/
      block_redirect_url: null
      is_global: false
      created_at: "2025-02-03T14:24:58.497-05:00"
      updated_at: "2025-09-11T13:13:31.686-04:00"
      network_ids: ["6000201"]
'''

from ansible_collections.msp.dnsfilter.plugins.module_utils._module import DNSFilterModule
from ansible_collections.msp.dnsfilter.plugins.module_utils._policies import ORG_SELECTION_SPEC, list_block_pages, select


def main_logic(mod):
    params = mod.params
    org_id = params['organization_id']
    pages = list_block_pages(mod, org_id)
    mod.exit(block_pages=select(mod, pages, org_id, params['ids'], params['names'], what='block page'))


def main():
    DNSFilterModule(argument_spec=dict(ORG_SELECTION_SPEC)).run(main_logic)


if __name__ == '__main__':
    main()
