using System.Diagnostics;
using System.Globalization;
using System.Text;
using Boot2IsoKit.Bench;
using Boot2IsoKit.Iso9660;
using Boot2IsoKit.Iso9660.Building;
using Boot2IsoKit.Pipeline;
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

Console.WriteLine("preparing inputs: a boot2docker-sized fixture base and an engine tgz...");
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
    """);
var runs = quick ? 1 : 3;
var results = new List<Measurement>();
Measurement Best(string name, string program, params string[] arguments)
{
    Console.WriteLine("measuring " + name);
    var m = Measurement.Best(runs, () => Measurement.Run(name, program, arguments));
    results.Add(m);
    return m;
}

var copy = Best("cp of the base ISO (I/O floor)", "cp", fixture.IsoPath, Path.Combine(work, "copy.iso"));
var append = Best("native remaster, initrd append", self, Self("remaster", recipe, "append", Path.Combine(work, "append.iso")));
if (!quick)
{
    Best("native remaster, initrd merge", self, Self("remaster", recipe, "merge", Path.Combine(work, "merge.iso")));
}

// The same ISO edit by xorriso: swap in the initrd our append mode produced, relabel, keep the boot setup.
var newInitrd = Path.Combine(work, "initrd.img");
using (var built = IsoImage.Open(Path.Combine(work, "append.iso")))
await using (var source = built.OpenFile(built.Find("boot/initrd.img")!))
await using (var target = File.Create(newInitrd))
{
    await source.CopyToAsync(target);
}

var xorrisoEdit = Best("xorriso: same ISO edit (initrd swap + relabel)", "xorriso",
    "-indev", fixture.IsoPath, "-outdev", Path.Combine(work, "xorriso-edit.iso"), "-boot_image", "any", "replay",
    "-volid", "b2d-v" + engine.Version, "-map", newInitrd, "/boot/initrd.img", "-commit");

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

var oursBig = Best("our builder, 1 GiB tree", self, Self("build-tree", bigTree, Path.Combine(work, "big-ours.iso")));
var xorrisoBig = Best("xorriso -as mkisofs, 1 GiB tree", "xorriso", "-as", "mkisofs", "-R", "-o", Path.Combine(work, "big-xorriso.iso"), bigTree);

var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}; best of {runs}.");
table.AppendLine(CultureInfo.InvariantCulture, $"Base: {new FileInfo(fixture.IsoPath).Length / 1048576.0:0} MiB fixture ISO; engine tgz {new FileInfo(engine.TgzPath).Length / 1048576.0:0} MiB.");
table.AppendLine();
table.AppendLine("| case | seconds | peak RSS (MiB) | ratio |");
table.AppendLine("|---|---:|---:|---|");
foreach (var m in results)
{
    var ratio = m.Case switch
    {
        _ when m.Case.StartsWith("native", StringComparison.Ordinal) => $"{m.Seconds / xorrisoEdit.Seconds:0.00}× xorriso edit, {m.Seconds / copy.Seconds:0.0}× cp",
        _ when m.Case.StartsWith("our builder", StringComparison.Ordinal) => $"{m.Seconds / xorrisoBig.Seconds:0.00}× xorriso",
        _ => "",
    };
    table.AppendLine(CultureInfo.InvariantCulture, $"| {m.Case} | {m.Seconds:0.00} | {m.PeakKilobytes / 1024.0:0} | {ratio} |");
}

var report = Path.Combine(work, "results.md");
File.WriteAllText(report, table.ToString());
Console.WriteLine(table);
Console.WriteLine("written to " + report);
_ = oursBig;
_ = append;
return 0;

/// <summary>The measured operations of ours, each run in its own process so its peak memory is its own.</summary>
internal static class Cases
{
    public static async Task<int> RunAsync(string[] args)
    {
        switch (args[0])
        {
            case "remaster":
            {
                var values = new Dictionary<string, string> { ["recipe"] = args[1], ["initrd"] = args[2], ["output"] = args[3] };
                using var pipeline = new IsoPipeline(new PipelineContext(RepositoryRoot.Find(), Environment.CurrentDirectory, PipelineArguments.Read(values.GetValueOrDefault), PipelineLog.Silent));
                await pipeline.BuildAsync();
                return 0;
            }

            case "build-tree":
            {
                var builder = new IsoBuilder();
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
