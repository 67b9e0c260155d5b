# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.
# It is also the customer's verifier: msp.dnsfilter.exit_record writes it into every bundle as VERIFY.py (behind a
# two-line launcher, see _record.verifier_text), and scripts/verify-evidence is the same text. So it stays
# self-contained: Python 3 standard library only, no import of the collection.

"""Verify an msp.dnsfilter offboarding evidence bundle; Python 3 standard library only.

    python3 VERIFY.py                      the bundle this file is in
    python3 VERIFY.py FOLDER               an evidence folder
    python3 VERIFY.py FOLDER.tar.gz        its archive (read in place, nothing is extracted)

Every file must match its SHA-256 in MANIFEST.sha256, none may be missing or extra, and manifest.json must
record the same files and MANIFEST.sha256's own SHA-256. An archive is also checked against the
FOLDER.tar.gz.sha256 next to it. Exit status: 0 verified, 1 not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tarfile

MANIFEST, MANIFEST_JSON = 'MANIFEST.sha256', 'manifest.json'
LINE = re.compile(r'^([0-9a-fA-F]{64}) [ *](.+)$')


def say(line):
    """One line of the verdict on standard output."""
    sys.stdout.write(line + '\n')


def digest_of(handle):
    """SHA-256 of an open binary file, read in blocks."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b''):
        digest.update(block)
    return digest.hexdigest()


def safe(rel):
    """A relative path that stays inside the bundle."""
    return not (rel.startswith('/') or '\\' in rel) and all(p not in ('', '.', '..') for p in rel.split('/'))


def folder_files(root):
    """{relative path: opener} for the folder's files, and problems (links and special files)."""
    files, problems = {}, []
    for current, dirs, names in os.walk(root):
        for name in dirs + names:
            full = os.path.join(current, name)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            if os.path.islink(full) or not (os.path.isdir(full) or os.path.isfile(full)):
                problems.append('NOT A FILE  %s' % rel)
            elif os.path.isfile(full):
                files[rel] = lambda path=full: open(path, 'rb')  # pylint: disable=consider-using-with
    return files, problems


def archive_files(tar):
    """The same for an archive: members under its one top folder, read without extracting."""
    files, problems = {}, []
    tops = set(m.name.split('/')[0] for m in tar.getmembers())
    if len(tops) != 1:
        return files, ['the archive does not hold exactly one folder']
    for member in tar.getmembers():
        rel = member.name.partition('/')[2]
        if not safe(rel) and rel:
            problems.append('UNSAFE NAME  %s' % member.name)
        elif member.isfile():
            files[rel] = lambda m=member: tar.extractfile(m)
        elif not member.isdir():
            problems.append('NOT A FILE  %s' % member.name)
    return files, problems


def verify(files):
    """Lines describing every problem of the bundle given as {relative path: opener}; [] if it verifies."""
    if MANIFEST not in files:
        return ['MISSING  %s (the bundle was never sealed)' % MANIFEST]
    with files[MANIFEST]() as handle:
        raw = handle.read()
    problems, listed = [], {}
    for number, line in enumerate(raw.decode('utf-8', 'replace').splitlines(), 1):
        match = LINE.match(line)
        if line.strip() and (not match or not safe(match.group(2)) or match.group(2) in listed):
            problems.append('MALFORMED  %s line %d' % (MANIFEST, number))
        elif match:
            listed[match.group(2)] = match.group(1).lower()
    for rel in sorted(set(listed) | set(files) - {MANIFEST, MANIFEST_JSON}):
        if rel not in files:
            problems.append('MISSING  %s' % rel)
        elif rel not in listed:
            problems.append('EXTRA    %s' % rel)
        else:
            with files[rel]() as handle:
                if digest_of(handle) != listed[rel]:
                    problems.append('ALTERED  %s' % rel)
    return problems + check_meta(files, raw, listed)


def check_meta(files, raw, listed):
    """manifest.json must list the same files as MANIFEST.sha256 and record its SHA-256."""
    if MANIFEST_JSON not in files:
        return ['MISSING  %s' % MANIFEST_JSON]
    problems = []
    try:
        with files[MANIFEST_JSON]() as handle:
            meta = json.loads(handle.read().decode('utf-8'))
        if meta['manifest_sha256'] != hashlib.sha256(raw).hexdigest():
            problems.append('ALTERED  %s records another %s' % (MANIFEST_JSON, MANIFEST))
        if {f['path']: f['sha256'] for f in meta['files']} != listed:
            problems.append('ALTERED  %s lists other files than %s' % (MANIFEST_JSON, MANIFEST))
    except (ValueError, KeyError, TypeError, AttributeError):
        problems.append('MALFORMED  %s' % MANIFEST_JSON)
    return problems


def check_archive(target, tar):
    """(files, problems) of an open .tar.gz; its own SHA-256 is checked against the .sha256 next to it."""
    sidecar = target + '.sha256'
    with open(target, 'rb') as handle:
        digest = digest_of(handle)
    problems = []
    if os.path.isfile(sidecar):
        with open(sidecar, encoding='utf-8') as handle:
            recorded = (handle.read().split() or [''])[0].lower()
        if recorded != digest:
            problems.append('ALTERED  %s (its SHA-256 is not the one in %s)' % (os.path.basename(target), sidecar))
        note = 'matches' if recorded == digest else 'DOES NOT MATCH'
    else:
        note = 'cannot be compared: there is no'
    say('  archive SHA-256 %s %s %s' % (digest, note, sidecar))
    files, found = archive_files(tar)
    return files, problems + found


def main(argv=None):
    """Verify the folder or archive named on the command line; 0 if it verifies, 1 if not."""
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description='Verify an msp.dnsfilter evidence bundle (a folder or its .tar.gz).')
    parser.add_argument('target', nargs='?', help='the evidence folder or its .tar.gz (default: the folder of this script)',
                        default=here if os.path.isfile(os.path.join(here, MANIFEST)) else None)
    target = parser.parse_args(argv).target
    if target is None:
        parser.error('name the evidence folder or its .tar.gz')
    say('Evidence bundle: %s' % target)
    if os.path.isdir(target):
        files, problems = folder_files(target)
        how = 'cd %s && sha256sum -c %s' % (target, MANIFEST)
        problems += verify(files)
    elif os.path.isfile(target) and tarfile.is_tarfile(target):
        with tarfile.open(target) as tar:
            files, problems = check_archive(target, tar)
            problems += verify(files)
        folder, name = os.path.split(os.path.abspath(target))
        how = '(cd %s && sha256sum -c %s.sha256), then extract it into an empty folder (tar -xzf %s -C EMPTY) and run ' \
              '(cd EMPTY/%s && sha256sum -c %s)' % (folder, name, target, re.sub(r'\.tar\.gz$|\.tgz$', '', name), MANIFEST)
    else:
        say('NOT VERIFIED: not a folder or a .tar.gz archive.')
        return 1
    for problem in problems:
        say('  ' + problem)
    count = len(set(files) - {MANIFEST, MANIFEST_JSON})
    if problems:
        say('NOT VERIFIED: %d problem(s) in a bundle of %d file(s).' % (len(problems), count))
    else:
        say('VERIFIED: all %d file(s) match %s; none is missing or extra.' % (count, MANIFEST))
    say('Without this script: %s   (macOS: shasum -a 256 -c instead of sha256sum -c)' % how)
    return 1 if problems else 0


if __name__ == '__main__':
    raise SystemExit(main())
