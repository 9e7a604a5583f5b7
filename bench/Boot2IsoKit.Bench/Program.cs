using System.Diagnostics;
using System.Globalization;
using System.Text;
using Boot2IsoKit.Bench;
using Boot2IsoKit.Docker;
using Boot2IsoKit.Iso9660;
using Boot2IsoKit.Iso9660.Building;
using Boot2IsoKit.Pipeline;
using Boot2IsoKit.Reproducibility;
using Boot2IsoKit.Testing.Docker;
using Boot2IsoKit.Testing.Engines;
using Boot2IsoKit.Testing.Fixtures;

// Whole-process benchmarks. "run" prepares the inputs, then measures each case as its own process under
// /usr/bin/time (wall time, peak RSS): our operations (this program re-run with "case ...") beside the
// reference tools on the same inputs, and writes the table to artifacts/bench/results.md.
if (args.Length > 0 && args[0] == "case")
{
    return await Cases.RunAsync(args[1..]);
}

var quick = args.Contains("--quick");
// The only mode besides "case" is "run" (the default).
_ = args.Length > 0 && args[0] != "run" ? throw new ArgumentException("usage: Boot2IsoKit.Bench [run [--quick]]") : 0;
var root = RepositoryRoot.Find();
var work = Path.Combine(root, "artifacts", "bench");
Directory.CreateDirectory(work);
var self = Environment.ProcessPath!;
var selfArguments = self.EndsWith("dotnet", StringComparison.Ordinal) ? new[] { typeof(Cases).Assembly.Location } : [];
string[] Self(params string[] rest) => [.. selfArguments, "case", .. rest];

Console.WriteLine("preparing inputs: a boot2docker-sized fixture base, an engine tgz, ipvsadm from Debian...");
var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions { PaddingMegabytes = 48 });
var engine = await TestEngine.CreateAsync(Path.Combine(work, "engine"));
var recipe = Path.Combine(work, "bench.yml");
File.WriteAllText(recipe, $"""
    name: bench
    base:
      iso: {fixture.IsoPath}
    engine:
      version: {engine.Version}
      tgz: {engine.TgzPath}
    motd: |
      WARNING: benchmark build.
    packages:
      - deb: ipvsadm
        suite: bullseye
        binaries: [/sbin/ipvsadm]
        mode: auto
    """);
var runs = quick ? 1 : 3;
var results = new List<Measurement>();
Measurement Best(string name, string program, params string[] arguments) => BestAfter(null, name, program, arguments);
Measurement BestAfter(Action? before, string name, string program, params string[] arguments)
{
    Console.WriteLine("measuring " + name);
    var m = Measurement.Best(runs, () =>
    {
        before?.Invoke();
        return Measurement.Run(name, program, arguments);
    });
    results.Add(m);
    return m;
}

// The .debs are downloaded once into the input cache before anything is timed.
Measurement.Run("warm-up", self, Self("remaster", recipe, "append", Path.Combine(work, "warm-up.iso")));
var copy = Best("cp of the base ISO (I/O floor)", "cp", fixture.IsoPath, Path.Combine(work, "copy.iso"));
var baseIndex = Path.Combine(root, "artifacts", "cache", "base-index");
void ForgetBaseIndex()
{
    if (Directory.Exists(baseIndex))
    {
        Directory.Delete(baseIndex, recursive: true);
    }
}

var firstBuild = BestAfter(ForgetBaseIndex, "native remaster, append, first build of the base", self, Self("remaster", recipe, "append", Path.Combine(work, "append.iso")));
var append = Best("native remaster, append, repeat build (base listing from the input cache)", self, Self("remaster", recipe, "append", Path.Combine(work, "append.iso")));
var merge = Best("native remaster, initrd merge", self, Self("remaster", recipe, "merge", Path.Combine(work, "merge.iso")));

// The same ISO edit by xorriso: swap in the initrd our append mode produced, relabel, keep the boot setup.
var newInitrd = Path.Combine(work, "initrd.img");
using (var built = IsoImage.Open(Path.Combine(work, "append.iso")))
await using (var source = built.OpenFile(built.Find("boot/initrd.img")!))
await using (var target = File.Create(newInitrd))
{
    await source.CopyToAsync(target);
}

// xorriso refuses an -outdev that already holds data: each run starts without it.
var xorrisoOutput = Path.Combine(work, "xorriso-edit.iso");
var xorrisoEdit = BestAfter(() => File.Delete(xorrisoOutput), "xorriso: same ISO edit (initrd swap + relabel)", "xorriso",
    "-indev", fixture.IsoPath, "-outdev", xorrisoOutput, "-boot_image", "any", "replay",
    "-volid", "b2d-v" + engine.Version, "-map", newInitrd, "/boot/initrd.img", "-commit");

// The docker builder on the same recipe, FROM a stand-in image of the same base, without the layer cache.
Measurement? docker = null;
string? dockerSkipped = null;
try
{
    using var connection = await DockerConnection.ConnectAsync(timeout: TimeSpan.FromSeconds(10));
    Console.WriteLine("preparing the stand-in base image for the docker builder...");
    var baseImage = await StandInImages.EnsureAsync(connection, fixture, Console.WriteLine);
    docker = Best("docker builder, same recipe (no layer cache)", self, Self("remaster", recipe, "append", Path.Combine(work, "docker.iso"), "docker", baseImage));
}
catch (Exception e) when (e is DockerEngineException or InvalidOperationException or HttpRequestException or IOException or TimeoutException)
{
    dockerSkipped = e.Message.Split('\n')[0];
    Console.WriteLine("docker builder not measured: " + dockerSkipped);
}

// A large image: one tree with a 1 GiB file, written by our builder and by xorriso -as mkisofs.
var bigTree = Path.Combine(work, "big-tree");
Directory.CreateDirectory(bigTree);
var bigFile = Path.Combine(bigTree, "payload.bin");
if (!File.Exists(bigFile) || new FileInfo(bigFile).Length != 1L << 30)
{
    using var random = File.Create(bigFile);
    var block = new byte[1 << 20];
    for (var i = 0; i < 1024; i++)
    {
        Random.Shared.NextBytes(block);
        random.Write(block);
    }
}

Best("our builder, 1 GiB tree", self, Self("build-tree", bigTree, Path.Combine(work, "big-ours.iso")));
var xorrisoBig = Best("xorriso -as mkisofs, 1 GiB tree", "xorriso", "-as", "mkisofs", "-R", "-o", Path.Combine(work, "big-xorriso.iso"), bigTree);

var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}; best of {runs}.");
table.AppendLine(CultureInfo.InvariantCulture, $"Base: {new FileInfo(fixture.IsoPath).Length / 1048576.0:0} MiB fixture ISO (initrd {InitrdSize(fixture.IsoPath) / 1048576.0:0} MiB, legacy lzma); engine tgz {new FileInfo(engine.TgzPath).Length / 1048576.0:0} MiB; ipvsadm (bullseye) with its libraries.");
table.AppendLine();
table.AppendLine("| case | seconds | peak RSS (MiB) | ratio |");
table.AppendLine("|---|---:|---:|---|");
foreach (var m in results)
{
    var ratio = m switch
    {
        _ when m == merge => $"{m.Seconds / firstBuild.Seconds:0.0}× append (first build)",
        _ when m.Case.StartsWith("native", StringComparison.Ordinal) => $"{m.Seconds / xorrisoEdit.Seconds:0.00}× xorriso edit, {m.Seconds / copy.Seconds:0}× cp",
        _ when m == docker => $"{m.Seconds / firstBuild.Seconds:0.0}× native append, first build (RSS: our process only, not the engine's)",
        _ when m.Case.StartsWith("our builder", StringComparison.Ordinal) => $"{m.Seconds / xorrisoBig.Seconds:0.00}× xorriso",
        _ => "",
    };
    table.AppendLine(CultureInfo.InvariantCulture, $"| {m.Case} | {m.Seconds:0.00} | {m.PeakKilobytes / 1024.0:0} | {ratio} |");
}

if (dockerSkipped is not null)
{
    table.AppendLine(CultureInfo.InvariantCulture, $"| docker builder, same recipe | not measured: {dockerSkipped} | | |");
}

var report = Path.Combine(work, "results.md");
File.WriteAllText(report, table.ToString());
Console.WriteLine(table);
Console.WriteLine("written to " + report);
return 0;

static long InitrdSize(string iso)
{
    using var image = IsoImage.Open(iso);
    return image.Find("boot/initrd.img")?.Size ?? 0;
}

/// <summary>The measured operations of ours, each run in its own process so its peak memory is its own.</summary>
internal static class Cases
{
    public static async Task<int> RunAsync(string[] args)
    {
        switch (args[0])
        {
            case "remaster":
            {
                // remaster RECIPE append|merge OUTPUT [docker BASE-IMAGE]
                var values = new Dictionary<string, string> { ["recipe"] = args[1], ["initrd"] = args[2], ["output"] = args[3] };
                if (args.Length > 5)
                {
                    (values["builder"], values["base-image"], values["no-cache"]) = (args[4], args[5], "true");
                }

                using var pipeline = new IsoPipeline(new PipelineContext(RepositoryRoot.Find(), Environment.CurrentDirectory, PipelineArguments.Read(values), PipelineLog.Silent));
                await pipeline.BuildAsync();
                return 0;
            }

            case "build-tree":
            {
                var builder = new IsoBuilder { Timestamp = SourceDate.FromEnvironment() ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) };
                foreach (var file in Directory.EnumerateFiles(args[1], "*", SearchOption.AllDirectories))
                {
                    builder.AddFile(Path.GetRelativePath(args[1], file), new Boot2IsoKit.Content.FileContent(file));
                }

                builder.BuildToFile(args[2]);
                return 0;
            }

            default:
                throw new UnreachableException("unknown case " + args[0]);
        }
    }
}
