# seed.ps1 - put this bundle's boot2docker.iso into docker-machine's ISO cache, so that
# 'docker-machine create' uses it without internet access. Part of a Boot2IsoKit bundle.
#
# Usage: .\seed.ps1 [-StoragePath DIR | -s DIR | --storage-path DIR]
#
# It finds the store like docker-machine (--storage-path, then MACHINE_STORAGE_PATH, then
# %USERPROFILE%\.docker\machine, or $HOME/.docker/machine outside Windows), verifies SHA256SUMS before
# touching anything, keeps any cached ISO as cache\boot2docker.iso.<UTC time>.bak, and replaces the ISO
# with an atomic rename. Works in Windows PowerShell 5.1 and PowerShell 7.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

function Stop-Seed([string]$Message) {
    [Console]::Error.WriteLine("seed.ps1: $Message")
    exit 1
}

# Arguments are read by hand so that the sh-style spellings of seed.sh work here too.
$storage = ''
for ($i = 0; $i -lt $args.Count; $i++) {
    $arg = [string]$args[$i]
    if ($arg -eq '-s' -or $arg -eq '--storage-path' -or $arg -eq '-StoragePath') {
        if ($i + 1 -ge $args.Count) { Stop-Seed "$arg needs a directory" }
        $i++
        $storage = [string]$args[$i]
    } elseif ($arg.StartsWith('--storage-path=')) {
        $storage = $arg.Substring('--storage-path='.Length)
    } elseif ($arg -eq '-h' -or $arg -eq '--help' -or $arg -eq '-Help') {
        'Usage: .\seed.ps1 [-StoragePath DIR | -s DIR | --storage-path DIR]'
        exit 0
    } else {
        Stop-Seed "unknown argument '$arg' (see --help)"
    }
}

$onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$bundle = $PSScriptRoot
$iso = Join-Path $bundle 'boot2docker.iso'
$sumsPath = Join-Path $bundle 'SHA256SUMS'
if (-not (Test-Path -LiteralPath $iso -PathType Leaf)) { Stop-Seed "$iso is missing" }
if (-not (Test-Path -LiteralPath $sumsPath -PathType Leaf)) { Stop-Seed "$sumsPath is missing" }

function Get-Sha256([string]$Path) {
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

# 1. Verify the bundle before anything is written (SHA256SUMS is in sha256sum's format).
$expected = $null
foreach ($line in (Get-Content -LiteralPath $sumsPath)) {
    if ($line -notmatch '^([0-9a-fA-F]{64}) [ *](.+)$') { continue }
    $sum = $Matches[1].ToLowerInvariant()
    $name = $Matches[2]
    $path = Join-Path $bundle $name
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { Stop-Seed "$name is listed in SHA256SUMS but missing: nothing was changed" }
    if ((Get-Sha256 $path) -ne $sum) { Stop-Seed "$name does not match SHA256SUMS (damaged download?): nothing was changed" }
    if ($name -eq 'boot2docker.iso') { $expected = $sum }
}
if ($null -eq $expected) { Stop-Seed 'SHA256SUMS has no line for boot2docker.iso: nothing was changed' }

# 2. Find the store the way docker-machine does.
$homeDir = if ($onWindows) { $env:USERPROFILE } else { $env:HOME }
$defaultStore = $null
if ($homeDir) { $defaultStore = [System.IO.Path]::Combine($homeDir, '.docker', 'machine') }
if ($storage) { $store = $storage }
elseif ($env:MACHINE_STORAGE_PATH) { $store = $env:MACHINE_STORAGE_PATH }
elseif ($defaultStore) { $store = $defaultStore }
else { Stop-Seed 'USERPROFILE / HOME is not set: pass -StoragePath DIR' }
$store = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine((Get-Location -PSProvider FileSystem).ProviderPath, $store))
$store = $store.TrimEnd([char[]]@('\', '/'))
if ($store -eq '' -or $store -match '^[A-Za-z]:$') { $store += [System.IO.Path]::DirectorySeparatorChar }
$cache = Join-Path $store 'cache'

# 3. Create the store and the cache (mode 0700 outside Windows, like docker-machine).
function New-PrivateDirectory([string]$Path) {
    if (Test-Path -LiteralPath $Path -PathType Container) { return }
    $unixMode = 'System.IO.UnixFileMode' -as [type]
    if (-not $onWindows -and $null -ne $unixMode) {
        [void][System.IO.Directory]::CreateDirectory($Path, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    } else {
        [void][System.IO.Directory]::CreateDirectory($Path)
    }
}
New-PrivateDirectory $store
New-PrivateDirectory $cache

$target = Join-Path $cache 'boot2docker.iso'
$recordPath = "$target.b2ik.json"
$tmp = Join-Path $cache ".boot2docker.iso.$PID.tmp"
$backupTmp = Join-Path $cache ".boot2docker.iso.$PID.bak.tmp"
$recordTmp = Join-Path $cache ".boot2docker.iso.$PID.json.tmp"

# Renames over an existing file atomically (ReplaceFile on Windows, rename(2) elsewhere); .NET Framework
# has no File.Move(..., overwrite).
function Move-Over([string]$Source, [string]$Destination) {
    if ([System.IO.File]::Exists($Destination)) {
        [System.IO.File]::Replace($Source, $Destination, [NullString]::Value)
    } else {
        [System.IO.File]::Move($Source, $Destination)
    }
}

try {
    # 4. Copy into the cache directory under a temporary name and check the copy.
    Copy-Item -LiteralPath $iso -Destination $tmp
    if ((Get-Sha256 $tmp) -ne $expected) { Stop-Seed "the copy in $cache does not match SHA256SUMS (disk full?): the cached ISO was not changed" }

    # 5. Keep the current ISO (and its record) as a backup that is never overwritten; the same bytes
    #    seeded again need no second copy.
    $backup = $null
    if ((Test-Path -LiteralPath $target -PathType Leaf) -and (Get-Sha256 $target) -ne $expected) {
        $stamp = [DateTime]::UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
        $backup = "boot2docker.iso.$stamp.bak"
        $n = 1
        while (Test-Path -LiteralPath (Join-Path $cache $backup)) {
            $n++
            $backup = "boot2docker.iso.$stamp.$n.bak"
        }
        Copy-Item -LiteralPath $target -Destination $backupTmp
        [System.IO.File]::Move($backupTmp, (Join-Path $cache $backup))
        if (Test-Path -LiteralPath $recordPath -PathType Leaf) {
            Copy-Item -LiteralPath $recordPath -Destination $backupTmp
            [System.IO.File]::Move($backupTmp, (Join-Path $cache "$backup.b2ik.json"))
        }
    }

    # 6. The atomic replace.
    Move-Over $tmp $target

    # 7. Record what was seeded: the bundle's manifest, when, and the backup.
    $manifest = [System.IO.File]::ReadAllText((Join-Path $bundle 'manifest.json')).Trim()
    $labelVersion = 'other'
    if ($manifest -match '"labelVersion": "v19\.03\.12"') { $labelVersion = 'upstream' }
    elseif ($manifest -match '"labelVersion": null') { $labelVersion = 'none' }
    $backupJson = if ($backup) { '"' + $backup + '"' } else { 'null' }
    $seededAt = [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
    $record = "{`n  `"seededBy`": `"seed.ps1`",`n  `"seededAt`": `"$seededAt`",`n  `"backup`": $backupJson,`n  `"manifest`": " +
        ($manifest -replace "`r?`n", "`n  ") + "`n}`n"
    [System.IO.File]::WriteAllText($recordTmp, $record, (New-Object System.Text.UTF8Encoding $false))
    Move-Over $recordTmp $recordPath
} finally {
    foreach ($leftover in @($tmp, $backupTmp, $recordTmp)) {
        if ([System.IO.File]::Exists($leftover)) { [System.IO.File]::Delete($leftover) }
    }
}

# 8. Explain what docker-machine will do, and print the create commands.
# docker-machine 0.16.2 opens only url.Parse(x).Path. On Windows, file:///C:/... and file://C:/... both
# fail, so the path is written without its drive and docker-machine must run from that drive.
function ConvertTo-GoUrlPath([string]$Path) {
    $Path.Replace('%', '%25').Replace('#', '%23').Replace('?', '%3F').Replace(' ', '%20')
}
$driveNote = $null
if ($onWindows -and $target -match '^([A-Za-z]):[\\/](.*)$') {
    $drive = $Matches[1].ToUpperInvariant()
    $location = '/' + (ConvertTo-GoUrlPath ($Matches[2].Replace('\', '/')))
    $driveNote = "Run docker-machine from a directory on drive ${drive}: (docker-machine 0.16.2 mangles file:///${drive}:/... URLs)."
} else {
    $location = 'file://' + (ConvertTo-GoUrlPath ($target.Replace('\', '/')))
}
$dm = 'docker-machine'
if ($store -ne $defaultStore) { $dm = "docker-machine -s '" + $store.Replace("'", "''") + "'" }
$quoted = "'" + $location.Replace("'", "''") + "'"

"Seeded $target"
if ($backup) { "The previous ISO is kept as $(Join-Path $cache $backup)" }
''
switch ($labelVersion) {
    'upstream' { "Its label carries boot2docker's last release tag v19.03.12, so a default create keeps it online and offline." }
    'none' { "docker-machine cannot read a version from its label: a default create fails offline and replaces it online. Use the commands with a boot2docker URL." }
    default { "A default create keeps it while GitHub is unreachable, but REPLACES it with upstream's ISO when api.github.com answers`n(its label differs from the upstream tag v19.03.12). The commands with a boot2docker URL never ask GitHub." }
}
''
'Default create (uses the cache):'
"  $dm create -d virtualbox default"
''
'Create from the seeded file (never contacts GitHub):'
"  $dm create -d virtualbox --virtualbox-boot2docker-url $quoted default"
if ($onWindows) { "  $dm create -d hyperv --hyperv-boot2docker-url $quoted default   (elevated PowerShell)" }
else { "  $dm create -d vmwarefusion --vmwarefusion-boot2docker-url $quoted default   (macOS)" }
"  $dm create -d vmwarevsphere --vmwarevsphere-boot2docker-url $quoted default   (plus vCenter options)"
if ($onWindows) { "or: `$env:VIRTUALBOX_BOOT2DOCKER_URL = $quoted (or HYPERV_BOOT2DOCKER_URL, VSPHERE_BOOT2DOCKER_URL)" }
else { "or set VIRTUALBOX_BOOT2DOCKER_URL, FUSION_BOOT2DOCKER_URL or VSPHERE_BOOT2DOCKER_URL to $quoted" }
if ($driveNote) { $driveNote }
