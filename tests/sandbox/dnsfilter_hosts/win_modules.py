"""Python stand-ins for the Windows modules the roles use, run against a WindowsHost's state.

Each receives the arguments already validated against the real module's documented spec and returns the
module's JSON result with the fields its RETURN documentation lists. Check mode is honoured: nothing is
written to the state when ``_ansible_check_mode`` is true, and ``changed`` says what would happen.
"""
from __future__ import annotations

import datetime
import fnmatch
import ipaddress

from . import argspec
from .windows_state import HANGFIX_TASKS, WindowsHost, reg_path

DISCOVER_MARKER = '# msp.dnsfilter roaming_client_windows discover v1'
SUCCESS_CODES_DEFAULT = [0, 3010]


class ModuleFailed(Exception):
    def __init__(self, msg: str, **extra):
        super().__init__(msg)
        self.result = {'failed': True, 'msg': msg, 'changed': False, **extra}


def _split(args: dict) -> tuple[dict, dict]:
    internal = {k: v for k, v in args.items() if k.startswith('_ansible_')}
    return {k: v for k, v in args.items() if not k.startswith('_ansible_')}, internal


def run_module(host: WindowsHost, fqcn: str, raw_args: dict) -> dict:
    """Validate ``raw_args`` against the real spec and run the emulation; returns the module result."""
    args, internal = _split(raw_args)
    module = fqcn.rsplit('.', 1)[-1]
    handler = HANDLERS.get(module)
    if handler is None:
        raise ModuleFailed(f'the simulated Windows host does not emulate {fqcn}')
    params, errors = argspec.validate(fqcn, args)
    if errors:
        first = errors[0]
        if 'Supported parameters include' in first:
            first = f'Unsupported parameters for ({module}) module: {first}'
        raise ModuleFailed(first)
    check_mode = bool(internal.get('_ansible_check_mode'))
    result = handler(host, params, check_mode)
    result.setdefault('changed', False)
    # Ansible.Basic echoes the arguments with no_log values masked.
    spec = argspec.module_docs(fqcn)[0]
    shown = {k: ('VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' if spec.get(k, {}).get('no_log') and v is not None else v) for k, v in params.items()}
    result['invocation'] = {'module_args': shown}
    if not check_mode and result['changed']:
        host.save()
    return result


# -- win_ping / setup ------------------------------------------------------------------------------
def win_ping(host, params, check_mode):
    if params['data'] == 'crash':
        raise ModuleFailed('boom')
    return {'ping': params['data']}


def setup(host, params, check_mode):
    state = host.state
    adapters = [a for a in state['adapters'] if a['status'] == 'Up']
    now = datetime.datetime.now(datetime.timezone.utc)
    hostname = state['hostname']
    facts = {
        'ansible_architecture': '64-bit',
        'ansible_distribution': state['os']['caption'],
        'ansible_distribution_version': state['os']['version'],
        'ansible_distribution_major_version': state['os']['version'].split('.')[0],
        'ansible_domain': '',
        'ansible_fqdn': hostname,
        'ansible_hostname': hostname.split('.')[0].upper(),
        'ansible_nodename': hostname,
        'ansible_kernel': state['os']['version'],
        'ansible_os_family': 'Windows',
        'ansible_os_name': state['os']['caption'],
        'ansible_os_product_type': 'workstation',
        'ansible_system': 'Win32NT',
        'ansible_powershell_version': 5,
        'ansible_interfaces': [
            {'connection_name': a['name'], 'interface_index': a['index'], 'interface_name': f"Simulated adapter {a['name']}",
             'macaddress': a['mac'], 'default_gateway': None, 'dns_domain': None}
            for a in adapters
        ],
        'ansible_ip_addresses': [a['ipv4'] for a in adapters],
        'ansible_date_time': {'iso8601': now.strftime('%Y-%m-%dT%H:%M:%SZ'), 'epoch': str(int(now.timestamp())), 'tz': 'UTC'},
        'ansible_reboot_pending': state['pending_reboot'],
        'ansible_env': {'SystemRoot': 'C:\\Windows', 'ProgramFiles': 'C:\\Program Files', 'COMPUTERNAME': hostname.upper()},
        'gather_subset': params['gather_subset'],
        'module_setup': True,
    }
    return {'ansible_facts': facts}


# -- win_powershell: only the role's own read-only discovery script ---------------------------------
def win_powershell(host, params, check_mode):
    script = (params.get('script') or '').lstrip('\ufeff')
    if not script.startswith(DISCOVER_MARKER):
        # No PowerShell runs here; a script this host does not know would silently do nothing, so refuse it.
        raise ModuleFailed('the simulated Windows host only runs scripts it emulates (first line must be a known marker)')
    parameters = params.get('parameters') or {}
    result = discover(host, parameters)
    return {
        'result': result, 'host_out': '', 'host_err': '', 'output': [], 'error': [], 'warning': [],
        'verbose': [], 'debug': [], 'information': [], 'changed': False,
    }


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def discover(host: WindowsHost, parameters: dict) -> dict:
    names = _as_list(parameters.get('DisplayNames'))
    products = []
    for product in host.products():
        values = product['values']
        if values.get('DisplayName') not in names:
            continue
        uninstall = str(values.get('UninstallString', ''))
        code = product['name']
        if '{' in uninstall and '}' in uninstall:
            code = uninstall[uninstall.index('{'):uninstall.index('}') + 1]
        products.append({
            'display_name': values['DisplayName'], 'display_version': values.get('DisplayVersion'),
            'product_code': code.upper(), 'uninstall_string': uninstall,
            'registry_key': product['key'].replace('HKLM:', 'HKEY_LOCAL_MACHINE'), 'registry_view': product['view'],
        })
    services = []
    for name in _as_list(parameters.get('ServiceNames')):
        service = host.state['services'].get(name.lower())
        if service:
            services.append({'name': service['name'], 'state': service['state'], 'start_mode': service['start_mode']})
    agents = []
    for path in _as_list(parameters.get('AgentKeys')):
        key = host.key(path)
        if key:
            agents.append({'key': path, 'values': {k: str(v['data']) for k, v in key['values'].items()}})
    loopbacks = _as_list(parameters.get('LoopbackServers'))
    adapters = []
    for adapter in host.adapters():
        if adapter['status'] != 'Up':
            continue
        servers = adapter['static_dns'] or adapter['dhcp_dns']
        adapters.append({
            'name': adapter['name'], 'index': adapter['index'], 'dns_servers': servers,
            'loopback': any(s in loopbacks for s in servers),
        })
    resolves = None
    if parameters.get('ResolveName'):
        # A name resolves when some adapter asks a resolver that is not a loopback proxy (which is gone, or about to be).
        usable = [s for a in adapters for s in a['dns_servers'] if not ipaddress.ip_address(s).is_loopback]
        proxy_alive = host.agent_present() and any(a['loopback'] for a in adapters)
        resolves = bool(usable) or proxy_alive
    return {
        'products': products,
        'services': services,
        'folders': [f for f in _as_list(parameters.get('Folders')) if host.exists(f)],
        'registry_keys': [k for k in _as_list(parameters.get('RegistryKeys')) if host.key(k)],
        'scheduled_tasks': [t for t in _as_list(parameters.get('TaskNames')) if t.lower() in host.state['scheduled_tasks']],
        'agent': agents,
        'adapters': adapters,
        'name_resolves': resolves,
        'pending_reboot': host.state['pending_reboot'],
    }


# -- win_package (uninstall by product code) ------------------------------------------------------
def win_package(host, params, check_mode):
    if params['state'] != 'absent' or not params.get('product_id') or params.get('path'):
        raise ModuleFailed('the simulated Windows host only emulates win_package state=absent with product_id')
    code = params['product_id'].upper()
    if not code.startswith('{'):
        code = '{%s}' % code
    if not host.product_installed(code):
        return {'changed': False, 'reboot_required': False}
    if check_mode:
        return {'changed': True, 'reboot_required': False}
    expected = params.get('expected_return_code')
    expected = SUCCESS_CODES_DEFAULT if expected is None else expected
    arguments = params.get('arguments') or ''
    host.state.setdefault('msiexec_log', []).append({'product_code': code, 'has_arguments': bool(arguments)})
    pin_property, pin = host.agent.get('pin_property'), host.agent.get('pin')
    if pin_property and f'{pin_property}={pin}' not in (arguments if isinstance(arguments, str) else ' '.join(arguments)):
        # Tamper protection on: without the PIN the MSI refuses (1603, fatal error during installation).
        rc = 1603
    else:
        rc = host.msi_uninstall(code)
    reboot_required = rc in (3010, 1641)
    if rc not in expected:
        raise ModuleFailed(f'unexpected rc from uninstall {code}: see rc, stdout, and stderr for more details',
                           rc=rc, reboot_required=False, stdout='', stderr='', log=f'MSI (s) Product: {code} -- Removal failed.')
    host.save()
    return {'changed': True, 'rc': rc, 'reboot_required': reboot_required}


# -- win_service (removal only) -------------------------------------------------------------------
def win_service(host, params, check_mode):
    name = params['name']
    service = host.state['services'].get(name.lower())
    if params['state'] not in ('absent', 'stopped', None):
        raise ModuleFailed(f"the simulated Windows host does not emulate win_service state={params['state']}")
    if service is None:
        if params['state'] == 'absent':
            return {'changed': False, 'exists': False}
        raise ModuleFailed(f"Service '{name}' is not installed, need to set 'path' to create a new service")
    if params['state'] == 'stopped':
        changed = service['state'] != 'stopped'
        if changed and not check_mode:
            service['state'] = 'stopped'
        return {'changed': changed, 'exists': True, **_service_fields(service)}
    if not check_mode:
        del host.state['services'][name.lower()]
    return {'changed': True, 'exists': False}


def _service_fields(service: dict) -> dict:
    return {
        'name': service['name'], 'display_name': service['display_name'], 'state': service['state'],
        'start_mode': service['start_mode'], 'path': service['path'], 'can_pause_and_continue': False,
        'description': service.get('description', ''), 'username': 'LocalSystem', 'desktop_interact': False,
        'dependencies': [], 'depended_by': [],
    }


# -- win_file (removal only) ----------------------------------------------------------------------
def win_file(host, params, check_mode):
    if params['state'] != 'absent':
        raise ModuleFailed(f"the simulated Windows host does not emulate win_file state={params['state']}")
    if not host.exists(params['path']):
        return {'changed': False}
    if not check_mode:
        host.remove_path(params['path'])
    return {'changed': True}


# -- win_regedit (key removal only) ---------------------------------------------------------------
def win_regedit(host, params, check_mode):
    if params['state'] != 'absent' or params.get('name'):
        raise ModuleFailed('the simulated Windows host only emulates win_regedit state=absent for a whole key')
    path = reg_path(params['path'])
    if path.split(':', maxsplit=1)[0] not in ('HKLM', 'HKCU', 'HKCR', 'HKU', 'HKCC'):
        raise ModuleFailed(f"path: {params['path']} is not a valid registry path")
    if host.key(path) is None and not host.subkeys(path):
        return {'changed': False, 'data_changed': False, 'data_type_changed': False}
    if not check_mode:
        host.delete_key(path)
    return {'changed': True, 'data_changed': False, 'data_type_changed': False}


# -- community.windows.win_scheduled_task (removal only) ------------------------------------------
def win_scheduled_task(host, params, check_mode):
    if params['state'] != 'absent':
        raise ModuleFailed('the simulated Windows host only emulates win_scheduled_task state=absent')
    key = params['name'].lower()
    if key not in host.state['scheduled_tasks']:
        return {'changed': False}
    if not check_mode:
        del host.state['scheduled_tasks'][key]
        if key == 'dnsreset' and not any(t in host.state['scheduled_tasks'] for t in HANGFIX_TASKS):
            host.remove_path('C:\\uafix')
    return {'changed': True}


# -- win_dns_client -------------------------------------------------------------------------------
def win_dns_client(host, params, check_mode):
    wanted = params['dns_servers']
    for server in wanted:
        try:
            ipaddress.ip_address(server)
        except ValueError as exc:
            raise ModuleFailed(f'{server} is not a valid IP address') from exc
    matched = [a for a in host.adapters() if any(fnmatch.fnmatch(a['name'].lower(), p.lower()) for p in params['adapter_names'])]
    missing = [p for p in params['adapter_names'] if '*' not in p and not any(a['name'].lower() == p.lower() for a in matched)]
    if missing:
        raise ModuleFailed(f"Adapter(s) not found: {', '.join(missing)}")
    changed = False
    for adapter in matched:
        if adapter['static_dns'] != wanted:
            changed = True
            if not check_mode:
                adapter['static_dns'] = list(wanted)
    return {'changed': changed}


HANDLERS = {
    'win_ping': win_ping,
    'setup': setup,
    'win_powershell': win_powershell,
    'win_package': win_package,
    'win_service': win_service,
    'win_file': win_file,
    'win_regedit': win_regedit,
    'win_scheduled_task': win_scheduled_task,
    'win_dns_client': win_dns_client,
}
