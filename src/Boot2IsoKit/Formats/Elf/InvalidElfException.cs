using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Formats.Elf;

/// <summary>An ELF file that is truncated, points outside itself or contradicts itself.</summary>
internal sealed class InvalidElfException : InvalidInputException
{
    public InvalidElfException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }
}
