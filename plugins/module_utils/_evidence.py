# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The evidence bundle's integrity: file inventory, secret scan, manifest, verification, deterministic archive.

Standard library only. `scripts/verify-evidence` (copied into every bundle as VERIFY.py) is a second,
self-contained reader of the same format; the unit tests hold both to the same verdicts.

The format:
- MANIFEST.sha256 lists every file of the folder except itself and manifest.json, one `<sha256>  <path>`
  line each, paths relative with `/`, sorted; `sha256sum -c MANIFEST.sha256` checks it.
- manifest.json repeats the list with sizes and adds the phases recorded so far and the SHA-256 of
  MANIFEST.sha256 (the bundle's digest). Nothing in either file depends on time, so the same folder always
  gives the same bytes.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import json
import os
import re
import stat
import tarfile

from urllib.parse import quote

MANIFEST = 'MANIFEST.sha256'
MANIFEST_JSON = 'manifest.json'
FORMAT = 'msp.dnsfilter.evidence/1'
CHUNK = 1 << 20
# Left behind by an export or a write that did not finish: a bundle holding one is incomplete.
PARTIAL_SUFFIXES = ('.part', '.tmp', '.progress.json')
LINE = re.compile(r'^([0-9a-fA-F]{64}) [ *](.+)$')

# Built-in credential patterns, matched against the lower-cased bytes. Each regex starts with a literal, which the
# regex engine searches for quickly (a gigabyte of query log is scanned in about half a minute). Findings name the
# pattern and the line, never the text.
_VALUE = rb'["\']?\s*[:=]\s*["\']?'
CREDENTIAL_PATTERNS = {
    'authorization_header': (rb'authorization' + _VALUE + rb'(?:(?:bearer|basic|token|apikey)\s+)?[a-z0-9._~+/=-]{12,}',),
    'api_key_value': (rb'api[_-]?key' + _VALUE + rb'[a-z0-9._~+/=-]{12,}',),
    'credential_value': tuple(word + _VALUE + rb'[^\s"\',;&<>*{}]{12,}' for word in (rb'token', rb'secret', rb'passw(?:or)?d', rb'pwd')),
    'pin_value': (rb'pin(?:[_-]?code)?' + _VALUE + rb'[0-9]{4,}',),
    'private_key': (rb'-----begin (?:[a-z0-9]+ )*private key-----',),
    'jwt': (rb'eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}',),
    'url_credentials': (rb'://[^\s/:@"\'<>]+:[^\s/@"\'<>]+@',),
    'presigned_url': (rb'x-amz-(?:signature|credential|security-token)=[^\s&"\'<>]{16,}',
                      rb'x-goog-(?:signature|credential)=[^\s&"\'<>]{16,}', rb'sig=[^\s&"\'<>]{16,}'),
}
# These must not follow a letter or digit (so `spin: 1234` is not a PIN, nor `xsig=` a signature); jwt keeps its case.
WORD_START = frozenset(('api_key_value', 'pin_value', 'presigned_url'))
CASE_SENSITIVE = frozenset(('jwt',))
# A match that also matches one of these is not a credential: Ansible's no_log placeholder and redaction marks.
DEFAULT_ALLOWLIST = ['VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', '(?i)redacted', '(?i)placeholder']
MIN_SECRET_LENGTH = 4
# Secrets at least this long are searched as plain substrings; shorter ones (PINs) only as whole words.
WORD_BOUNDARY_BELOW = 16
OVERLAP = 8192


class EvidenceError(Exception):
    """The folder cannot be made into, or checked as, a bundle; the message says why and what to do."""


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def is_safe_relpath(rel):
    """A relative POSIX path that stays inside the folder and that sha256sum can list without escaping."""
    if not rel or rel.startswith('/') or '\\' in rel or '\n' in rel or '\r' in rel:
        return False
    return all(part not in ('', '.', '..') for part in rel.split('/'))


def is_partial(rel):
    return rel.endswith(PARTIAL_SUFFIXES)


def list_files(root, exclude=()):
    """(files, problems): the folder's regular files as sorted relative paths, and what cannot be in a bundle.

    MANIFEST.sha256 and manifest.json at the top are left out (they describe the rest), and so is every
    path matching an `exclude` glob. Symlinks, devices, sockets and names sha256sum would have to escape
    are problems: a bundle holds plain files only.
    """
    files, problems = [], []
    for current, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + names):
            full = os.path.join(current, name)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            if rel in (MANIFEST, MANIFEST_JSON) or any(fnmatch.fnmatchcase(rel, pattern) for pattern in exclude):
                if name in dirs:
                    dirs.remove(name)
                continue
            mode = os.lstat(full).st_mode
            if stat.S_ISDIR(mode):
                continue
            try:
                rel.encode('utf-8')
            except UnicodeEncodeError:
                problems.append('%r: the name is not UTF-8' % rel)
                continue
            if stat.S_ISLNK(mode):
                problems.append('%s: a symbolic link (copy the file itself into the bundle)' % rel)
            elif not stat.S_ISREG(mode):
                problems.append('%s: not a regular file' % rel)
            elif not is_safe_relpath(rel):
                problems.append('%r: a name with a backslash or a line break (rename it)' % rel)
            else:
                files.append(rel)
    return sorted(files), problems


class SecretScanner:
    """Finds the given secrets, and text that looks like a credential, in a stream of bytes.

    Findings name the kind (`secrets[2]`, `authorization_header`) and the line, never the matched text.
    """

    def __init__(self, secrets=(), patterns=True, allowlist=None):
        self.matchers = []
        for index, secret in enumerate(secrets or ()):
            if secret is None or secret == '':
                continue
            if len(secret) < MIN_SECRET_LENGTH:
                raise EvidenceError('secrets[%d] has fewer than %d characters: too short to search for without false alarms.'
                                    % (index, MIN_SECRET_LENGTH))
            self.matchers.append(_secret_matcher('secrets[%d]' % index, secret))
        if patterns:
            for name, regexes in CREDENTIAL_PATTERNS.items():
                for regex in regexes:
                    self.matchers.append(_Matcher(name, re.compile(regex), name not in CASE_SENSITIVE, name in WORD_START))
        self.allowlist = []
        for index, pattern in enumerate(DEFAULT_ALLOWLIST if allowlist is None else allowlist):
            try:
                self.allowlist.append(re.compile(pattern.encode('utf-8')))
            except re.error as exc:
                raise EvidenceError('credential_allowlist[%d] is not a valid regular expression: %s' % (index, exc))

    def scan_name(self, rel):
        """Kinds of secret found in a file's relative path."""
        data = rel.encode('utf-8')
        return sorted(set(m.kind for m in self.matchers if m.kind.startswith('secrets[') and m.first(data, data) is not None))

    def stream(self):
        return _StreamScan(self)


class _StreamScan:
    """One file's scan, fed chunk by chunk; the tail of each chunk is kept so a match across chunks is found."""

    def __init__(self, scanner):
        self.scanner = scanner
        self.buffer = b''
        self.lines_before = 0
        self.found = {}

    def feed(self, data):
        if not self.scanner.matchers:
            return
        self.buffer += data
        lower = self.buffer.lower()
        here = {}
        for matcher in self.scanner.matchers:
            if matcher.kind not in self.found:
                allowlist = self.scanner.allowlist if matcher.kind in CREDENTIAL_PATTERNS else ()
                start = matcher.first(self.buffer, lower, allowlist)
                if start is not None and start < here.get(matcher.kind, len(self.buffer)):
                    here[matcher.kind] = start
        for kind, start in here.items():
            self.found[kind] = self.lines_before + self.buffer.count(b'\n', 0, start) + 1
        keep = self.buffer[-OVERLAP:]
        self.lines_before += self.buffer.count(b'\n', 0, len(self.buffer) - len(keep))
        self.buffer = keep

    def findings(self, rel):
        return [{'path': rel, 'kind': kind, 'line': line} for kind, line in sorted(self.found.items())]


class _Matcher:
    """One kind of finding: a regex, on the lower-cased bytes or not, optionally only at the start of a word."""

    def __init__(self, kind, regex, lower, word_start):
        self.kind = kind
        self.regex = regex
        self.lower = lower
        self.word_start = word_start

    def first(self, data, lower, allowlist=()):
        """Offset of the first match in data that no allowlist expression matches, or None."""
        for match in self.regex.finditer(lower if self.lower else data):
            start = match.start()
            if self.word_start and start and data[start - 1:start].isalnum():
                continue
            if not any(allow.search(data[start:match.end()]) for allow in allowlist):
                return start
        return None


def _secret_matcher(kind, secret):
    """The secret as is, JSON-escaped or URL-encoded; a short one (a PIN) only as a whole word."""
    variants = {secret, json.dumps(secret)[1:-1], quote(secret, safe='')}
    pattern = b'|'.join(re.escape(v.encode('utf-8')) for v in sorted(variants, key=len, reverse=True))
    if len(secret) < WORD_BOUNDARY_BELOW:
        return _Matcher(kind, re.compile(b'(?:' + pattern + b')(?![A-Za-z0-9])'), False, True)
    return _Matcher(kind, re.compile(pattern), False, False)


def hash_file(path, scan=None):
    """(size, sha256) of a file, feeding its bytes to scan on the way."""
    digest = hashlib.sha256()
    size = 0
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(CHUNK), b''):
            digest.update(block)
            size += len(block)
            if scan is not None:
                scan.feed(block)
    return size, digest.hexdigest()


def inventory(root, files, scanner=None):
    """(entries, findings): size and SHA-256 of each file, and the secrets found in it or its name."""
    entries, findings = [], []
    for rel in files:
        scan = scanner.stream() if scanner else None
        size, digest = hash_file(os.path.join(root, rel), scan)
        entries.append({'path': rel, 'size': size, 'sha256': digest})
        if scanner:
            findings.extend({'path': rel, 'kind': kind, 'line': None} for kind in scanner.scan_name(rel))
            findings.extend(scan.findings(rel))
    return entries, findings


def manifest_text(entries):
    return ''.join('%s  %s\n' % (e['sha256'], e['path']) for e in sorted(entries, key=lambda e: e['path']))


def manifest_json(root, entries, phases):
    """manifest.json's bytes: no timestamp, sorted keys, so the same folder always gives the same file."""
    text = manifest_text(entries)
    data = {
        'format': FORMAT,
        'bundle': os.path.basename(os.path.normpath(root)),
        'algorithm': 'sha256',
        'manifest': MANIFEST,
        'manifest_sha256': sha256_bytes(text.encode('utf-8')),
        'file_count': len(entries),
        'total_bytes': sum(e['size'] for e in entries),
        'phases': list(phases),
        'files': sorted(entries, key=lambda e: e['path']),
        'verify': 'sha256sum -c %s (macOS: shasum -a 256 -c %s), or python3 VERIFY.py' % (MANIFEST, MANIFEST),
    }
    return (json.dumps(data, indent=2, sort_keys=True) + '\n').encode('utf-8')


def parse_manifest(text):
    """(entries {path: sha256}, problems) from MANIFEST.sha256's text."""
    entries, problems = {}, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = LINE.match(line)
        if not match or not is_safe_relpath(match.group(2)):
            problems.append('%s line %d is not a `<sha256>  <relative path>` line' % (MANIFEST, number))
        elif match.group(2) in entries:
            problems.append('%s line %d lists %s twice' % (MANIFEST, number, match.group(2)))
        else:
            entries[match.group(2)] = match.group(1).lower()
    return entries, problems


def read_file(path):
    """The bytes of path, or None if there is no such file."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def read_phases(root):
    """The phases manifest.json records, or [] when it is missing or unreadable."""
    data = read_file(os.path.join(root, MANIFEST_JSON))
    try:
        phases = json.loads(data.decode('utf-8')).get('phases') if data else None
    except (ValueError, AttributeError):
        return []
    return [p for p in phases if isinstance(p, str)] if isinstance(phases, list) else []


def compare(root, entries):
    """Check the folder (entries: the files as they are now) against its manifest, writing nothing.

    Returns a dict: missing, extra, altered (relative paths), problems (text for anything else that
    is wrong: no manifest, malformed lines, manifest.json inconsistent) and manifest_sha256.
    """
    result = {'missing': [], 'extra': [], 'altered': [], 'problems': [], 'manifest_sha256': None}
    raw = read_file(os.path.join(root, MANIFEST))
    if raw is None:
        result['problems'].append('%s is missing: the bundle was never sealed (state=present)' % MANIFEST)
        return result
    result['manifest_sha256'] = sha256_bytes(raw)
    try:
        listed, problems = parse_manifest(raw.decode('utf-8'))
    except UnicodeDecodeError:
        listed, problems = {}, ['%s is not UTF-8 text' % MANIFEST]
    result['problems'].extend(problems)
    actual = {e['path']: e['sha256'] for e in entries}
    result['missing'] = sorted(set(listed) - set(actual))
    result['extra'] = sorted(set(actual) - set(listed))
    result['altered'] = sorted(p for p in set(listed) & set(actual) if listed[p] != actual[p])
    result['problems'].extend(check_manifest_json(read_file(os.path.join(root, MANIFEST_JSON)), raw, listed))
    return result


def check_manifest_json(data, manifest_raw, listed):
    """Problems with manifest.json: it must carry MANIFEST.sha256's digest and the same files."""
    if data is None:
        return ['%s is missing' % MANIFEST_JSON]
    try:
        meta = json.loads(data.decode('utf-8'))
        files = {f['path']: f['sha256'] for f in meta['files']}
        digest = meta['manifest_sha256']
    except (ValueError, KeyError, TypeError, AttributeError):
        return ['%s is not a manifest of this format' % MANIFEST_JSON]
    problems = []
    if digest != sha256_bytes(manifest_raw):
        problems.append('%s records another %s (its manifest_sha256 differs)' % (MANIFEST_JSON, MANIFEST))
    if files != listed:
        problems.append('%s and %s list different files or checksums' % (MANIFEST_JSON, MANIFEST))
    return problems


def write_atomic(path, data, mode=0o644):
    """Write data so that a reader sees the old file or the new one, never half of one.

    The temporary file has a fixed name next to the target, so a run killed mid-write leaves one file
    that the next run overwrites.
    """
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, '.%s.tmp' % name)
    with open(tmp, 'wb') as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    _fsync_dir(directory)


def write_atomic_from(path, producer, mode=0o644):
    """Like write_atomic, with producer(handle) writing the content (for files too large to hold)."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, '.%s.tmp' % name)
    try:
        with open(tmp, 'wb') as handle:
            producer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _fsync_dir(directory)


def _fsync_dir(directory):
    try:
        fd = os.open(directory or '.', os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stale_temp_files(root):
    """Temporary files this code left behind when a run was killed mid-write."""
    parent = os.path.dirname(os.path.normpath(root))
    base = os.path.basename(os.path.normpath(root))
    names = [os.path.join(root, '.%s.tmp' % n) for n in (MANIFEST, MANIFEST_JSON)]
    names += [os.path.join(parent, '.%s.tmp' % n) for n in (base + '.tar.gz', base + '.tar.gz.sha256')]
    return [n for n in names if os.path.lexists(n)]


class HashingWriter:
    """A write-only file that keeps only the SHA-256 and size of what is written to it."""

    def __init__(self):
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self):
        pass

    def hexdigest(self):
        return self.digest.hexdigest()


class _CheckedReader:
    """Reads a file into the archive while hashing it, so a file changed since verification is caught."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def write_archive(root, entries, out):
    """Write the folder as a deterministic .tar.gz to out.

    Members: the folder's directories and files under its own name, sorted, with mtime 0, uid/gid 0, no
    owner names, mode 0755 for directories and executables and 0644 otherwise; gzip without a name or time.
    The same folder therefore always gives the same bytes (for one zlib version). entries are the files
    (relative paths with their SHA-256) as verified; a file whose content changed since raises EvidenceError.
    """
    top = os.path.basename(os.path.normpath(root))
    expected = {e['path']: e['sha256'] for e in entries}
    files = sorted(set(expected) | {MANIFEST, MANIFEST_JSON})
    dirs = sorted(set('/'.join(f.split('/')[:i]) for f in files for i in range(1, f.count('/') + 1)))
    members = sorted([(d, True) for d in dirs] + [(f, False) for f in files])
    with gzip.GzipFile(filename='', mode='wb', compresslevel=9, fileobj=out, mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode='w', format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(_tarinfo(top, tarfile.DIRTYPE, 0o755))
            for rel, is_dir in members:
                if is_dir:
                    tar.addfile(_tarinfo(top + '/' + rel, tarfile.DIRTYPE, 0o755))
                    continue
                full = os.path.join(root, rel)
                st = os.stat(full)
                info = _tarinfo(top + '/' + rel, tarfile.REGTYPE, 0o755 if st.st_mode & 0o111 else 0o644)
                info.size = st.st_size
                with open(full, 'rb') as handle:
                    reader = _CheckedReader(handle)
                    tar.addfile(info, reader)
                if rel in expected and reader.digest.hexdigest() != expected[rel]:
                    raise EvidenceError('%s changed while it was being archived; run the task again.' % rel)


def _tarinfo(name, kind, mode):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ''
    return info
