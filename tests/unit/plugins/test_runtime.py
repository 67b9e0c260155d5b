# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""meta/runtime.yml's action group must list exactly the collection's DNSFilter API modules."""

from __future__ import annotations

import os

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def uses_the_api(name):
    """Modules that take the DNSFilter connection options belong to the group; local-file and PSA modules do not."""
    with open(os.path.join(ROOT, 'plugins', 'modules', name)) as handle:
        return 'msp.dnsfilter.api' in handle.read()


def test_action_group_lists_every_module():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and not name.startswith('_') and uses_the_api(name))
    assert modules, 'no modules found'
    assert sorted(runtime['action_groups']['all']) == modules
