# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The provider interface and the one HTTP helper the providers share."""

from __future__ import annotations

import json

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url


class MdmError(Exception):
    """A provider call that did not succeed; the message names the call, never a credential."""


class MdmProvider:
    """Base class. Subclasses implement find_device, device_profiles, plan and apply.

    ``options`` is the module's parameters: url, username, password, token, validate_certs, timeout and
    the provider-specific ones (method, exclusion_group_id, target_blueprint_id).
    """

    name = 'base'
    default_url = None

    def __init__(self, options):
        self.options = options
        self.base_url = (options.get('url') or self.default_url or '').rstrip('/')
        if not self.base_url:
            raise MdmError('%s needs url' % self.name)
        self._auth = None

    # -- to implement ------------------------------------------------------------------------------
    def find_device(self, serial):
        """The device record: a dict with at least id and name. Raises MdmError when there is none."""
        raise NotImplementedError

    def device_profiles(self, device):
        """Profiles the MDM delivers to the device: dicts with id, name, identifier (PayloadIdentifier when known)."""
        raise NotImplementedError

    def plan(self, device, profile):
        """The change that takes the device out of the profile's scope, as a dict with a ``description``, or None."""
        raise NotImplementedError

    def apply(self, plan):
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------------------
    def auth_headers(self):
        """Headers that authenticate every call; a bearer token unless the provider says otherwise."""
        if self.options.get('token'):
            return {'Authorization': 'Bearer %s' % self.options['token']}
        raise MdmError('%s needs token' % self.name)

    def request(self, method, path, body=None, content_type='application/json', accept='application/json', expect=(200, 201, 204), auth=None):
        """Send one call; returns the parsed JSON (or the raw text for XML). Errors carry the status, not the credentials."""
        if auth is None:
            if self._auth is None:
                self._auth = self.auth_headers()
            auth = self._auth
        headers = dict(auth, Accept=accept)
        data = None
        if body is not None:
            headers['Content-Type'] = content_type
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        url = self.base_url + path
        try:
            response = open_url(url, method=method, data=data, headers=headers, validate_certs=self.options.get('validate_certs', True),
                                timeout=self.options.get('timeout', 30))
            status, text = response.getcode(), response.read().decode('utf-8')
        except HTTPError as exc:
            status, text = exc.code, exc.read().decode('utf-8', 'replace') if exc.fp else ''
        except URLError as exc:
            raise MdmError('%s %s %s: %s' % (self.name, method, path, exc.reason))
        if status == 404 and 404 not in expect:
            raise MdmError('%s %s %s: not found' % (self.name, method, path))
        if status not in expect:
            raise MdmError('%s %s %s returned %s: %s' % (self.name, method, path, status, text[:300]))
        if accept == 'application/json' and text:
            return json.loads(text)
        return text
