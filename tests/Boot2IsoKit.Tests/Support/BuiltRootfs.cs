using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Model.Layouts;

namespace Boot2IsoKit.Tests.Support;

/// <summary>The root filesystem a built ISO boots: its initrd, every member read (later ones winning), with all file bytes kept.</summary>
internal static class BuiltRootfs
{
    public static InitrdContents Read(string isoPath, IsoLayout? layout = null)
    {
        var initrdPath = (layout ?? IsoLayout.New).InitrdPath;
        using var iso = IsoImage.Open(isoPath);
        var initrd = iso.Find(initrdPath) ?? throw new InvalidOperationException($"{isoPath} has no {initrdPath}");
        using var stream = iso.OpenFile(initrd);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return new InitrdReader(copy, isoPath).ReadContents(_ => true);
    }
}
