using System.Globalization;
using System.Text;
using Boot2IsoKit.Formats.Initramfs;

namespace Boot2IsoKit.Stages.Remaster;

/// <summary>What a remaster did, printed at the end of a build.</summary>
internal sealed record RemasterReport(
    string BaseIso,
    string Layout,
    string OutputIso,
    string VolumeLabel,
    string StampedVersion,
    IReadOnlyList<string> EngineBinaries,
    IReadOnlyList<string> AddedPaths,
    InitrdOverlayResult Initrd,
    long OutputBytes,
    string OutputSha256,
    TimeSpan Elapsed)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Built {OutputIso}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  base        {BaseIso} ({Layout} layout)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  label       {VolumeLabel} (version {StampedVersion})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  engine      {(EngineBinaries.Count == 0 ? "kept from the base" : string.Join(' ', EngineBinaries))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  rootfs      {AddedPaths.Count} paths added or replaced; initrd {Initrd.Mode.ToString().ToLowerInvariant()}: {Initrd.BaseLength / 1048576.0:0.0} MiB -> {Initrd.OutputLength / 1048576.0:0.0} MiB");
        foreach (var note in Initrd.Notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"              {note}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  size        {OutputBytes / 1048576.0:0.0} MiB, sha256 {OutputSha256}");
        text.Append(CultureInfo.InvariantCulture, $"  time        {Elapsed.TotalSeconds:0.0} s");
        return text.ToString();
    }
}
