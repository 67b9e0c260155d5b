# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The provider interface: what every PSA client offers, and the idempotence checks built on it."""

from __future__ import annotations

import hashlib
import mimetypes
import os

from ansible_collections.msp.dnsfilter.plugins.module_utils.psa._http import PsaError, PsaHttp

# Option name -> environment variable, for messages about missing settings.
ENV_OF = {
    'url': 'PSA_URL', 'company': 'PSA_COMPANY', 'public_key': 'PSA_PUBLIC_KEY', 'private_key': 'PSA_PRIVATE_KEY',
    'client_id': 'PSA_CLIENT_ID', 'username': 'PSA_USERNAME', 'secret': 'PSA_SECRET',
    'integration_code': 'PSA_INTEGRATION_CODE', 'client_secret': 'PSA_CLIENT_SECRET',
}

MARKER_FORMAT = '[msp.dnsfilter:%s]'


def sha256_bytes(content):
    return hashlib.sha256(content).hexdigest()


def sha256_file(path, chunk_size=1024 * 1024):
    digest = hashlib.sha256()
    size = 0
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(chunk_size), b''):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def note_marker(text):
    """The line that identifies a note on a re-run: the SHA-256 of the note text as given."""
    return MARKER_FORMAT % sha256_bytes(text.encode('utf-8'))


def with_marker(text):
    return '%s\n\n%s' % (text.rstrip('\n'), note_marker(text))


def content_type(name):
    kind, encoding = mimetypes.guess_type(name)
    if encoding == 'gzip':
        return 'application/gzip'
    return kind or 'application/octet-stream'


def _as_int(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


class PsaClient:
    """Base class of the PSA providers.

    A provider implements ticket_exists, add_note, attach and the three reads the idempotence checks need:
    notes (the text of every note), attachments (id, title and size of every file) and download.
    ``options`` are the module's parameters.
    """

    name = 'base'
    product = 'PSA'
    required = ('url',)

    def __init__(self, options, session=None):
        self.options = options
        missing = [name for name in self.required if not options.get(name)]
        if missing:
            raise PsaError('%s needs %s.' % (self.product, ', '.join('%s (or %s)' % (n, ENV_OF.get(n, n)) for n in missing)))
        self.http = PsaHttp(self.api_root(options['url']), self.product, validate_certs=options.get('validate_certs', True),
                            ca_path=options.get('ca_path'), request_timeout=options.get('request_timeout') or 30.0,
                            api_deadline=options.get('api_deadline') or 300.0, session=session)
        self.setup()

    @staticmethod
    def api_root(url):
        return url.rstrip('/')

    def setup(self):
        """Authenticate the session (headers, token); register every credential with self.http.add_secret."""

    @property
    def calls(self):
        return self.http.calls

    # -- the interface ------------------------------------------------------------------------------
    def ticket_exists(self, ticket):
        raise NotImplementedError

    def add_note(self, ticket, text, internal=True):
        """Post text as a note (internal: hidden from the customer). Returns a dict with the new note's id."""
        raise NotImplementedError

    def attach(self, ticket, path, title):
        """Upload the file at path under title. Returns a dict with id, title, size and sha256 of the bytes sent."""
        raise NotImplementedError

    def notes(self, ticket):
        """The text (or HTML) of every note on the ticket."""
        raise NotImplementedError

    def attachments(self, ticket):
        """Every file on the ticket: dicts with id, title and size (None when the PSA does not say)."""
        raise NotImplementedError

    def download(self, ticket, attachment):
        """The bytes of one attachment as listed by attachments()."""
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------------------
    def read_file(self, path):
        with open(path, 'rb') as handle:
            return handle.read()

    def has_note(self, ticket, marker):
        return any(marker in (text or '') for text in self.notes(ticket))

    def find_attachment(self, ticket, title, sha256, size, listing=None):
        """The attachment with exactly this title and content, or None.

        Titles are compared exactly; content by downloading each same-titled file and hashing it, so a different
        file that happens to share a name is not mistaken for ours. Files whose listed size matches are tried first;
        a size is never trusted to rule a file out (PSAs do not document its unit).
        """
        same_title = [item for item in (self.attachments(ticket) if listing is None else listing) if item.get('title') == title]
        same_title.sort(key=lambda item: 0 if _as_int(item.get('size')) == size else 1)
        for item in same_title:
            if sha256_bytes(self.download(ticket, item)) == sha256:
                return item
        return None

    def basename(self, path):
        return os.path.basename(path)
