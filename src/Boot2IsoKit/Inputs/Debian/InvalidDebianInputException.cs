using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>A broken or hostile .deb, ar archive, data tarball, Release file or Packages index.</summary>
internal sealed class InvalidDebianInputException : InvalidInputException
{
    public InvalidDebianInputException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }

    public InvalidDebianInputException(string input, string location, string problem, Exception inner)
        : base(input, location, problem, inner)
    {
    }
}
