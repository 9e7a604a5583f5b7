using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>A needed library cannot be found in the donor root (the loader would fail the same way).</summary>
internal sealed class LibraryResolutionException : Boot2IsoKitException
{
    public LibraryResolutionException(string message)
        : base(message)
    {
    }
}
