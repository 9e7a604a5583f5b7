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
dotnet tool restore | Out-Null
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
# The Cake script loads the library with #r, so it is built before Cake starts.
dotnet build tests/Boot2IsoKit.Testing/Boot2IsoKit.Testing.csproj -c Release -o artifacts/cake -v quiet -nologo -clp:NoSummary
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
dotnet cake build/build.cake @args
exit $LASTEXITCODE
