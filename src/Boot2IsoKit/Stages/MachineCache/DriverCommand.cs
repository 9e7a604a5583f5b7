namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>
/// One way to create a machine from the seeded file with a driver that boots boot2docker. A boot2docker URL makes
/// docker-machine copy that file into the machine and never contact GitHub (the cache is not consulted).
/// </summary>
/// <param name="Driver">virtualbox, hyperv, vmwarefusion or vmwarevsphere.</param>
/// <param name="Command">The full command line, e.g. <c>docker-machine create -d virtualbox --virtualbox-boot2docker-url file:///… default</c>.</param>
/// <param name="EnvironmentVariable">The variable that replaces the flag, e.g. <c>VIRTUALBOX_BOOT2DOCKER_URL</c>.</param>
/// <param name="EnvironmentCommand">The same create through the variable, in the platform's shell (sh, or PowerShell on Windows).</param>
/// <param name="Note">Driver-specific advice, or null.</param>
internal sealed record DriverCommand(string Driver, string Command, string EnvironmentVariable, string EnvironmentCommand, string? Note);
