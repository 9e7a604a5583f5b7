using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.DockerArchive;

/// <summary>
/// A file that <c>docker load</c> would refuse: not a tar, truncated, no manifest.json, an image whose config or
/// layer is missing, or whose content does not match the digest it is named by.
/// </summary>
internal sealed class InvalidDockerArchiveException : InvalidInputException
{
    public InvalidDockerArchiveException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }

    public InvalidDockerArchiveException(string input, string location, string problem, Exception inner)
        : base(input, location, problem, inner)
    {
    }
}
