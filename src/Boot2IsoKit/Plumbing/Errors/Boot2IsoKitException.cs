namespace Boot2IsoKit.Plumbing.Errors;

/// <summary>
/// A failure of the toolkit that is not about a malformed input: a missing tool, an unreachable
/// service, a refused operation. The message says what happened and what the user can do.
/// </summary>
internal class Boot2IsoKitException : Exception
{
    public Boot2IsoKitException(string message)
        : base(message)
    {
    }

    public Boot2IsoKitException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
