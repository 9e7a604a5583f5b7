// The development targets that need the test-support assembly (tests/Boot2IsoKit.Testing: ASP.NET Core,
// the QEMU harness, the fixture builders). build.cake's Test and Fixtures targets run this script in a
// second Cake process (build/tasks/dev.cake), so the main targets never build or load that assembly.
#r "../artifacts/cake-dev/Boot2IsoKit.dll"
#r "../artifacts/cake-dev/Boot2IsoKit.Testing.dll"
#load "tasks/test.cake"
#load "tasks/fixtures.cake"

RunTarget(Argument("target", "Test"));
