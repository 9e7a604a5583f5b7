using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>
/// The binaries cannot run on the target as they are (symbol versions its libc lacks, no interpreter,
/// another architecture). The message names the binary, the version and both libcs, and the ways out.
/// </summary>
internal sealed class LibraryCompatibilityException : Boot2IsoKitException
{
    public LibraryCompatibilityException(string message, IReadOnlyList<LibraryProblem> problems)
        : base(message)
    {
        Problems = problems;
    }

    /// <summary>Every problem found (not only the first), with its kind.</summary>
    public IReadOnlyList<LibraryProblem> Problems { get; }
}
