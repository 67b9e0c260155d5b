"""API handlers, one module per resource; importing this package registers them in ``base.ROUTES``."""
from . import agent_local_users, api_keys, billing, jobs, networks, organizations, policies, reports, sso, traffic_reports, user_agents, users

__all__ = ['agent_local_users', 'api_keys', 'billing', 'jobs', 'networks', 'organizations', 'policies', 'reports', 'sso',
           'traffic_reports', 'user_agents', 'users']
