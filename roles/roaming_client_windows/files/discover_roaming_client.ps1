# msp.dnsfilter roaming_client_windows discover v1
# Read-only inventory of the DNSFilter Roaming Client for ansible.windows.win_powershell.
# One call instead of a task per Uninstall sub key: a real host lists hundreds of products.
[CmdletBinding(SupportsShouldProcess)]
param (
    [string[]]$DisplayNames = @(),
    [string[]]$ServiceNames = @(),
    [string[]]$Folders = @(),
    [string[]]$RegistryKeys = @(),
    [string[]]$AgentKeys = @(),
    [string[]]$TaskNames = @(),
    [string[]]$LoopbackServers = @(),
    [string]$ResolveName = ''
)

$Ansible.Changed = $false
$uninstallRoots = [Ordered]@{
    '64-bit' = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
    '32-bit' = 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
}

$products = foreach ($view in $uninstallRoots.Keys) {
    foreach ($key in (Get-ChildItem -LiteralPath $uninstallRoots[$view] -ErrorAction SilentlyContinue)) {
        $props = Get-ItemProperty -LiteralPath $key.PSPath -ErrorAction SilentlyContinue
        if (-not $props -or $DisplayNames -notcontains $props.DisplayName) {
            continue
        }
        # The product code changes between builds: take it from UninstallString, else from the key name.
        $code = if ("$($props.UninstallString)" -match '\{[0-9A-Fa-f-]{36}\}') { $Matches[0] } else { $key.PSChildName }
        [Ordered]@{
            display_name = $props.DisplayName
            display_version = $props.DisplayVersion
            product_code = $code.ToUpperInvariant()
            uninstall_string = $props.UninstallString
            registry_key = $key.Name
            registry_view = $view
        }
    }
}

$services = foreach ($name in $ServiceNames) {
    $service = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($service) {
        [Ordered]@{ name = $service.Name; state = "$($service.Status)".ToLowerInvariant(); start_mode = "$($service.StartType)".ToLowerInvariant() }
    }
}

$agent = foreach ($path in $AgentKeys) {
    if (Test-Path -LiteralPath $path) {
        $values = [Ordered]@{}
        $item = Get-Item -LiteralPath $path
        foreach ($valueName in $item.GetValueNames()) {
            $values[$valueName] = "$($item.GetValue($valueName))"
        }
        [Ordered]@{ key = $path; values = $values }
    }
}

$adapters = foreach ($adapter in (Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object Status -EQ 'Up')) {
    $servers = @((Get-DnsClientServerAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue).ServerAddresses)
    [Ordered]@{
        name = $adapter.Name
        index = $adapter.ifIndex
        dns_servers = $servers
        loopback = [bool]($servers | Where-Object { $LoopbackServers -contains $_ })
    }
}

$resolves = $null
if ($ResolveName) {
    $resolves = [bool](Resolve-DnsName -Name $ResolveName -DnsOnly -QuickTimeout -ErrorAction SilentlyContinue)
}

$rebootKeys = @(
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
)
$pendingRename = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -ErrorAction SilentlyContinue).PendingFileRenameOperations

$Ansible.Result = [Ordered]@{
    products = @($products)
    services = @($services)
    folders = @($Folders | Where-Object { Test-Path -LiteralPath $_ })
    registry_keys = @($RegistryKeys | Where-Object { Test-Path -LiteralPath $_ })
    scheduled_tasks = @($TaskNames | Where-Object { Get-ScheduledTask -TaskName $_ -ErrorAction SilentlyContinue })
    agent = @($agent)
    adapters = @($adapters)
    name_resolves = $resolves
    pending_reboot = [bool](($rebootKeys | Where-Object { Test-Path -LiteralPath $_ }) -or $pendingRename)
}
