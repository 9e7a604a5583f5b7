namespace Boot2IsoKit.Plumbing.Errors;

/// <summary>
/// Raised when an input (ISO, initrd, tgz, ELF file, .deb, recipe, download) is broken or hostile.
/// Every such error names the input and the place inside it, so a user can find the problem
/// without a debugger. Format-specific subclasses let callers catch one kind of input.
/// </summary>
internal class InvalidInputException : Exception
{
    public InvalidInputException(string input, string location, string problem)
        : base($"{input}: {location}: {problem}")
    {
        Input = input;
        Location = location;
        Problem = problem;
    }

    public InvalidInputException(string input, string location, string problem, Exception inner)
        : base($"{input}: {location}: {problem}", inner)
    {
        Input = input;
        Location = location;
        Problem = problem;
    }

    /// <summary>The file, URL or argument that was read.</summary>
    public string Input { get; }

    /// <summary>Where inside the input: a byte offset, a record, a line and column, an entry name.</summary>
    public string Location { get; }

    /// <summary>What is wrong there.</summary>
    public string Problem { get; }
}
