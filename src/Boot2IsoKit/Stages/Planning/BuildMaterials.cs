using Boot2IsoKit.Inputs.TinyCore;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Planning;

/// <summary>
/// What a plan's delta was made from (overlay directories, Debian packages, Tiny Core extensions, host
/// binaries, the engine) and, for each delta path, the one that put its final entry there. Paths no input
/// put in (the stamped os-release, motd and version files, Tiny Core's setup.lst, implied directories)
/// have no owner. The bill of materials is written from this; the facts themselves stay with their owners
/// (<see cref="ExtractedDebianPackage"/>, <see cref="ResolvedExtension"/>, <see cref="BuildPlan.Engine"/>).
/// </summary>
internal sealed record BuildMaterials(IReadOnlyList<BuildMaterial> Materials, IReadOnlyDictionary<string, BuildMaterial> Owners)
{
    public static readonly BuildMaterials None = new([], new Dictionary<string, BuildMaterial>());
}

/// <summary>One input of the delta, as a closed choice.</summary>
internal abstract record BuildMaterial
{
    private BuildMaterial()
    {
    }

    /// <summary>A recipe's overlay directory (absolute path).</summary>
    public sealed record Overlay(string Directory) : BuildMaterial;

    public sealed record DebianPackage(ExtractedDebianPackage Extracted) : BuildMaterial;

    public sealed record Extension(ResolvedExtension Resolved) : BuildMaterial;

    /// <summary>A binary taken from the build host (a recipe's <c>host:</c>) with the libraries it needs.</summary>
    public sealed record HostBinary(string Path) : BuildMaterial;

    /// <summary>The pinned engine (<see cref="BuildPlan.Engine"/>).</summary>
    public sealed record Engine : BuildMaterial;

    /// <summary>A container image of the recipe's <c>images:</c>, carried on the ISO's file system (no rootfs path is its own).</summary>
    public sealed record Image(Boot2IsoKit.Stages.Images.ImageArchive Archive) : BuildMaterial;
}

/// <summary>
/// Tells, step by step, which material put each delta path there. After each planning step the delta's
/// entries that are new or replaced since the previous step (the overlay stores a new entry at every Add)
/// are given to that step's material; a later step that replaces a path takes it over, as the later
/// initramfs member wins in the ISO.
/// </summary>
internal sealed class MaterialLedger
{
    private readonly Dictionary<string, (RootfsEntry Entry, BuildMaterial? Owner)> _owners = new(StringComparer.Ordinal);
    private readonly List<BuildMaterial> _materials = [];

    public void Add(BuildMaterial material)
    {
        if (!_materials.Contains(material))
        {
            _materials.Add(material);
        }
    }

    /// <summary>Gives each entry added since the last call to <paramref name="owner"/>'s answer (null: no input put it there).</summary>
    public void Record(RootfsOverlay delta, Func<RootfsEntry, BuildMaterial?> owner)
    {
        foreach (var entry in delta.Entries)
        {
            if (!_owners.TryGetValue(entry.Path, out var known) || !ReferenceEquals(known.Entry, entry))
            {
                _owners[entry.Path] = (entry, owner(entry));
            }
        }
    }

    /// <summary>
    /// The owner of a Debian step's entry: the package that unpacked the donor file it copies, else
    /// <paramref name="fallback"/> (wrappers, links, files the package list does not name).
    /// </summary>
    public static Func<RootfsEntry, BuildMaterial?> FromDonor(string donorRoot, IReadOnlyList<ExtractedDebianPackage> packages, BuildMaterial? fallback)
    {
        var byHostPath = new Dictionary<string, BuildMaterial>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            var material = new BuildMaterial.DebianPackage(package);
            foreach (var file in package.Files)
            {
                byHostPath[Path.GetFullPath(Path.Combine(donorRoot, file))] = material; // a later package overwrote the file
            }
        }

        return entry => entry.Content is FileContent file && byHostPath.TryGetValue(file.Path, out var owner) ? owner : fallback;
    }

    public BuildMaterials Complete(RootfsOverlay delta)
    {
        var owners = new Dictionary<string, BuildMaterial>(StringComparer.Ordinal);
        foreach (var entry in delta.Entries)
        {
            if (_owners.TryGetValue(entry.Path, out var known) && ReferenceEquals(known.Entry, entry) && known.Owner is { } owner)
            {
                owners[entry.Path] = owner;
            }
        }

        return new BuildMaterials([.. _materials], owners);
    }
}
