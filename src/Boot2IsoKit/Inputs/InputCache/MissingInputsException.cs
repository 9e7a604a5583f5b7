using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.InputCache;

/// <summary>Offline mode needs inputs the cache does not have. The message lists each one on its own line.</summary>
internal sealed class MissingInputsException : Boot2IsoKitException
{
    public MissingInputsException(string cacheRoot, IReadOnlyList<MissingInput> missing)
        : base(MessageFor(cacheRoot, missing))
    {
        CacheRoot = cacheRoot;
        Missing = missing;
    }

    public string CacheRoot { get; }

    public IReadOnlyList<MissingInput> Missing { get; }

    private static string MessageFor(string cacheRoot, IReadOnlyList<MissingInput> missing) =>
        $"--offline: {missing.Count} input(s) are not in the input cache at {cacheRoot} (kind, version, URL it would fetch):"
        + string.Concat(missing.Select(m => Environment.NewLine + "  " + m))
        + Environment.NewLine + "Give them as local files (--base-iso=PATH, --engine-tgz=PATH), or fill the cache with ./build.sh --target=Fetch"
        + Environment.NewLine + "on a connected machine and carry it over (the folder, or a cache archive exported there and imported here).";
}

/// <summary>A cache manifest or cache archive (export/import) that is not what it claims: bad entry name, hash mismatch, broken manifest.</summary>
internal sealed class InvalidInputCacheException : InvalidInputException
{
    public InvalidInputCacheException(string input, string location, string problem, Exception? inner = null)
        : base(input, location, problem, inner!)
    {
    }
}
