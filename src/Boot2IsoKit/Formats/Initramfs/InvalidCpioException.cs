using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>A newc cpio archive or an initrd that is truncated, misaligned, or names a path outside the root.</summary>
internal class InvalidCpioException : InvalidInputException
{
    public InvalidCpioException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }

    public InvalidCpioException(string input, string location, string problem, Exception inner)
        : base(input, location, problem, inner)
    {
    }
}
