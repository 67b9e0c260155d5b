# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""Datto Autotask PSA REST API v1.0.

Auth: the ``ApiIntegrationCode``, ``UserName`` and ``Secret`` headers of an API-only user, sent to the
database's zone (``https://webservicesN.autotask.net/ATServicesRest/V1.0``). Notes: ``POST
Tickets/{id}/Notes`` (TicketNote: title, description, noteType, publish). Files: ``POST
Tickets/{id}/Attachments`` (TicketAttachment: title, data as base64, fullPath, attachmentType
FILE_ATTACHMENT, publish). Autotask answers a missing required field with HTTP 500 and an ``errors`` list.
"""

from __future__ import annotations

import base64
import binascii

from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._base import PsaClient, sha256_bytes
from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._http import PsaError

TITLE_MAX = 250  # TicketNote.title and TicketAttachment.title length in Autotask's field definitions


class AutotaskClient(PsaClient):
    name = 'autotask'
    product = 'Autotask'
    required = ('url', 'username', 'secret', 'integration_code')

    @staticmethod
    def api_root(url):
        """Accepts the zone (https://webservices5.autotask.net/ATServicesRest) or its V1.0 root."""
        url = url.rstrip('/')
        return url if url.lower().endswith('/v1.0') else url + '/V1.0'

    def setup(self):
        opts = self.options
        self.http.add_secret(opts['secret'])
        self.http.add_secret(opts['integration_code'])
        self.http.session.headers.update({
            'ApiIntegrationCode': opts['integration_code'], 'UserName': opts['username'], 'Secret': opts['secret']})
        self.http.hints = {
            401: 'Check username (the API-only user\'s username, an e-mail address), secret and integration_code, and that '
                 'url is the zone of your Autotask database (GET https://webservices.autotask.net/ATServicesRest/V1.0/'
                 'zoneInformation?user=<username> names it).',
            403: 'The API user\'s security level needs ticket view and edit rights, and permission to add attachments.',
            500: 'Autotask reports a refused or incomplete entity as HTTP 500.',
        }

    def _items(self, path):
        url = path
        while url:
            body = self.http.request('GET', url).data or {}
            yield from body.get('items') or []
            url = (body.get('pageDetails') or {}).get('nextPageUrl')

    def ticket_exists(self, ticket):
        reply = self.http.request('GET', 'Tickets/%s' % ticket, missing_ok=True)
        # Autotask answers an unknown id with 200 and {"item": null}.
        return reply.status != 404 and bool((reply.data or {}).get('item'))

    def notes(self, ticket):
        return [note.get('description') or '' for note in self._items('Tickets/%s/Notes' % ticket)]

    def add_note(self, ticket, text, internal=True):
        first = next((line.strip() for line in text.splitlines() if line.strip()), '') or 'msp.dnsfilter note'
        title = ('%s%s' % (self.options.get('title_prefix') or '', first))[:TITLE_MAX]
        body = {
            'ticketID': int(ticket),
            'title': title,
            'description': text,
            'noteType': self.options.get('autotask_note_type') or 1,
            'publish': self.options.get('autotask_publish') or 1,
        }
        data = self.http.request('POST', 'Tickets/%s/Notes' % ticket, json_body=body, expected=(200, 201),
                                 action='add the note').data or {}
        return {'id': data.get('itemId')}

    def attachments(self, ticket):
        return [{'id': item.get('id'), 'title': item.get('title'), 'size': item.get('fileSize'), 'data': item.get('data')}
                for item in self._items('Tickets/%s/Attachments' % ticket)]

    def download(self, ticket, attachment):
        encoded = attachment.get('data')
        if not encoded:
            item = (self.http.request('GET', 'Tickets/%s/Attachments/%s' % (ticket, attachment['id'])).data or {}).get('item') or {}
            encoded = item.get('data') or ''
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise PsaError('Autotask returned attachment %s with data that is not base64.' % attachment['id']) from None

    def attach(self, ticket, path, title):
        if len(title) > TITLE_MAX:
            raise PsaError('The attachment title %r is longer than the %d characters Autotask allows.' % (title, TITLE_MAX))
        content = self.read_file(path)
        body = {
            'parentID': int(ticket),
            'title': title,
            'fullPath': self.basename(path),
            'attachmentType': 'FILE_ATTACHMENT',
            'publish': self.options.get('autotask_publish') or 1,
            'data': base64.b64encode(content).decode('ascii'),
        }
        data = self.http.request('POST', 'Tickets/%s/Attachments' % ticket, json_body=body, expected=(200, 201),
                                 action='upload %s' % title).data or {}
        return {'id': data.get('itemId'), 'title': title, 'size': len(content), 'sha256': sha256_bytes(content)}
