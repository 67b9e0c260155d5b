# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile

from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.msp.dnsfilter.plugins.module_utils import _evidence as ev
from ansible_collections.msp.dnsfilter.plugins.modules import evidence_manifest
from ansible_collections.msp.dnsfilter.tests.unit.plugins.module_harness import ModuleExit, _exit_json, _fail_json

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SCRIPT = os.path.join(ROOT, 'scripts', 'verify-evidence')
API_KEY = 'dnsf-live-9c1f0b7e4a2d48e6b3a1c5d7e9f00112'
PIN = '482913'


def run(args, check_mode=False):
    """The module's main() with args. module_harness.run_module adds the API options, which this local-file
    module does not take; it makes no HTTP call, so no seam is needed either."""
    full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=False)
    with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full}))), \
            mock.patch.object(basic, '_ANSIBLE_PROFILE', 'legacy', create=True), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json):
        try:
            evidence_manifest.main()
        except ModuleExit as done:
            return done.result
    raise AssertionError('module returned without exit_json or fail_json')


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(content.encode() if isinstance(content, str) else content)


@pytest.fixture
def bundle(tmp_path):
    root = tmp_path / 'PSA-1001-20261126T101500Z'
    write(str(root / 'before' / 'roaming_clients.json'), json.dumps({'roaming_clients': [{'id': 1, 'hostname': 'pc-01'}]}))
    write(str(root / 'before' / 'query-log.csv'), 'time,fqdn,result\n2026-11-26 10:00:00,example.com,allowed\n')
    write(str(root / 'after' / 'roaming_clients.json'), json.dumps({'roaming_clients': []}))
    write(str(root / 'devices' / 'pc-01.json'), json.dumps({'host': 'pc-01', 'uninstalled': True}))
    write(str(root / 'operator' / 'policy-audit-log.csv'), 'when,who,what\n')
    write(str(root / 'operator' / 'idp-screenshots' / 'group.png'), b'\x89PNG\r\n\x1a\n' + bytes(range(256)) * 4)
    write(str(root / 'report.md'), '# Exit PSA-1001\n\nAPI keys revoked by their owners.\n')
    shutil.copy(SCRIPT, str(root / 'VERIFY.py'))
    return str(root)


def snapshot(top):
    """Every file under top with its bytes and mtime: what 'writes nothing' is checked against."""
    found = {}
    for current, _dirs, names in os.walk(top):
        for name in names:
            full = os.path.join(current, name)
            with open(full, 'rb') as handle:
                found[os.path.relpath(full, top)] = (handle.read(), os.stat(full).st_mtime_ns)
    return found


def load_script():
    loader = importlib.machinery.SourceFileLoader('verify_evidence', SCRIPT)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader('verify_evidence', loader))
    loader.exec_module(module)
    return module


def script_verdict(target):
    """missing/extra/altered as the standalone verifier sees them."""
    script = load_script()
    files, problems = script.folder_files(target)
    problems += script.verify(files)
    verdict = {'missing': [], 'extra': [], 'altered': [], 'other': []}
    for line in problems:
        kind, _sep, rel = line.partition('  ')
        key = kind.lower() if kind.lower() in verdict and '(' not in rel and ' ' not in rel.strip() else 'other'
        verdict[key].append(rel.strip())
    return verdict


def test_present_writes_sha256sum_manifest_and_is_idempotent(bundle):
    result = run({'path': bundle, 'phase': 'capture_evidence', 'secrets': [API_KEY, PIN]})
    assert result['changed'] is True and not result.get('failed')
    assert result['files'] == 8 and 'VERIFY.py' in result['added']
    with open(os.path.join(bundle, ev.MANIFEST), 'rb') as handle:
        manifest = handle.read()
    lines = manifest.decode().splitlines()
    assert [line.split('  ', 1)[1] for line in lines] == sorted(line.split('  ', 1)[1] for line in lines)
    with open(os.path.join(bundle, 'before', 'query-log.csv'), 'rb') as handle:
        assert '%s  before/query-log.csv' % hashlib.sha256(handle.read()).hexdigest() in lines
    meta = json.loads(open(os.path.join(bundle, ev.MANIFEST_JSON)).read())
    assert meta['manifest_sha256'] == hashlib.sha256(manifest).hexdigest() == result['manifest_sha256']
    assert meta['phases'] == ['capture_evidence'] and meta['total_bytes'] == result['total_bytes']
    assert 'mtime' not in json.dumps(meta)
    before = snapshot(bundle)
    again = run({'path': bundle, 'phase': 'capture_evidence', 'secrets': [API_KEY, PIN]})
    assert again['changed'] is False and again['manifest_sha256'] == result['manifest_sha256']
    assert again['added'] == again['removed'] == again['modified'] == []
    assert snapshot(bundle) == before


def test_present_records_phases_once_in_first_seen_order(bundle):
    for phase in ('capture_evidence', 'remove_roaming_clients', 'capture_evidence'):
        result = run({'path': bundle, 'phase': phase})
    assert result['changed'] is False and result['phases'] == ['capture_evidence', 'remove_roaming_clients']
    write(os.path.join(bundle, 'after', 'users.json'), '{}')
    os.unlink(os.path.join(bundle, 'devices', 'pc-01.json'))
    write(os.path.join(bundle, 'report.md'), '# Exit PSA-1001, closed\n')
    result = run({'path': bundle, 'phase': 'billing_handoff'})
    assert result['changed'] is True and result['phases'][-1] == 'billing_handoff'
    assert (result['added'], result['removed'], result['modified']) == (['after/users.json'], ['devices/pc-01.json'], ['report.md'])


def test_verified_passes_on_a_sealed_folder_and_writes_nothing(bundle):
    run({'path': bundle})
    before = snapshot(bundle)
    result = run({'path': bundle, 'state': 'verified'})
    assert result['changed'] is False and not result.get('failed') and result['files'] == 8
    assert snapshot(bundle) == before


def test_verified_lists_missing_extra_and_altered_files(bundle):
    run({'path': bundle})
    os.unlink(os.path.join(bundle, 'devices', 'pc-01.json'))
    write(os.path.join(bundle, 'after', 'late.json'), '{}')
    with open(os.path.join(bundle, 'before', 'query-log.csv'), 'ab') as handle:
        handle.write(b'2026-11-26 10:00:01,evil.example,allowed\n')
    before = snapshot(bundle)
    result = run({'path': bundle, 'state': 'verified'})
    assert result['failed'] and result['changed'] is False
    assert (result['missing'], result['extra'], result['altered']) == (['devices/pc-01.json'], ['after/late.json'], ['before/query-log.csv'])
    for name in ('devices/pc-01.json', 'after/late.json', 'before/query-log.csv'):
        assert name in result['msg']
    assert snapshot(bundle) == before
    assert script_verdict(bundle) == {'missing': result['missing'], 'extra': result['extra'], 'altered': result['altered'], 'other': []}


def test_verified_fails_without_a_manifest_and_on_an_inconsistent_manifest_json(bundle):
    result = run({'path': bundle, 'state': 'verified'})
    assert result['failed'] and 'never sealed' in result['msg']
    run({'path': bundle})
    meta_path = os.path.join(bundle, ev.MANIFEST_JSON)
    meta = json.loads(open(meta_path).read())
    meta['files'] = meta['files'][1:]
    write(meta_path, json.dumps(meta))
    result = run({'path': bundle, 'state': 'verified'})
    assert result['failed'] and any('manifest.json' in p for p in result['problems'])
    assert script_verdict(bundle)['other']
    # A run killed between the two manifest files leaves them inconsistent; sealing again repairs it.
    assert run({'path': bundle})['changed'] is True
    assert not run({'path': bundle, 'state': 'verified'}).get('failed')


def test_verifiers_agree_on_edge_cases(bundle):
    run({'path': bundle})
    write(os.path.join(bundle, 'operator', 'idp-screenshots', 'group.png'), b'\x89PNG other')
    os.unlink(os.path.join(bundle, 'VERIFY.py'))
    write(os.path.join(bundle, 'before', 'MANIFEST.sha256'), 'nested, not the real one\n')
    entries, _findings = ev.inventory(bundle, ev.list_files(bundle)[0])
    ours = ev.compare(bundle, entries)
    theirs = script_verdict(bundle)
    assert (ours['missing'], ours['extra'], ours['altered']) == (theirs['missing'], theirs['extra'], theirs['altered'])
    assert ours['missing'] == ['VERIFY.py'] and ours['extra'] == ['before/MANIFEST.sha256']
    with open(os.path.join(bundle, ev.MANIFEST), 'a') as handle:
        handle.write('not a manifest line\n%s  ../outside\n' % ('0' * 64))
    assert len(ev.compare(bundle, entries)['problems']) >= 2 and len(script_verdict(bundle)['other']) >= 2


def test_archive_is_deterministic_and_idempotent(bundle, tmp_path):
    run({'path': bundle, 'phase': 'billing_handoff'})
    first = run({'path': bundle, 'state': 'archived'})
    archive = bundle + '.tar.gz'
    assert first['changed'] is True and first['archive'] == archive
    with open(archive, 'rb') as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == first['archive_sha256']
    assert open(archive + '.sha256').read() == '%s  %s\n' % (first['archive_sha256'], os.path.basename(archive))
    second = run({'path': bundle, 'state': 'archived'})
    assert second['changed'] is False and second['archive_sha256'] == first['archive_sha256']
    # Rebuilt from scratch, with other file times and permissions: the same bytes.
    os.unlink(archive)
    for current, _dirs, names in os.walk(bundle):
        for name in names:
            os.utime(os.path.join(current, name), (1700000000, 1700000000))
    os.chmod(os.path.join(bundle, 'report.md'), 0o600)
    third = run({'path': bundle, 'state': 'archived'})
    assert third['changed'] is True
    with open(archive, 'rb') as handle:
        assert handle.read() == data
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[0] == os.path.basename(bundle) and names[1:] == sorted(names[1:])
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, '', '')}
    assert os.path.basename(bundle) + '/MANIFEST.sha256' in names


def test_archive_refuses_a_folder_that_does_not_verify(bundle):
    run({'path': bundle})
    write(os.path.join(bundle, 'after', 'late.json'), '{}')
    result = run({'path': bundle, 'state': 'archived'})
    assert result['failed'] and result['extra'] == ['after/late.json']
    assert not os.path.exists(bundle + '.tar.gz')


def test_secret_found_fails_naming_the_file_never_the_secret(bundle):
    write(os.path.join(bundle, 'devices', 'pc-02.json'), json.dumps({'host': 'pc-02', 'uninstall_args': '/PIN %s /quiet' % PIN}))
    write(os.path.join(bundle, 'before', 'notes.txt'), 'line one\nkey in a debug dump: %s\n' % API_KEY)
    result = run({'path': bundle, 'secrets': [API_KEY, '', PIN]})
    assert result['failed']
    text = json.dumps(result)
    assert API_KEY not in text and PIN not in text
    assert {(f['path'], f['kind'], f['line']) for f in result['secret_findings']} == {
        ('before/notes.txt', 'secrets[0]', 2), ('devices/pc-02.json', 'secrets[2]', 1)}
    assert 'before/notes.txt' in result['msg'] and 'devices/pc-02.json' in result['msg']
    assert not os.path.exists(os.path.join(bundle, ev.MANIFEST))


def test_secret_scan_encodings_word_boundaries_and_chunk_edges(tmp_path):
    root = str(tmp_path / 'b')
    write(os.path.join(root, 'escaped.json'), json.dumps({'v': 'pa"ss/w0rd\\long-enough'}))
    write(os.path.join(root, 'numbers.csv'), 'id\n1482913\n%s0\n' % PIN)
    write(os.path.join(root, 'big.log'), b'.' * (ev.CHUNK - 10) + API_KEY.encode() + b'\n')
    write(os.path.join(root, 'leak-%s.txt' % PIN), 'x')
    result = run({'path': root, 'secrets': [API_KEY, 'pa"ss/w0rd\\long-enough', PIN], 'credential_patterns': False})
    assert {(f['path'], f['kind']) for f in result['secret_findings']} == {
        ('big.log', 'secrets[0]'), ('escaped.json', 'secrets[1]'), ('leak-%s.txt' % PIN, 'secrets[2]')}
    assert run({'path': root, 'secrets': ['123']})['msg'].startswith('secrets[0] has fewer than 4 characters')


def test_credential_patterns_and_allowlist(tmp_path):
    root = str(tmp_path / 'b')
    write(os.path.join(root, 'ok.json'), json.dumps({
        'api_key': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', 'token_last4': 'a1b2', 'password': '********', 'secret_key': '<redacted>',
        'text': 'API keys revoked by their owners; Authorization: Bearer <token>', 'url': 'https://example.com/a?b=c'}))
    assert not run({'path': root}).get('failed')
    leaks = {
        'http.log': 'GET /v1/organizations\nAuthorization: Bearer abcdefghijklmnop123\n',
        'env.txt': 'export DNSFILTER_API_KEY=0123456789abcdef0123\n',
        'vars.json': '{"mdm_password": "Correct-Horse-Battery"}',
        'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\n',
        'link.txt': 'https://s3.example.com/x.csv?X-Amz-Credential=AKIAEXAMPLEKEY0000%2F&X-Amz-Signature=00ff00ff00ff00ff00ff\n',
        'pin.yml': 'uninstall_pin: 4821\n',
    }
    for name, content in leaks.items():
        write(os.path.join(root, name), content)
    result = run({'path': root})
    kinds = {f['path']: f['kind'] for f in result['secret_findings']}
    assert kinds == {'http.log': 'authorization_header', 'env.txt': 'api_key_value', 'vars.json': 'credential_value',
                     'id_rsa': 'private_key', 'link.txt': 'presigned_url', 'pin.yml': 'pin_value'}
    assert kinds.keys() == {f['path'] for f in result['secret_findings']}
    assert result['secret_findings'][0]['line'] == 1 and 'abcdefghijklmnop123' not in json.dumps(result)
    # The allowlist is the operator's to replace; credential_patterns=false turns the patterns off.
    allow = ['Correct-Horse', 'OPENSSH', 'Amz', 'abcdefghijklmnop', 'API_KEY=0123', '4821']
    result = run({'path': root, 'credential_allowlist': allow})
    assert result['failed'] and [f['path'] for f in result['secret_findings']] == ['ok.json'], 'the default allowlist was replaced'
    result = run({'path': root, 'credential_allowlist': allow + ['VALUE_SPECIFIED_IN_NO_LOG_PARAMETER']})
    assert not result.get('failed'), result['msg']
    assert not run({'path': root, 'credential_patterns': False}).get('failed')
    assert run({'path': root, 'credential_allowlist': ['(']})['msg'].startswith('credential_allowlist[0] is not a valid regular expression')


def test_check_mode_writes_nothing(bundle):
    before = snapshot(os.path.dirname(bundle))
    result = run({'path': bundle, 'phase': 'capture_evidence'}, check_mode=True)
    assert result['changed'] is True and result['files'] == 8
    assert snapshot(os.path.dirname(bundle)) == before
    sealed = run({'path': bundle, 'phase': 'capture_evidence'})
    assert sealed['manifest_sha256'] == result['manifest_sha256']
    before = snapshot(os.path.dirname(bundle))
    result = run({'path': bundle, 'state': 'archived'}, check_mode=True)
    assert result['changed'] is True and result['archive_sha256']
    assert snapshot(os.path.dirname(bundle)) == before
    assert run({'path': bundle, 'state': 'archived'})['archive_sha256'] == result['archive_sha256']
    assert run({'path': bundle, 'state': 'archived'}, check_mode=True)['changed'] is False


def test_required_files_missing_fail_with_the_phase(bundle):
    result = run({'path': bundle, 'state': 'verified', 'phase': 'remove_roaming_clients',
                  'required_files': ['operator/policy-audit-log.csv', 'operator/idp-group-removed.png', 'operator/customer-acceptance.pdf']})
    assert result['failed'] and result['required_missing'] == ['operator/idp-group-removed.png', 'operator/customer-acceptance.pdf']
    assert 'remove_roaming_clients needs' in result['msg'] and 'operator/customer-acceptance.pdf' in result['msg']
    result = run({'path': bundle, 'required_files': ['../outside.csv']})
    assert result['failed'] and 'relative paths inside the folder' in result['msg']


def test_unfinished_exports_links_and_excluded_markers(bundle, tmp_path):
    write(os.path.join(bundle, 'before', 'query-log.csv.part'), 'half')
    result = run({'path': bundle})
    assert result['failed'] and 'before/query-log.csv.part' in result['msg'] and not os.path.exists(os.path.join(bundle, ev.MANIFEST))
    os.unlink(os.path.join(bundle, 'before', 'query-log.csv.part'))
    write(str(tmp_path / 'outside.txt'), 'x')
    os.symlink(str(tmp_path / 'outside.txt'), os.path.join(bundle, 'operator', 'link.txt'))
    result = run({'path': bundle})
    assert result['failed'] and 'operator/link.txt: a symbolic link' in result['msg']
    os.unlink(os.path.join(bundle, 'operator', 'link.txt'))
    write(os.path.join(bundle, 'RUN-OPEN'), 'This run has not finished.\n')
    assert run({'path': bundle, 'exclude': ['RUN-OPEN']})['files'] == 8
    assert not run({'path': bundle, 'state': 'verified', 'exclude': ['RUN-OPEN']}).get('failed')
    assert run({'path': bundle, 'state': 'verified'})['extra'] == ['RUN-OPEN']
    run({'path': bundle, 'state': 'archived', 'exclude': ['RUN-OPEN']})
    with tarfile.open(bundle + '.tar.gz') as tar:
        assert not any(name.endswith('RUN-OPEN') for name in tar.getnames())


def test_a_run_killed_mid_write_is_finished_by_the_next(bundle):
    run({'path': bundle})
    write(os.path.join(bundle, '.MANIFEST.sha256.tmp'), 'half a manif')
    write(bundle + '.tar.gz', b'half an archive')
    write(os.path.join(os.path.dirname(bundle), '.%s.tar.gz.tmp' % os.path.basename(bundle)), b'half')
    assert run({'path': bundle, 'state': 'verified'})['extra'] == ['.MANIFEST.sha256.tmp']
    assert run({'path': bundle})['changed'] is False
    result = run({'path': bundle, 'state': 'archived'})
    assert result['changed'] is True and sorted(os.listdir(os.path.dirname(bundle))) == sorted(
        [os.path.basename(bundle), os.path.basename(bundle) + '.tar.gz', os.path.basename(bundle) + '.tar.gz.sha256'])
    assert run({'path': bundle, 'state': 'archived'})['changed'] is False


def test_missing_folder(tmp_path):
    result = run({'path': str(tmp_path / 'nope'), 'state': 'verified'})
    assert result['failed'] and 'does not exist' in result['msg']


def verify_script(target, direct=False):
    command = [SCRIPT, target] if direct else [sys.executable, SCRIPT, target]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_standalone_verifier_on_folder_archive_and_tampered_copies(bundle, tmp_path):
    run({'path': bundle, 'phase': 'billing_handoff'})
    run({'path': bundle, 'state': 'archived'})
    done = verify_script(bundle)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'VERIFIED: all 8 file(s)' in done.stdout and 'sha256sum -c MANIFEST.sha256' in done.stdout
    done = verify_script(bundle + '.tar.gz')
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'matches' in done.stdout
    # VERIFY.py in the bundle verifies its own folder, and runs as a program (sh finds python3).
    if shutil.which('python3'):
        done = subprocess.run([os.path.join(bundle, 'VERIFY.py')], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and 'VERIFIED' in done.stdout, done.stdout + done.stderr
    if shutil.which('sha256sum'):
        done = subprocess.run(['sha256sum', '-c', '--strict', ev.MANIFEST], cwd=bundle, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        done = subprocess.run(['sha256sum', '-c', os.path.basename(bundle) + '.tar.gz.sha256'], cwd=os.path.dirname(bundle),
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr

    tampered = str(tmp_path / 'copy' / os.path.basename(bundle))
    shutil.copytree(bundle, tampered)
    with open(os.path.join(tampered, 'after', 'roaming_clients.json'), 'w') as handle:
        handle.write('{"roaming_clients": ["edited"]}')
    done = verify_script(tampered)
    assert done.returncode == 1 and 'ALTERED  after/roaming_clients.json' in done.stdout and 'NOT VERIFIED' in done.stdout
    if shutil.which('sha256sum'):
        assert subprocess.run(['sha256sum', '--quiet', '-c', ev.MANIFEST], cwd=tampered, capture_output=True, check=False).returncode == 1

    # A tampered archive: its bytes no longer match the .sha256 beside it, and a rebuilt one fails inside.
    forged = str(tmp_path / 'copy' / os.path.basename(bundle)) + '.tar.gz'
    with tarfile.open(forged, 'w:gz') as tar:
        tar.add(tampered, arcname=os.path.basename(bundle))
    shutil.copy(bundle + '.tar.gz.sha256', forged + '.sha256')
    done = verify_script(forged)
    assert done.returncode == 1 and 'DOES NOT MATCH' in done.stdout and 'ALTERED  after/roaming_clients.json' in done.stdout
    assert verify_script(str(tmp_path / 'nothing-here')).returncode == 1


def test_verify_py_holds_nothing_the_scanner_flags(bundle):
    """The verifier travels in every bundle, so it must pass the bundle's own credential scan."""
    entries, findings = ev.inventory(bundle, ['VERIFY.py'], ev.SecretScanner())
    assert entries and findings == []
