using System.Text;
using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Stages.Injection;

/// <summary>The rootfs entries an injection adds, and why.</summary>
internal sealed class InjectionPlan
{
    internal InjectionPlan(IReadOnlyList<RootfsEntry> entries, InjectionReport report)
    {
        Entries = entries;
        Report = report;
    }

    /// <summary>Files (donor content, donor permissions), soname symlinks, wrappers, the lib64 link.</summary>
    public IReadOnlyList<RootfsEntry> Entries { get; }

    public InjectionReport Report { get; }

    public void AddTo(RootfsOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        foreach (var entry in Entries)
        {
            overlay.Add(entry);
        }
    }
}

/// <param name="Name">The soname ("libnl-3.so.200").</param>
/// <param name="DonorPath">The donor file that is copied.</param>
/// <param name="TargetPath">Where it lands in the target.</param>
internal sealed record AddedLibrary(string Name, string DonorPath, string TargetPath);

/// <param name="Name">The soname.</param>
/// <param name="TargetPath">Where the target already provides it.</param>
internal sealed record ReusedLibrary(string Name, string TargetPath);

/// <param name="Binary">The donor path of the binary.</param>
/// <param name="InstalledAt">Where the binary (closure mode) or its wrapper (bundled mode) lands.</param>
/// <param name="Libraries">Its closure in the donor, in load order (sonames).</param>
internal sealed record InjectedBinary(string Binary, string InstalledAt, IReadOnlyList<string> Libraries);

/// <summary>What an injection did: mode used, libraries added and reused, and anything the user should know.</summary>
internal sealed record InjectionReport(
    string PackageName,
    InjectionMode ModeUsed,
    IReadOnlyList<InjectedBinary> Binaries,
    IReadOnlyList<AddedLibrary> Added,
    IReadOnlyList<ReusedLibrary> Reused,
    IReadOnlyList<string> Notes)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"{PackageName}: {ModeUsed.ToString().ToLowerInvariant()} mode");
        foreach (var binary in Binaries)
        {
            text.AppendLine($"  {binary.Binary} -> {binary.InstalledAt} (needs {string.Join(", ", binary.Libraries)})");
        }

        foreach (var added in Added)
        {
            text.AppendLine($"  + {added.Name}: {added.DonorPath} -> {added.TargetPath}");
        }

        foreach (var reused in Reused)
        {
            text.AppendLine($"  = {reused.Name}: reused {reused.TargetPath}");
        }

        foreach (var note in Notes)
        {
            text.AppendLine($"  note: {note}");
        }

        return text.ToString();
    }
}
