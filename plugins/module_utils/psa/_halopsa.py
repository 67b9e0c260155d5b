# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""HaloPSA API.

Auth: an OAuth2 client-credentials token from ``<url>/auth/token`` (an API application of type Client ID
and Secret), then ``Authorization: Bearer``. Notes: ``POST api/Actions`` with a list of actions
(``ticket_id``, ``outcome_id``, ``note_html``, ``hiddenfromuser``). Halo refuses an action without an
outcome ("An Outcome must be entered for this Action"), so one is always sent (7, the built-in Private Note,
unless halo_outcome says otherwise). Files: ``POST api/Attachment`` with ``ticket_id``, ``filename`` and
``data_base64`` (a base64 data URI).
"""

from __future__ import annotations

import base64
import html

from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._base import PsaClient, content_type, sha256_bytes
from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._http import PsaError


def note_html(text):
    """Plain text as Halo's note HTML: escaped, one <br> per line break."""
    return '<br>'.join(html.escape(line, quote=False) for line in text.split('\n'))


class HaloPsaClient(PsaClient):
    name = 'halopsa'
    product = 'HaloPSA'
    required = ('url', 'client_id', 'client_secret')

    @staticmethod
    def api_root(url):
        """The tenant's root (https://example.halopsa.com); a trailing /api is dropped."""
        url = url.rstrip('/')
        return url[:-4] if url.lower().endswith('/api') else url

    def setup(self):
        opts = self.options
        self.http.add_secret(opts['client_secret'])
        self.http.hints = {
            401: 'Check client_id and client_secret (a HaloPSA API application using Client ID and Secret, Configuration > '
                 'Integrations > HaloPSA API) and that the application\'s agent may act on tickets.',
            403: 'The API application\'s permissions (and its agent\'s) must allow reading and editing tickets.',
        }
        self._token = None

    def _authorize(self):
        if self._token:
            return
        form = {'grant_type': 'client_credentials', 'client_id': self.options['client_id'],
                'client_secret': self.options['client_secret'], 'scope': self.options.get('halo_scope') or 'all'}
        try:
            # A token request changes nothing on the server, so it may be repeated after a lost connection.
            reply = self.http.request('POST', 'auth/token', data=form, expected=(200,), idempotent=True, action='get a token')
        except PsaError as exc:
            if exc.status in (400, 401):
                raise PsaError('HaloPSA refused the client credentials (HTTP %s) at %s/auth/token. Check client_id and '
                               'client_secret, that the application uses Client ID and Secret (Services), and its scope '
                               '(halo_scope).' % (exc.status, self.http.base_url), status=exc.status) from None
            raise
        token = (reply.data or {}).get('access_token')
        if not token:
            raise PsaError('HaloPSA answered the token request without an access_token.')
        self.http.add_secret(token)
        self.http.session.headers['Authorization'] = 'Bearer %s' % token
        self._token = token

    def _call(self, method, path, **kwargs):
        self._authorize()
        return self.http.request(method, 'api/' + path, **kwargs)

    def ticket_exists(self, ticket):
        return self._call('GET', 'Tickets/%s' % ticket, missing_ok=True).status != 404

    def notes(self, ticket):
        body = self._call('GET', 'Actions', params={'ticket_id': ticket, 'includehtmlnote': 'true'}).data or {}
        return ['%s\n%s' % (a.get('note') or '', a.get('note_html') or '') for a in body.get('actions') or []]

    def add_note(self, ticket, text, internal=True):
        action = {
            'ticket_id': int(ticket),
            'outcome_id': self.options.get('halo_outcome'),
            'note_html': note_html(text),
            'hiddenfromuser': bool(internal),
            'sendemail': False,
        }
        try:
            data = self._call('POST', 'Actions', json_body=[action], expected=(200, 201), action='add the note').data
        except PsaError as exc:
            if exc.status == 400 and 'outcome' in exc.message.lower():
                raise PsaError('%s Set halo_outcome to the id of an outcome the API application\'s agent may use (Configuration '
                               '> Tickets > Actions); 7 is the built-in Private Note.' % exc.message, status=400) from None
            raise
        data = data[0] if isinstance(data, list) and data else data
        return {'id': (data or {}).get('id')}

    def attachments(self, ticket):
        body = self._call('GET', 'Attachment', params={'ticket_id': ticket}).data or {}
        return [{'id': a.get('id'), 'title': a.get('filename'), 'size': a.get('filesize')} for a in body.get('attachments') or []]

    def download(self, ticket, attachment):
        return self._call('GET', 'Attachment/%s' % attachment['id'], headers={'Accept': '*/*'}).content

    def attach(self, ticket, path, title):
        content = self.read_file(path)
        item = {
            'ticket_id': int(ticket),
            'filename': title,
            'data_base64': 'data:%s;base64,%s' % (content_type(title), base64.b64encode(content).decode('ascii')),
        }
        data = self._call('POST', 'Attachment', json_body=[item], expected=(200, 201), action='upload %s' % title).data
        data = data[0] if isinstance(data, list) and data else data
        return {'id': (data or {}).get('id'), 'title': title, 'size': len(content), 'sha256': sha256_bytes(content)}
