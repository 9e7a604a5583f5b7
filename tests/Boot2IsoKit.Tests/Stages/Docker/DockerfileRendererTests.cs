using System.Runtime.CompilerServices;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Docker;

/// <summary>
/// The rendered Dockerfile and context per layout and option set, compared with reviewed golden files.
/// Set B2IK_UPDATE_GOLDEN=1 to rewrite them after an intended change (then review the diff).
/// </summary>
public sealed class DockerfileRendererTests : IDisposable
{
    private const long Epoch = 1593388800;

    private readonly string _work = Path.Combine(Path.GetTempPath(), "b2ik-render-" + Guid.NewGuid().ToString("N")[..8]);

    public DockerfileRendererTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>The seed example: boot2docker 1.12.0 with the experimental 1.12.0-rc4 engine, ipvsadm and a warning banner.</summary>
    [Fact]
    public void Seed_example_old_layout_experimental_engine_ipvsadm_and_motd() =>
        // make_iso.sh of 1.12.0 would say "Boot2Docker-v1.12.0-rc4-experimental": 36 bytes, too long (commit 763d3c5).
        AssertGolden("seed-experimental-1.12.0-rc4", Plan(
            "experimental", "1.12.0", "boot2docker/boot2docker:1.12.0", IpvsadmOverlay(), "b2d-v1.12.0-rc4-experimental", "1.12.0-rc4-experimental",
            banner: "\n  WARNING: this is a build from experimental.docker.com, not a stable release.\n\n",
            engine: ["docker", "docker-containerd", "docker-containerd-ctr", "docker-containerd-shim", "docker-runc"]));

    [Fact]
    public void New_layout_local_engine_without_overlay() =>
        AssertGolden("new-local-engine-plain", Plan(
            "pinned", "19.03.12", "boot2docker/boot2docker:19.03.12", new RootfsOverlay(), "b2d-v28.2.2", "28.2.2", engine: ["docker", "dockerd"]));

    [Fact]
    public void New_layout_engine_overlay_motd_and_a_label_the_script_cannot_derive() =>
        AssertGolden("new-url-overlay-own-label", Plan(
            "experimental", "19.03.12", "registry.example.invalid/forks/boot2docker:19.03.12", IpvsadmOverlay(withUserFiles: true), "b2ik-v28.2.2-exp", "28.2.2",
            banner: "\n  WARNING: Docker 28.2.2 pinned by Boot2IsoKit, not a boot2docker release.\n\n",
            engine: ["docker", "dockerd"]));

    /// <summary>docker-machine keeps a cached ISO labelled like the last release: the label is not the engine.</summary>
    [Fact]
    public void New_layout_upstream_tag_label_steers_DOCKER_VERSION_not_os_release() =>
        AssertGolden("new-local-engine-upstream-label", Plan(
            "pinned", "19.03.12", "b2ik-standin/boot2docker:19.03.12", IpvsadmOverlay(), "b2d-v19.03.12", "28.2.2", banner: "Pinned engine.\n", engine: ["docker", "dockerd"]));

    [Fact]
    public void Old_layout_after_the_script_moved_to_tmp_local_engine_and_overlay() =>
        AssertGolden("old-18.06-local-overlay", Plan(
            "ipvs", "18.06.1-ce", "boot2docker/boot2docker:18.06.1-ce", IpvsadmOverlay(), "b2d-v18.06.3-ce", "18.06.3-ce", engine: ["docker", "dockerd"]));

    [Fact]
    public void Old_layout_single_binary_engine_of_the_1_10_era() =>
        AssertGolden("old-1.10-single-binary", Plan(
            "legacy", "1.10.3", "boot2docker/boot2docker:1.10.3", new RootfsOverlay(), "Boot2Docker-v1.10.3", "1.10.3", engine: ["docker"]));

    /// <summary>The Dockerfile stamps nothing: os-release, motd and version files are plan files, copied with the rest.</summary>
    [Fact]
    public void The_dockerfile_edits_no_rootfs_file_in_shell()
    {
        var context = DockerfileRenderer.Render(SeedLike(), Path.Combine(_work, "ctx"));
        Assert.DoesNotContain("sed -i", context.Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain(">> \"$ROOTFS", context.Dockerfile, StringComparison.Ordinal);
        // The one tar is the merge of the copied delta into $ROOTFS: no other archive is unpacked there.
        var tars = context.Dockerfile.Split('\n').Where(l => !l.StartsWith('#') && l.Contains("tar ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["RUN tar -C /tmp/b2ik-rootfs-delta -cf - . | tar -C \"$ROOTFS\" -xf - --numeric-owner --keep-directory-symlink --no-overwrite-dir \\"], tars);
        Assert.Contains("0644 file rootfs-overlay/etc/os-release", context.Listing(), StringComparison.Ordinal);
        Assert.Contains("0644 file rootfs-overlay/etc/motd", context.Listing(), StringComparison.Ordinal);
        Assert.Contains("0644 file iso-root/version", context.Listing(), StringComparison.Ordinal);
    }

    /// <summary>
    /// COPY chowns to root, which clears setuid; tar must not turn the base's lib64 link into a directory nor
    /// give implied parents the context's mode. So: merged through tar, then owners, then the special modes
    /// and the modes of the directories the delta names, in that order.
    /// </summary>
    [Fact]
    public void Setuid_bits_and_named_directories_are_set_after_the_merge_and_the_owners()
    {
        var delta = new RootfsOverlay();
        delta.Add(RootfsEntry.File("usr/local/bin/b2ik-su", BytesContent.FromText("#!/bin/sh\n", "b2ik-su"), 0x9ED /* 4755 */));
        delta.Add(RootfsEntry.File("lib64/libb2ik.so.1", BytesContent.FromText("elf", "libb2ik"), 0x1A4));
        delta.Add(RootfsEntry.Directory("home/docker", 0x1ED) with { Uid = 1000, Gid = 50 });
        delta.Add(RootfsEntry.Directory("var/b2ik", 0x3FF /* 1777 */));
        var dockerfile = DockerfileRenderer.Render(Plan("modes", "19.03.12", "boot2docker/boot2docker:19.03.12", delta, "b2d-v19.03.12", "19.03.12"), Path.Combine(_work, "ctx")).Dockerfile;

        Assert.Contains("COPY rootfs-overlay/ /tmp/b2ik-rootfs-delta/", dockerfile, StringComparison.Ordinal);
        var merge = dockerfile.IndexOf("--keep-directory-symlink --no-overwrite-dir", StringComparison.Ordinal);
        var chown = dockerfile.IndexOf(" && chown -h 1000:50 \"$ROOTFS\"/home/docker", StringComparison.Ordinal);
        var setuid = dockerfile.IndexOf(" && chmod 4755 \"$ROOTFS\"/usr/local/bin/b2ik-su", StringComparison.Ordinal);
        var sticky = dockerfile.IndexOf(" && chmod 1777 \"$ROOTFS\"/var/b2ik", StringComparison.Ordinal);
        Assert.True(merge > 0 && chown > merge && setuid > chown && sticky > chown, dockerfile);
        // Implied parents (lib64, usr, usr/local/bin) keep the base's owner and mode: tar --no-overwrite-dir, no chmod.
        Assert.DoesNotContain("\"$ROOTFS\"/lib64 ", dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("\"$ROOTFS\"/usr/local/bin ", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_twice_gives_the_same_context_and_the_same_tar()
    {
        var plan = SeedLike();
        var first = DockerfileRenderer.Render(plan, Path.Combine(_work, "a"));
        var second = DockerfileRenderer.Render(plan, Path.Combine(_work, "b"));
        Assert.Equal(first.Dockerfile, second.Dockerfile);
        Assert.Equal(first.Listing(), second.Listing());
        Assert.Equal(Tar(first), Tar(second));
    }

    [Fact]
    public void Rendering_again_replaces_the_previous_context()
    {
        var directory = Path.Combine(_work, "ctx");
        DockerfileRenderer.Render(SeedLike(), directory);
        var stale = Path.Combine(directory, "stale.txt");
        File.WriteAllText(stale, "left over");
        var again = DockerfileRenderer.Render(SeedLike(banner: null), directory);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(Path.Combine(directory, DockerfileRenderer.OverlayDirectory, "etc", "motd")));
        Assert.Equal(again.Dockerfile, File.ReadAllText(Path.Combine(directory, "Dockerfile")));
    }

    [Fact]
    public void The_context_tar_carries_modes_symlinks_and_the_plan_timestamp()
    {
        var context = DockerfileRenderer.Render(SeedLike(), Path.Combine(_work, "ctx"));
        using var tar = new MemoryStream(Tar(context));
        using var reader = new System.Formats.Tar.TarReader(tar);
        var entries = new Dictionary<string, System.Formats.Tar.TarEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries[entry.Name] = entry;
        }

        Assert.Equal((UnixFileMode)0x1ED, entries["rootfs-overlay/sbin/ipvsadm"].Mode);
        Assert.Equal(System.Formats.Tar.TarEntryType.SymbolicLink, entries["rootfs-overlay/lib/libnl-3.so.200"].EntryType);
        Assert.Equal("libnl-3.so.200.26.0", entries["rootfs-overlay/lib/libnl-3.so.200"].LinkName);
        Assert.All(entries.Values, e => Assert.Equal(Epoch, e.ModificationTime.ToUnixTimeSeconds()));
        Assert.All(entries.Values, e => Assert.Equal(0, e.Uid));
    }

    [Theory]
    [InlineData("b2d-v1.12.0-rc4-experimental-build-7", "longer than the 32 bytes")]
    [InlineData("b2d-v1\"; rm -rf /", "VolumeLabel")]
    public void A_bad_label_is_refused_naming_the_field(string label, string expected)
    {
        var plan = SeedLike();
        var error = Assert.ThrowsAny<InvalidInputException>(() => DockerfileRenderer.Render(plan with { Iso = plan.Iso with { VolumeLabel = label } }, Path.Combine(_work, "ctx")));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_work, "ctx")));
    }

    [Fact]
    public void A_bad_base_image_reference_is_refused_naming_the_base()
    {
        var error = Assert.Throws<InvalidInputException>(() => DockerfileRenderer.Render(SeedLike() with { Base = new BuildBase.Image("bad image; rm -rf /") }, Path.Combine(_work, "ctx")));
        Assert.Contains("Base", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shell_hostile_version_is_refused() =>
        Assert.Throws<InvalidInputException>(() => DockerfileRenderer.Render(SeedLike() with { StampedVersion = "1.0$(reboot)" }, Path.Combine(_work, "a")));

    [Theory]
    [InlineData("1.12.0", "/make_iso.sh", "Boot2Docker-v1.0")]
    [InlineData("1.12.3", "/make_iso.sh", "b2d-v1.0")]
    [InlineData("1.12.4", "/tmp/make_iso.sh", "b2d-v1.0")]
    [InlineData("18.06.1-ce", "/tmp/make_iso.sh", "b2d-v1.0")]
    [InlineData("18.09.0", "make-b2d-iso.sh", "Boot2Docker")]
    [InlineData("19.03.12", "make-b2d-iso.sh", "b2d-v1.0")]
    public void The_image_contract_follows_boot2docker_history(string release, string script, string label)
    {
        var contract = ImageContract.ForRelease(release);
        Assert.Equal(script, contract.IsoScript);
        Assert.Equal(label, contract.DerivedLabel("1.0"));
    }

    private BuildPlan SeedLike(string? banner = "\n  WARNING: experimental\n\n") => Plan(
        "experimental", "1.12.0", "boot2docker/boot2docker:1.12.0", IpvsadmOverlay(), "b2d-v1.12.0-rc4", "1.12.0-rc4", banner, ["docker", "docker-runc"]);

    /// <summary>A plan as the planner makes it: the recipe's files, the engine binaries, the stamped version files.</summary>
    private BuildPlan Plan(string recipe, string baseVersion, string image, RootfsOverlay delta, string label, string stamped, string? banner = null, string[]? engine = null)
    {
        var engineInput = engine is null ? null : TestPlans.AddEngine(delta, stamped, LocalEngine(), Epoch, engine);
        TestPlans.AddStamp(delta, IsoLayout.ForRelease(baseVersion), stamped, banner, Epoch, "NAME=Boot2Docker\nVERSION=" + baseVersion + "\nID=boot2docker\nPRETTY_NAME=\"Boot2Docker " + baseVersion + "\"\n", "Welcome.\n");
        return TestPlans.ForImage(recipe, baseVersion, image, delta, label, stamped, "boot2docker.iso", Epoch, engineInput);
    }

    private void AssertGolden(string name, BuildPlan plan, [CallerFilePath] string source = "")
    {
        var context = DockerfileRenderer.Render(plan, Path.Combine(_work, name));
        Assert.Equal(context.Dockerfile, File.ReadAllText(Path.Combine(context.Directory, "Dockerfile")));
        var golden = Path.Combine(Path.GetDirectoryName(source)!, "Golden");
        Compare(Path.Combine(golden, name + ".Dockerfile"), context.Dockerfile);
        Compare(Path.Combine(golden, name + ".context.txt"), context.Listing());
    }

    private static void Compare(string goldenPath, string actual)
    {
        if (Environment.GetEnvironmentVariable("B2IK_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(goldenPath, actual);
            return;
        }

        Assert.True(File.Exists(goldenPath), $"missing golden file {goldenPath} (run with B2IK_UPDATE_GOLDEN=1 and review it)");
        Assert.Equal(File.ReadAllText(goldenPath), actual);
    }

    /// <summary>An ipvsadm-shaped injection: the binary, its libraries with their soname links, as the ELF closure gives them.</summary>
    private static RootfsOverlay IpvsadmOverlay(bool withUserFiles = false)
    {
        var overlay = new RootfsOverlay();
        overlay.Add(RootfsEntry.File("sbin/ipvsadm", BytesContent.FromText("ipvsadm stand-in\n", "ipvsadm"), 0x1ED, "ipvsadm closure"));
        overlay.Add(RootfsEntry.File("lib/libnl-3.so.200.26.0", BytesContent.FromText("libnl-3\n", "libnl-3"), 0x1A4, "ipvsadm closure"));
        overlay.Add(RootfsEntry.Symlink("lib/libnl-3.so.200", "libnl-3.so.200.26.0", "ipvsadm closure"));
        overlay.Add(RootfsEntry.File("lib/libnl-genl-3.so.200.26.0", BytesContent.FromText("libnl-genl-3\n", "libnl-genl-3"), 0x1A4, "ipvsadm closure"));
        overlay.Add(RootfsEntry.Symlink("lib/libnl-genl-3.so.200", "libnl-genl-3.so.200.26.0", "ipvsadm closure"));
        overlay.Add(RootfsEntry.File("lib/libpopt.so.0.0.2", BytesContent.FromText("libpopt\n", "libpopt"), 0x1A4, "ipvsadm closure"));
        overlay.Add(RootfsEntry.Symlink("lib/libpopt.so.0", "libpopt.so.0.0.2", "ipvsadm closure"));
        if (withUserFiles)
        {
            overlay.Add(RootfsEntry.File("home/docker/.ashrc", BytesContent.FromText("alias ll='ls -l'\n", "ashrc"), 0x1A4) with { Uid = 1000, Gid = 50 });
            overlay.Add(RootfsEntry.File("etc/b2ik/test.d/50 hello world", BytesContent.FromText("#!/bin/sh\necho hello\n", "hello"), 0x1ED));
            overlay.Add(new RootfsEntry { Path = "dev/b2ik-null", Kind = RootfsEntryKind.CharacterDevice, Permissions = 0x1B6, DeviceMajor = 1, DeviceMinor = 3 });
        }

        return overlay;
    }

    private string LocalEngine()
    {
        var path = Path.Combine(_work, "docker-engine.tgz");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, "not really a tgz: the renderer only copies it\n");
        }

        return path;
    }

    private static byte[] Tar(DockerBuildContext context)
    {
        using var buffer = new MemoryStream();
        BuildContextArchive.WriteAsync(context, buffer, CancellationToken.None).GetAwaiter().GetResult();
        return buffer.ToArray();
    }
}
