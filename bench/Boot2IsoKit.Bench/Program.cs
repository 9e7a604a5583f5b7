using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Boot2IsoKit.Bench;
using Boot2IsoKit.Formats.Compression;
using Boot2IsoKit.Formats.Initramfs;
using Boot2IsoKit.Formats.Iso9660;
using Boot2IsoKit.Formats.Iso9660.Building;
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Plumbing.Reproducibility;
using Boot2IsoKit.Stages.Docker;
using Boot2IsoKit.Stages.Pipeline;
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
// The modes besides "case": "run" (the default, every case) and "verify" (only Verify's rows, to results-verify.md).
_ = args.Length > 0 && args[0] is not ("run" or "verify") ? throw new ArgumentException("usage: Boot2IsoKit.Bench [run [--quick] | verify]") : 0;
var root = RepositoryRoot.Find();
var work = Path.Combine(root, "artifacts", "bench");
Directory.CreateDirectory(work);
var self = Environment.ProcessPath!;
var selfArguments = self.EndsWith("dotnet", StringComparison.Ordinal) ? new[] { typeof(Cases).Assembly.Location } : [];
string[] Self(params string[] rest) => [.. selfArguments, "case", .. rest];

if (args.Length > 0 && args[0] == "verify")
{
    var verifyTable = new StringBuilder();
    verifyTable.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}.");
    verifyTable.AppendLine().AppendLine("| case | seconds | peak RSS (MiB) | ratio |").AppendLine("|---|---:|---:|---|");
    VerifyBench.AppendRows(verifyTable, await VerifyBench.MeasureAsync(work, self, Self));
    var verifyReport = Path.Combine(work, "results-verify.md");
    File.WriteAllText(verifyReport, verifyTable.ToString());
    Console.WriteLine(verifyTable);
    Console.WriteLine("written to " + verifyReport);
    return 0;
}

Console.WriteLine("preparing inputs: a boot2docker-sized fixture base, an engine tgz with the daemon set, ipvsadm from Debian...");
var fixture = await FixtureIsos.GetAsync(FixtureLayout.New, new FixtureOptions { PaddingMegabytes = 124 });
var engineDirectory = Path.Combine(work, "engine-daemons");
var engine = Directory.Exists(engineDirectory) && Directory.GetFiles(engineDirectory, "docker-*.tgz") is [var cachedTgz]
    ? new TestEngine(cachedTgz, Path.GetFileName(cachedTgz)["docker-".Length..^".tgz".Length])
    : await TestEngine.CreateDaemonSetAsync(engineDirectory);
var recipe = Path.Combine(work, "bench.yml");
File.WriteAllText(recipe, $"""
    name: bench
    base:
      iso: {fixture.IsoPath}
    engine:
      version: {engine.Version}
      tgz: {engine.TgzPath}
      libraries:
        suite: bookworm
        debs: [libsystemd0, libdevmapper1.02.1, libseccomp2]
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

// Cases of one phase run in rounds (each case once per round, in turn), so a burst of load on the
// machine spreads over all of them instead of spoiling one; each keeps its best run.
List<Measurement> Alternated(params BenchCase[] cases)
{
    var rounds = Enumerable.Range(0, runs).Select(round => cases.Select(c =>
    {
        Console.WriteLine($"measuring {c.Name} (run {round + 1} of {runs})");
        c.Before?.Invoke();
        return Measurement.Run(c.Name, c.Program, c.Arguments);
    }).ToList()).ToList();
    var best = cases.Select((c, i) => Measurement.Best([.. rounds.Select(round => round[i])])).ToList();
    results.AddRange(best);
    return best;
}

// The .debs are downloaded once into the input cache before anything is timed.
Measurement.Run("warm-up", self, Self("remaster", recipe, "append", Path.Combine(work, "warm-up.iso")));
var baseIndex = Path.Combine(root, "artifacts", "cache", "base-index");
void ForgetBaseIndex()
{
    if (Directory.Exists(baseIndex))
    {
        Directory.Delete(baseIndex, recursive: true);
    }
}

// The hand-made reference: the same edit as a shell pipeline of C tools (see HandMade.Script).
var handMade = HandMade.Prepare(work, fixture.IsoPath, engine);
var buildScript = Path.Combine(root, "build.sh");

var handMadeIso = Path.Combine(work, "hand-made.iso");
var phase1 = Alternated(
    new BenchCase("cp of the base ISO (I/O floor)", "cp", [fixture.IsoPath, Path.Combine(work, "copy.iso")]),
    new BenchCase("native remaster, append, first build of the base", self, Self("remaster", recipe, "append", Path.Combine(work, "append.iso")), ForgetBaseIndex),
    new BenchCase("hand-made pipeline, first build (xz -d of the base for motd/os-release)", "sh", [handMade, "first", handMadeIso]),
    new BenchCase("native remaster, append, repeat build (base listing from the input cache)", self, Self("remaster", recipe, "append", Path.Combine(work, "append.iso"))),
    new BenchCase("hand-made pipeline, repeat build", "sh", [handMade, "repeat", handMadeIso]),
    new BenchCase("native remaster, initrd merge", self, Self("remaster", recipe, "merge", Path.Combine(work, "merge.iso"))),
    // The main job as a user runs it: the entry script, Cake's script host, then the same build as the cases above.
    new BenchCase("main job, first build of the base: ./build.sh --target=Iso --recipe=bench.yml", buildScript, ["--target=Iso", "--recipe=" + recipe], ForgetBaseIndex),
    new BenchCase("main job, repeat build: ./build.sh --target=Iso --recipe=bench.yml", buildScript, ["--target=Iso", "--recipe=" + recipe]),
    // What the main job just wrote, whose base the index cache knows: listed without decoding the base initrd.
    new BenchCase("Inspect of that ISO: ./build.sh --target=Inspect --iso=artifacts/boot2docker-bench.iso", buildScript, ["--target=Inspect", "--iso=" + Path.Combine(root, "artifacts", "boot2docker-bench.iso")]),
    new BenchCase("./build.sh listing the targets (Cake's script host, no work)", buildScript, []));
var (copy, firstBuild, handFirst, append, handRepeat, merge) = (phase1[0], phase1[1], phase1[2], phase1[3], phase1[4], phase1[5]);
var (mainFirst, mainRepeat) = (phase1[6], phase1[7]);

// The same ISO edit by xorriso alone: swap in the initrd our append mode produced, relabel, keep the boot setup.
var newInitrd = Path.Combine(work, "initrd.img");
ExtractInitrd(Path.Combine(work, "append.iso"), newInitrd);

// The merged initrd (xz), decoded by xz (which checks every block): the cpio every encoder gets.
var mergedInitrd = Path.Combine(work, "merged-initrd.img");
ExtractInitrd(Path.Combine(work, "merge.iso"), mergedInitrd);
var mergedCpio = Path.Combine(work, "merged.cpio");
var mergedBlocks = HandMade.DecodeXz(mergedInitrd, mergedCpio);
var xzOutput = Path.Combine(work, "merged.cpio.xz");
var oursOutput = Path.Combine(work, "merged.cpio.ours.xz");
var lzmaOutput = Path.Combine(work, "merged.cpio.lzma");

// xorriso refuses an -outdev that already holds data: each run starts without it.
var xorrisoOutput = Path.Combine(work, "xorriso-edit.iso");
var phase2 = Alternated(
    new BenchCase("xorriso: same ISO edit (initrd swap + relabel)", "xorriso",
        ["-indev", fixture.IsoPath, "-outdev", xorrisoOutput, "-boot_image", "any", "replay",
        "-volid", "b2d-v" + engine.Version, "-map", newInitrd, "/boot/initrd.img", "-commit"], () => File.Delete(xorrisoOutput)),
    new BenchCase("merge's encoder alone on the merged cpio (xz blocks, our LZMA2)", self, Self("xz-encode", mergedCpio, oursOutput)),
    new BenchCase("xz -T0 -6 --check=crc32 on the same cpio", "sh", ["-c", $"xz -T0 -6 --check=crc32 -c '{mergedCpio}' > '{xzOutput}'"]),
    new BenchCase("initrd-compression=lzma's encoder on the same cpio (lzma members, cut between entries)", self, Self("lzma-encode", mergedCpio, lzmaOutput)));
var (xorrisoEdit, oursEncode, xzEncode, lzmaEncode) = (phase2[0], phase2[1], phase2[2], phase2[3]);
var sizes = (Ours: new FileInfo(oursOutput).Length, Xz: new FileInfo(xzOutput).Length, Lzma: new FileInfo(lzmaOutput).Length, Cpio: new FileInfo(mergedCpio).Length);

// The docker builder on the same recipe, FROM a stand-in image of the same base, without the layer cache.
Measurement? docker = null;
string? dockerSkipped = null;
try
{
    using var connection = await DockerConnection.ConnectAsync(timeout: TimeSpan.FromSeconds(10));
    Console.WriteLine("preparing the stand-in base image for the docker builder...");
    var baseImage = await StandInImages.EnsureAsync(connection, fixture, Console.WriteLine);
    docker = Alternated(new BenchCase("docker builder, same recipe (no layer cache)", self, Self("remaster", recipe, "append", Path.Combine(work, "docker.iso"), "docker", baseImage)))[0];
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

var xorrisoBig = Alternated(
    new BenchCase("our builder, 1 GiB tree", self, Self("build-tree", bigTree, Path.Combine(work, "big-ours.iso"))),
    new BenchCase("xorriso -as mkisofs, 1 GiB tree", "xorriso", ["-as", "mkisofs", "-R", "-o", Path.Combine(work, "big-xorriso.iso"), bigTree]))[1];

// Verify's boots (TCG), one per layout: each costs a minute or two of a core.
var verifyResults = await VerifyBench.MeasureAsync(work, self, Self);

var table = new StringBuilder();
table.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}; best of {runs}.");
table.AppendLine(CultureInfo.InvariantCulture, $"Base: {new FileInfo(fixture.IsoPath).Length / 1048576.0:0} MiB fixture ISO (initrd {InitrdSize(fixture.IsoPath) / 1048576.0:0} MiB, legacy lzma, {UnpackedSize(fixture.IsoPath) / 1048576.0:0} MiB unpacked, mostly Debian ELF files); engine tgz {new FileInfo(engine.TgzPath).Length / 1048576.0:0} MiB ({engine.Version}, the daemon set, {TgzUnpackedSize(engine.TgzPath) / 1048576.0:0} MiB unpacked); ipvsadm (bullseye) with its libraries.");
table.AppendLine(CultureInfo.InvariantCulture, $"Merged cpio {sizes.Cpio / 1048576.0:0} MiB: merge's xz {sizes.Ours / 1048576.0:0.0} MiB in {mergedBlocks} blocks ({(double)sizes.Ours / sizes.Xz:0.000}× xz's size), xz -T0 -6 --check=crc32 {sizes.Xz / 1048576.0:0.0} MiB, legacy lzma members {sizes.Lzma / 1048576.0:0.0} MiB ({(double)sizes.Lzma / sizes.Xz:0.000}×).");
table.AppendLine();
table.AppendLine("| case | seconds | peak RSS (MiB) | ratio |");
table.AppendLine("|---|---:|---:|---|");
foreach (var m in results)
{
    var ratio = m switch
    {
        _ when m == merge => $"{m.Seconds / firstBuild.Seconds:0.0}× append (first build)",
        _ when m == mainFirst => $"{m.Seconds / handFirst.Seconds:0.00}× hand-made first build",
        _ when m == mainRepeat => $"{m.Seconds / handRepeat.Seconds:0.00}× hand-made repeat build",
        _ when m == firstBuild => $"{m.Seconds / handFirst.Seconds:0.00}× hand-made first build, {m.Seconds / xorrisoEdit.Seconds:0.0}× xorriso edit",
        _ when m == append => $"{m.Seconds / handRepeat.Seconds:0.00}× hand-made repeat build, {m.Seconds / xorrisoEdit.Seconds:0.0}× xorriso edit",
        _ when m == oursEncode || m == lzmaEncode => $"{m.Seconds / xzEncode.Seconds:0.00}× xz -T0 -6",
        _ when m == docker => $"{m.Seconds / firstBuild.Seconds:0.0}× native append, first build (RSS: our process only, not the engine's)",
        _ when m.Case.StartsWith("our builder", StringComparison.Ordinal) => $"{m.Seconds / xorrisoBig.Seconds:0.00}× xorriso",
        _ => "",
    };
    table.AppendLine(CultureInfo.InvariantCulture, $"| {m.Case} | {m.Seconds:0.00} | {m.PeakKilobytes / 1024.0:0} | {ratio} |");
}

VerifyBench.AppendRows(table, verifyResults);
if (dockerSkipped is not null)
{
    table.AppendLine(CultureInfo.InvariantCulture, $"| docker builder, same recipe | not measured: {dockerSkipped} | | |");
}

var report = Path.Combine(work, "results.md");
File.WriteAllText(report, table.ToString());
Console.WriteLine(table);
Console.WriteLine("written to " + report);
return 0;

static void ExtractInitrd(string iso, string target)
{
    using var image = IsoImage.Open(iso);
    using var source = image.OpenFile(image.Find("boot/initrd.img")!);
    using var file = File.Create(target);
    source.CopyTo(file);
}

static long UnpackedSize(string iso)
{
    var initrd = Path.GetTempFileName();
    try
    {
        ExtractInitrd(iso, initrd);
        using var file = File.OpenRead(initrd);
        return new InitrdReader(file, "base initrd").ListMembers().Sum(m => m.UncompressedLength);
    }
    finally
    {
        File.Delete(initrd);
    }
}

static long TgzUnpackedSize(string tgz)
{
    using var file = File.OpenRead(tgz);
    using var gzip = new GZipStream(file, CompressionMode.Decompress);
    using var reader = new TarReader(gzip);
    var total = 0L;
    while (reader.GetNextEntry() is { } entry)
    {
        total += entry.Length;
    }

    return total;
}

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

            case "verify":
                // verify ISO MILESTONES: one Verify boot (CD + userdata disk, TCG) of a built ISO.
                return await VerifyBench.RunCaseAsync(args[1], args[2]);

            case "lzma-encode":
                {
                    // lzma-encode CPIO OUTPUT: the merge's encoder alone, cut between entries as the merge cuts.
                    using var input = File.OpenRead(args[1]);
                    using var output = File.Create(args[2]);
                    using var lzma = new ParallelLzmaStream(output);
                    using var reader = new CpioReader(input, args[1]);
                    using var writer = new CpioWriter(lzma, leaveOpen: true);
                    while (reader.MoveNext())
                    {
                        var header = reader.Current!;
                        using var data = header.Kind == Boot2IsoKit.Model.Rootfs.RootfsEntryKind.Symlink
                            ? new MemoryStream(Encoding.UTF8.GetBytes(reader.SymlinkTarget!))
                            : reader.OpenEntryStream();
                        writer.WriteHeader(header, data);
                        if (header.LinkCount <= 1)
                        {
                            lzma.MarkCutPoint();
                        }
                    }

                    writer.WriteTrailer();
                    return 0;
                }

            case "xz-encode":
                {
                    // xz-encode INPUT OUTPUT: merge's xz encoder alone (blocks cut anywhere, no cut points needed).
                    using var input = File.OpenRead(args[1]);
                    using var output = File.Create(args[2]);
                    using var xz = new ParallelXzStream(output);
                    input.CopyTo(xz);
                    return 0;
                }

            case "build-tree":
                {
                    var builder = new IsoBuilder { Timestamp = SourceDate.FromEnvironment() ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) };
                    foreach (var file in Directory.EnumerateFiles(args[1], "*", SearchOption.AllDirectories))
                    {
                        builder.AddFile(Path.GetRelativePath(args[1], file), new Boot2IsoKit.Plumbing.IO.FileContent(file));
                    }

                    builder.BuildToFile(args[2]);
                    return 0;
                }

            default:
                throw new UnreachableException("unknown case " + args[0]);
        }
    }
}
