using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.TinyCore;

/// <summary>A Tiny Core extension that fails its md5, a .dep or .md5.txt file that is malformed, or an extension name that is not one.</summary>
internal sealed class InvalidTinyCoreExtensionException : InvalidInputException
{
    public InvalidTinyCoreExtensionException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }
}
