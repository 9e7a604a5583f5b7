namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>Where a docker-machine store path came from, in docker-machine's order of precedence.</summary>
internal enum StoreSource
{
    /// <summary>The <c>--storage-path</c> / <c>-s</c> argument.</summary>
    Argument,

    /// <summary>The <c>MACHINE_STORAGE_PATH</c> environment variable.</summary>
    Environment,

    /// <summary>The default <c>~/.docker/machine</c> (<c>%USERPROFILE%\.docker\machine</c> on Windows).</summary>
    Home,
}
