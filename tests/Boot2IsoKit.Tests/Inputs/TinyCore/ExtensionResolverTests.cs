using System.Text;
using Boot2IsoKit.Inputs.Downloads;
using Boot2IsoKit.Inputs.InputCache;
using Boot2IsoKit.Inputs.TinyCore;

namespace Boot2IsoKit.Tests.Inputs.TinyCore;

/// <summary>Extension resolution against a loopback mirror: .dep chains, a shared dependency, a loop, a bad md5, offline replay.</summary>
public sealed class ExtensionResolverTests : IDisposable
{
    private static readonly DownloaderOptions Quick = new() { MaxAttempts = 1, InitialBackoff = TimeSpan.Zero };
    private readonly string _cacheRoot = Directory.CreateTempSubdirectory("b2ik-tcz-cache-").FullName;

    public void Dispose() => Directory.Delete(_cacheRoot, recursive: true);

    [Fact]
    public async Task Dependencies_come_first_each_once_and_an_offline_build_resolves_the_same_from_the_cache()
    {
        await using var mirror = await TinyCoreMirrorServer.StartAsync();
        mirror.Add("app.tcz", Bytes("app"), ["libb.tcz", "libc.tcz"]);
        mirror.Add("libb.tcz", Bytes("libb"), ["shared.tcz", "modules-KERNEL.tcz"]);
        mirror.Add("libc.tcz", Bytes("libc"), ["  shared.tcz\t", ""]);
        mirror.Add("shared.tcz", Bytes("shared"));
        mirror.Add("other.tcz", Bytes("other"), ["shared"]);
        var tinyCore = new TinyCoreMirror(mirror.Http.BaseAddress, 10);

        IReadOnlyList<ResolvedExtension> online;
        using (var downloader = new Downloader(Quick))
        {
            online = await new ExtensionResolver(tinyCore, new InputCacheStore(_cacheRoot, downloader)).ResolveAsync(["app", "other.tcz"], TestContext.Current.CancellationToken);
        }

        // tce-load's order: a name's dependencies before it, the later of two dependencies first, each extension once.
        Assert.Equal(["shared.tcz", "libc.tcz", "libb.tcz", "app.tcz", "other.tcz"], online.Select(e => e.Name));
        foreach (var extension in online)
        {
            Assert.Equal(extension.AppName, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(extension.Path, TestContext.Current.CancellationToken)));
            Assert.Equal(mirror.Http.Url($"10.x/x86_64/tcz/{extension.Name}"), extension.Source);
            Assert.Equal(1, mirror.RequestsFor(extension.Name));
        }

        Assert.Equal(1, mirror.RequestsFor("shared.tcz.dep"));
        Assert.Equal(0, mirror.RequestsFor("modules-KERNEL.tcz.dep"));

        var requests = mirror.Http.RequestCount;
        var offline = await new ExtensionResolver(tinyCore, new InputCacheStore(_cacheRoot, null, offline: true)).ResolveAsync(["app", "other.tcz"], TestContext.Current.CancellationToken);

        Assert.Equal(online, offline);
        Assert.Equal(requests, mirror.Http.RequestCount);
    }

    [Fact]
    public async Task A_dependency_loop_is_skipped_as_tce_load_does()
    {
        await using var mirror = await TinyCoreMirrorServer.StartAsync(11);
        mirror.Add("a.tcz", Bytes("a"), ["b.tcz"]);
        mirror.Add("b.tcz", Bytes("b"), ["a.tcz"]);
        using var downloader = new Downloader(Quick);

        var resolved = await new ExtensionResolver(new TinyCoreMirror(mirror.Http.BaseAddress, 11), new InputCacheStore(_cacheRoot, downloader)).ResolveAsync(["a.tcz"], TestContext.Current.CancellationToken);

        Assert.Equal(["b.tcz", "a.tcz"], resolved.Select(e => e.Name));
    }

    [Fact]
    public async Task A_bad_md5_is_a_typed_error_naming_the_extension_url()
    {
        await using var mirror = await TinyCoreMirrorServer.StartAsync();
        mirror.Add("app.tcz", Bytes("app"), ["broken.tcz"]);
        mirror.Add("broken.tcz", Bytes("broken"), wrongMd5: true);
        using var downloader = new Downloader(Quick);
        var resolver = new ExtensionResolver(new TinyCoreMirror(mirror.Http.BaseAddress, 10), new InputCacheStore(_cacheRoot, downloader));

        var error = await Assert.ThrowsAsync<InvalidTinyCoreExtensionException>(() => resolver.ResolveAsync(["app.tcz"], TestContext.Current.CancellationToken));

        Assert.Equal(mirror.Http.Url("10.x/x86_64/tcz/broken.tcz").ToString(), error.Input);
        Assert.Equal("md5", error.Location);
    }

    [Fact]
    public async Task Offline_without_a_fetch_names_what_is_missing()
    {
        var resolver = new ExtensionResolver(new TinyCoreMirror(TinyCoreMirror.DefaultMirror, 10), new InputCacheStore(_cacheRoot, null, offline: true));

        var error = await Assert.ThrowsAsync<MissingInputsException>(() => resolver.ResolveAsync(["ipvsadm.tcz"], TestContext.Current.CancellationToken));

        Assert.Equal(new Uri("http://tinycorelinux.net/10.x/x86_64/tcz/ipvsadm.tcz.dep"), Assert.Single(error.Missing).Url);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/b.tcz")]
    [InlineData("control\u0001char.tcz")]
    [InlineData(".tcz")]
    public async Task A_name_that_is_not_one_file_on_the_mirror_is_refused(string name)
    {
        await using var mirror = await TinyCoreMirrorServer.StartAsync();
        mirror.Add("app.tcz", Bytes("app"), [name]);
        using var downloader = new Downloader(Quick);
        var resolver = new ExtensionResolver(new TinyCoreMirror(mirror.Http.BaseAddress, 10), new InputCacheStore(_cacheRoot, downloader));

        var error = await Assert.ThrowsAsync<InvalidTinyCoreExtensionException>(() => resolver.ResolveAsync(["app.tcz"], TestContext.Current.CancellationToken));

        Assert.Equal((mirror.Http.Url("10.x/x86_64/tcz/app.tcz.dep").ToString(), "line 1"), (error.Input, error.Location));
    }

    [Theory]
    [InlineData("usr/share/doc/tc/release.txt", "10.1\n", 10)]
    [InlineData("etc/os-release", "NAME=Boot2Docker\nVERSION=19.03.12\nID=boot2docker\nVERSION_ID=19.03.12\nPRETTY_NAME=\"Boot2Docker 19.03.12 (TCL 10.1)\"\n", 10)]
    [InlineData("etc/os-release", "NAME=TinyCore\nVERSION=\"12.0\"\nID=tinycore\nVERSION_ID=12.0\n", 12)]
    [InlineData("etc/os-release", "NAME=Debian\nID=debian\nVERSION_ID=12\n", null)]
    public void The_release_comes_from_release_txt_or_os_release(string path, string text, int? major)
    {
        Assert.Equal(major, TinyCoreMirror.DetectMajorVersion(p => p == path ? text : null));
    }

    [Fact]
    public void The_mirror_is_the_recipe_s_then_the_environment_s_then_tiny_core_s_site()
    {
        var environment = new Dictionary<string, string> { [TinyCoreMirror.MirrorVariable] = "http://mirror.test/tinycorelinux" };

        Assert.Equal(new Uri("http://recipe.test/tc/"), TinyCoreMirror.ChooseMirror("http://recipe.test/tc/", environment.GetValueOrDefault));
        Assert.Equal(new Uri("http://mirror.test/tinycorelinux"), TinyCoreMirror.ChooseMirror(null, environment.GetValueOrDefault));
        Assert.Equal(new Uri("http://mirror.test/tinycorelinux/10.x/x86_64/tcz/"), new TinyCoreMirror(TinyCoreMirror.ChooseMirror(null, environment.GetValueOrDefault), 10).ExtensionDirectory);
        Assert.Equal(new Uri("http://tinycorelinux.net/10.x/x86_64/tcz/"), new TinyCoreMirror(TinyCoreMirror.ChooseMirror(null, _ => null), 10).ExtensionDirectory);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
