# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() with arguments and an ordered list of expected HTTP calls."""

from __future__ import annotations

import json

from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.msp.dnsfilter.tests.unit.plugins.http_seam import Seam

KEY = 'unit-test-key-0000000000000000000000000000'


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result.get('msg'))
        self.result = result
        self.failed = failed


def _exit_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs.setdefault('changed', False)
    raise ModuleExit(kwargs, False)


def _fail_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs['failed'] = True
    raise ModuleExit(kwargs, True)


def run_module(module, args, calls, check_mode=False, diff=True, downloads=None):
    """Returns (result, seam). Every expected call must have been made, in order.

    downloads: the calls expected on the second session a module opens (file downloads); it is
    available afterwards as seam.downloads.
    """
    full = dict(args)
    full.setdefault('api_key', KEY)
    full.setdefault('api_url', 'https://api.test')
    full['_ansible_check_mode'] = check_mode
    full['_ansible_diff'] = diff
    seam = Seam(calls)
    seam.downloads = Seam(downloads or [], base='')
    with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full}))), \
            mock.patch.object(basic, '_ANSIBLE_PROFILE', 'legacy', create=True), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json), \
            mock.patch('ansible_collections.msp.dnsfilter.plugins.module_utils._api.requests.Session',
                       side_effect=[seam, seam.downloads]):
        result = None
        try:
            module.main()
        except ModuleExit as done:
            result = done.result
        assert result is not None, 'module returned without exit_json or fail_json'
    assert KEY not in json.dumps(result), 'the API key leaked into the result'
    return result, seam
