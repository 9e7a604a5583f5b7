namespace Boot2IsoKit.Plumbing.Logging;

/// <summary>
/// Where pipeline stages say what they did. Quiet by default: <see cref="Info"/> is for the few lines a
/// user wants (what was built, where); <see cref="Detail"/> only shows with --verbosity=verbose.
/// </summary>
public sealed class PipelineLog(TextWriter output, bool verbose)
{
    public static PipelineLog Console(bool verbose) => new(System.Console.Out, verbose);

    public static PipelineLog Silent { get; } = new(TextWriter.Null, verbose: false);

    public bool Verbose { get; } = verbose;

    public void Info(string message) => output.WriteLine(message);

    public void Detail(string message)
    {
        if (Verbose)
        {
            output.WriteLine(message);
        }
    }

    public void Warning(string message) => output.WriteLine("warning: " + message);

    /// <summary>A progress reporter for long work (downloads, ISO writing) drawn on the console.</summary>
    internal IProgress<ProgressReport> Progress(string what) =>
        ReferenceEquals(output, TextWriter.Null) ? new Progress<ProgressReport>() : new ConsoleProgress(what);
}

/// <summary>How far a long piece of work is: <paramref name="Done"/> of <paramref name="Total"/> units (bytes), total 0 when unknown.</summary>
internal readonly record struct ProgressReport(long Done, long Total);
