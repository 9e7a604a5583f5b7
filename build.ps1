#!/usr/bin/env pwsh
# Boot2IsoKit entry point (PowerShell). build.sh does the same on bash.
#   ./build.ps1                              lists the targets
#   ./build.ps1 --target=ExperimentalIso     builds the experimental ISO
#   ./build.ps1 --target=Test                builds and runs every test
# Every argument goes to Cake; the exit code is Cake's.
$ErrorActionPreference = 'Stop'
# Paths the user types (--base-iso=../x.iso) are relative to where they ran this script.
if (-not $env:B2IK_INVOCATION_DIR) { $env:B2IK_INVOCATION_DIR = (Get-Location).Path }
Set-Location -LiteralPath $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
# .NET sizes its youngest generation from the CPU's last-level cache; VMs that report hundreds of MiB of L3
# (300 MiB on our CI machines) let a build keep some 150 MiB of garbage before the first collection. 16 MiB
# is what a desktop with a 32 MiB L3 gets: the bench's repeat build peaked at 276 MiB instead of 347, in the same time.
if (-not $env:DOTNET_GCgen0size) { $env:DOTNET_GCgen0size = '0x1000000' }
# Cake keeps the compiled script (keyed by its text) instead of compiling it on every call.
if (-not $env:CAKE_SETTINGS_ENABLESCRIPTCACHE) { $env:CAKE_SETTINGS_ENABLESCRIPTCACHE = 'true' }
$env:CAKE_PATHS_CACHE = Join-Path $PSScriptRoot 'artifacts/cake-script-cache'
# Cake itself is a local tool: restored when the tool manifest changed since the last restore (0.6 s saved
# on every other call).
$toolsStamp = Join-Path $PSScriptRoot 'artifacts/cake/.tools-restored'
$manifest = Join-Path $PSScriptRoot '.config/dotnet-tools.json'
if (-not [IO.File]::Exists($toolsStamp) -or [IO.File]::GetLastWriteTimeUtc($manifest) -gt [IO.File]::GetLastWriteTimeUtc($toolsStamp)) {
    dotnet tool restore | Out-Null
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    New-Item -ItemType Directory -Force -Path artifacts/cake | Out-Null
    New-Item -ItemType File -Force -Path $toolsStamp | Out-Null
}

# The Cake script loads the library with #r, so it is built before Cake starts: only when a file or folder
# under src/Boot2IsoKit (sources, project, embedded scripts) or a repository-wide build setting is newer
# than the last build. The stamp is taken before building, so an edit made during the build counts.
# (.NET calls with full paths: they are cheaper than cmdlet pipelines and do not see Set-Location.)
function Test-LibraryChanged([string] $stamp, [string] $library) {
    if (-not [IO.File]::Exists($stamp) -or -not [IO.File]::Exists($library)) { return $true }
    $built = [IO.File]::GetLastWriteTimeUtc($stamp)
    $source = [IO.DirectoryInfo]::new((Join-Path $PSScriptRoot 'src/Boot2IsoKit'))
    if ($source.LastWriteTimeUtc -gt $built) { return $true }
    foreach ($entry in $source.EnumerateFileSystemInfos()) {
        if ($entry.Name -in 'bin', 'obj') { continue }
        if ($entry.LastWriteTimeUtc -gt $built) { return $true }
        if ($entry -is [IO.DirectoryInfo]) {
            foreach ($inner in $entry.EnumerateFileSystemInfos('*', [IO.SearchOption]::AllDirectories)) {
                if ($inner.LastWriteTimeUtc -gt $built) { return $true }
            }
        }
    }
    foreach ($setting in 'Directory.Build.props', 'Directory.Packages.props', 'global.json', '.editorconfig') {
        $path = Join-Path $PSScriptRoot $setting
        if ([IO.File]::Exists($path) -and [IO.File]::GetLastWriteTimeUtc($path) -gt $built) { return $true }
    }
    return $false
}

$stamp = Join-Path $PSScriptRoot 'artifacts/cake/.built'
if (Test-LibraryChanged $stamp (Join-Path $PSScriptRoot 'artifacts/cake/Boot2IsoKit.dll')) {
    [Console]::Error.WriteLine('Building src/Boot2IsoKit...')
    New-Item -ItemType Directory -Force -Path artifacts/cake | Out-Null
    New-Item -ItemType File -Force -Path "$stamp.next" | Out-Null
    dotnet build src/Boot2IsoKit/Boot2IsoKit.csproj -c Release -o artifacts/cake -v quiet -nologo -clp:NoSummary
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    # A compiled script may bind to members the new library no longer has.
    Remove-Item -LiteralPath $env:CAKE_PATHS_CACHE -Recurse -Force -ErrorAction SilentlyContinue
    Move-Item -LiteralPath "$stamp.next" -Destination $stamp -Force
}
dotnet cake build/build.cake @args
exit $LASTEXITCODE
