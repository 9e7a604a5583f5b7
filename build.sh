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
# .NET sizes its youngest generation from the CPU's last-level cache; VMs that report hundreds of MiB of L3
# (300 MiB on our CI machines) let a build keep some 150 MiB of garbage before the first collection. 16 MiB
# is what a desktop with a 32 MiB L3 gets: the bench's repeat build peaked at 276 MiB instead of 347, in the same time.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x1000000}"
# Cake keeps the compiled script (keyed by its text) instead of compiling it on every call.
export CAKE_SETTINGS_ENABLESCRIPTCACHE="${CAKE_SETTINGS_ENABLESCRIPTCACHE:-true}" CAKE_PATHS_CACHE="$PWD/artifacts/cake-script-cache"
# Cake itself is a local tool: restored when the tool manifest changed since the last restore (0.6 s saved
# on every other call).
tools_stamp=artifacts/cake/.tools-restored
if [ ! -f "$tools_stamp" ] || [ .config/dotnet-tools.json -nt "$tools_stamp" ]; then
    dotnet tool restore >/dev/null
    mkdir -p artifacts/cake
    rm -f artifacts/cake/.cake-dll
    touch "$tools_stamp"
fi
# Cake runs in this very process (dotnet Cake.dll), not as `dotnet cake`: that runs it as a child of the SDK's tool
# runner, which takes a SIGTERM itself, so the build's own stop handling did not always get to clean up and say so.
# The restored tool's path is looked up once; a packages folder elsewhere (nuget.config) falls back to `dotnet cake`.
cake_dll=artifacts/cake/.cake-dll
if [ ! -f "$cake_dll" ]; then
    cake_version=$(sed -n '/"cake.tool"/,/}/s/.*"version": *"\([^"]*\)".*/\1/p' .config/dotnet-tools.json)
    # The build of the tool for the newest .NET runtime installed, as the tool runner picks it.
    runtime=$(dotnet --list-runtimes | sed -n 's/^Microsoft\.NETCore\.App \([0-9]*\)\..*/\1/p' | sort -n | tail -n 1)
    found=
    for dll in $(ls "${NUGET_PACKAGES:-$HOME/.nuget/packages}/cake.tool/$cake_version"/tools/net*/any/Cake.dll 2>/dev/null | sort -V); do
        tfm=${dll%/any/Cake.dll}; tfm=${tfm##*/net}; tfm=${tfm%%.*}
        if [ -n "$runtime" ] && [ "$tfm" -le "$runtime" ]; then found=$dll; fi
    done
    if [ -n "$found" ]; then
        mkdir -p artifacts/cake
        echo "$found" > "$cake_dll"
    fi
fi
# The Cake script loads the library with #r, so it is built before Cake starts: only when a file or folder
# under src/Boot2IsoKit (sources, project, embedded scripts) or a repository-wide build setting is newer
# than the last build. The stamp is taken before building, so an edit made during the build counts.
stamp=artifacts/cake/.built
if [ ! -f "$stamp" ] || [ ! -f artifacts/cake/Boot2IsoKit.dll ] || [ -n "$(find src/Boot2IsoKit Directory.Build.props Directory.Packages.props global.json .editorconfig \
        \( -path src/Boot2IsoKit/bin -o -path src/Boot2IsoKit/obj \) -prune -o -newer "$stamp" -print -quit)" ]; then
    echo "Building src/Boot2IsoKit..." >&2
    mkdir -p artifacts/cake
    touch "$stamp.next"
    dotnet build src/Boot2IsoKit/Boot2IsoKit.csproj -c Release -o artifacts/cake -v quiet -nologo -clp:NoSummary
    # A compiled script may bind to members the new library no longer has.
    rm -rf "$CAKE_PATHS_CACHE"
    mv "$stamp.next" "$stamp"
fi
if [ -f "$cake_dll" ] && [ -f "$(cat "$cake_dll")" ]; then
    exec dotnet "$(cat "$cake_dll")" build/build.cake "$@"
fi
exec dotnet cake build/build.cake "$@"
