"""Ids from dnsfilter_sim/scenarios/demo.yml that the tests use."""
MSP = 810001
CONTOSO = 810101
FABRIKAM = 810102
TAILSPIN = 810103

CONTOSO_MAIN = 940101

FRONTDESK = 'c0a70c50-0000-4000-8000-000000000001'  # Windows 3.3.6, supports remote uninstall, online
DESK_07 = 'c0a70c50-0000-4000-8000-000000000002'  # Windows 2.2.0 white label, online
XRAY = 'c0a70c50-0000-4000-8000-000000000003'  # Windows 1.15.3: too old for remote uninstall
DR_PARK = 'c0a70c50-0000-4000-8000-000000000005'  # macOS, offline
LOANER = 'c0a70c50-0000-4000-8000-000000000007'  # already uninstalled on the device

DEVICE = {FRONTDESK: 'contoso-frontdesk-01', DESK_07: 'contoso-desk-07', XRAY: 'contoso-xray-01', DR_PARK: 'contoso-drpark-mbp'}

CONTOSO_POLICY = 920101
BOB_KEY_ID = 5004
JDOE_DOMAIN_USER = 4400101  # CONTOSO\jdoe, seen today
JDOE_LOCAL_USER = 4400102  # DESK-07\jdoe, the stale duplicate

# Manual clock: nothing happens between requests unless a test advances the clock or forces a check-in.
MANUAL = {'clock_mode': 'manual', 'checkin_interval_seconds': 60, 'uninstall_seconds': 10, 'job_delay_seconds': 2}
