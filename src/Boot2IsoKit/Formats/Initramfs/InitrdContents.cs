using System.Text;
using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.OsRelease;
using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Formats.Initramfs;

/// <summary>
/// The files of an unpacked initrd (last definition of each path wins, as the kernel applies them),
/// with the facts the remaster needs about the base: libraries, glibc version, os-release, layout.
/// </summary>
internal sealed partial class InitrdContents
{
    private readonly Dictionary<string, InitrdEntry> _byPath;

    internal InitrdContents(IReadOnlyList<InitrdMember> members, IReadOnlyList<InitrdEntry> entries)
    {
        Members = members;
        Entries = entries;
        _byPath = entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
    }

    public IReadOnlyList<InitrdMember> Members { get; }

    /// <summary>
    /// The contents of an initrd made of <paramref name="head"/>'s bytes followed, at <paramref name="tailOffset"/>,
    /// by the members that <paramref name="tail"/> was read from: the tail's definitions win, as the kernel applies them.
    /// </summary>
    public static InitrdContents Concat(InitrdContents head, InitrdContents tail, long tailOffset)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(tail);
        var shift = head.Members.Count;
        var members = head.Members.Concat(tail.Members.Select(m => m with { Index = m.Index + shift, Offset = m.Offset + tailOffset })).ToList();
        var entries = new Dictionary<string, InitrdEntry>(head._byPath, StringComparer.Ordinal);
        var order = head.Entries.Select(e => e.Path).ToList();
        foreach (var entry in tail.Entries)
        {
            if (!entries.ContainsKey(entry.Path))
            {
                order.Add(entry.Path);
            }

            entries[entry.Path] = entry with { MemberIndex = entry.MemberIndex + shift };
        }

        return new InitrdContents(members, [.. order.Select(p => entries[p])]);
    }

    /// <summary>Every path in first-appearance order, each with its winning definition.</summary>
    public IReadOnlyList<InitrdEntry> Entries { get; }

    public InitrdEntry? Find(string path) => _byPath.GetValueOrDefault(Key(path));

    public bool Exists(string path) => _byPath.ContainsKey(Key(path));

    /// <summary>The kept bytes of a regular file, or null when the path is absent, not a file, or its bytes were not kept.</summary>
    public byte[]? ReadAllBytes(string path)
    {
        var entry = Find(path);
        return entry?.Header.Kind == RootfsEntryKind.File ? entry.Data ?? (entry.Header.FileSize == 0 ? [] : null) : null;
    }

    public string? ReadAllText(string path) => ReadAllBytes(path) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>True when the base has a real /lib64 (directory or symlink).</summary>
    public bool HasLib64 => Exists("lib64");

    /// <summary>Shared libraries (names matching *.so or *.so.N) under lib, lib64, usr/lib, usr/local/lib.</summary>
    public IReadOnlyList<string> Libraries =>
        [.. Entries.Where(e => e.Header.Kind is RootfsEntryKind.File or RootfsEntryKind.Symlink && LibraryPath().IsMatch(e.Path)).Select(e => e.Path)];

    /// <summary>
    /// glibc version from the "libc-2.NN.so" file name that glibc before 2.34 installs (TinyCore, so every
    /// boot2docker), or from a libc.so.6 symlink to it; null when neither exists.
    /// </summary>
    public string? GlibcVersion
    {
        get
        {
            foreach (var entry in Entries)
            {
                var name = entry.Header.Kind == RootfsEntryKind.Symlink && entry.Path.EndsWith("/libc.so.6", StringComparison.Ordinal)
                    ? entry.SymlinkTarget ?? ""
                    : entry.Path;
                var match = GlibcName().Match(name);
                if (match.Success)
                {
                    return match.Groups[1].Value;
                }
            }

            return null;
        }
    }

    /// <summary>The keys and values of etc/os-release (else usr/lib/os-release), read by <see cref="OsReleaseFile"/>; empty when absent.</summary>
    public IReadOnlyDictionary<string, string> OsRelease =>
        OsReleaseFile.Parse(ReadAllText("etc/os-release") ?? ReadAllText("usr/lib/os-release")).ToDictionary();

    /// <summary>The text of etc/version (legacy boot2docker layout), trimmed; null when absent.</summary>
    public string? Version => ReadAllText("etc/version")?.Trim();

    private static string Key(string path)
    {
        var trimmed = path.Trim('/');
        return trimmed is "" or "." ? "." : RootfsPath.Normalize(path);
    }

    [GeneratedRegex(@"^(usr/(local/)?)?lib(64)?/.*\.so(\.[0-9.]+)?$")]
    private static partial Regex LibraryPath();

    [GeneratedRegex(@"(?:^|/)libc-(\d+\.\d+(?:\.\d+)?)\.so$")]
    private static partial Regex GlibcName();
}
