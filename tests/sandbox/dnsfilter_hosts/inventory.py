"""An Ansible inventory of the simulated hosts, built from the same device list the hosts serve."""
from __future__ import annotations

import os

from . import jamf
from .winrm_hosts import DEFAULT_PASSWORD, DEFAULT_USER

SSH_KEY_NAME = 'id_ed25519'


def ssh_key_path(state_dir: str) -> str:
    return os.path.join(os.path.abspath(state_dir), 'ssh', SSH_KEY_NAME)


def build_inventory(devices: list[dict], state_dir: str, mdm: dict | None = None) -> dict:
    windows, macos = {}, {}
    for device in devices:
        section = device['host']
        if not section.get('address'):
            continue
        common = {
            'ansible_host': section['address'],
            'dnsfilter_device_id': str(device['id']),
            'dnsfilter_agent_id': str(device.get('agent_id') or device['id']),
        }
        if device['os'] == 'windows':
            windows[device['hostname']] = dict(
                common, ansible_port=int(section.get('port', 5985)),
                ansible_user=section.get('username', DEFAULT_USER), ansible_password=section.get('password', DEFAULT_PASSWORD))
        elif device['os'] == 'macos':
            macos[device['hostname']] = dict(common, ansible_port=int(section.get('port', 2222)))
            mdm_section = section.get('mdm')
            if (mdm_section.get('vendor') if isinstance(mdm_section, dict) else mdm_section) == 'jamf':
                config = (mdm or {}).get('jamf') or {}
                address = (config.get('address', jamf.DEFAULT_ADDRESS[0]), config.get('port', jamf.DEFAULT_ADDRESS[1]))
                macos[device['hostname']].update(
                    roaming_client_macos_mdm_provider='jamf',
                    roaming_client_macos_mdm_url=f'http://{address[0]}:{address[1]}',
                    roaming_client_macos_mdm_username=config.get('username', jamf.DEFAULT_USER),
                    roaming_client_macos_mdm_password=config.get('password', jamf.DEFAULT_PASSWORD))
    return {'all': {'children': {
        'windows': {'hosts': windows, 'vars': {
            'ansible_connection': 'winrm',
            # Loopback only: Basic over HTTP. docs/hosts.md says how a real fleet uses NTLM/Kerberos/CredSSP on 5986.
            'ansible_winrm_transport': 'basic',
            'ansible_winrm_scheme': 'http',
            'ansible_winrm_operation_timeout_sec': 20,
            'ansible_winrm_read_timeout_sec': 30,
        }},
        'macos': {'hosts': macos, 'vars': {
            'ansible_connection': 'ssh',
            'ansible_user': 'root',
            'ansible_ssh_private_key_file': ssh_key_path(state_dir),
            # The SSH server has no SFTP subsystem and one channel per command; see toolchain-notes.
            'ansible_ssh_transfer_method': 'piped',
            'ansible_ssh_common_args': '-o ControlMaster=no -o ControlPath=none -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null',
            'ansible_ssh_pipelining': True,
            'ansible_python_interpreter': '/usr/bin/python3',
        }},
    }}}
