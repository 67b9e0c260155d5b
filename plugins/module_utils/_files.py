# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Local files the export modules write: checksums, and small JSON records written atomically."""

from __future__ import annotations

import hashlib
import json
import os


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def write_json(path, data):
    """Write data so that a reader sees the old file or the new one, never half of one."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(data, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_json(path):
    """The JSON in path, or None if it is missing or unreadable."""
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def complete_export(dest, options):
    """The metadata of a complete earlier export of dest with the same options, or None."""
    meta = read_json(dest + '.meta.json')
    if meta and meta.get('options') == options and os.path.exists(dest) and sha256_of(dest) == meta.get('sha256'):
        return meta
    return None
