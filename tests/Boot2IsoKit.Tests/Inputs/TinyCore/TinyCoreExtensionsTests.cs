using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Inputs.TinyCore;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Tests.Formats.Initramfs;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Inputs.TinyCore;

/// <summary>A recipe's extensions from a loopback mirror into an overlay, the release read from the base's os-release, then again offline.</summary>
public sealed class TinyCoreExtensionsTests
{
    [Fact]
    public async Task A_recipe_s_extensions_come_from_the_base_s_release_on_the_mirror_then_from_the_cache_offline()
    {
        Requires.Tools("mksquashfs");
        using var scratch = new Scratch();
        await scratch.Sh("""
            mkdir -p tool/usr/local/bin lib/usr/local/lib
            printf '#!/bin/sh\necho tool\n' > tool/usr/local/bin/tool && chmod 755 tool/usr/local/bin/tool
            printf 'library' > lib/usr/local/lib/libtool.so.1
            mksquashfs tool tool.tcz -b 4K -noappend -no-progress -quiet && mksquashfs lib lib.tcz -b 4K -noappend -no-progress -quiet
            """);
        await using var mirror = await TinyCoreMirrorServer.StartAsync(10);
        mirror.Add("tool.tcz", await File.ReadAllBytesAsync(scratch["tool.tcz"], TestContext.Current.CancellationToken), ["lib.tcz"]);
        mirror.Add("lib.tcz", await File.ReadAllBytesAsync(scratch["lib.tcz"], TestContext.Current.CancellationToken));
        var recipe = new Recipe
        {
            Name = "x",
            Base = new BaseSpec("v19.03.12", "boot2docker/boot2docker", "boot2docker.iso", "boot2docker/boot2docker", null),
            Extensions = ["tool"],
            TinyCoreMirror = mirror.Http.BaseAddress.ToString(),
        };
        const string osRelease = "NAME=Boot2Docker\nID=boot2docker\nVERSION_ID=19.03.12\nPRETTY_NAME=\"Boot2Docker 19.03.12 (TCL 10.1)\"\n";
        string? ReadBase(string path) => path == "etc/os-release" ? osRelease : null;

        var online = new RootfsOverlay();
        using (var downloader = new Downloader(new DownloaderOptions { MaxAttempts = 1 }))
        {
            var (installer, report) = await TinyCoreExtensions.AddToAsync(online, recipe, ReadBase, _ => false, TinyCoreExtensions.Through(new InputCacheStore(scratch["cache"], downloader), recipe.TinyCoreMirror, _ => null), p => p, 1_600_000_000, TestContext.Current.CancellationToken);
            using (installer)
            {
                Assert.Equal(["lib.tcz", "tool.tcz"], report.Installed);
                Assert.True(online.TryGet("usr/local/bin/tool", out var tool));
                await using var data = tool.Content!.OpenRead();
                Assert.Equal("#!/bin/sh\necho tool\n", await new StreamReader(data).ReadToEndAsync(TestContext.Current.CancellationToken));
            }
        }

        var requests = mirror.Http.RequestCount;
        var offline = new RootfsOverlay();
        var (offlineInstaller, _) = await TinyCoreExtensions.AddToAsync(offline, recipe, ReadBase, _ => false, TinyCoreExtensions.Through(new InputCacheStore(scratch["cache"], null, offline: true), recipe.TinyCoreMirror, _ => null), p => p, 1_600_000_000, TestContext.Current.CancellationToken);
        offlineInstaller.Dispose();

        Assert.Equal(requests, mirror.Http.RequestCount);
        Assert.Equal(online.Entries.Select(e => (e.Path, e.Kind, e.Permissions)), offline.Entries.Select(e => (e.Path, e.Kind, e.Permissions)));
        Assert.Contains(offline.Entries, e => e.Path == "usr/local/tce.installed/lib");
    }
}
