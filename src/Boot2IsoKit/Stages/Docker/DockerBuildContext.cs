using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Stages.Docker;

/// <summary>
/// A rendered build context on disk: the Dockerfile and the files it copies. The same directory builds
/// by hand (<c>docker build -t x DIR &amp;&amp; docker run --rm --network none x &gt; boot2docker.iso</c>) or
/// through <see cref="DockerIsoBuilder"/>.
/// </summary>
internal sealed class DockerBuildContext
{
    internal DockerBuildContext(string directory, string dockerfile, ImageContract contract, long timestamp, int isoScriptStep, IReadOnlyList<ContextEntry> entries)
    {
        Directory = directory;
        Dockerfile = dockerfile;
        Contract = contract;
        Timestamp = timestamp;
        IsoScriptStep = isoScriptStep;
        Entries = entries;
    }

    public const string DockerfileName = "Dockerfile";

    /// <summary>The context directory (e.g. <c>artifacts/&lt;recipe&gt;/docker</c>).</summary>
    public string Directory { get; }

    /// <summary>The Dockerfile text, as written to <see cref="DockerfileName"/>.</summary>
    public string Dockerfile { get; }

    /// <summary>The base image's contract the Dockerfile was written for.</summary>
    public ImageContract Contract { get; }

    /// <summary>The number of the build step that runs the image's ISO script (the engine's "Step N/M").</summary>
    public int IsoScriptStep { get; }

    /// <summary>The mtime every context file carries into the image (the plan's timestamp).</summary>
    public long Timestamp { get; }

    /// <summary>Every context path with the mode and kind it must have, sorted: the tar sent to the engine is made from this, not from disk metadata.</summary>
    internal IReadOnlyList<ContextEntry> Entries { get; }

    /// <summary>A listing of the context ("mode kind path [-> target]"), one line per entry, for reviews and golden tests.</summary>
    public string Listing() => string.Concat(Entries.Select(e =>
        $"{Convert.ToString(e.Mode, 8).PadLeft(4, '0')} {KindName(e.Kind)} {e.Path}{(e.LinkTarget is null ? "" : " -> " + e.LinkTarget)}{(e.Kind == RootfsEntryKind.File ? " (" + new FileInfo(System.IO.Path.Combine(Directory, e.Path)).Length + " bytes)" : "")}\n"));

    private static string KindName(RootfsEntryKind kind) => kind switch
    {
        RootfsEntryKind.Directory => "dir ",
        RootfsEntryKind.Symlink => "link",
        _ => "file",
    };
}

/// <summary>One path of a build context, '/'-separated and relative to the context directory.</summary>
internal sealed record ContextEntry(string Path, RootfsEntryKind Kind, int Mode, string? LinkTarget = null);
