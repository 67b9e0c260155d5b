# -*- coding: utf-8 -*-
# Copyright (c) msp.dnsfilter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the msp.dnsfilter collection. Its interface may change without notice.

"""The one way every msp.dnsfilter module removes a set of objects.

    removal = Removal(mod, 'scheduled report', objects)       # the scope as read from DNSFilter
    removal.select(ids=..., names=..., everything=...)        # one spelling of ids / names / all
    removal.plan(decide)                                      # remove, keep, outstanding, or remove once confirmed
    removal.check(rule, ...)                                  # invariants, on the state AFTER the change
    removal.apply(one=..., bulk=...)                          # through DNSFilterModule.write: nothing in check mode
    removal.verify(reread)                                    # read again: what was removed is gone
    mod.exit(**removal.result(summary))

Nothing is written unless every rule holds on the planned after-state, so a task that would remove both owners of
an organisation, the caller, a protected account or a live agent's record fails with zero writes. Check mode runs
the same code up to the writes, so its plan is the real run's plan. A write that fails part-way reports what was
done before it, in one place.
"""

from __future__ import annotations

from ansible_collections.msp.dnsfilter.plugins.module_utils._api import DNSFilterError
from ansible_collections.msp.dnsfilter.plugins.module_utils._identity import CASE, plural
from ansible_collections.msp.dnsfilter.plugins.module_utils._selection import choose

REMOVE = 'remove'
KEEP = 'keep'
OUTSTANDING = 'outstanding'
# Removed only if a condition the run cannot know in check mode holds (an uninstall confirmed later in the run);
# otherwise kept and outstanding. Check mode plans this; a real run resolves it before it writes.
CONDITIONAL = 'remove_when_confirmed'

# The selection options every removal module has, spelled the same everywhere (old spellings as aliases).
SELECT_SPEC = dict(
    ids=dict(type='list', elements='str', aliases=['id']),
    names=dict(type='list', elements='str', aliases=['name']),
    all=dict(type='bool', default=False),
)


def check_selection(mod, what, ids=None, names=None, everything=False, where='', options='ids, names'):
    """Before anything is read: a removal names its objects, or says all=true; never both, never neither."""
    if everything and (ids or names):
        mod.fail('all=true selects every %s; it is mutually exclusive with %s. Nothing was changed.' % (what, options))
    if not everything and not ids and not names:
        mod.fail('Say which %s to remove: %s, or all=true for every one%s. Nothing was changed.'
                 % (plural(what), options, (' ' + where) if where else ''))


class Outstanding(Exception):
    """Raised by an apply callback: this object was not removed (the API refused it for a reason someone can act on)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Step:
    __slots__ = ('obj', 'action', 'reason', 'condition')

    def __init__(self, obj, action, reason=None, condition=None):
        self.obj, self.action, self.reason, self.condition = obj, action, reason, condition


class Removal:
    """Remove a set of objects: select, plan the after-state, check invariants on it, apply, verify, report."""

    def __init__(self, mod, what, objects, key=None, label=None):
        self.mod = mod
        self.what = what
        self.key = key or (lambda obj: str(obj.get('id')))
        self.label = label or self.key
        self.before = list(objects)
        self.chosen = []
        self.steps = {}
        self.done = []

    # --- select ---------------------------------------------------------------------------------------------

    def select(self, ids=None, names=None, everything=False, name_key='name', mode=CASE, where='', options='ids, names'):
        """The objects named by id or exact name, or all of them; naming none of them is an error, never "all"."""
        check_selection(self.mod, self.what, ids, names, everything, where, options)
        self.chosen = list(self.before) if everything else choose(
            self.mod, self.before, ids, names, what=self.what, where=where, missing_ok=True, name_key=name_key, mode=mode)
        return self.chosen

    def choose(self, objects):
        """Take a selection made elsewhere (the agents' own selectors, say)."""
        self.chosen = list(objects)
        return self.chosen

    # --- plan -----------------------------------------------------------------------------------------------

    def plan(self, decide=None):
        """decide(obj) -> (action, reason[, condition]); the default removes every chosen object."""
        for obj in self.chosen:
            decision = decide(obj) if decide else (REMOVE, None)
            self.steps[self.key(obj)] = Step(obj, *decision)
        return self

    def planned(self, *actions):
        return [s.obj for s in self.steps.values() if s.action in actions]

    @property
    def removed(self):
        return self.planned(REMOVE)

    def after(self):
        """The scope as it will be once the plan is done (a conditional removal counted as done: the worst case)."""
        gone = {self.key(o) for o in self.planned(REMOVE, CONDITIONAL)}
        return [o for o in self.before if self.key(o) not in gone]

    # --- check ----------------------------------------------------------------------------------------------

    def check(self, *rules, **extra):
        """Every rule(removal) returns its refusals; one refusal fails the task before any write."""
        refusals = [text for rule in rules for text in rule(self)]
        if refusals:
            self.mod.fail('Refusing to remove anything (no write was made): %s.' % '; '.join(refusals),
                          refusals=refusals, planned=[self.label(o) for o in self.planned(REMOVE, CONDITIONAL)], **extra)

    # --- apply ----------------------------------------------------------------------------------------------

    def apply(self, one=None, bulk=None, bulk_threshold=None, objects=None, summary=None):
        """Remove the planned objects: one(obj) per object, or bulk(objs) once for many (both write through
        DNSFilterModule.write, so nothing is sent in check mode). one() raises Outstanding for an object the API
        refused for a reason a person can act on; any other failed write fails the task, naming what was done before it."""
        targets = self.removed if objects is None else list(objects)
        if not targets:
            return None
        answer = None
        try:
            if bulk is not None and (one is None or len(targets) >= (bulk_threshold or 1)):
                if self.mod.check_mode:
                    self.mod.changed = True
                else:
                    answer = bulk(targets)
                self.done.extend(targets)
            else:
                for obj in targets:
                    try:
                        one(obj)
                    except Outstanding as later:
                        step = self.steps[self.key(obj)]
                        step.action, step.reason = OUTSTANDING, later.reason
                        continue
                    self.done.append(obj)
        except DNSFilterError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                # The API refused this write: only those before it changed anything.
                self.mod.changed = bool(self.done)
            self.mod.fail('%s %s removed before it: %d of %d (%s); run the task again to finish, it reads the current '
                          'state first.' % (exc.message, plural(self.what).capitalize(), len(self.done), len(targets),
                                            ', '.join(self.label(o) for o in self.done) or 'none'),
                          status=exc.status, removed_before_failure=[(summary or self.label)(o) for o in self.done],
                          planned=[(summary or self.label)(o) for o in targets])
        return answer

    # --- verify ---------------------------------------------------------------------------------------------

    def verify(self, reread):
        """After a real run: read the scope again; anything removed that is still there fails the task."""
        if self.mod.check_mode or not self.done:
            return
        gone = {self.key(o) for o in self.done}
        still = [self.label(o) for o in reread() if self.key(o) in gone]
        if still:
            raise DNSFilterError('DNSFilter answered the removal, but these %s are still there: %s'
                                 % (plural(self.what), ', '.join(sorted(still))))

    # --- report ---------------------------------------------------------------------------------------------

    def result(self, summary=None, removed_key='removed'):
        summary = summary or (lambda obj: obj)
        outstanding = [dict(summary(s.obj), reason=s.reason) for s in self.steps.values() if s.action == OUTSTANDING]
        conditional = [dict(summary(s.obj), condition=s.condition) for s in self.steps.values() if s.action == CONDITIONAL]
        out = {removed_key: [summary(o) for o in self.removed], 'outstanding': outstanding,
               'diff': {'before': {plural(self.what).replace(' ', '_'): [summary(o) for o in self.before]},
                        'after': {plural(self.what).replace(' ', '_'): [summary(o) for o in self.after()]}}}
        if conditional:
            out['conditional'] = conditional
        return out
