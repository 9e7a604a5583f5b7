namespace Boot2IsoKit.Plumbing.IO;

/// <summary>Content read from a file on the build host; its length is taken once, when named.</summary>
internal sealed class FileContent : IContentSource
{
    public FileContent(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Length = new FileInfo(Path).Length;
    }

    public string Path { get; }

    public long Length { get; }

    public string Description => Path;

    public Stream OpenRead() =>
        new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
}
