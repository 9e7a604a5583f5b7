using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.Iso9660;

/// <summary>An ISO 9660 image is truncated, inconsistent or hostile. Names the image and the offending record.</summary>
internal sealed class InvalidIsoException : InvalidInputException
{
    public InvalidIsoException(string image, string location, string problem)
        : base(image, location, problem)
    {
    }

    public InvalidIsoException(string image, string location, string problem, Exception inner)
        : base(image, location, problem, inner)
    {
    }
}
