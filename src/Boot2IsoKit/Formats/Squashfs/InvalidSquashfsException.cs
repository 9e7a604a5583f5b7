using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.Squashfs;

/// <summary>
/// A squashfs image (a Tiny Core .tcz) that is truncated, inconsistent, hostile (a directory loop, a name
/// with '/' or "..", a table past the end), or uses a feature the reader does not decode (a refused compressor).
/// </summary>
internal class InvalidSquashfsException : InvalidInputException
{
    public InvalidSquashfsException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }

    public InvalidSquashfsException(string input, string location, string problem, Exception inner)
        : base(input, location, problem, inner)
    {
    }
}
