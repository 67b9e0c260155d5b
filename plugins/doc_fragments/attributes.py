# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The attributes every msp.dnsfilter module declares."""

    # For modules that only read.
    INFO = r'''
attributes:
  check_mode:
    description: Can run in check mode and return the same result.
    support: full
    details: The module only reads.
  diff_mode:
    description: Returns details on what has changed, when in diff mode.
    support: N/A
    details: The module changes nothing.
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: full
  action_group:
    description: Use C(group/msp.dnsfilter.all) in C(module_defaults) to set the connection options for this module.
    support: full
    membership:
      - msp.dnsfilter.all
'''

    # For modules that change DNSFilter objects.
    ACTIONS = r'''
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without modifying DNSFilter.
    support: full
    details: In check mode the module makes no write and reports exactly the changes a real run would make.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode), when in diff mode.
    support: full
    details: The diff shows the objects before and after, with secrets removed.
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: full
  action_group:
    description: Use C(group/msp.dnsfilter.all) in C(module_defaults) to set the connection options for this module.
    support: full
    membership:
      - msp.dnsfilter.all
'''

    # For modules that export DNSFilter data to local files.
    FILES = r'''
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without writing anything.
    support: full
    details: In check mode the module reports whether it would write the file, and writes nothing.
  diff_mode:
    description: Returns details on what has changed, when in diff mode.
    support: none
    details: The module returns the file's row count and SHA-256 instead of a diff.
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: full
    details: A complete export with the same options is recognised by its metadata and checksum and not repeated.
  action_group:
    description: Use C(group/msp.dnsfilter.all) in C(module_defaults) to set the connection options for this module.
    support: full
    membership:
      - msp.dnsfilter.all
'''
