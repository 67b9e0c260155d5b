# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""PSA providers: one interface to put a note and files on a ticket in ConnectWise PSA, Autotask or HaloPSA.

A provider checks that the ticket exists, posts an internal note, uploads a file byte-exact, and reads back
the ticket's notes and files so that a re-run posts only what is missing.
"""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._autotask import AutotaskClient
from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._base import PsaClient, note_marker, sha256_file, with_marker
from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._connectwise import ConnectWiseClient
from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._halopsa import HaloPsaClient
from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, PsaError

PROVIDERS = {
    'connectwise': ConnectWiseClient,
    'autotask': AutotaskClient,
    'halopsa': HaloPsaClient,
}

__all__ = ['HAS_REQUESTS', 'PROVIDERS', 'REQUESTS_IMPORT_ERROR', 'PsaClient', 'PsaError', 'note_marker', 'sha256_file', 'with_marker']
