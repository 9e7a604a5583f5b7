using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Engines;

/// <summary>A Docker engine tgz that is corrupt, empty, or holds paths or file types an engine tgz never has.</summary>
internal class InvalidEngineTarballException : InvalidInputException
{
    public InvalidEngineTarballException(string input, string location, string problem)
        : base(input, location, problem)
    {
    }

    public InvalidEngineTarballException(string input, string location, string problem, Exception inner)
        : base(input, location, problem, inner)
    {
    }
}
