using Boot2IsoKit.Errors;

namespace Boot2IsoKit.Libraries;

/// <summary>
/// The binaries cannot run on the target as they are (symbol versions its libc lacks, no interpreter,
/// another architecture). The message names the binary, the version and both libcs, and the ways out.
/// </summary>
public sealed class LibraryCompatibilityException : Boot2IsoKitException
{
    public LibraryCompatibilityException(string message, IReadOnlyList<string> problems)
        : base(message)
    {
        Problems = problems;
    }

    /// <summary>One line per problem found (all of them, not only the first).</summary>
    public IReadOnlyList<string> Problems { get; }
}
