using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.MachineCache;

/// <summary>
/// Tiny real ISOs made by xorriso, for tests that care about the volume label, El Torito and /etc/os-release
/// rather than about a bootable boot2docker system.
/// </summary>
internal static class SmallIso
{
    public const string Isolinux = "/usr/lib/ISOLINUX/isolinux.bin";

    /// <param name="label">The volume id (xorriso pads it with spaces, as boot2docker's build does).</param>
    /// <param name="elTorito">Adds ISOLINUX as the El Torito no-emulation boot image, like make-b2d-iso.sh.</param>
    /// <param name="osRelease">Written as /etc/os-release in the ISO tree; null for none.</param>
    /// <param name="payload">Extra bytes in /payload.bin, to make the ISO bigger than one write buffer.</param>
    public static async Task<string> BuildAsync(string directory, string name, string label, bool elTorito, string? osRelease = "NAME=Boot2Docker\nID=boot2docker\n", int payload = 300_000, CancellationToken cancellationToken = default)
    {
        var tree = Path.Combine(directory, name + ".tree");
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        if (osRelease is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(tree, "etc", "os-release"), osRelease, cancellationToken).ConfigureAwait(false);
        }

        var bytes = new byte[payload];
        new Random(label.Length).NextBytes(bytes);
        await File.WriteAllBytesAsync(Path.Combine(tree, "payload.bin"), bytes, cancellationToken).ConfigureAwait(false);

        var iso = Path.Combine(directory, name + ".iso");
        List<string> arguments = ["-as", "mkisofs", "-o", iso, "-V", label];
        if (elTorito)
        {
            Directory.CreateDirectory(Path.Combine(tree, "isolinux"));
            File.Copy(Isolinux, Path.Combine(tree, "isolinux", "isolinux.bin"));
            arguments.AddRange(["-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table"]);
        }

        arguments.Add(tree);
        await ExternalTool.RunCheckedAsync("xorriso", arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        return iso;
    }

    /// <summary>Rewrites the 32-byte volume identifier field (0x8028) with raw bytes, e.g. a NUL-padded label.</summary>
    public static void PatchVolumeId(string isoPath, ReadOnlySpan<byte> field32)
    {
        if (field32.Length != 32)
        {
            throw new ArgumentException("the volume identifier field is 32 bytes", nameof(field32));
        }

        using var stream = new FileStream(isoPath, FileMode.Open, FileAccess.Write);
        stream.Position = 0x8028;
        stream.Write(field32);
    }
}
