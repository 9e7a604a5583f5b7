using System.Text.RegularExpressions;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.BaseIsos;

/// <summary>
/// A boot2docker ISO opened for remastering or inspection: the image, its layout, and what its initrd
/// holds. The initrd is decoded once; the bytes of small configuration files and of the C libraries
/// (needed to check injected binaries' symbol versions) are kept, everything else is only listed.
/// </summary>
internal sealed partial class BaseIso : IDisposable
{
    private BaseIso(IsoImage image, IsoLayout layout, IsoNode initrd, InitrdContents contents, long decodedBytes)
    {
        DecodedBytes = decodedBytes;
        Image = image;
        Layout = layout;
        InitrdNode = initrd;
        Contents = contents;
    }

    public IsoImage Image { get; }

    public IsoLayout Layout { get; }

    public IsoNode InitrdNode { get; }

    public InitrdContents Contents { get; }

    public string Path => Image.Name;

    /// <summary>True when <see cref="Contents"/> came from the <see cref="BaseIndexCache"/> instead of a decode.</summary>
    public bool FromIndexCache => DecodedBytes == 0;

    /// <summary>How many bytes of the initrd were decoded to list it: all, only what was appended to a known base, or none.</summary>
    public long DecodedBytes { get; }

    /// <param name="indexCache">Where decoded initrd listings are kept by content; null decodes every time.</param>
    public static BaseIso Open(string path, BaseIndexCache? indexCache = null)
    {
        var image = IsoImage.Open(path);
        try
        {
            var layout = IsoLayout.Detect(p => image.Find(p) is not null)
                ?? throw new InvalidInputException(path, "ISO tree", $"is not a boot2docker ISO: neither {IsoLayout.New.KernelPath} + {IsoLayout.New.IsolinuxConfigPath} nor {IsoLayout.Old.KernelPath} + {IsoLayout.Old.IsolinuxConfigPath} exist");
            var initrd = image.Find(layout.InitrdPath)
                ?? throw new InvalidInputException(path, "/" + layout.InitrdPath, "the ISO has no initrd where its layout keeps it");
            using var stream = image.OpenFile(initrd);
            var input = $"{path}!/{layout.InitrdPath}";
            if (indexCache is null)
            {
                return new BaseIso(image, layout, initrd, new InitrdReader(stream, input).ReadContents(KeepData), stream.Length);
            }

            var (key, prefix) = indexCache.FindPrefix(stream);
            if (indexCache.TryLoad(key) is { } cached)
            {
                indexCache.RememberLength(key, stream.Length);
                return new BaseIso(image, layout, initrd, cached, decodedBytes: 0);
            }

            // Built here by appending to a known base: only the appended members are decoded.
            InitrdContents contents;
            var decoded = stream.Length;
            if (prefix is { } known && indexCache.TryLoad(known.Key) is { } head)
            {
                using var tail = new WindowStream(stream, known.Length, stream.Length - known.Length);
                contents = InitrdContents.Concat(head, new InitrdReader(tail, input).ReadContents(KeepData), known.Length);
                decoded = tail.Length;
            }
            else
            {
                stream.Position = 0;
                contents = new InitrdReader(stream, input).ReadContents(KeepData);
            }

            indexCache.TryStore(key, contents, stream.Length);
            return new BaseIso(image, layout, initrd, contents, decoded);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Text of a small rootfs file (etc/motd, etc/os-release), or null when absent.</summary>
    public string? ReadRootfsText(string path) => Contents.ReadAllText(path);

    public void Dispose() => Image.Dispose();

    /// <summary>Configuration files, and the shared libraries whose version definitions the injection check reads.</summary>
    private static bool KeepData(CpioHeader header) =>
        (header.FileSize <= 256 * 1024 && (header.Name.StartsWith("etc/", StringComparison.Ordinal) || header.Name is "version" or "usr/lib/os-release" or "usr/share/doc/tc/release.txt"))
        || (header.FileSize <= 64L * 1024 * 1024 && CoreLibrary().IsMatch(header.Name));

    [GeneratedRegex(@"^(lib|lib64|usr/lib|usr/lib64|usr/local/lib)/([^/]+/)?[^/]+\.so(\.[0-9.]+)?$")]
    private static partial Regex CoreLibrary();
}
