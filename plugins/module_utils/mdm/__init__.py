# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""MDM providers: one interface to take a Mac out of the scope of the profiles that deliver DNSFilter.

A provider finds the device by serial number, lists the profiles it delivers to that device, plans the
change that takes the device out of one profile's scope (None when it is already out), and applies a plan.
The MDM then sends Apple's RemoveProfile command and the profile leaves the Mac at its next check-in.
"""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._base import MdmError, MdmProvider
from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._intune import IntuneProvider
from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._jamf import JamfProvider
from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._jumpcloud import JumpCloudProvider
from ansible_collections.msp.dnsfilter.plugins.module_utils.mdm._kandji import KandjiProvider

PROVIDERS = {
    'jamf': JamfProvider,
    'intune': IntuneProvider,
    'kandji': KandjiProvider,
    'jumpcloud': JumpCloudProvider,
}

__all__ = ['MdmError', 'MdmProvider', 'PROVIDERS']
