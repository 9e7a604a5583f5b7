using Boot2IsoKit.Model.Rootfs;

namespace Boot2IsoKit.Tests.Model.Rootfs;

public sealed class OverlayDirectoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("b2ik-overlay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Files_keep_their_modes_and_symlinks_their_targets()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes do not exist on Windows");
            return;
        }

        Directory.CreateDirectory(Path.Combine(_directory, "usr/local/bin"));
        var tool = Path.Combine(_directory, "usr/local/bin/tool");
        File.WriteAllText(tool, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        File.CreateSymbolicLink(Path.Combine(_directory, "usr/local/bin/alias"), "tool");
        var overlay = new RootfsOverlay();

        OverlayDirectory.AddTo(overlay, _directory, timestamp: 1_600_000_000);

        Assert.True(overlay.TryGet("usr/local/bin/tool", out var file));
        Assert.Equal(RootfsEntryKind.File, file.Kind);
        Assert.Equal(0x1E8 /* 0750 */, file.Permissions);
        Assert.Equal(1_600_000_000, file.ModificationTime);
        Assert.Equal(0, file.Uid);
        Assert.True(overlay.TryGet("usr/local/bin/alias", out var link));
        Assert.Equal(RootfsEntryKind.Symlink, link.Kind);
        Assert.Equal("tool", link.LinkTarget);
        Assert.True(overlay.TryGet("usr/local", out var directory));
        Assert.Equal(RootfsEntryKind.Directory, directory.Kind);
    }
}
