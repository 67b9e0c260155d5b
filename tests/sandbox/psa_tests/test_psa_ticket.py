"""msp.dnsfilter.psa_ticket through ansible-playbook against the ConnectWise PSA, Autotask and HaloPSA simulators."""
from __future__ import annotations

import base64
import hashlib

import pytest

from conftest import PROVIDERS, WRITE_PATHS, connection, run_module, ticket_of, writes


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exit_args(sim, provider, bundle, report, **extra) -> dict:
    args = dict(connection(sim, provider), provider=provider, ticket=ticket_of(sim, provider), title_prefix='DNSFilter exit Contoso - ',
                note='DNSFilter exit of Contoso: all phases complete.\nRoaming Clients removed: 12.',
                attachments=[str(report), str(bundle)])
    args.update(extra)
    return {k: v for k, v in args.items() if v is not None}


@pytest.mark.parametrize('provider', PROVIDERS)
def test_note_and_binary_bundle_round_trip_then_rerun_changes_nothing(sim, bundle, report, tmp_path, provider):
    args = exit_args(sim, provider, bundle, report)

    predicted = run_module(tmp_path, args, '--check')
    assert predicted.result['changed'] is True, predicted.output[-3000:]
    assert predicted.result['note']['action'] == 'would_post'
    assert [a['action'] for a in predicted.result['attachments']] == ['would_upload', 'would_upload']
    assert writes(sim, provider) == [], 'check mode posted something'

    done = run_module(tmp_path, args, '--diff')
    assert done.result['changed'] is True and not done.result.get('failed'), done.output[-3000:]
    assert done.result['note']['action'] == 'posted'
    assert [a['action'] for a in done.result['attachments']] == ['uploaded', 'uploaded']
    assert done.result['diff']['after']['attachments'] == ['DNSFilter exit Contoso - evidence.tar.gz', 'DNSFilter exit Contoso - report.html']

    state = sim.state(provider)
    assert len(state['notes']) == 1 and done.result['note']['marker'] in state['notes'][0]['text']
    assert 'Roaming Clients removed: 12.' in state['notes'][0]['text']
    stored = {f['title']: f for f in state['files']}
    assert set(stored) == {'DNSFilter exit Contoso - evidence.tar.gz', 'DNSFilter exit Contoso - report.html'}
    # Byte-exact: the PSA holds exactly the bytes of the bundle and of the UTF-8 report.
    tarball = stored['DNSFilter exit Contoso - evidence.tar.gz']
    assert sim.file_bytes(provider, tarball['id']) == bundle.read_bytes()
    assert tarball['sha256'] == sha256(bundle) == done.result['attachments'][1]['sha256']
    assert stored['DNSFilter exit Contoso - report.html']['sha256'] == sha256(report)
    posted = len(writes(sim, provider))
    assert posted == 3

    again = run_module(tmp_path, args)
    assert again.result['changed'] is False, again.output[-3000:]
    assert again.result['note']['action'] == 'present'
    assert [a['action'] for a in again.result['attachments']] == ['present', 'present']
    assert again.changed_count() == 0
    assert len(writes(sim, provider)) == posted, 'the re-run posted again'


def test_a_changed_file_under_the_same_title_is_uploaded_again(sim, bundle, report, tmp_path):
    provider = 'autotask'
    args = exit_args(sim, provider, bundle, report, note=None)
    run_module(tmp_path, args)
    report.write_text('<html><body>second version</body></html>\n', encoding='utf-8')
    second = run_module(tmp_path, args)
    assert second.result['changed'] is True
    assert [a['action'] for a in second.result['attachments']] == ['uploaded', 'present']
    titles = sorted(f['title'] for f in sim.state(provider)['files'])
    assert titles == ['DNSFilter exit Contoso - evidence.tar.gz', 'DNSFilter exit Contoso - report.html', 'DNSFilter exit Contoso - report.html']


WRONG = {
    'connectwise': {'private_key': 'WRONG-cw-private-9d1c44e0'},
    'autotask': {'secret': 'WRONG-at-secret-3e7f51aa'},
    'halopsa': {'client_secret': 'WRONG-halo-secret-5a2b90cd'},
}


@pytest.mark.parametrize('provider', PROVIDERS)
def test_wrong_credentials_fail_clearly_without_the_secret_at_vvv(sim, bundle, report, tmp_path, provider):
    args = exit_args(sim, provider, bundle, report, **WRONG[provider])
    failed = run_module(tmp_path, args, '-vvv')
    secret = next(iter(WRONG[provider].values()))
    assert failed.result.get('failed') is True
    expected = 'refused the client credentials' if provider == 'halopsa' else 'rejected the credentials (HTTP 401)'
    assert expected in failed.result['msg'], failed.result['msg']
    assert secret not in failed.output and secret not in str(failed.result)
    if provider == 'connectwise':
        info = sim.info['connectwise']
        login = '%s+%s:%s' % (info['company'], info['public_key'], secret)
        assert base64.b64encode(login.encode()).decode() not in failed.output, 'the encoded Basic login leaked'
    assert writes(sim, provider) == []
    assert sim.state(provider)['notes'] == [] and sim.state(provider)['files'] == []


def test_credentials_from_the_environment_and_a_wrong_secret_stays_hidden(sim, tmp_path):
    info = connection(sim, 'autotask')
    env = {'PSA_URL': info['url'], 'PSA_USERNAME': info['username'], 'PSA_SECRET': info['secret'], 'PSA_INTEGRATION_CODE': info['integration_code']}
    args = {'provider': 'autotask', 'ticket': ticket_of(sim, 'autotask'), 'note': 'From the environment.'}
    assert run_module(tmp_path, args, env=env).result['note']['action'] == 'posted'
    wrong = run_module(tmp_path, args, '-vvv', env=dict(env, PSA_SECRET='WRONG-env-secret-77aa01'))
    assert wrong.result.get('failed') is True and 'WRONG-env-secret-77aa01' not in wrong.output


def test_halopsa_refuses_a_note_without_a_known_outcome(sim, tmp_path):
    args = dict(connection(sim, 'halopsa'), provider='halopsa', ticket=ticket_of(sim, 'halopsa'), note='Phase 3 failed.', halo_outcome=999)
    failed = run_module(tmp_path, args)
    assert failed.result.get('failed') is True
    assert 'An Outcome must be entered for this Action' in failed.result['msg'] and 'halo_outcome' in failed.result['msg']
    assert sim.state('halopsa')['notes'] == []
    # The default outcome (7, Private Note) is accepted.
    args.pop('halo_outcome')
    assert run_module(tmp_path, args).result['note']['action'] == 'posted'
    assert sim.state('halopsa')['notes'][0]['outcome'] == 'Private Note' and sim.state('halopsa')['notes'][0]['hiddenfromuser'] is True


@pytest.mark.parametrize('provider', PROVIDERS)
def test_connection_dropped_after_a_write_is_not_repeated(sim, bundle, report, tmp_path, provider):
    """The PSA applies the write and the connection drops before the answer: the module must not send it again."""
    args = exit_args(sim, provider, bundle, report, attachments=[str(bundle)])
    note_glob, file_glob = WRITE_PATHS[provider]['note'], WRITE_PATHS[provider]['file']

    sim.drop_after(provider=provider, method='POST', path=note_glob)
    first = run_module(tmp_path, args)
    assert first.result.get('failed') is True
    assert 'dropped' in first.result['msg'] and 'not sent again' in first.result['msg'], first.result['msg']
    assert first.result['note']['action'] == 'posting'
    assert len(writes(sim, provider, note_glob)) == 1 and writes(sim, provider, file_glob) == []

    sim.drop_after(provider=provider, method='POST', path=file_glob)
    second = run_module(tmp_path, args)
    assert second.result.get('failed') is True and 'dropped' in second.result['msg'], second.result.get('msg')
    assert second.result['note']['action'] == 'present', 'the note applied before the drop was not recognised'
    assert second.result['attachments'][0]['action'] == 'uploading'
    assert len(writes(sim, provider, file_glob)) == 1

    third = run_module(tmp_path, args)
    assert not third.result.get('failed') and third.result['changed'] is False, third.result.get('msg')
    assert third.result['note']['action'] == 'present' and third.result['attachments'][0]['action'] == 'present'
    state = sim.state(provider)
    assert len(state['notes']) == 1, 'duplicate note'
    assert len(state['files']) == 1 and state['files'][0]['sha256'] == sha256(bundle), 'duplicate or corrupt file'
    assert len(writes(sim, provider)) == 2, 'a write was sent twice'


def test_a_play_with_dnsfilter_group_defaults_can_call_it(sim, tmp_path):
    """psa_ticket is outside group/msp.dnsfilter.all, so the DNSFilter options set for the group never reach it."""
    defaults = {'group/msp.dnsfilter.all': {'api_key': 'dnsfilter-key-not-for-the-psa', 'api_url': 'https://api.dnsfilter.test'}}
    args = dict(connection(sim, 'halopsa'), provider='halopsa', ticket=ticket_of(sim, 'halopsa'), note='Phase 1 complete.')
    done = run_module(tmp_path, args, module_defaults=defaults)
    assert done.result.get('failed') is not True, done.result.get('msg')
    assert done.result['note']['action'] == 'posted'


def test_unknown_ticket_fails_and_posts_nothing(sim, bundle, report, tmp_path):
    args = exit_args(sim, 'connectwise', bundle, report, ticket='424242')
    failed = run_module(tmp_path, args)
    assert failed.result.get('failed') is True and 'has no ticket 424242' in failed.result['msg']
    assert writes(sim, 'connectwise') == []


def test_missing_attachment_fails_before_any_request(sim, bundle, report, tmp_path):
    args = exit_args(sim, 'autotask', bundle, report, attachments=[str(bundle), str(tmp_path / 'nope.tar.gz')])
    failed = run_module(tmp_path, args)
    assert failed.result.get('failed') is True and 'nope.tar.gz does not exist' in failed.result['msg']
    assert sim.requests('autotask') == []
