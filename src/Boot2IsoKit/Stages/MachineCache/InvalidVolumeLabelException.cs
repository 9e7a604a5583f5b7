using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>A volume label docker-machine cannot use: too long for the 32-byte field, or without a version it can read.</summary>
internal sealed class InvalidVolumeLabelException : InvalidInputException
{
    public InvalidVolumeLabelException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }
}
