// Boot2IsoKit pipeline. This script only wires targets: every stage is a class in the library
// (src/Boot2IsoKit), where the tests reach it. Run ./build.sh (or ./build.ps1) to see the targets.
#r "../artifacts/cake/Boot2IsoKit.dll"
#r "../artifacts/cake/Boot2IsoKit.Testing.dll"
#load "tasks/test.cake"
#load "tasks/fixtures.cake"

var target = Argument("target", "Default");

Task("Default")
    .Description("Lists the targets with their descriptions.")
    .Does(() =>
    {
        Information("Boot2IsoKit targets (run ./build.sh --target=NAME):");
        foreach (var task in Tasks.Where(t => t.Name != "Default").OrderBy(t => t.Name))
        {
            Information("  {0,-16} {1}", task.Name, task.Description);
        }
        Information("Cake switches: --verbosity, --dryrun, --tree, --description, --exclusive.");
    });

RunTarget(target);
