#!/usr/bin/env bash
# Boot2IsoKit entry point (bash). build.ps1 does the same on PowerShell.
#   ./build.sh                              lists the targets
#   ./build.sh --target=ExperimentalIso     builds the experimental ISO
#   ./build.sh --target=Test                builds and runs every test
# Every argument goes to Cake; the exit code is Cake's.
set -euo pipefail
# Paths the user types (--base-iso=../x.iso) are relative to where they ran this script.
export B2IK_INVOCATION_DIR="${B2IK_INVOCATION_DIR:-$PWD}"
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
# The Cake script loads the library with #r, so it is built before Cake starts.
dotnet build tests/Boot2IsoKit.Testing/Boot2IsoKit.Testing.csproj -c Release -o artifacts/cake -v quiet -nologo -clp:NoSummary
exec dotnet cake build/build.cake "$@"
