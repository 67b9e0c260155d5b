#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: evidence_manifest
short_description: Seal, verify and archive an exit's evidence folder with SHA-256 checksums
version_added: 0.1.0
description:
  - Writes the manifest of an evidence folder (C(MANIFEST.sha256) in C(sha256sum) format and C(manifest.json)), checks a
    folder against its manifest, and writes the folder as a deterministic C(.tar.gz) with its checksum.
  - Every state first checks that the folder holds no secret. Each value in O(secrets) (the API key, an uninstall PIN,
    a password) is searched for in every file and file name, as is and JSON- or URL-encoded; and text that looks like a
    credential is searched for with built-in patterns (see O(credential_patterns)). A finding fails the task naming the
    file, the kind of finding and the line, never the text found.
  - This is a local-file module. It runs where the evidence folder is (normally C(localhost)), makes no DNSFilter API
    call, takes no connection options and is therefore not in the C(msp.dnsfilter.all) action group.
  - The folder's customer can verify it without Ansible with C(VERIFY.py) (the collection's C(scripts/verify-evidence),
    which the exit playbooks copy into the bundle) or with C(sha256sum -c MANIFEST.sha256). See C(docs/evidence.md).
options:
  path:
    description: The evidence folder.
    type: path
    required: true
  state:
    description:
      - V(present) writes or refreshes C(MANIFEST.sha256) and C(manifest.json) for the files as they are now. Unchanged
        files give the same bytes, so a second run reports no change. Refuses a folder holding a secret, a symbolic link,
        or a file an unfinished export left behind (C(*.part), C(*.tmp), C(*.progress.json)).
      - V(verified) recomputes every checksum and fails listing the missing, extra and altered files (and a
        C(manifest.json) that does not match C(MANIFEST.sha256)). It writes nothing. Use it as the gate before a
        destructive phase.
      - V(archived) requires the folder to verify, then writes C(<path>.tar.gz) next to the folder and
        C(<path>.tar.gz.sha256). Members are sorted and carry fixed times and owners, so the same folder always gives
        the same archive bytes; an archive that already has those bytes is left alone.
    type: str
    choices: [present, verified, archived]
    default: present
  phase:
    description:
      - The exit phase this task belongs to, for example V(capture_evidence) or V(remove_roaming_clients).
      - With O(state=present) it is added to the phase list in C(manifest.json) (once; the list keeps the order in which
        phases were first sealed, so a resumed run gives the same list).
      - In every state it names the phase in the messages about O(required_files).
    type: str
  required_files:
    description:
      - Files, relative to O(path), that must exist, for example the operator-supplied C(operator/policy-audit-log.csv).
        A missing one fails the task, listing every missing file and the O(phase) that needs it.
    type: list
    elements: str
    default: []
  secrets:
    description:
      - Values that must not appear in any file of the bundle, or in a file name - the DNSFilter API key, a Roaming
        Client uninstall PIN, MDM or local administrator passwords. Empty values are ignored; a value of fewer than 4
        characters is refused, as it cannot be searched for without false alarms.
      - Values of fewer than 16 characters (such as PINs) are only found as whole words, so C(4821) is not found inside
        C(148210).
      - A finding is reported as C(secrets[N]) (the index in this list) with the file and line.
    type: list
    elements: str
    default: []
  credential_patterns:
    description:
      - Also search for text that looks like a credential, whatever its value, with these built-in patterns
        (case-insensitive; a finding names the pattern).
      - "C(authorization_header): an C(Authorization:) header or field with a value of 12 or more characters."
      - "C(api_key_value): C(api_key=), C(x-api-key:), C(\"apiKey\": ...) with a value of 12 or more characters."
      - "C(credential_value): a key ending in C(token), C(secret), C(password), C(passwd) or C(pwd) with a value of 12 or
        more characters."
      - "C(pin_value): a key C(pin), C(pincode) or C(*_pin) with 4 or more digits."
      - "C(private_key): a PEM private key. C(jwt): a JSON Web Token. C(url_credentials): C(scheme://user:password@).
        C(presigned_url): the signature or credential parameter of a signed download URL."
      - Images and other binary files are searched as bytes; text in a screenshot is not read.
    type: bool
    default: true
  credential_allowlist:
    description:
      - Regular expressions (Python syntax) for matches of O(credential_patterns) that are not credentials. A match is
        ignored if any expression is found in the matched text (the key and the value). Setting this option replaces the
        default list.
      - The default ignores Ansible's C(no_log) placeholder C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER) and values containing
        C(redacted) or C(placeholder) (any case). Values made of C(*) never match the patterns.
      - The allowlist does not apply to O(secrets).
    type: list
    elements: str
    default: ['VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', '(?i)redacted', '(?i)placeholder']
  exclude:
    description:
      - Glob patterns (relative to O(path), matched with C(fnmatch)) of files the manifest and the archive leave out, for
        example a run's own C(RUN-OPEN) marker. They are not searched for secrets either.
      - The customer's verifier does not know this list; remove excluded files before the bundle is handed over.
    type: list
    elements: str
    default: []
notes:
  - C(manifest.json) records no time, so re-sealing an unchanged folder writes nothing and the archive of a folder is
    reproducible. The archive's bytes depend on the zlib version, so an archive rebuilt on another controller may differ
    while its content and C(MANIFEST.sha256) do not.
  - Files are written atomically (a temporary file next to the target, then a rename), so a run killed at any moment
    leaves the old file or the new one; the temporary file a killed run leaves is removed by the next run.
  - In check mode nothing is written. O(state=verified) and O(state=archived) check the folder as it is, so after a
    O(state=present) task that only predicted a change they fail as a real run would not.
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without writing anything.
    support: full
    details: In check mode the module reports whether it would write the manifest or the archive, and writes nothing.
  diff_mode:
    description: Returns details on what has changed, when in diff mode.
    support: none
    details: The module returns the lists of added, removed and modified files (RV(added), RV(removed), RV(modified)) and
      the checksums instead of a diff.
  idempotent:
    description: Running the module again with the same options changes nothing.
    support: full
    details: The manifest and the archive have no timestamps, so an unchanged folder gives byte-identical files.
seealso:
  - name: The evidence bundle
    description: Layout of an exit's evidence folder, and how a customer verifies it.
    link: https://github.com/msp-dnsfilter/msp.dnsfilter/blob/main/docs/evidence.md
author:
  - msp.dnsfilter maintainers (@msp-dnsfilter)
'''

EXAMPLES = r'''
- name: Capture evidence | seal the folder (the operator's Policy Audit Log export must be there)
  msp.dnsfilter.evidence_manifest:
    path: "{{ dnsfilter_evidence_dir }}"
    state: present
    phase: capture_evidence
    required_files:
      - operator/policy-audit-log.csv
    secrets:
      - "{{ lookup('ansible.builtin.env', 'DNSFILTER_API_KEY') }}"
    exclude: [RUN-OPEN]

- name: Remove Roaming Clients | nothing is removed unless the evidence verifies
  msp.dnsfilter.evidence_manifest:
    path: "{{ dnsfilter_evidence_dir }}"
    state: verified
    phase: remove_roaming_clients
    required_files:
      - operator/policy-audit-log.csv
    exclude: [RUN-OPEN]

- name: Record the billing handoff | archive the sealed bundle
  msp.dnsfilter.evidence_manifest:
    path: "{{ dnsfilter_evidence_dir }}"
    state: archived
    exclude: [RUN-OPEN]
  register: dnsfilter_archive
'''

RETURN = r'''
files:
  description: Number of files the manifest lists (every file but C(MANIFEST.sha256) and C(manifest.json)).
  returned: success
  type: int
  sample: 27
total_bytes:
  description: Their total size.
  returned: success
  type: int
manifest_sha256:
  description: SHA-256 of C(MANIFEST.sha256), the digest of the whole bundle (as written, or as it would be in check mode).
  returned: success
  type: str
phases:
  description: The phases C(manifest.json) records.
  returned: success
  type: list
  elements: str
added:
  description: Files the previous manifest did not list.
  returned: when O(state=present)
  type: list
  elements: str
removed:
  description: Files the previous manifest listed that are gone.
  returned: when O(state=present)
  type: list
  elements: str
modified:
  description: Files whose checksum differs from the previous manifest's.
  returned: when O(state=present)
  type: list
  elements: str
missing:
  description: Files the manifest lists that are not in the folder.
  returned: when O(state=verified) or O(state=archived) fails
  type: list
  elements: str
extra:
  description: Files in the folder that the manifest does not list.
  returned: when O(state=verified) or O(state=archived) fails
  type: list
  elements: str
altered:
  description: Files whose SHA-256 differs from the manifest's.
  returned: when O(state=verified) or O(state=archived) fails
  type: list
  elements: str
problems:
  description: Everything else that is wrong, one sentence each.
  returned: on failure
  type: list
  elements: str
secret_findings:
  description: Where a secret or a credential-like text was found. Never holds the text itself.
  returned: when a secret was found
  type: list
  elements: dict
  contains:
    path:
      description: The file, relative to O(path).
      type: str
    kind:
      description: C(secrets[N]) for the Nth value of O(secrets), otherwise the name of the credential pattern.
      type: str
    line:
      description: The line of the first finding in the file (null when it is in the file name).
      type: int
required_missing:
  description: Entries of O(required_files) that do not exist.
  returned: when one is missing
  type: list
  elements: str
archive:
  description: The archive's path.
  returned: when O(state=archived)
  type: str
archive_sha256:
  description: The archive's SHA-256 (also in C(<archive>.sha256)).
  returned: when O(state=archived)
  type: str
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.msp.dnsfilter.plugins.module_utils import _evidence as ev


def fail(module, msg, **result):
    result.setdefault('changed', False)
    module.fail_json(msg=msg, **result)


def check_folder(module, scanner, refuse_partial):
    """Inventory the folder, failing on everything that keeps it from being a bundle. Returns the entries."""
    p = module.params
    root = p['path']
    phase = p['phase'] or 'this phase'
    missing = [f for f in p['required_files'] if not os.path.isfile(os.path.join(root, f))]
    files, problems = ev.list_files(root, p['exclude'])
    if refuse_partial:
        partial = [f for f in files if ev.is_partial(f)]
        if partial:
            problems.append('left behind by an unfinished export or write (finish it, or remove the file): %s' % ', '.join(partial))
    entries, findings = ev.inventory(root, files, scanner)
    msgs = []
    if missing:
        msgs.append('%s needs these files in the evidence folder, which are missing: %s' % (phase, ', '.join(missing)))
    if problems:
        msgs.append('The folder holds what a bundle must not: %s' % '; '.join(problems))
    if findings:
        msgs.append('Secrets or credential-like text found (remove them from the files, then run again): %s' % ', '.join(
            '%s (%s%s)' % (f['path'], f['kind'], ', line %d' % f['line'] if f['line'] else ', in the name') for f in findings))
    if msgs:
        fail(module, ' '.join(msgs), required_missing=missing, problems=problems, secret_findings=findings)
    return entries


def summary(entries, manifest_bytes, phases):
    return dict(files=len(entries), total_bytes=sum(e['size'] for e in entries),
                manifest_sha256=ev.sha256_bytes(manifest_bytes), phases=phases)


def present(module, entries):
    root = module.params['path']
    phases = ev.read_phases(root)
    if module.params['phase'] and module.params['phase'] not in phases:
        phases.append(module.params['phase'])
    text = ev.manifest_text(entries).encode('utf-8')
    meta = ev.manifest_json(root, entries, phases)
    old, old_problems = ev.parse_manifest((ev.read_file(os.path.join(root, ev.MANIFEST)) or b'').decode('utf-8', 'replace'))
    new = {e['path']: e['sha256'] for e in entries}
    writes = [(name, data) for name, data in ((ev.MANIFEST, text), (ev.MANIFEST_JSON, meta))
              if ev.read_file(os.path.join(root, name)) != data]
    if writes and not module.check_mode:
        for name, data in writes:
            ev.write_atomic(os.path.join(root, name), data)
    module.exit_json(changed=bool(writes), added=sorted(set(new) - set(old)), removed=sorted(set(old) - set(new)),
                     modified=sorted(f for f in set(new) & set(old) if new[f] != old[f]),
                     **summary(entries, text, phases))


def verify(module, entries):
    """Fail unless the folder matches its manifest; returns the manifest's bytes."""
    root = module.params['path']
    result = ev.compare(root, entries)
    listing = [('missing', result['missing']), ('extra', result['extra']), ('altered', result['altered'])]
    msgs = ['%s: %s' % (name, ', '.join(paths)) for name, paths in listing if paths] + result['problems']
    if msgs:
        fail(module, 'The evidence folder does not match its manifest - %s.' % '; '.join(msgs),
             missing=result['missing'], extra=result['extra'], altered=result['altered'], problems=result['problems'])
    return ev.read_file(os.path.join(root, ev.MANIFEST))


def archived(module, entries, manifest_bytes):
    root = os.path.normpath(module.params['path'])
    archive = root + '.tar.gz'
    sidecar = archive + '.sha256'
    sink = ev.HashingWriter()
    ev.write_archive(root, entries, sink)
    digest = sink.hexdigest()
    sidecar_text = ('%s  %s\n' % (digest, os.path.basename(archive))).encode('utf-8')
    current = ev.hash_file(archive)[1] if os.path.isfile(archive) else None
    changed = current != digest or ev.read_file(sidecar) != sidecar_text
    if changed and not module.check_mode:
        if current != digest:
            ev.write_atomic_from(archive, lambda handle: ev.write_archive(root, entries, handle))
            if ev.hash_file(archive)[1] != digest:
                fail(module, 'The archive written differs from the one computed: a file changed meanwhile. Run the task again.')
        ev.write_atomic(sidecar, sidecar_text)
    module.exit_json(changed=changed, archive=archive, archive_sha256=digest,
                     **summary(entries, manifest_bytes, ev.read_phases(root)))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            state=dict(type='str', choices=['present', 'verified', 'archived'], default='present'),
            phase=dict(type='str'),
            required_files=dict(type='list', elements='str', default=[]),
            secrets=dict(type='list', elements='str', default=[], no_log=True),
            credential_patterns=dict(type='bool', default=True),
            credential_allowlist=dict(type='list', elements='str', default=list(ev.DEFAULT_ALLOWLIST)),
            exclude=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.isdir(p['path']):
        fail(module, 'The evidence folder %s does not exist.' % p['path'])
    bad = [f for f in p['required_files'] if not ev.is_safe_relpath(f)]
    if bad:
        fail(module, 'required_files must be relative paths inside the folder: %s' % ', '.join(bad))
    try:
        scanner = ev.SecretScanner(p['secrets'], patterns=p['credential_patterns'], allowlist=p['credential_allowlist'])
        if p['state'] != 'verified' and not module.check_mode:
            for stale in ev.stale_temp_files(p['path']):
                os.unlink(stale)
        entries = check_folder(module, scanner, refuse_partial=p['state'] != 'verified')
        if p['state'] == 'present':
            present(module, entries)
        manifest_bytes = verify(module, entries)
        if p['state'] == 'archived':
            archived(module, entries, manifest_bytes)
        module.exit_json(changed=False, **summary(entries, manifest_bytes, ev.read_phases(p['path'])))
    except (ev.EvidenceError, OSError) as exc:
        fail(module, str(exc))


if __name__ == '__main__':
    main()
