// Boot2IsoKit pipeline. This script only wires targets: every stage is a class in the library
// (src/Boot2IsoKit), where the tests reach it. Run ./build.sh (or ./build.ps1) to see the targets.
// It loads the library only: the targets that need the test-support assembly run build/dev.cake.
#r "../artifacts/cake/Boot2IsoKit.dll"
#load "tasks/pipeline.cake"
#load "tasks/dev.cake"
#load "tasks/bench.cake"

var target = Argument("target", "Default");
// Every argument is checked before any work: an unknown name or a bad value stops here, naming it.
var pipelineArguments = Boot2IsoKit.Stages.Pipeline.PipelineArguments.Read(
    Context.Arguments.GetArguments().ToDictionary(a => a.Key, a => a.Value.LastOrDefault() ?? "", StringComparer.OrdinalIgnoreCase));

Task("Default")
    .Description("Lists the targets with their descriptions.")
    .Does(() =>
    {
        Console.WriteLine("Boot2IsoKit targets (./build.sh --target=NAME):");
        foreach (var task in Tasks.Where(t => t.Name != "Default").OrderBy(t => t.Name))
        {
            Console.WriteLine($"  {task.Name,-16} {task.Description}");
        }

        Console.WriteLine("Arguments:");
        foreach (var argument in Boot2IsoKit.Stages.Pipeline.PipelineArguments.Table)
        {
            Console.WriteLine($"  {argument.Usage,-34} {argument.Meaning}");
        }

        Console.WriteLine("Cake switches: --verbosity, --dryrun, --tree, --description, --exclusive.");
    });

RunTarget(target);
