"""One simulated Windows host's state: registry, MSI products, services, files, scheduled tasks, adapters.

The state lives in a JSON file per host so a test can read what the role left behind, and so the hosts
process can be restarted without losing what a run changed.
"""
from __future__ import annotations

import json
import os
import re
import uuid

from .devices import is_white_label

UNINSTALL_ROOTS = {
    '64-bit': 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
    '32-bit': 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
}
HANGFIX_TASKS = ('dnsreset', 'uaretailstartup', 'uastartup')
_HIVES = {'HKEY_LOCAL_MACHINE': 'HKLM', 'HKEY_CURRENT_USER': 'HKCU', 'HKEY_CLASSES_ROOT': 'HKCR', 'HKEY_USERS': 'HKU'}
# Namespace for product codes made up per device: real codes change between builds, so each device gets its own.
_CODE_NAMESPACE = uuid.UUID('2b0c5c1e-6d0a-4d8e-9a53-0d6f1c2b7a10')


def reg_path(path: str) -> str:
    """Canonical ``HKLM:\\A\\B`` form of a registry path given as ``HKLM:\\``, ``HKLM\\`` or ``HKEY_LOCAL_MACHINE\\``."""
    path = path.replace('/', '\\').strip('\\')
    hive, _sep, rest = path.partition('\\')
    hive = hive.rstrip(':').upper()
    hive = _HIVES.get(hive, hive)
    return f'{hive}:\\{rest}' if rest else f'{hive}:'


def win_path(path: str) -> str:
    return path.replace('/', '\\').rstrip('\\')


def packed_code(code: str) -> str:
    """The packed GUID Windows Installer uses under ``HKCR\\Installer\\Products``."""
    hexes = code.strip('{}').split('-')
    swap = [h[::-1] for h in hexes[:3]]
    pairs = ''.join(hexes[3:])
    return ''.join(swap) + ''.join(pairs[i:i + 2][::-1] for i in range(0, len(pairs), 2))


def _string(value) -> dict:
    return {'type': 'string', 'data': value}


class WindowsHost:
    """State of one simulated Windows device; every change is written back to its JSON file."""

    def __init__(self, path: str, state: dict):
        self.path = path
        self.state = state

    # -- persistence -------------------------------------------------------------------------------
    @classmethod
    def load_or_create(cls, state_dir: str, device: dict) -> 'WindowsHost':
        path = os.path.join(state_dir, 'windows', f"{device['hostname']}.json")
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                return cls(path, json.load(handle))
        host = cls(path, build_state(device))
        host.save()
        return host

    def save(self) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        temp = self.path + '.tmp'
        with open(temp, 'w', encoding='utf-8') as handle:
            json.dump(self.state, handle, indent=1, sort_keys=True)
        os.replace(temp, self.path)

    # -- registry ----------------------------------------------------------------------------------
    @property
    def registry(self) -> dict:
        return self.state['registry']

    def key(self, path: str) -> dict | None:
        return self.registry.get(reg_path(path).lower())

    def set_key(self, path: str, values: dict) -> None:
        path = reg_path(path)
        parent = path.rsplit('\\', 1)[0]
        if parent.count('\\') >= 1 and parent.lower() not in self.registry:
            self.set_key(parent, {})
        self.registry.setdefault(path.lower(), {'path': path, 'values': {}})['values'].update(values)

    def subkeys(self, path: str) -> list[str]:
        prefix = reg_path(path).lower() + '\\'
        names = {k[len(prefix):].split('\\')[0] for k in self.registry if k.startswith(prefix)}
        return sorted(self.registry[prefix + n]['path'].rsplit('\\', 1)[1] if prefix + n in self.registry else n for n in names)

    def delete_key(self, path: str) -> bool:
        base = reg_path(path).lower()
        doomed = [k for k in self.registry if k == base or k.startswith(base + '\\')]
        for k in doomed:
            del self.registry[k]
        return bool(doomed)

    # -- files -------------------------------------------------------------------------------------
    def exists(self, path: str) -> dict | None:
        return self.state['files'].get(win_path(path).lower())

    def add_file(self, path: str, kind: str = 'file') -> None:
        path = win_path(path)
        parent = path.rsplit('\\', 1)[0]
        if '\\' in parent and not self.exists(parent):
            self.add_file(parent, 'directory')
        self.state['files'][path.lower()] = {'path': path, 'type': kind}

    def remove_path(self, path: str) -> bool:
        base = win_path(path).lower()
        doomed = [k for k in self.state['files'] if k == base or k.startswith(base + '\\')]
        for k in doomed:
            del self.state['files'][k]
        return bool(doomed)

    # -- products ----------------------------------------------------------------------------------
    def products(self) -> list[dict]:
        """What ``Uninstall`` lists in both views, as (view, key, values)."""
        found = []
        for view, root in UNINSTALL_ROOTS.items():
            for name in self.subkeys(root):
                entry = self.key(f'{root}\\{name}')
                values = {k: v['data'] for k, v in entry['values'].items()}
                found.append({'view': view, 'key': entry['path'], 'name': name, 'values': values})
        return found

    def product_installed(self, code: str) -> bool:
        return any(p['name'].lower() == code.lower() for p in self.products())

    @property
    def agent(self) -> dict:
        return self.state['agent']

    def agent_present(self) -> bool:
        return bool(self.agent.get('product_code')) and self.product_installed(self.agent['product_code'])

    def msi_uninstall(self, code: str, clear_registry: bool = False) -> int:
        """Remove a product the way its MSI does; returns msiexec's exit code."""
        if not self.product_installed(code):
            return 1605
        agent = self.agent
        for root in UNINSTALL_ROOTS.values():
            self.delete_key(f'{root}\\{code}')
        self.delete_key(f'HKCR:\\Installer\\Products\\{packed_code(code)}')
        if code.lower() != str(agent.get('product_code', '')).lower():
            return 0
        leaves = set(agent.get('leaves_behind', ()))
        if 'service' not in leaves:
            self.state['services'].pop(agent['service'].lower(), None)
        else:
            self.state['services'][agent['service'].lower()]['state'] = 'stopped'
        for exe in (f"{agent['install_dir']}\\{agent['name']}.exe", f"{agent['install_dir']}\\{agent['name']} TrayIcon.exe"):
            self.remove_path(exe)
        if 'folder' not in leaves:
            self.remove_path(agent['install_dir'])
        if 'registry' not in leaves or clear_registry:
            self.delete_key(agent['vendor_key'])
        exit_code = int(agent.get('uninstall_exit_code', 0))
        if exit_code == 3010:
            self.state['pending_reboot'] = True
        elif exit_code == 1641:
            self.reboot()
        return exit_code

    def remote_uninstall(self, clear_registry: bool) -> None:
        """What the agent does when it finds uninstall queued at check-in: its own MSI removal."""
        self.msi_uninstall(self.agent['product_code'], clear_registry)

    def reboot(self) -> None:
        self.state['boot_count'] = self.state.get('boot_count', 0) + 1
        self.state['pending_reboot'] = False

    # -- adapters ----------------------------------------------------------------------------------
    def adapters(self) -> list[dict]:
        return self.state['adapters']


def _adapters(host: dict) -> list[dict]:
    configured = host.get('adapters')
    if not configured:
        # The agent's documented default: the Windows client answers on 127.0.0.2 and sets itself as sole server.
        dns = host.get('dns_servers', ['127.0.0.2'])
        configured = [{'name': 'Ethernet', 'dns_servers': dns}]
    adapters = []
    for index, adapter in enumerate(configured):
        adapters.append({
            'name': adapter['name'],
            'index': adapter.get('index', 4 + index * 3),
            'status': adapter.get('status', 'Up'),
            'static_dns': list(adapter.get('dns_servers', [])),
            'dhcp_dns': list(adapter.get('dhcp_dns_servers', host.get('dhcp_dns_servers', ['10.0.2.3']))),
            'ipv4': adapter.get('ipv4', f'10.0.2.{15 + index}'),
            'mac': adapter.get('mac', f'52:54:00:12:34:{56 + index:02X}'),
        })
    return adapters


def build_state(device: dict) -> dict:
    """Build a Windows host's state from the device the API simulator describes."""
    host = device.get('host') or {}
    white = is_white_label(device.get('product'))
    name = 'DNS Agent' if white else 'DNSFilter Agent'
    code = host.get('product_code') or '{%s}' % str(uuid.uuid5(_CODE_NAMESPACE, str(device['id']))).upper()
    if not re.fullmatch(r'\{[0-9A-F-]{36}\}', code.upper()):
        raise ValueError(f'product_code {code!r} is not a braced GUID')
    view = host.get('registry_view', '64-bit' if host.get('registry_view') != 'wow6432' else '32-bit')
    view = '32-bit' if view in ('32-bit', 'wow6432', 'WOW6432Node') else '64-bit'
    install_dir = f'C:\\Program Files\\{name}'
    agent = {
        'name': name,
        'product_code': code,
        'version': str(device.get('version') or '2.3.1'),
        'service': name,
        'install_dir': install_dir,
        'vendor_key': 'HKLM:\\SOFTWARE\\DNSAgent' if white else 'HKLM:\\SOFTWARE\\DNSFilter',
        'agent_id': str(device.get('agent_id') or device['id']),
        'uninstall_exit_code': int(host.get('uninstall_exit_code', 0)),
        # What the MSI leaves behind on uninstall (the role must clean these up).
        'leaves_behind': list(host.get('leaves_behind', ['folder', 'registry'])),
        # Tamper protection: the property the MSI takes the PIN through is a GAP; UNINSTALL_PIN is this sandbox's stand-in.
        'pin_property': host.get('uninstall_pin_property', 'UNINSTALL_PIN') if host.get('uninstall_pin') else None,
        'pin': str(host.get('uninstall_pin', '')),
    }
    state = {
        'hostname': device['hostname'],
        'device_id': str(device['id']),
        'agent': agent,
        'agent_was_installed': bool(device.get('installed', True)),
        'registry': {},
        'services': {},
        'files': {},
        'scheduled_tasks': {},
        'adapters': _adapters(host),
        'pending_reboot': bool(host.get('pending_reboot', False)),
        'boot_count': 0,
        'os': {'caption': host.get('os_name', 'Microsoft Windows 11 Pro'), 'version': host.get('os_version', '10.0.22631.0')},
    }
    win = WindowsHost('', state)
    win.add_file('C:\\Windows', 'directory')
    win.add_file('C:\\Program Files', 'directory')
    win.set_key('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{90160000-008C-0000-1000-0000000FF1CE}', {
        'DisplayName': _string('Office 16 Click-to-Run Extensibility Component'),
        'UninstallString': _string('MsiExec.exe /X{90160000-008C-0000-1000-0000000FF1CE}'),
        'DisplayVersion': _string('16.0.17928.20114'),
    })
    for other in host.get('other_products', []):
        other_code = other['product_code']
        win.set_key(f"{UNINSTALL_ROOTS[other.get('view', '64-bit')]}\\{other_code}", {
            'DisplayName': _string(other['name']),
            'UninstallString': _string(f'MsiExec.exe /X{other_code}'),
            'DisplayVersion': _string(other.get('version', '1.0.0')),
        })
    if device.get('installed', True):
        win.set_key(f'{UNINSTALL_ROOTS[view]}\\{code}', {
            'DisplayName': _string(name),
            'DisplayVersion': _string(agent['version']),
            'Publisher': _string('DNSFilter, Inc.'),
            'UninstallString': _string(f'MsiExec.exe /X{code}'),
            'SystemComponent': {'type': 'dword', 'data': 1 if host.get('hidden_from_arp') else 0},
        })
        win.set_key(f'HKCR:\\Installer\\Products\\{packed_code(code)}', {'ProductName': _string(name)})
        win.set_key(f"{agent['vendor_key']}\\Agent", {'AgentId': _string(agent['agent_id']), 'Version': _string(agent['version'])})
        win.add_file(install_dir, 'directory')
        for exe in (f'{name}.exe', f'{name} TrayIcon.exe', 'logs.txt'):
            win.add_file(f'{install_dir}\\{exe}')
        state['services'][name.lower()] = {
            'name': name, 'display_name': name, 'state': 'running', 'start_mode': 'auto',
            'path': f'"{install_dir}\\{name}.exe"', 'description': 'DNSFilter Roaming Client',
        }
    for leftover in host.get('leftover_services', []):
        state['services'][leftover.lower()] = {
            'name': leftover, 'display_name': leftover, 'state': 'stopped', 'start_mode': 'manual',
            'path': f'"{install_dir}\\{leftover}.exe"', 'description': '',
        }
    if host.get('hangfix'):
        for task in HANGFIX_TASKS:
            state['scheduled_tasks'][task] = {'name': task, 'path': '\\', 'enabled': True}
        win.add_file('C:\\uafix', 'directory')
        win.add_file('C:\\uafix\\dnsreset.bat')
    return state
