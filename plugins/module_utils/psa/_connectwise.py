# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""ConnectWise PSA (Manage) REST API 3.0.

Auth: HTTP Basic with ``company+publicKey:privateKey`` of an API member, and the ``clientId`` header of a
registered integration. Notes: ``POST service/tickets/{id}/notes``. Files: ``POST system/documents`` as
multipart/form-data with ``recordType=Ticket``, ``recordId``, ``title`` and the file part, sent as the raw
bytes of the file (no text decoding, no base64), which is what keeps .docx, .pdf and .tar.gz intact.
"""

from __future__ import annotations

import base64

from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._base import PsaClient, content_type, sha256_bytes

API_PATH = '/v4_6_release/apis/3.0'
PAGE_SIZE = 1000  # the API's maximum


class ConnectWiseClient(PsaClient):
    name = 'connectwise'
    product = 'ConnectWise PSA'
    required = ('url', 'company', 'public_key', 'private_key', 'client_id')

    @staticmethod
    def api_root(url):
        """Accepts the site (https://api-na.myconnectwise.net) or the full API root (…/v4_6_release/apis/3.0)."""
        url = url.rstrip('/')
        return url if '/apis/3.0' in url else url + API_PATH

    def setup(self):
        opts = self.options
        login = '%s+%s:%s' % (opts['company'], opts['public_key'], opts['private_key'])
        token = base64.b64encode(login.encode('utf-8')).decode('ascii')
        for secret in (opts['private_key'], token, login):
            self.http.add_secret(secret)
        self.http.session.headers.update({'Authorization': 'Basic %s' % token, 'clientId': opts['client_id']})
        self.http.hints = {
            401: 'Check company, public_key and private_key (an API member\'s keys, created under System > Members > '
                 'API Members) and client_id (from developer.connectwise.com).',
            403: 'The API member\'s security role needs Service Desk > Service Tickets (Inquire, Add, Edit) to read and '
                 'note tickets, and Companies > Manage Attachments (Add, Inquire) to upload and list files.',
            404: 'Check the ticket id (the number shown on the service ticket).',
        }

    def _pages(self, path, params=None):
        page = 1
        while True:
            query = dict(params or {}, page=page, pageSize=PAGE_SIZE)
            items = self.http.request('GET', path, params=query).data or []
            yield from items
            if len(items) < PAGE_SIZE:
                return
            page += 1

    def ticket_exists(self, ticket):
        return self.http.request('GET', 'service/tickets/%s' % ticket, params={'fields': 'id'}, missing_ok=True).status != 404

    def notes(self, ticket):
        return [note.get('text') or '' for note in self._pages('service/tickets/%s/notes' % ticket)]

    def add_note(self, ticket, text, internal=True):
        body = {
            'text': text,
            # Internal Analysis is the technicians' note; Detail Description is the discussion the customer sees.
            'internalAnalysisFlag': bool(internal),
            'detailDescriptionFlag': not internal,
            'resolutionFlag': False,
            'processNotifications': False,
        }
        data = self.http.request('POST', 'service/tickets/%s/notes' % ticket, json_body=body, expected=(200, 201),
                                 action='add the note').data or {}
        return {'id': data.get('id')}

    def attachments(self, ticket):
        params = {'recordType': 'Ticket', 'recordId': ticket}
        return [{'id': doc.get('id'), 'title': doc.get('title'), 'size': doc.get('size'), 'file_name': doc.get('fileName')}
                for doc in self._pages('system/documents', params)]

    def download(self, ticket, attachment):
        return self.http.request('GET', 'system/documents/%s/download' % attachment['id'], headers={'Accept': '*/*'}).content

    def attach(self, ticket, path, title):
        content = self.read_file(path)
        name = self.basename(path)
        fields = {'recordType': 'Ticket', 'recordId': str(ticket), 'title': title}
        files = {'file': (name, content, content_type(name))}
        data = self.http.request('POST', 'system/documents', data=fields, files=files, expected=(200, 201),
                                 action='upload %s' % title).data or {}
        return {'id': data.get('id'), 'title': title, 'size': len(content), 'sha256': sha256_bytes(content)}
