// Fixtures (run by build/dev.cake): boot2docker-layout ISOs generated from Debian packages
// (tests/Boot2IsoKit.Testing/Fixtures).
Task("Fixtures")
    .Does(() =>
    {
        foreach (var layout in new[] { Boot2IsoKit.Testing.Fixtures.FixtureLayout.New, Boot2IsoKit.Testing.Fixtures.FixtureLayout.Old })
        {
            var fixture = Boot2IsoKit.Testing.Fixtures.FixtureIsos
                .GetAsync(layout, null, message => Information(message))
                .GetAwaiter().GetResult();
            Information("{0,-4} {1}  (volume id {2}, glibc {3})", layout, fixture.IsoPath, fixture.VolumeId, fixture.GlibcVersion);
        }
    });
