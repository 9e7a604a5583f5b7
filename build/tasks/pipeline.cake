// The ISO targets. Each calls one method of Boot2IsoKit.Pipeline.IsoPipeline; arguments are read in
// one place (PipelineArguments) from Cake's argument list.
using Boot2IsoKit.Pipeline;

PipelineArguments ReadPipelineArguments() => PipelineArguments.Read(name => HasArgument(name) ? Argument<string>(name, "") : null);

IsoPipeline Pipeline()
{
    var arguments = ReadPipelineArguments();
    var repositoryRoot = MakeAbsolute(Directory("..")).FullPath;
    var invocationDirectory = EnvironmentVariable("B2IK_INVOCATION_DIR") ?? repositoryRoot;
    var log = PipelineLog.Console(verbose: Context.Log.Verbosity >= Verbosity.Verbose);
    return new IsoPipeline(new PipelineContext(repositoryRoot, invocationDirectory, arguments, log));
}

Task("ExperimentalIso")
    .Description("Builds recipes/experimental.yml into artifacts/boot2docker-experimental.iso (--base-iso, --engine-tgz, --offline...).")
    .Does(async () => await BuildAsync("recipes/experimental.yml"));

Task("Iso")
    .Description("Builds any recipe: --recipe=recipes/NAME.yml.")
    .Does(async () => await BuildAsync(null));

// A build target; with --verify the new ISO is booted and checked as the Verify target does.
async Task BuildAsync(string recipe)
{
    using var pipeline = Pipeline();
    var record = await pipeline.BuildAsync(recipe);
    if (ReadPipelineArguments().Verify)
    {
        await pipeline.VerifyAsync(record.Iso);
    }
}

Task("Verify")
    .Description("Boots the ISO (--iso, default the last build) in QEMU as docker-machine does (CD + data disk, then hard disk) and checks engine, banner, data disk, injected binaries and the recipe's verify: commands (--accel=tcg|kvm).")
    .Does(async () => { using var pipeline = Pipeline(); await pipeline.VerifyAsync(); });

Task("Fetch")
    .Description("Fills the input cache with everything a recipe needs, for a later --offline build.")
    .Does(async () => { using var pipeline = Pipeline(); await pipeline.FetchAsync(); });

Task("Inspect")
    .Description("Shows an ISO's label, layout, engine, boot setup (--iso, default the last build) and changes against --compare=BASE.")
    .Does(() => { using var pipeline = Pipeline(); Console.Write(pipeline.Inspect()); });

Task("SeedCache")
    .Description("Puts the ISO into docker-machine's cache, keeping the old one as a backup (--iso, --storage-path, --machine, --restore).")
    .Does(() => { using var pipeline = Pipeline(); Console.WriteLine(pipeline.SeedCache()); });

Task("Bundle")
    .Description("Packs ISO, SHA256SUMS, manifest and seed scripts for an air-gapped machine into artifacts/bundle/.")
    .Does(() =>
    {
        using var pipeline = Pipeline();
        var bundle = pipeline.Bundle();
        Console.WriteLine($"Bundle: {bundle.TarGzPath}\n        {bundle.ZipPath}");
    });
