namespace Boot2IsoKit.Inputs.Downloads;

/// <summary>
/// <c>&lt;destination&gt;.partial</c> and its note <c>&lt;destination&gt;.partial.source</c> (URL and entity validator).
/// A partial file is only resumed when the note names the same URL and a validator to send as If-Range,
/// so a leftover from another file or a changed server file is never stitched onto new bytes.
/// </summary>
internal sealed class PartialFile(string destination)
{
    public string Path { get; } = destination + ".partial";

    private string NotePath => Path + ".source";

    /// <returns>The bytes that can be kept and the If-Range validator, or (0, null).</returns>
    public (long Length, string? Validator) Resumable(Uri url, long? expectedSize)
    {
        if (!File.Exists(Path) || !File.Exists(NotePath))
        {
            Delete();
            return (0, null);
        }

        var note = File.ReadAllLines(NotePath);
        var length = new FileInfo(Path).Length;
        var sameSource = note.Length == 2 && note[0] == url.AbsoluteUri && note[1].Length > 0;
        if (!sameSource || length == 0 || (expectedSize is { } size && length >= size))
        {
            Delete();
            return (0, null);
        }

        return (length, note[1]);
    }

    public void Begin(Uri url, string? validator, bool append)
    {
        if (!append && File.Exists(Path))
        {
            File.Delete(Path);
        }

        File.WriteAllLines(NotePath, [url.AbsoluteUri, validator ?? string.Empty]);
    }

    public void Delete()
    {
        File.Delete(Path);
        File.Delete(NotePath);
    }
}
