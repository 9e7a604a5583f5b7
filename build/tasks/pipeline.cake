// The ISO targets. Each calls one method of Boot2IsoKit.Stages.Pipeline.IsoPipeline; arguments are read in
// one place (PipelineArguments) from Cake's argument list.
using Boot2IsoKit.Plumbing.Logging;
using Boot2IsoKit.Stages.Pipeline;

// Ctrl-C and SIGTERM stop the running target (Cake alone would run it to the end).
var stopSignals = StopSignals.Register();

IsoPipeline Pipeline()
{
    var arguments = pipelineArguments;
    var repositoryRoot = MakeAbsolute(Directory("..")).FullPath;
    var invocationDirectory = EnvironmentVariable("B2IK_INVOCATION_DIR") ?? repositoryRoot;
    var log = PipelineLog.Console(verbose: Context.Log.Verbosity >= Verbosity.Verbose);
    return new IsoPipeline(new PipelineContext(repositoryRoot, invocationDirectory, arguments, log));
}

// SeedCache, Bundle and Verify use --iso, or else the ISO a build of the recipe makes first: that
// dependency is declared only then, so --tree and --dryrun show the real flow. (Verify: wrap its Task in this too.)
CakeTaskBuilder OnTheBuiltIso(CakeTaskBuilder task) =>
    HasArgument("iso") ? task : task.IsDependentOn(HasArgument("recipe") ? "Iso" : "ExperimentalIso");

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
    await stopSignals.RunAsync(async stop =>
    {
        var record = await pipeline.BuildAsync(recipe, stop);
        if (pipelineArguments.Verify)
        {
            await pipeline.VerifyAsync(record.Iso, stop);
        }
    });
}

OnTheBuiltIso(Task("Verify"))
    .Description("Boots the ISO (--iso, or a fresh build of the recipe) in QEMU as docker-machine does (CD + data disk, then hard disk) and checks engine, banner, data disk, injected binaries and the recipe's verify: commands (--accel=tcg|kvm).")
    .Does(async () => { using var pipeline = Pipeline(); await stopSignals.RunAsync(stop => pipeline.VerifyAsync(cancellationToken: stop)); });

Task("Fetch")
    .Description("Fills the input cache with everything a recipe needs, for a later --offline build.")
    .Does(async () => { using var pipeline = Pipeline(); await stopSignals.RunAsync(stop => pipeline.FetchAsync(stop)); });

Task("Inspect")
    .Description("Shows an ISO's label, layout, engine, boot setup (--iso, default the last build) and changes against --compare=BASE.")
    .Does(() => { using var pipeline = Pipeline(); Console.Write(pipeline.Inspect()); });

OnTheBuiltIso(Task("SeedCache"))
    .Description("Puts the ISO (--iso, or a fresh build of the recipe) into docker-machine's cache, keeping the old one as a backup (--storage-path, --machine, --restore).")
    .Does(() => { using var pipeline = Pipeline(); Console.WriteLine(pipeline.SeedCache()); });

OnTheBuiltIso(Task("Bundle"))
    .Description("Packs the ISO (--iso, or a fresh build of the recipe), SHA256SUMS, manifest and seed scripts for an air-gapped machine into artifacts/bundle/.")
    .Does(() =>
    {
        using var pipeline = Pipeline();
        var bundle = pipeline.Bundle();
        Console.WriteLine($"Bundle: {bundle.TarGzPath}\n        {bundle.ZipPath}");
    });
