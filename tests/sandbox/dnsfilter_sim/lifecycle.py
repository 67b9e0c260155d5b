"""What DNSFilter does not publish about removing a Roaming Client, as scenario settings with named variants.

The description documents the calls (``DELETE /v1/user_agents/{id}?queue_uninstall=true``, the list filters
``status=uninstall_queued|uninstalling`` and ``agent_state=pending_uninstall``, ``UserAgentConfig.uninstall``) but
not what happens between them. Each knob below is one unknown (a GAP in docs/gaps.md); a scenario picks a variant by
name (``settings: {lifecycle: quiet_record}``) or a variant with overrides (``{variant: slow_agent,
uninstall_after_checkins: 3}``). The collection must verify a removal the same way on every variant.

- ``queued_record``: what a queued agent's record shows. ``queued_at``: ``uninstall_queued_at`` is set (the samples
  carry the attribute, always null); ``unchanged``: nothing in the record changes, only the status filters and the
  counts know.
- ``uninstalling_phase``: whether an agent that picked its uninstall up is listed under ``status=uninstalling``
  until it is done (``False``: it stays under ``uninstall_queued`` until it reports ``uninstalled``).
- ``uninstall_after_checkins``: the check-in at which the agent acts on a queued uninstall (1: the next one).
- ``unsupported_agent``: what an agent that cannot uninstall remotely reports while its uninstall is queued.
  ``status_code``: ``status_code: remote_uninstall_unsupported`` and a ``status_message``; ``silent``: nothing;
  ``error_status``: what ``UserAgentStatusUpdate`` allows, a numeric ``status_code`` and ``error_uninstalling`` in
  ``status_message``. In every case the uninstall stays queued.
- ``remote_uninstall_since``: the first agent versions that can uninstall remotely, per agent type.
- ``reregister_after_checkins``: the check-in at which a live agent whose record was deleted brings it back.
"""
from __future__ import annotations

DOCUMENTED = {
    'queued_record': 'queued_at',
    'uninstalling_phase': True,
    'uninstall_after_checkins': 1,
    'unsupported_agent': 'status_code',
    'remote_uninstall_since': {'windows': '2.0.1', 'macos': '2.0.0'},
    'reregister_after_checkins': 1,
}

# Sized to catch, not to exhaust: each variant moves several unknowns at once, and every knob takes each of its
# values in at least one variant.
VARIANTS = {
    # The story docs/sandbox.md tells: the default.
    'documented': dict(DOCUMENTED),
    # The record says nothing: no uninstall_queued_at, no uninstalling phase, no word from an agent that cannot.
    'quiet_record': dict(DOCUMENTED, queued_record='unchanged', uninstalling_phase=False, unsupported_agent='silent'),
    # Agents take their time: the uninstall at the second check-in, a deleted record back only at the third.
    'slow_agent': dict(DOCUMENTED, uninstall_after_checkins=2, reregister_after_checkins=3, unsupported_agent='silent'),
    # Remote uninstall came later than the runbook says, and an agent below says so in UserAgentStatusUpdate's terms.
    'later_cutoff': dict(DOCUMENTED, remote_uninstall_since={'windows': '3.0.0', 'macos': '2.2.0'},
                         unsupported_agent='error_status', queued_record='unchanged'),
}
DEFAULT = 'documented'

CHOICES = {
    'queued_record': ('queued_at', 'unchanged'),
    'uninstalling_phase': (True, False),
    'unsupported_agent': ('status_code', 'silent', 'error_status'),
}
UNSUPPORTED_CODE = 'remote_uninstall_unsupported'
ERROR_UNINSTALLING_CODE = 1


class LifecycleError(ValueError):
    pass


def resolve(value) -> dict:
    """The knobs of a variant name, or of ``{variant: NAME, knob: value, ...}``; the result names its variant."""
    if value is None:
        value = DEFAULT
    if isinstance(value, str):
        value = {'variant': value}
    if not isinstance(value, dict):
        raise LifecycleError(f'lifecycle: a variant name ({", ".join(VARIANTS)}) or a mapping, not {value!r}')
    name = value.get('variant', DEFAULT)
    if name not in VARIANTS:
        raise LifecycleError(f'lifecycle: unknown variant {name!r} (known: {", ".join(VARIANTS)})')
    knobs = dict(VARIANTS[name])
    unknown = set(value) - set(knobs) - {'variant'}
    if unknown:
        raise LifecycleError(f'lifecycle: unknown keys {sorted(unknown)}')
    knobs.update({k: v for k, v in value.items() if k != 'variant'})
    for knob, allowed in CHOICES.items():
        if knobs[knob] not in allowed:
            raise LifecycleError(f'lifecycle.{knob}: one of {allowed}, not {knobs[knob]!r}')
    for knob in ('uninstall_after_checkins', 'reregister_after_checkins'):
        if not isinstance(knobs[knob], int) or knobs[knob] < 1:
            raise LifecycleError(f'lifecycle.{knob}: a whole number of check-ins, at least 1')
    knobs['variant'] = name
    return knobs
