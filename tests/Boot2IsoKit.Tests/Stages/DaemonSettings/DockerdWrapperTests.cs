using System.Text.Json.Nodes;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Stages.DaemonSettings;
using Boot2IsoKit.Stages.Planning;
using Boot2IsoKit.Stages.Remaster;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Stages.Planning;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.DaemonSettings;

/// <summary>
/// daemon: in the plan (the engine's dockerd behind the script, one file per directive, nothing in /etc/docker), and
/// the script itself run by busybox's sh, the shell of boot2docker's Tiny Core, on what docker-machine's profile passes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DockerdWrapperTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("b2ik-daemon-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static IReadOnlyList<DaemonSetting> Settings(string yaml) =>
        RecipeLoader.Load("name: x\nbase: {release: v19.03.12}\ndaemon:\n" + yaml, "r.yml").Daemon;

    [Fact]
    public async Task The_plan_puts_the_engine_dockerd_behind_the_script_and_nothing_in_etc_docker()
    {
        Requires.Tools("xorriso", "cpio", "xz", "depmod");
        var ct = TestContext.Current.CancellationToken;
        var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, ct: ct);
        var engine = await DebianTestEngine.GetAsync(ct);
        var recipe = TestPlanner.Recipe("daemon", "19.03.12", baseIso: fixture.IsoPath, engineVersion: engine.Version, engineTgz: engine.TgzPath);
        recipe = recipe with
        {
            Engine = recipe.Engine! with { Libraries = new EngineLibrariesSpec(DebianTestEngine.LibraryPackages, DebianTestEngine.Suite, 1) },
            Daemon = Settings("  insecure-registries: [10.0.2.2:5000, 10.0.2.2:5001]\n  experimental: true\n  log-opts: {max-size: 10m}\n  features: {buildkit: true}\n"),
        };

        using var plan = await new TestPlanner(_work).PlanAsync(recipe, BuilderKind.Native);

        Assert.True(plan.Delta.TryGet(DockerdWrapper.EnginePath, out var real));
        Assert.StartsWith("engine tgz", real.Origin, StringComparison.Ordinal);
        Assert.Equal(0x1ED, real.Permissions);
        // The bill of materials still names the engine as what put the moved dockerd there.
        Assert.IsType<BuildMaterial.Engine>(plan.Materials.Owners["usr/local/lib/b2ik/dockerd"]);
        Assert.StartsWith("#!/bin/sh\n", Text(plan, "usr/local/bin/dockerd"), StringComparison.Ordinal);
        Assert.Equal("--insecure-registry=10.0.2.2:5000\n--insecure-registry=10.0.2.2:5001\n", Text(plan, "usr/local/etc/b2ik/daemon/insecure-registries.args"));
        Assert.Equal("--experimental=true\n", Text(plan, "usr/local/etc/b2ik/daemon/experimental.args"));
        Assert.Equal("--log-opt=max-size=10m\n", Text(plan, "usr/local/etc/b2ik/daemon/log-opts.args"));
        Assert.Equal("\"features\": {\"buildkit\":true}\n", Text(plan, "usr/local/etc/b2ik/daemon/features.json"));
        Assert.DoesNotContain(plan.Delta.Entries, e => e.Path == "etc/docker" || e.Path.StartsWith("etc/docker/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_directive_newer_than_the_pinned_engine_or_no_engine_dockerd_is_refused_before_building()
    {
        var delta = new Boot2IsoKit.Model.Rootfs.RootfsOverlay();
        delta.Add(Boot2IsoKit.Model.Rootfs.RootfsEntry.File(DockerdWrapper.DaemonPath, Boot2IsoKit.Plumbing.IO.BytesContent.FromText("elf", "dockerd"), 0x1ED));

        var tooNew = Assert.Throws<InvalidInputException>(() => DockerdWrapper.AddTo(delta, Settings("  features: {buildkit: true}\n"), "18.06.1-ce", "r.yml", 4, 0));
        Assert.Equal(("r.yml", "line 4"), (tooNew.Input, tooNew.Location));
        Assert.Contains("needs dockerd 18.09 or later; the pinned engine is 18.06.1-ce", tooNew.Problem, StringComparison.Ordinal);

        var noDaemon = Assert.Throws<InvalidInputException>(() => DockerdWrapper.AddTo(new(), Settings("  debug: true\n"), "20.10.24", "r.yml", 4, 0));
        Assert.Equal("line 4", noDaemon.Location);
        Assert.Contains("need a pinned engine with a dockerd", noDaemon.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// The profile's flags come after the recipe's; a directive the user's daemon.json sets is left out of the flags;
    /// the file-only ones are merged with the user's members into one file that System.Text.Json reads.
    /// </summary>
    [Fact]
    public async Task The_script_puts_the_recipe_flags_first_drops_what_the_user_file_sets_and_merges_the_rest()
    {
        var busybox = Requires.Tool("busybox");
        var ct = TestContext.Current.CancellationToken;
        var baked = Directory.CreateDirectory(Path.Combine(_work, "baked")).FullName;
        await File.WriteAllTextAsync(Path.Combine(baked, "labels.args"), "--label=team=ops\n--label=site=lab one\n", ct);
        await File.WriteAllTextAsync(Path.Combine(baked, "debug.args"), "--debug=true\n", ct);
        await File.WriteAllTextAsync(Path.Combine(baked, "features.json"), "\"features\": {\"buildkit\":true}\n", ct);
        var user = Path.Combine(_work, "daemon.json");
        await File.WriteAllTextAsync(user, "{\n  \"debug\" : false,\n  \"log-level\": \"info\"\n}\n", ct);
        var merged = Path.Combine(_work, "run", "daemon.json");
        // What the script execs in place of the engine's dockerd: a shell that prints each argument on a line.
        var engine = Path.Combine(_work, "engine");
        await File.WriteAllTextAsync(engine, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n", ct);
        File.SetUnixFileMode(engine, (UnixFileMode)0x1ED);
        var script = Path.Combine(_work, "dockerd");
        await File.WriteAllTextAsync(script, WrapperScript()
            .Replace("engine=/usr/local/lib/b2ik/dockerd", "engine=" + engine, StringComparison.Ordinal)
            .Replace("baked=/usr/local/etc/b2ik/daemon", "baked=" + baked, StringComparison.Ordinal)
            .Replace("config=/etc/docker/daemon.json", "config=" + user, StringComparison.Ordinal)
            .Replace("merged=/var/run/b2ik/daemon.json", "merged=" + merged, StringComparison.Ordinal), ct);

        // boot2docker's init.d/docker: dockerd --data-root "$DOCKER_DIR" -H unix:// $EXTRA_ARGS --pidfile ...
        var run = await ExternalTool.RunAsync(busybox, ["sh", script, "--data-root", "/var/lib/docker", "-H", "unix://", "--label", "provider=qemu", "--insecure-registry", "10.0.2.2:5000", "--pidfile", "/var/run/docker.pid"], cancellationToken: ct);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["--label=team=ops", "--label=site=lab one", "--data-root", "/var/lib/docker", "-H", "unix://", "--label", "provider=qemu", "--insecure-registry", "10.0.2.2:5000", "--pidfile", "/var/run/docker.pid", "--config-file", merged],
            run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{user} sets \"debug\": the recipe's debug is left out", run.StandardError, StringComparison.Ordinal);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(merged, ct))!.AsObject();
        Assert.Equal("""{"debug":false,"log-level":"info","features":{"buildkit":true}}""", json.ToJsonString());

        // An empty user file ({}) and none at all give just the recipe's members.
        await File.WriteAllTextAsync(user, "{ }\n", ct);
        Assert.Equal(0, (await ExternalTool.RunAsync(busybox, ["sh", script], cancellationToken: ct)).ExitCode);
        Assert.Equal("""{"features":{"buildkit":true}}""", JsonNode.Parse(await File.ReadAllTextAsync(merged, ct))!.ToJsonString());
        File.Delete(user);
        var alone = await ExternalTool.RunAsync(busybox, ["sh", script], cancellationToken: ct);
        Assert.Equal(["--debug=true", "--label=team=ops", "--label=site=lab one", "--config-file", merged], alone.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("""{"features":{"buildkit":true}}""", JsonNode.Parse(await File.ReadAllTextAsync(merged, ct))!.ToJsonString());

        // A --config-file in the profile is the user's choice: its directives win, and the file-only ones are not forced in.
        var own = Path.Combine(_work, "own.json");
        await File.WriteAllTextAsync(own, """{"labels": ["mine=1"]}""" + "\n", ct);
        var explicitFile = await ExternalTool.RunAsync(busybox, ["sh", script, "--config-file", own], cancellationToken: ct);
        Assert.Equal(["--debug=true", "--config-file", own], explicitFile.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{own} sets \"labels\": the recipe's labels is left out", explicitFile.StandardError, StringComparison.Ordinal);
        Assert.Contains($"--config-file {own} is given: the recipe's daemon.json-only settings are left out", explicitFile.StandardError, StringComparison.Ordinal);
    }

    /// <summary>Only the user's top-level keys count: the same name nested in another setting, or inside a string, leaves the baked directive in.</summary>
    [Fact]
    public async Task A_key_nested_in_the_user_file_does_not_drop_the_baked_directive()
    {
        var busybox = Requires.Tool("busybox");
        var ct = TestContext.Current.CancellationToken;
        var baked = Directory.CreateDirectory(Path.Combine(_work, "baked-nested")).FullName;
        await File.WriteAllTextAsync(Path.Combine(baked, "debug.args"), "--debug=true\n", ct);
        await File.WriteAllTextAsync(Path.Combine(baked, "labels.args"), "--label=team=ops\n", ct);
        var user = Path.Combine(_work, "nested.json");
        await File.WriteAllTextAsync(user, "{\"log-opts\": {\"debug\": \"1\"}, \"note\": \"\\\"labels\\\": x\", \"labels\": [\"mine=1\"]}\n", ct);
        var engine = Path.Combine(_work, "engine-nested");
        await File.WriteAllTextAsync(engine, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n", ct);
        File.SetUnixFileMode(engine, (UnixFileMode)0x1ED);
        var script = Path.Combine(_work, "dockerd-nested");
        await File.WriteAllTextAsync(script, WrapperScript()
            .Replace("engine=/usr/local/lib/b2ik/dockerd", "engine=" + engine, StringComparison.Ordinal)
            .Replace("baked=/usr/local/etc/b2ik/daemon", "baked=" + baked, StringComparison.Ordinal)
            .Replace("config=/etc/docker/daemon.json", "config=" + user, StringComparison.Ordinal)
            .Replace("loader=/usr/local/lib/b2ik/load-images", "loader=" + Path.Combine(_work, "no-loader"), StringComparison.Ordinal), ct);

        var run = await ExternalTool.RunAsync(busybox, ["sh", script], cancellationToken: ct);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["--debug=true"], run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{user} sets \"labels\"", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("\"debug\"", run.StandardError, StringComparison.Ordinal);
    }

    private static string WrapperScript()
    {
        using var stream = typeof(DockerdWrapper).Assembly.GetManifestResourceStream("Boot2IsoKit.Stages.DaemonSettings.Scripts.dockerd")!;
        return new StreamReader(stream).ReadToEnd();
    }

    private static string Text(BuildPlan plan, string path)
    {
        Assert.True(plan.Delta.TryGet(path, out var entry), path + " is not in the delta");
        using var reader = new StreamReader(entry.Content!.OpenRead());
        return reader.ReadToEnd();
    }
}
