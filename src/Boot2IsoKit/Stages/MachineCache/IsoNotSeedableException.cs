using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>The ISO fails the checks that make it usable by docker-machine; <see cref="Problems"/> lists every reason.</summary>
internal sealed class IsoNotSeedableException : InvalidInputException
{
    public IsoNotSeedableException(string isoPath, IReadOnlyList<string> problems)
        : base(isoPath, "docker-machine checks", string.Join("; ", problems) + " (force the seed to write it anyway)")
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
